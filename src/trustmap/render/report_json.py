"""report.json: everything, machine-readable (format `trustmap-report/1`)."""

from __future__ import annotations

import json
from typing import Any

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.findings import Subject

__all__ = ["REPORT_FORMAT", "render_report_json", "report_document"]

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


def render_report_json(analysis: Analysis) -> str:
    return json.dumps(report_document(analysis), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
