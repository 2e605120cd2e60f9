"""D6 of the 2026-12 attack: interrupted or failed rebuilds left mixed, stale or half-written
outputs.

- A build that failed after swapping in its outputs but before replacing the manifest left the
  new outputs with the old manifest, so building the old model again skipped and kept them
  (attack/stale-manifest/repro.sh, with a rename failure injected by strace).
- SIGTERM had no handler: hidden temporaries, Graphviz folders and mixed output sets stayed.
- With -j 2, Ctrl-C printed KeyboardInterrupt tracebacks from the workers.

The manifest is now set aside before any output is replaced and written after all of them, in
one transaction that is undone entirely on any failure; SIGTERM is handled like Ctrl-C; the
temporaries of killed runs are removed; workers ignore Ctrl-C and unwind on SIGTERM. The
interrupt sweep at the end runs real processes: every output folder is all old or all new,
with the manifest of what it holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY
from trustmap import write
from trustmap.batch import MANIFEST_NAME, BuildJob, build_model
from trustmap.catalog import Catalog
from trustmap.interrupts import Interrupted, interrupts_raise

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
MODEL = (
    "trustmap: 1\nname: {name}\ncomponents:\n  web: {{service: ec2}}\n  db: {{service: rds}}\n"
    "flows:\n  - {{from: web, to: db, protocol: postgres}}\n"
)


def _job(model: Path, out: Path) -> BuildJob:
    return BuildJob(
        path=str(model), shown="model.yaml", stem="model", output=str(out), today=TODAY.isoformat()
    )


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _differing(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    """The names whose content differs between two folders' contents (or that one lacks)."""
    return sorted(name for name in got.keys() | want.keys() if got.get(name) != want.get(name))


def _manifest_of(contents: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(contents[MANIFEST_NAME])  # type: ignore[no-any-return]


def _state(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """'old' or 'new' when the folder is exactly one of the two builds, manifest included."""
    got = _contents(folder)
    return "old" if got == old else "new" if got == new else "mixed: " + str(sorted(got))


@pytest.fixture(scope="module")
def references(
    tmp_path_factory: pytest.TempPathFactory, catalog: Catalog
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """What models A and B build to (without Graphviz: these tests are about the files, not the
    images, and it keeps them fast)."""
    found = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", "")
        for version in ("A", "B"):
            root = tmp_path_factory.mktemp(f"ref-{version}")
            (root / "model.yaml").write_text(MODEL.format(name=f"Version {version}"))
            assert build_model(_job(root / "model.yaml", root / "out"), catalog).status == "built"
            found.append(_contents(root / "out" / "model"))
    return found[0], found[1]


@pytest.fixture
def two_builds(
    tmp_path: Path, references: tuple[dict[str, bytes], dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """Model A built into `out`, the model file changed to B, and what each builds to."""
    old, new = references
    monkeypatch.setenv("PATH", "")
    folder = tmp_path / "out" / "model"
    folder.mkdir(parents=True)
    for name, content in old.items():
        (folder / name).write_bytes(content)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL.format(name="Version B"))
    return model, tmp_path / "out", old, new


def _failing_on(call: int, real: Callable[..., Any], failure: Callable[[], None]) -> Callable[..., Any]:
    count = 0

    def fake(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count == call:
            failure()
        return real(*args, **kwargs)

    return fake


def _eio() -> None:
    raise OSError(5, "Input/output error")


def _sigterm() -> None:
    signal.raise_signal(signal.SIGTERM)


@pytest.mark.parametrize("call", range(1, 12))
def test_a_rename_failing_anywhere_leaves_the_old_build_and_its_manifest(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]],
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    call: int,
) -> None:
    """attack/stale-manifest/repro.sh: the 16th rename failing left B's outputs with A's manifest."""
    model, out, old, new = two_builds
    with monkeypatch.context() as patch:
        patch.setattr(write.os, "replace", _failing_on(call, os.replace, _eio))
        patch.setattr(write.os, "rename", _failing_on(call, os.rename, _eio))
        result = build_model(_job(model, out), catalog)
    assert result.status in ("failed", "built")
    assert _state(out / "model", old, new) == ("old" if result.status == "failed" else "new")
    # and the next build of A is not fooled by a manifest that no longer describes the folder
    model.write_text(MODEL.format(name="Version A"))
    again = build_model(_job(model, out), catalog)
    assert again.ok and _state(out / "model", old, new) == "old"


# nine outputs without Graphviz: renames 1-9, then the manifest's (10)
@pytest.mark.parametrize("call", [1, 5, 9, 10])
def test_sigterm_while_outputs_are_swapped_in_waits_for_the_swap(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]],
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    call: int,
) -> None:
    model, out, old, new = two_builds
    monkeypatch.setattr(
        write.os, "replace", _failing_on(call, os.replace, lambda: signal.raise_signal(signal.SIGTERM))
    )
    with pytest.raises(Interrupted), interrupts_raise():
        build_model(_job(model, out), catalog)
    monkeypatch.undo()
    assert _state(out / "model", old, new) == "new"


# the nine outputs and the manifest are staged (fsync 1-10) before anything is swapped in
@pytest.mark.parametrize("call", [1, 5, 10])
def test_sigterm_while_outputs_are_staged_leaves_the_old_build(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]],
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    call: int,
) -> None:
    model, out, old, new = two_builds
    monkeypatch.setattr(
        write.os, "fsync", _failing_on(call, os.fsync, lambda: signal.raise_signal(signal.SIGTERM))
    )
    with pytest.raises(Interrupted), interrupts_raise():
        build_model(_job(model, out), catalog)
    monkeypatch.undo()
    assert _state(out / "model", old, new) == "old"


