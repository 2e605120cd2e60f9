"""Messages name an input as the user gave it; files never hold an absolute path (QA 2027-01:
two models `/tmp/a/model.yaml` and `/tmp/b/model.yaml` were both reported as `model.yaml`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap.cli import app

DAY = ("--today", TODAY.isoformat())
BROKEN = "trustmap: 1\nname: x\ncomponents:\n  web:\n    service: ec3\n"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory beside the models, so that their absolute paths are outside it."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.yaml").write_text(BROKEN)
    return tmp_path


@pytest.mark.parametrize("command", [["validate"], ["checklist", *DAY], ["build", "-o", "out", *DAY]])
def test_absolute_paths_outside_the_working_directory_are_shown_whole(
    elsewhere: Path, command: list[str]
) -> None:
    models = [str(elsewhere / "a" / "model.yaml")]
    if command[0] == "validate":
        models.append(str(elsewhere / "b" / "model.yaml"))
    result = CliRunner().invoke(app, [command[0], *models, *command[1:]])
    assert result.exit_code == 2
    for model in models:
        assert f"{model}:5:14: E204 unknown service 'ec3'" in result.stderr, result.stderr


def test_relative_paths_stay_relative(elsewhere: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "../a/model.yaml"])
    assert result.exit_code == 2 and "../a/model.yaml:5:14: E204" in result.stderr


def test_reports_never_hold_the_absolute_path(elsewhere: Path) -> None:
    model = elsewhere / "a" / "shop.yaml"
    model.write_bytes((EXAMPLES / "shop.yaml").read_bytes())
    result = CliRunner().invoke(app, ["build", str(model), "-o", "out", *DAY])
    assert result.exit_code == 0, result.output
    report = json.loads((elsewhere / "cwd" / "out" / "shop" / "report.json").read_text())
    assert report["model"]["source"] == "shop.yaml"
    for written in (elsewhere / "cwd" / "out").rglob("*"):
        if written.is_file() and written.suffix in (".json", ".sarif", ".html", ".md", ".csv"):
            assert str(elsewhere) not in written.read_text(errors="replace"), written
