"""Outputs are written atomically: a run that fails leaves the earlier outputs exactly as they were."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap import write
from trustmap.cli import app

MODEL = (
    "trustmap: 1\nname: {name}\ncomponents:\n  web: {{service: ec2}}\n  db: {{service: rds}}\n"
    "flows:\n  - {{from: web, to: db, protocol: postgres}}\n"
)


def _build(model: Path, out: Path) -> int:
    result = CliRunner().invoke(app, ["build", str(model), "-o", str(out), "--today", TODAY.isoformat()])
    assert "Traceback" not in result.output
    return result.exit_code


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def _failing_on(call: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that its `call`-th use raises, as a full disk or a pulled cable would."""
    count = 0

    def fake(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count == call:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    return fake


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    model = tmp_path / "shop.yaml"
    model.write_text(MODEL.format(name="First"))
    out = tmp_path / "out"
    assert _build(model, out) == 0
    return model, out, _contents(out / "shop")


def test_an_invalid_model_leaves_the_earlier_outputs(built: tuple[Path, Path, dict[str, bytes]]) -> None:
    model, out, before = built
    model.write_text(MODEL.format(name="Second").replace("service: rds", "service: rdss"))
    assert _build(model, out) == 2
    assert _contents(out / "shop") == before
    assert _temporaries(out) == []


@pytest.mark.parametrize("call", [1, 3, 7])
def test_a_rename_failing_half_way_is_undone(
    built: tuple[Path, Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, call: int
) -> None:
    model, out, before = built
    model.write_text(MODEL.format(name="Second"))
    monkeypatch.setattr(write.os, "replace", _failing_on(call, os.replace))
    assert _build(model, out) == 2
    monkeypatch.undo()
    assert _contents(out / "shop") == before
    assert _temporaries(out) == []


@pytest.mark.parametrize("call", [1, 4])
def test_a_write_failing_half_way_is_undone(
    built: tuple[Path, Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, call: int
) -> None:
    model, out, before = built
    model.write_text(MODEL.format(name="Second"))
    monkeypatch.setattr(write.os, "fsync", _failing_on(call, os.fsync))
    assert _build(model, out) == 2
    monkeypatch.undo()
    assert _contents(out / "shop") == before
    assert _temporaries(out) == []


def test_a_successful_rebuild_replaces_every_file(built: tuple[Path, Path, dict[str, bytes]]) -> None:
    model, out, before = built
    model.write_text(MODEL.format(name="Second"))
    assert _build(model, out) == 0
    after = _contents(out / "shop")
    assert after.keys() >= before.keys() - {".trustmap-build.json"}
    assert after["report.json"] != before["report.json"]
    assert b"Second" in after["report.json"]
    assert _temporaries(out) == []


def test_write_files_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "out"
    write.write_files(folder, {"a.txt": b"old a", "b.txt": b"old b"})
    monkeypatch.setattr(write.os, "replace", _failing_on(3, os.replace))
    with pytest.raises(OSError, match="No space left"):
        write.write_files(folder, {"a.txt": b"new a", "b.txt": b"new b", "c.txt": b"new c"})
    monkeypatch.undo()
    assert _contents(folder) == {"a.txt": b"old a", "b.txt": b"old b"}


def test_a_file_that_cannot_be_replaced_keeps_the_old_set_and_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA 2027-01 (`chattr +i` on one output): the old files stayed, but the old manifest was
    left renamed to a temporary, and a copy of the file beside it."""
    folder = tmp_path / "out"
    write.write_files(folder, {"a.txt": b"old a", "b.txt": b"old b"}, marker=("m.json", b"old m"))
    real = os.replace

    def immutable_b(source: Any, target: Any, **kwargs: Any) -> None:
        if target == "b.txt":
            raise PermissionError(1, "Operation not permitted")
        real(source, target, **kwargs)

    monkeypatch.setattr(write.os, "replace", immutable_b)
    with pytest.raises(PermissionError):
        write.write_files(folder, {"a.txt": b"new a", "b.txt": b"new b"}, marker=("m.json", b"new m"))
    monkeypatch.undo()
    assert _contents(folder) == {"a.txt": b"old a", "b.txt": b"old b", "m.json": b"old m"}
    assert _temporaries(tmp_path) == []


def test_interrupting_a_write_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (KeyboardInterrupt) in the middle is cleaned up like any other failure."""
    target = tmp_path / "report.json"
    target.write_bytes(b"old")

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write.write_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_an_interrupt_just_after_a_temporary_is_created_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    """The `nth` temporary file is created, and the signal arrives before its name is returned
    (seen once as `.findings.sarif.<hex>.tmp` left beside the old outputs after a Ctrl-C)."""
    (tmp_path / "a.txt").write_text("old a")
    real_open = os.open
    created: list[str] = []

    def open_then_interrupt(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        handle = real_open(path, flags, *args, **kwargs)
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            created.append(str(path))
            if len(created) == nth:
                os.close(handle)
                raise KeyboardInterrupt
        return handle

    monkeypatch.setattr("trustmap.write.os.open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write.write_files(tmp_path, {"a.txt": b"new a", "b.txt": b"new b"}, marker=("m.json", b"{}"))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"