def test_temporaries_of_a_killed_run_are_removed(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], catalog: Catalog
) -> None:
    model, out, _, new = two_builds
    folder = out / "model"
    for stale in (
        ".report.json.deadbeef.tmp",
        ".checklist.csv.z5ma2z9o.tmp",
        f".{MANIFEST_NAME}.0badf00d.tmp",
    ):
        (folder / stale).write_bytes(b"x" * 1000)
    (out / ".index.html.abcd1234.tmp").write_bytes(b"x")
    (folder / "notes.tmp").write_bytes(b"mine")  # not a trustmap temporary: kept
    assert build_model(_job(model, out), catalog).status == "built"
    assert _contents(folder) == {**new, "notes.tmp": b"mine"}
    write.write_atomic(out / "index.html", b"index")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "model"]


def test_files_of_the_last_build_that_this_one_does_not_make_are_removed(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], catalog: Catalog
) -> None:
    """Images of a build with Graphviz, rebuilt without it, would stay beside outputs they no
    longer match: what the manifest listed and the new build does not make goes."""
    model, out, _, new = two_builds
    folder = out / "model"
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    manifest["files"].append("architecture-old.svg")
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    (folder / "architecture-old.svg").write_text("<svg/>")
    (folder / "mine.txt").write_text("not listed: kept")
    assert build_model(_job(model, out), catalog).status == "built"
    assert _contents(folder) == {**new, "mine.txt": b"not listed: kept"}


# -- the interrupt sweep: real processes, real signals --------------------------------------


def _sweep_model(name: str) -> str:
    """Sixteen components in two boundaries: a build of two takes a second or two."""
    components = "".join(
        f"  web{i}: {{service: ec2, boundary: app}}\n  db{i}: {{service: rds}}\n" for i in range(8)
    )
    flows = "".join(f"  - {{from: web{i}, to: db{i}, protocol: postgres}}\n" for i in range(8))
    boundaries = "  vpc: {kind: vpc}\n  app: {kind: subnet, parent: vpc}\n"
    return f"trustmap: 1\nname: {name}\nboundaries:\n{boundaries}components:\n{components}flows:\n{flows}"


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trustmap", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own, like a job in a terminal
    )


@pytest.fixture(scope="module")
def sweep(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, bytes]], dict[int, float]]:
    """Two models (one.yaml, two.yaml) built as A (one process) and as B (-j 2), and how long
    each took: the trials send their signal at fractions of that."""
    root = tmp_path_factory.mktemp("sweep")
    env = {**os.environ, "TMPDIR": str(root)}
    refs: dict[str, dict[str, bytes]] = {}
    elapsed: dict[int, float] = {}
    for version, jobs in (("A", 1), ("B", 2)):
        folder = root / f"ref-{version}"
        folder.mkdir()
        for stem in ("one", "two"):
            (folder / f"{stem}.yaml").write_text(_sweep_model(f"Version {version}"))
        start = time.perf_counter()
        args = ["build", "one.yaml", "two.yaml", "-o", "out", "--today", TODAY.isoformat(), "-j", str(jobs)]
        process = _cli(*args, cwd=folder, env=env)
        output = process.communicate(timeout=120)[0]
        assert process.returncode == 0, output
        elapsed[jobs] = time.perf_counter() - start
        for stem in ("one", "two"):
            refs[f"{version}/{stem}"] = _contents(folder / "out" / stem)
    return root, refs, elapsed


