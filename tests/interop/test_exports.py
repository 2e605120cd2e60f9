"""`export threat-composer` and `export threat-dragon`: valid documents that carry the model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE_NAMES
from tests.interop.conftest import HERE
from trustmap.analysis import Analysis
from trustmap.cli import app
from trustmap.interop.layout import grid_layout
from trustmap.interop.otm.exporter import layout_spec
from trustmap.interop.threat_composer import threat_composer_document
from trustmap.interop.threat_dragon import threat_dragon_document

SCHEMAS = HERE / "schemas"


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_threat_composer_export_validates_and_links(name: str, example: Callable[[str], Analysis]) -> None:
    analysis = example(name)
    document = threat_composer_document(analysis, grid_layout(layout_spec(analysis)))
    jsonschema.validate(document, _schema("threat-composer.schema.json"))
    findings = analysis.report.findings
    assert len(document["threats"]) == len(findings)
    threat_ids = {t["id"] for t in document["threats"]}
    mitigation_ids = {m["id"] for m in document["mitigations"]}
    assert all(link["linkedId"] in threat_ids for link in document["mitigationLinks"])
    assert {link["mitigationId"] for link in document["mitigationLinks"]} == mitigation_ids
    assert len(document["assumptions"]) == len(analysis.report.questions)
    assert document["architecture"]["image"].startswith("data:image/svg+xml;base64,")
    for threat, finding in zip(document["threats"], findings, strict=True):
        assert threat["statement"].startswith(f"A threat actor who can reach {finding.subject_name}"[:60])
        priority = next(m["value"] for m in threat["metadata"] if m["key"] == "Priority")
        assert priority == {"critical": "High", "high": "High", "medium": "Medium"}.get(
            finding.severity, "Low"
        )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_threat_dragon_export_validates_and_places_threats(
    name: str, example: Callable[[str], Analysis]
) -> None:
    analysis = example(name)
    document = threat_dragon_document(analysis, grid_layout(layout_spec(analysis)))
    jsonschema.validate(document, _schema("threat-dragon-v2.schema.json"))
    cells = document["detail"]["diagrams"][0]["cells"]
    ids = {c["id"] for c in cells}
    assert {c.id for c in analysis.graph.components()} <= ids
    edges = [c for c in cells if c["shape"] == "flow"]
    assert len(edges) == len(analysis.graph.flows())
    assert all(e["source"]["cell"] in ids and e["target"]["cell"] in ids for e in edges)
    placed = sum(len(c["data"].get("threats", [])) for c in cells)
    on_elements = [f for f in analysis.report.findings if f.subject.kind in ("component", "flow")]
    assert placed == len(on_elements)


def test_threat_dragon_reads_encryption_and_exposure(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    document = threat_dragon_document(analysis, grid_layout(layout_spec(analysis)))
    flows = {c["id"]: c["data"] for c in document["detail"]["diagrams"][0]["cells"] if c["shape"] == "flow"}
    for flow in analysis.graph.flows():
        assert flows[f"flow-{flow.id}"]["isEncrypted"] is flow.encrypted


def test_exports_are_deterministic(example: Callable[[str], Analysis]) -> None:
    analysis = example("three-tier-web")
    layout = grid_layout(layout_spec(analysis))
    assert threat_composer_document(analysis, layout) == threat_composer_document(analysis, layout)
    assert threat_dragon_document(analysis, layout) == threat_dragon_document(analysis, layout)


@pytest.mark.parametrize(
    ("command", "suffix"), [("threat-composer", ".tc.json"), ("threat-dragon", ".td.json")]
)
def test_the_cli_writes_each_export(command: str, suffix: str, tmp_path: Path) -> None:
    target = tmp_path / f"shop{suffix}"
    model = Path(__file__).resolve().parents[2] / "examples" / "shop.yaml"
    result = CliRunner().invoke(app, ["export", command, str(model), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())
