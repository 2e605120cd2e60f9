"""D10 of the 2026-12 attack: U+FFFE or U+FFFF in a name (allowed in YAML escapes) made
Graphviz refuse every view; `build` exited 0 with three notes, no SVG or PNG, and a report
without diagrams.

Characters that XML cannot carry are now replaced in every label, and a build whose Graphviz
fails on a view fails (exit 2, earlier outputs kept) unless --allow-missing-diagrams says to
write the rest.
"""

from __future__ import annotations

import json
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.cli import app

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
DAY = ("--today", TODAY.isoformat())


def _build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["build", *args, *DAY])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.graphviz
def test_noncharacters_in_names_no_longer_remove_the_diagrams(tmp_path: Path) -> None:
    """attack/noncharacter-name.yaml: `name: "a\\uFFFEb\\uFFFFc"`, 9 files instead of 15."""
    code, output = _build(str(ATTACK / "noncharacter-name.yaml"), "-o", str(tmp_path))
    assert code == 0, output
    assert "note:" not in output
    folder = tmp_path / "noncharacter-name"
    for view in ("architecture", "dataflow", "responsibility"):
        svg = (folder / f"{view}.svg").read_text(encoding="utf-8")
        ET.fromstring(svg)  # well-formed XML
        assert "\ufffe" not in svg and "\uffff" not in svg
        assert (folder / f"{view}.png").is_file()
    assert "a\ufffdb\ufffdc" in (folder / "architecture.svg").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1]
    )
    assert len([view for view in data["diagrams"] if view.get("svg")]) >= 3


def _failing_dot(folder: Path) -> str:
    """A `dot` on PATH that fails the way Graphviz does on a label it cannot parse."""
    script = folder / "dot"
    script.write_text("#!/bin/sh\necho 'Error: syntax error in line 3' >&2\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(folder)


def test_a_build_whose_graphviz_fails_fails_and_keeps_the_earlier_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ATTACK / "noncharacter-name.yaml"
    monkeypatch.setenv("PATH", "")  # no Graphviz: sources only, a note, exit 0 (documented)
    code, output = _build(str(model), "-o", str(tmp_path / "out"))
    assert code == 0 and "Graphviz 'dot' was not found" in output
    before = {p.name: p.read_bytes() for p in (tmp_path / "out" / "noncharacter-name").iterdir()}
    monkeypatch.setenv("PATH", _failing_dot(tmp_path))
    code, output = _build(str(model), "-o", str(tmp_path / "out"), "--force")
    assert code == 2, output
    assert "Graphviz failed on the architecture view (exit status 1): Error: syntax error in line 3" in output
    assert "--allow-missing-diagrams" in output
    assert {p.name: p.read_bytes() for p in (tmp_path / "out" / "noncharacter-name").iterdir()} == before


def test_allow_missing_diagrams_writes_the_rest_and_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _failing_dot(tmp_path))
    code, output = _build(
        str(ATTACK / "noncharacter-name.yaml"), "-o", str(tmp_path / "out"), "--allow-missing-diagrams"
    )
    assert code == 0, output
    assert output.count("note: Graphviz failed on the") == 3
    folder = tmp_path / "out" / "noncharacter-name"
    assert (folder / "report.json").is_file() and not (folder / "architecture.svg").exists()
