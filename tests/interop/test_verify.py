"""`trustmap verify`: a model and code written to differ in each way, and models imported from code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.interop.conftest import HERE, TEMPLATES
from trustmap.cli import app

VERIFY = HERE / "verify"
SARIF_SCHEMA = HERE.parent / "reports" / "sarif-2.1.0.schema.json"


def _verify(*args: str) -> Any:
    return CliRunner().invoke(app, ["verify", *args])


def test_each_kind_of_drift_is_found() -> None:
    result = _verify(
        str(VERIFY / "design.yaml"), "--against", str(VERIFY / "template.yaml"), "--format", "json"
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = {(d["kind"], d["subject"]) for d in report["drifts"]}
    assert found == {
        ("component-not-in-code", "cache"),
        ("component-not-in-design", "jobs"),
        ("encryption-differs", "db"),
        ("exposure-differs", "lb"),
        ("flow-not-in-code", "web->assets"),
        ("flow-not-in-design", "worker->assets"),  # Worker's environment names the bucket
        ("multi-az-differs", "db"),
        ("reachability-not-in-design", "the internet->web"),  # ssh from 0.0.0.0/0
    }


def test_sarif_output_validates_and_points_at_the_model(tmp_path: Path) -> None:
    target = tmp_path / "drift.sarif"
    design, template = VERIFY / "design.yaml", VERIFY / "template.yaml"
    result = _verify(str(design), "--against", str(template), "--format", "sarif", "-o", str(target))
    assert result.exit_code == 1
    document = json.loads(target.read_text())
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    results = document["runs"][0]["results"]
    lines = design.read_text().splitlines()
    cache = next(r for r in results if r["ruleId"] == "component-not-in-code")
    line = cache["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert lines[line - 1].strip().startswith("cache:")


@pytest.mark.parametrize(
    "template",
    [
        "three-tier.yaml",
        "serverless.json",
        "short-forms.yaml",
        "faithful/conditions.yaml",
        "faithful/sam.yaml",
        "faithful/edges.yaml",
        "faithful/peers.yaml",
        "faithful/nested/parent.yaml",
    ],
)
def test_a_model_imported_from_the_code_has_no_drift(template: str, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    source = TEMPLATES / template
    assert CliRunner().invoke(app, ["import", "cloudformation", str(source), "-o", str(model)]).exit_code == 0
    result = _verify(str(model), "--against", str(source))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("no drift")


@pytest.mark.parametrize("source", ["plan.json", "config"])
def test_a_model_imported_from_terraform_has_no_drift(source: str, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    path = HERE / "terraform" / source
    assert CliRunner().invoke(app, ["import", "terraform", str(path), "-o", str(model)]).exit_code == 0
    result = _verify(str(model), "--against", str(path))
    assert result.exit_code == 0, result.output


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("trustmap: 1\nname: x\n")
    assert _verify(str(bad), "--against", str(VERIFY / "template.yaml")).exit_code == 2
    missing = tmp_path / "none.yaml"
    assert _verify(str(VERIFY / "design.yaml"), "--against", str(missing)).exit_code == 2
    assert (
        _verify(
            str(VERIFY / "design.yaml"), "--against", str(VERIFY / "template.yaml"), "--format", "x"
        ).exit_code
        == 2
    )