TRIALS = [
    ("SIGTERM", "parent", 1),
    ("SIGINT", "group", 1),
    ("SIGTERM", "group", 2),
    ("SIGINT", "group", 2),
    ("SIGTERM", "parent", 2),
]


@pytest.mark.parametrize(("name", "target", "jobs"), TRIALS, ids=lambda v: str(v))
@pytest.mark.parametrize("fraction", [0.2, 0.6, 0.95])
def test_interrupt_sweep(
    sweep: tuple[Path, dict[str, dict[str, bytes]], dict[int, float]],
    name: str,
    target: str,
    jobs: int,
    fraction: float,
) -> None:
    root, refs, elapsed = sweep
    trial = root / f"{name}-{target}-{jobs}-{fraction}"
    trial.mkdir()
    scratch = trial / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    shutil.copytree(root / "ref-A" / "out", trial / "out")  # the earlier build: version A
    for stem in ("one", "two"):
        (trial / f"{stem}.yaml").write_text(_sweep_model("Version B"))
    args = ["build", "one.yaml", "two.yaml", "-o", "out", "--today", TODAY.isoformat(), "-j", str(jobs)]
    process = _cli(*args, cwd=trial, env=env)
    time.sleep(elapsed[jobs] * fraction)
    signum = getattr(signal, name)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum) if target == "group" else process.send_signal(signum)
    output = process.communicate(timeout=120)[0].decode("utf-8", "replace")
    # 0: done before the signal; 128 + n: interrupted; -n: the signal came after the work, as
    # the interpreter was exiting, and ended it
    assert process.returncode in (0, 128 + signum, -signum), output
    assert "Traceback" not in output, output
    time.sleep(0.2)  # let the workers of -j finish their cleanup
    for stem in ("one", "two"):
        got = _contents(trial / "out" / stem)
        assert got in (refs[f"A/{stem}"], refs[f"B/{stem}"]), (
            f"{stem}: mixed after {name} (exit {process.returncode}): "
            f"not as A: {_differing(got, refs[f'A/{stem}'])}; not as B: {_differing(got, refs[f'B/{stem}'])}"
        )
    assert list(scratch.iterdir()) == [], "a Graphviz folder was left behind"


@pytest.mark.parametrize("plant", ["link to /dev/zero", "fifo", "link to the model"])
def test_a_planted_manifest_is_never_followed_or_read_whole(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], catalog: Catalog, plant: str
) -> None:
    """A repository can commit out/model/.trustmap-build.json as a link or a FIFO: reading it
    as the previous manifest must neither hang nor fill memory nor follow the link."""
    model, out, _, _ = two_builds
    manifest = out / "model" / MANIFEST_NAME
    manifest.unlink()
    if plant == "fifo":
        os.mkfifo(manifest)
    else:
        manifest.symlink_to("/dev/zero" if plant == "link to /dev/zero" else model)
    result = build_model(_job(model, out), catalog)
    if plant == "fifo":  # not a manifest: set aside like any earlier file, and rebuilt
        assert result.status == "built" and manifest.is_file() and not manifest.is_symlink()
    else:
        assert result.status == "failed" and "is a symbolic link" in (result.error or "")
    assert model.read_text() == MODEL.format(name="Version B")


def test_a_planted_report_is_not_read_for_a_skipped_build(
    two_builds: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], catalog: Catalog
) -> None:
    model, out, old, _ = two_builds
    model.write_text(MODEL.format(name="Version A"))  # the build in `out` is up to date
    (out / "model" / "report.json").unlink()
    os.mkfifo(out / "model" / "report.json")
    result = build_model(_job(model, out), catalog)  # not unchanged: report.json is no file
    assert result.status == "built"
    assert _contents(out / "model") == old
