"""Export an analysed model as an OWASP Threat Dragon v2 model (one STRIDE diagram).

- boundaries -> `trust-boundary-box` cells around their members (from the export layout);
- components -> `actor` (people and outside systems), `store` (data stores) or `process` cells,
  with Threat Dragon's element properties where the model states them (`isEncrypted` for
  stores, `providesAuthentication`, `isWebApplication` for internet-facing HTTP entries);
- flows -> `flow` edges with `protocol`, `isEncrypted`, `isPublicNetwork` (crosses the
  internet) and `isBidirectional`;
- findings -> `threats` on the cell of their subject: title, STRIDE type, status (Open,
  Mitigated, Accepted, NotApplicable), severity, description and the remediation as the
  mitigation. Findings about the whole model or a boundary have no cell: they are listed in the
  summary's description.

The output is deterministic (cell ids are the model's ids; threat ids derived from finding keys).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from trustmap.analysis import Analysis
from trustmap.findings import Finding
from trustmap.free_text import json_text
from trustmap.interop.layout import Box, Layout

__all__ = ["render_threat_dragon", "threat_dragon_document"]

_NAMESPACE = uuid.UUID("5b8e3c2a-1f4d-4d7e-8c0b-7a9e2f6d4c11")
_TYPES = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information-disclosure": "Information disclosure",
    "denial-of-service": "Denial of service",
    "elevation-of-privilege": "Elevation of privilege",
}
_STATUS = {
    "open": "Open",
    "in-progress": "Open",
    "mitigated": "Mitigated",
    "accepted": "Accepted",
    "false-positive": "NotApplicable",
}
_SEVERITY = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "TBD"}
_SHAPES = {"external-entity": ("actor", "tm.Actor"), "datastore": ("store", "tm.Store")}
_HTTP = frozenset({"http", "https"})


def _threats(findings: list[Finding], model: str) -> list[dict[str, Any]]:
    found = []
    for number, finding in enumerate(findings, 1):
        kind = _TYPES.get(finding.stride[0], "Tampering") if finding.stride else "Tampering"
        found.append(
            {
                "id": str(uuid.uuid5(_NAMESPACE, f"{model}\n{finding.key}")),
                "threatId": str(uuid.uuid5(_NAMESPACE, f"{model}\n{finding.key}")),
                "number": number,
                "title": finding.title,
                "type": kind,
                "status": _STATUS.get(finding.status, "Open"),
                "severity": _SEVERITY[finding.severity],
                "score": f"{finding.impact} impact, {finding.likelihood} likelihood",
                "description": f"{finding.description.strip()}\n\nWhy: {finding.why}",
                "mitigation": finding.remediation or "",
                "modelType": "STRIDE",
            }
        )
    return found


def _size(box: Box | None) -> tuple[dict[str, float], dict[str, float]]:
    if box is None:
        return {"x": 0, "y": 0}, {"width": 120, "height": 60}
    return {"x": box.x, "y": box.y}, {"width": max(box.width, 10), "height": max(box.height, 10)}


def threat_dragon_document(analysis: Analysis, layout: Layout) -> dict[str, Any]:
    """The Threat Dragon v2 model of an analysed model laid out by `layout`."""
    graph = analysis.graph
    model = graph.model
    by_subject: dict[tuple[str, str], list[Finding]] = {}
    for finding in analysis.report.findings:
        by_subject.setdefault((finding.subject.kind, finding.subject.id), []).append(finding)
    cells: list[dict[str, Any]] = []
    z = 0
    for boundary_id in graph.boundaries_top_down():
        boundary = graph.boundaries[boundary_id]
        position, size = _size(layout.boxes.get(boundary_id))
        z += 1
        cells.append(
            {
                "id": f"boundary-{boundary_id}",
                "shape": "trust-boundary-box",
                "zIndex": z - 100,
                "position": position,
                "size": size,
                "attrs": {"label": {"text": boundary.name}},
                "data": {
                    "type": "tm.BoundaryBox",
                    "name": boundary.name,
                    "description": f"{boundary.kind}, trust {boundary.trust}",
                    "isTrustBoundary": True,
                    "hasOpenThreats": False,
                },
            }
        )
    for component in graph.components():
        shape, kind = _SHAPES.get(component.dfd, ("process", "tm.Process"))
        findings = by_subject.get(("component", component.id), [])
        threats = _threats(findings, model.name)
        data: dict[str, Any] = {
            "type": kind,
            "name": component.name,
            "description": component.description or f"{component.service_name} ({component.service})",
            "outOfScope": False,
            "reasonOutOfScope": "",
            "hasOpenThreats": any(t["status"] == "Open" for t in threats),
            "threats": threats,
        }
        if shape == "store":
            data["isEncrypted"] = component.encryption_at_rest not in ("none", "not-applicable")
            data["isALog"] = component.service in ("cloudwatch", "cloudtrail")
        if shape == "process":
            inbound = [f for f in graph.flows() if f.target == component.id]
            data["isWebApplication"] = component.internet_facing and any(f.protocol in _HTTP for f in inbound)
        position, size = _size(layout.boxes.get(component.id))
        z += 1
        cells.append(
            {
                "id": component.id,
                "shape": shape,
                "zIndex": z,
                "position": position,
                "size": size,
                "attrs": {"text": {"text": component.name}},
                "data": data,
            }
        )
    for flow in graph.flows():
        findings = by_subject.get(("flow", flow.id), [])
        threats = _threats(findings, model.name)
        z += 1
        cells.append(
            {
                "id": f"flow-{flow.id}",
                "shape": "flow",
                "zIndex": z,
                "source": {"cell": flow.source},
                "target": {"cell": flow.target},
                "vertices": [],
                "attrs": {
                    "line": {
                        "stroke": "#333333",
                        "strokeWidth": 1,
                        "strokeDasharray": "",
                        "targetMarker": {"name": "classic"},
                        "sourceMarker": {"name": "classic" if flow.bidirectional else ""},
                    }
                },
                "labels": [flow.name or flow.protocol],
                "data": {
                    "type": "tm.Flow",
                    "name": flow.name or f"{flow.protocol}",
                    "description": flow.description or "",
                    "protocol": flow.protocol + (f":{flow.port}" if flow.port else ""),
                    "isEncrypted": flow.encrypted,
                    "isPublicNetwork": "internet" in {graph.boundaries[b].kind for b in flow.crosses},
                    "isBidirectional": flow.bidirectional,
                    "outOfScope": False,
                    "reasonOutOfScope": "",
                    "hasOpenThreats": any(t["status"] == "Open" for t in threats),
                    "threats": threats,
                },
            }
        )
    unplaced = [f for f in analysis.report.findings if f.subject.kind not in ("component", "flow")]
    description = model.description or ""
    if unplaced:
        description += "\n\nFindings about the whole model or a boundary:\n" + "\n".join(
            f"- [{f.severity}] {f.title} ({f.subject_name}): {f.status}" for f in unplaced
        )
    return {
        "version": "2.2.0",
        "summary": {
            "title": model.name,
            "owner": model.owner or "",
            "description": description.strip(),
            "id": 0,
        },
        "detail": {
            "contributors": [],
            "diagrams": [
                {
                    "id": 0,
                    "title": model.name,
                    "diagramType": "STRIDE",
                    "placeholder": "",
                    "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                    "version": "2.2.0",
                    "cells": cells,
                }
            ],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": len(analysis.report.findings),
        },
    }


def render_threat_dragon(document: dict[str, Any]) -> bytes:
    return (json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n").encode("utf-8")
