"""Every `--format` choice, and `--view`, is taken whatever its case (`--format PNG` was refused); a value
that names no format is still refused, quoted as typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from trustmap.cli import app

runner = CliRunner()
SHOP = str(EXAMPLES / "shop.yaml")
TEMPLATE = str(ROOT / "tests" / "interop" / "templates" / "serverless.json")


def test_diagram_png_in_upper_case_is_a_png(tmp_path: Path) -> None:
    target = tmp_path / "arch.png"
    result = runner.invoke(app, ["diagram", SHOP, "--format", "PNG", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG")


def test_diagram_text_formats_in_any_case() -> None:
    result = runner.invoke(app, ["diagram", SHOP, "--format", "Mermaid"])
    assert result.exit_code == 0 and "\nflowchart TB\n" in result.stdout
    result = runner.invoke(app, ["diagram", SHOP, "--format", "DOT"])
    assert result.exit_code == 0 and "digraph" in result.stdout.split("{")[0]


def test_diagram_case_does_not_hide_a_contradiction(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diagram", SHOP, "--format", "SVG", "-o", str(tmp_path / "a.png")])
    assert result.exit_code == 2 and "--format svg does not match" in result.output
    result = runner.invoke(app, ["diagram", SHOP, "--format", "PNG", "-o", str(tmp_path / "a.PNG")])
    assert result.exit_code == 0, result.output


def test_checklist_formats_in_any_case() -> None:
    result = runner.invoke(app, ["checklist", SHOP, "--format", "JSON"])
    assert result.exit_code == 0 and isinstance(json.loads(result.stdout), dict)
    result = runner.invoke(app, ["checklist", SHOP, "--format", "Md, CSV"])
    assert result.exit_code == 0 and result.stdout.startswith("#")


def test_validate_json_in_upper_case_prints_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\n")
    result = runner.invoke(app, ["validate", "--format", "JSON", str(bad)])
    assert result.exit_code == 2
    assert all(json.loads(line)["code"] for line in result.stdout.splitlines())


def test_export_and_diff_and_verify_in_any_case(tmp_path: Path) -> None:
    target = tmp_path / "shop.otm.json"
    assert runner.invoke(app, ["export", "otm", SHOP, "-o", str(target), "--format", "YAML"]).exit_code == 0
    assert target.read_text().startswith("assets:")
    result = runner.invoke(app, ["diff", SHOP, SHOP, "--format", "JSON"])
    assert result.exit_code == 0 and isinstance(json.loads(result.stdout), dict)
    result = runner.invoke(app, ["verify", SHOP, "--against", TEMPLATE, "--format", "SARIF"])
    assert result.exit_code in (0, 1) and json.loads(result.stdout)["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["diagram", SHOP, "--format", "JPEG"], "--format takes svg, png, pdf, dot, mermaid; got 'JPEG'"),
        (["checklist", SHOP, "--format", "JSON,Xml"], "--format takes md, json, csv; got 'JSON,Xml'"),
        (["validate", "--format", "XML", SHOP], "--format must be text or json, not 'XML'"),
        (["diff", SHOP, SHOP, "--format", "HTML"], "--format takes text, md, json; got 'HTML'"),
        (
            ["verify", SHOP, "--against", TEMPLATE, "--format", "XML"],
            "--format takes text, json, sarif; got 'XML'",
        ),
        (["export", "otm", SHOP, "-o", "-", "--format", "XML"], "--format must be json or yaml, not 'XML'"),
    ],
)
def test_unknown_formats_are_refused_as_typed(command: list[str], message: str) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 2 and message in result.output


def test_diagram_view_in_any_case() -> None:
    typed = runner.invoke(app, ["diagram", SHOP, "--view", "DataFlow", "--format", "dot"])
    plain = runner.invoke(app, ["diagram", SHOP, "--view", "dataflow", "--format", "dot"])
    assert typed.exit_code == 0 and typed.stdout == plain.stdout
    wrong = runner.invoke(app, ["diagram", SHOP, "--view", "DataFlows", "--format", "dot"])
    assert wrong.exit_code == 2 and "got 'DataFlows'" in wrong.output
