"""report.json: everything, machine-readable (format `trustmap-report/1`)."""

from __future__ import annotations

import json
from typing import Any

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.findings import Subject
from trustmap.free_text import json_text
from trustmap.graph import Record, field_values, reported_fields

__all__ = ["REPORT_FORMAT", "dump_by_element", "render_report_json", "report_document"]

REPORT_FORMAT = "trustmap-report/1"


#: report.json's names for record fields that it spells differently
_JSON_NAMES = {"source": "from", "target": "to"}


def _entry(analysis: Analysis, subject: Subject, record: Record) -> dict[str, Any]:
    """A component or flow: every reported field of its record, and its checklist."""
    entry = {
        _JSON_NAMES.get(name, name): value
        for name, value in field_values(record, reported_fields(type(record))).items()
    }
    entry["checklist"] = [item.to_json() for item in analysis.report.checklists.get(subject, ())]
    return entry


def report_document(analysis: Analysis) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    graph = analysis.graph
    model = graph.model
    boundaries = [
        {
            "description": b.description,
            "id": b.id,
            "kind": b.kind,
            "name": b.name,
            "parent": b.parent,
            "path": list(b.path),
            "public": b.public,
            "trust": b.trust,
        }
        for b in sorted(graph.boundaries.values(), key=lambda b: b.id)
    ]
    data = [
        {
            "classification": asset.classification,
            "description": asset.description,
            "id": data_id,
            "name": asset.name or data_id,
            "regulations": sorted(asset.regulations),
        }
        for data_id, asset in sorted(model.data.items())
    ]
    model_items = analysis.report.checklists.get(Subject("model", "model"), ())
    return {
        "boundaries": boundaries,
        "catalog": {"digest": analysis.catalog.digest},
        "components": [_entry(analysis, Subject("component", c.id), c) for c in graph.components()],
        "controls": _controls(analysis),
        "data": data,
        "diagnostics": [d.to_json() for d in analysis.diagnostics],
        "findings": [f.to_json() for f in analysis.report.findings],
        "questions": [q.to_json() for q in analysis.report.questions],
        "attack_paths": [p.to_json() for p in analysis.report.attack_paths],
        "flows": [
            _entry(analysis, Subject("flow", flow.id), flow)
            for flow in sorted(graph.flows(), key=lambda f: f.id)
        ],
        "format": REPORT_FORMAT,
        # format 1.2: the checklist of each principal (its record is the model's `principals`)
        "principals": [
            {
                "checklist": [
                    item.to_json() for item in analysis.report.checklists.get(Subject("principal", p.id), ())
                ],
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
            }
            for p in sorted(graph.permissions.principals.values(), key=lambda p: p.id)
        ],
        "model": {
            "checklist": [item.to_json() for item in model_items],
            "controls": list(graph.model_controls),
            "description": model.description,
            "name": model.name,
            "owner": model.owner,
            "region": model.region,
            "source": graph.path,
        },
        "summary": analysis.report.summary(),
        "tool": {"name": "trustmap", "version": __version__},
    }


def _controls(analysis: Analysis) -> dict[str, Any]:
    """Every control that some checklist lists, described once."""
    used = sorted({item.id for items in analysis.report.checklists.values() for item in items})
    catalog = analysis.catalog
    described: dict[str, Any] = {}
    for control_id in used:
        control = catalog.controls[control_id]
        described[control_id] = {
            "category": control.category,
            "code": control.code,
            "compliance": control.compliance.as_dict(),
            "evidence": control.evidence_text,
            "owner": control.owner,
            "remediation": control.remediation,
            "threats": list(catalog.threats_mitigated_by(control_id)),
            "title": control.title,
        }
    return described


def _line(value: Any) -> str:
    return json_text(json.dumps(value, sort_keys=True, ensure_ascii=False))


def render_report_json(analysis: Analysis) -> str:
    return dump_by_element(report_document(analysis))


def dump_by_element(document: dict[str, Any]) -> str:
    """JSON with sorted keys and each element of a top-level list or mapping (a component, a
    flow, a finding) on a line of its own: reviews diff per element, and large models encode
    with the C encoder (an indented dump runs CPython's slow pure-Python one)."""
    parts = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, list) and value:
            body = ",\n".join("    " + _line(item) for item in value)
            parts.append(f"  {_line(key)}: [\n{body}\n  ]")
        elif isinstance(value, dict) and value:
            body = ",\n".join(f"    {_line(k)}: {_line(value[k])}" for k in sorted(value))
            parts.append(f"  {_line(key)}: {{\n{body}\n  }}")
        else:
            parts.append(f"  {_line(key)}: {_line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
