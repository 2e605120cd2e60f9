"""report.json: everything, machine-readable (format `trustmap-report/1`)."""

from __future__ import annotations

import json
from typing import Any

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.findings import Subject

__all__ = ["REPORT_FORMAT", "dump_by_element", "render_report_json", "report_document"]

REPORT_FORMAT = "trustmap-report/1"


def _component(analysis: Analysis, component_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    items = analysis.report.checklists.get(Subject("component", component_id), ())
    return {
        "aws": attrs["aws"],
        "backup": attrs["backup"],
        "boundary": attrs["boundary"],
        "boundary_path": attrs["boundary_path"],
        "checklist": [item.to_json() for item in items],
        "classification": attrs["classification"],
        "controls": attrs["controls"],
        "description": attrs["description"],
        "dfd": attrs["dfd"],
        "encryption_at_rest": attrs["encryption_at_rest"],
        "id": component_id,
        "internet_facing": attrs["internet_facing"],
        "logging": attrs["logging"],
        "multi_az": attrs["multi_az"],
        "name": attrs["name"],
        "public_access": attrs["public_access"],
        "regulations": attrs["regulations"],
        "responsibility": attrs["responsibility"],
        "service": attrs["service"],
        "service_kind": attrs["service_kind"],
        "service_model": attrs["service_model"],
        "service_name": attrs["service_name"],
        "stores": attrs["stores"],
        "tags": attrs["tags"],
        "trust": attrs["trust"],
    }


def _flow(analysis: Analysis, flow: dict[str, Any]) -> dict[str, Any]:
    items = analysis.report.checklists.get(Subject("flow", flow["id"]), ())
    return {
        "authenticated": flow["authenticated"],
        "bidirectional": flow["bidirectional"],
        "checklist": [item.to_json() for item in items],
        "classification": flow["classification"],
        "crosses": flow["crosses"],
        "data": flow["data"],
        "description": flow["description"],
        "encrypted": flow["encrypted"],
        "entered": flow["entered"],
        "from": flow["source"],
        "id": flow["id"],
        "left": flow["left"],
        "name": flow["name"],
        "port": flow["port"],
        "protocol": flow["protocol"],
        "regulations": flow["regulations"],
        "to": flow["target"],
        "trust_decreases": flow["trust_decreases"],
    }


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
        "components": [_component(analysis, cid, attrs) for cid, attrs in graph.components()],
        "controls": _controls(analysis),
        "data": data,
        "diagnostics": [d.to_json() for d in analysis.diagnostics],
        "findings": [f.to_json() for f in analysis.report.findings],
        "flows": [_flow(analysis, flow) for flow in sorted(graph.flows(), key=lambda f: f["id"])],
        "format": REPORT_FORMAT,
        "model": {
            "checklist": [item.to_json() for item in model_items],
            "controls": sorted({analysis.catalog.canonical_control(c) or c for c in model.controls}),
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
            "threats": sorted(
                t for t, threat in catalog.threats.items() if control_id in threat.mitigated_by
            ),
            "title": control.title,
        }
    return described


def _line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


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
