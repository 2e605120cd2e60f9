"""Nothing is ever written outside the output directory, whatever the model or its file is called.

Each test snapshots the whole temporary tree (paths, file hashes, link targets) before and
after a build, and checks that every change is inside `out/<stem>/` (or the batch index).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TODAY
from tests.hardening.hostile import hostile_model
from trustmap.cli import app
from trustmap.write import UnsafeOutputPathError, safe_stem, write_files

MODEL = "trustmap: 1\nname: ../../etc/passwd\ncomponents:\n  web: {service: ec2, name: ../../../../tmp/x}\n"


def _snapshot(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            path = Path(directory) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["build", "--today", TODAY.isoformat(), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_hostile_names_write_only_into_the_output_directory(tmp_path: Path) -> None:
    model = tmp_path / "models" / "shop.yaml"
    model.parent.mkdir()
    model.write_text(yaml.safe_dump(hostile_model(), allow_unicode=True))
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0\n")
    before = _snapshot(tmp_path)
    code, output = _build(str(model), "-o", str(tmp_path / "out"), "--allow-unmatched")
    assert code == 0, output
    changed = _changes(before, _snapshot(tmp_path))
    assert changed
    assert all(key == "out" or key.startswith("out/") for key in changed), sorted(changed)
    assert all(key in ("out", "out/index.html", "out/shop") or key.startswith("out/shop/") for key in changed)


HOSTILE_FILE_NAMES = [
    "..yaml", "...yaml", "-rf.yaml", "--help.yaml", ".hidden.yaml", " .yaml", "a b;rm -rf ~.yaml",
    "ünïcødé.yaml", "$(id).yaml", "x.y.z.yaml", "CON.yaml", "report.json.yaml",
]  # fmt: skip


def test_hostile_file_names_get_a_safe_folder_each(tmp_path: Path) -> None:
    models = []
    for index, file_name in enumerate(HOSTILE_FILE_NAMES):
        folder = tmp_path / "in" / str(index)  # some names clean up to the same stem
        folder.mkdir(parents=True)
        models.append(folder / file_name)
        models[-1].write_text(MODEL)
    stems = [safe_stem(m.stem) for m in models]
    unique = dict(zip(stems, models, strict=True))
    before = _snapshot(tmp_path)
    code, output = _build("-o", str(tmp_path / "out"), "--", *map(str, unique.values()))
    assert code == 0, output
    changed = _changes(before, _snapshot(tmp_path))
    assert all(key.startswith("out") for key in changed), sorted(changed)
    folders = {key.split("/")[1] for key in changed if key.count("/") >= 1 and key != "out/index.html"}
    assert folders == set(unique)
    for stem in unique:
        assert stem and "/" not in stem and not stem.startswith((".", "-"))
        assert (tmp_path / "out" / stem / "report.json").is_file()


def test_model_in_a_parent_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "model.yaml").write_text(MODEL)
    monkeypatch.chdir(work)
    before = _snapshot(tmp_path)
    code, output = _build("../model.yaml", "-o", "out")
    assert code == 0, output
    changed = _changes(before, _snapshot(tmp_path))
    assert all(key.startswith("work/out") for key in changed), sorted(changed)
    assert (work / "out" / "model" / "report.json").is_file()


def test_two_models_with_one_stem_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "shop.yaml").write_text(MODEL)
    code, _ = _build(
        str(tmp_path / "a" / "shop.yaml"), str(tmp_path / "b" / "shop.yaml"), "-o", str(tmp_path / "out")
    )
    assert code == 2
    assert not (tmp_path / "out").exists()


def test_a_link_planted_in_the_output_directory_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    folder = tmp_path / "out" / "model"
    folder.mkdir(parents=True)
    (folder / "report.json").symlink_to(outside)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    before = _snapshot(tmp_path)
    code, output = _build(str(model), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert "report.json is a symbolic link" in output
    assert _snapshot(tmp_path) == before


def _escape_setup(tmp_path: Path, target: str) -> tuple[Path, Path]:
    """attack/stem-symlink-escape.sh: `out/shop -> ../victim`, as a repository could commit it."""
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "report.json").write_text("keep me\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "shop").symlink_to(target)
    model = tmp_path / "shop.yaml"
    model.write_text(MODEL)
    return model, tmp_path / "out"


@pytest.mark.attack
@pytest.mark.parametrize("target", ["../victim", "../victim/", "<absolute>", "shop", "elsewhere", "missing"])
def test_a_link_at_the_model_folder_is_refused_and_nothing_is_written(tmp_path: Path, target: str) -> None:
    """D2 of the 2026-12 attack: every output (and the manifest) went to the link's target."""
    absolute = str(tmp_path / "victim")
    model, out = _escape_setup(tmp_path, absolute if target == "<absolute>" else target)
    (out / "elsewhere").mkdir()
    before = _snapshot(tmp_path)
    code, output = _build(str(model), "-o", str(out))
    assert code == 2, output
    assert "out/shop is a symbolic link" in output and "never writes through a link" in output
    assert _snapshot(tmp_path) == before
    assert (tmp_path / "victim" / "report.json").read_text() == "keep me\n"


def test_a_link_at_the_output_directory_itself_is_the_users_choice(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    model = tmp_path / "shop.yaml"
    model.write_text(MODEL)
    code, output = _build(str(model), "-o", str(tmp_path / "out"))
    assert code == 0, output
    assert (tmp_path / "real" / "shop" / "report.json").is_file()


@pytest.mark.parametrize(
    "name", ["../x", "../../etc/passwd", "/etc/passwd", "a/../../x", "..", ".", "", "sub/../../x"]
)
def test_write_files_refuses_names_that_leave_the_directory(tmp_path: Path, name: str) -> None:
    target = tmp_path / "out"
    before = _snapshot(tmp_path)
    with pytest.raises((UnsafeOutputPathError, IsADirectoryError, OSError)):
        write_files(target, {"ok.txt": b"ok", name: b"evil"})
    assert _snapshot(tmp_path) == before  # refused before the first file is written


def test_a_plain_file_name_is_its_folder_name(tmp_path: Path) -> None:
    """outputs.md: everything goes into `DIR/<model file stem>/`; a stem in another script or
    with a space is a plain folder name and stays as it is."""
    models = []
    for name in ("système", "shop v2", "用户-モデル"):
        models.append(tmp_path / f"{name}.yaml")
        models[-1].write_text(MODEL)
    code, output = _build("-o", str(tmp_path / "out"), *map(str, models))
    assert code == 0, output
    for name in ("système", "shop v2", "用户-モデル"):
        assert (tmp_path / "out" / name / "report.json").is_file(), sorted(
            p.name for p in (tmp_path / "out").iterdir()
        )
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="shop%20v2/report.html"' in index


@pytest.mark.parametrize(
    "stem", ["..", ".", "", "...", "/", "a/b", "\x00", "-", "~", " . -x", "a\u202eb", " "]
)
def test_safe_stem_is_a_single_plain_folder_name(stem: str) -> None:
    cleaned = safe_stem(stem)
    assert cleaned and cleaned not in (".", "..")
    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert not cleaned.startswith((".", "-"))
