"""Export an analysed model as a Threat Composer workspace (`.tc.json`, schema 1).

Threat Composer (awslabs/threat-composer) holds threats as statements of its threat grammar
("A [source] [prerequisites] can [action], which leads to [impact], resulting in reduced
[goal] of [assets]"), mitigations linked to them, assumptions, and an architecture and a
dataflow section (markdown and one image). From trustmap:

- every finding -> a threat: the grammar's parts from the finding (its subject, title,
  description, STRIDE categories and the data at stake), `status` from the finding's status
  (open: identified; mitigated or accepted: resolved; false positive: not useful), metadata
  `STRIDE`, `Priority` (from severity) and `Comments` (why, and the severity's reasons);
- every control that mitigates a finding -> a mitigation, linked to its threats; resolved when
  no open finding waits on it;
- every question (what the model does not say) -> an assumption, worded as the question;
- the model's description, boundaries, components and flows -> the application, architecture
  and dataflow sections, with an SVG picture of the layout as the image.

Ids are UUIDs derived from the model name and each item's key, so the output is deterministic.
The schema is strict (no unknown keys; lengths capped): every text is cut to its limit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from trustmap.analysis import Analysis
from trustmap.findings import Finding
from trustmap.free_text import json_text
from trustmap.interop.layout import Layout
from trustmap.interop.otm.exporter import layout_spec
from trustmap.interop.picture import data_url, picture_svg

__all__ = ["render_threat_composer", "threat_composer_document"]

_NAMESPACE = uuid.UUID("8d0f7a52-6a8f-4f0e-9a55-3c1d3f7f2b10")
_LETTERS = {
    "spoofing": "S",
    "tampering": "T",
    "repudiation": "R",
    "information-disclosure": "I",
    "denial-of-service": "D",
    "elevation-of-privilege": "E",
}
_GOALS = {"I": "confidentiality", "T": "integrity", "D": "availability", "S": "integrity", "E": "integrity"}
_PRIORITY = {"critical": "High", "high": "High", "medium": "Medium", "low": "Low", "info": "Low"}
_STATUS = {
    "open": "threatIdentified",
    "in-progress": "threatIdentified",
    "mitigated": "threatResolved",
    "accepted": "threatResolved",
    "false-positive": "threatResolvedNotUseful",
}


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _id(model: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{model}\n{key}"))


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat[: end + 1] if end > 0 else flat


def _threat(analysis: Analysis, finding: Finding, number: int) -> dict[str, Any]:
    graph = analysis.graph
    letters = [_LETTERS[s] for s in finding.stride if s in _LETTERS]
    goals = list(dict.fromkeys(_GOALS.get(letter, "integrity") for letter in letters)) or ["integrity"]
    assets: list[str] = []
    if finding.subject.kind == "component":
        component = graph.component(finding.subject.id)
        data = graph.model.data
        assets = [data[d].name or d for d in component.handles if d in data]
    assets = assets or [finding.subject_name]
    source = "A threat actor"
    prerequisites = f"who can reach {finding.subject_name}"
    action = _cut(f"exploit this: {finding.title[:1].lower()}{finding.title[1:]}", 200)
    impact = _cut(_first_sentence(finding.description).rstrip("."), 200)
    statement = (
        f"{source} {prerequisites} can {action}, which leads to {impact[:1].lower()}{impact[1:]}, "
        f"resulting in reduced {' and '.join(goals)} of {', '.join(assets)}"
    )
    comments = f"{finding.severity} ({finding.impact} impact, {finding.likelihood} likelihood): {finding.why}"
    if finding.decision is not None:
        comments += f" Decision: {finding.decision.status}, {finding.decision.reason}"
    return {
        "id": _id(analysis.graph.model.name, f"threat:{finding.key}"),
        "numericId": number,
        "displayOrder": number,
        "threatSource": _cut(source, 200),
        "prerequisites": _cut(prerequisites, 200),
        "threatAction": action,
        "threatImpact": impact,
        "impactedGoal": goals,
        "impactedAssets": [_cut(a, 200) for a in assets],
        "statement": _cut(statement, 1400),
        "status": _STATUS.get(finding.status, "threatIdentified"),
        "tags": [_cut(t, 30) for t in dict.fromkeys([finding.category, finding.subject.kind]) if t],
        "metadata": [
            {"key": "STRIDE", "value": letters},
            {"key": "Priority", "value": _PRIORITY[finding.severity]},
            {"key": "Comments", "value": _cut(comments, 1000)},
            {"key": "custom:trustmap-finding", "value": finding.key},
        ],
    }


def _sections(analysis: Analysis, layout: Layout) -> dict[str, Any]:
    graph = analysis.graph
    model = graph.model
    boundaries = "\n".join(
        f"- **{b.name}** ({b.kind}, trust {b.trust})"
        for b in (graph.boundaries[i] for i in graph.boundaries_top_down())
    )
    components = "\n".join(
        f"- **{c.name}**: {c.service_name} in {c.boundary or 'no boundary'}"
        + (", internet facing" if c.internet_facing else "")
        for c in graph.components()
    )
    flows = "\n".join(
        f"- {graph.component(f.source).name} → {graph.component(f.target).name}: {f.protocol}"
        + (" (encrypted)" if f.encrypted else " (clear text)")
        + (f", carries {', '.join(f.data)}" if f.data else "")
        for f in graph.flows()
    )
    spec = layout_spec(analysis)
    names = {b: graph.boundaries[b].name for b in graph.boundaries}
    picture = data_url(
        picture_svg(
            layout,
            {z: names.get(z, z) for z in spec.zones},
            {c.id: c.name for c in graph.components()},
            list(spec.edges),
        )
    )
    image = {"image": picture} if len(picture) <= 1_000_000 else {}
    description = model.description or ""
    if model.owner:
        description += f"\n\nOwner: {model.owner}"
    return {
        "applicationInfo": {"name": _cut(model.name, 200), "description": _cut(description, 100_000)},
        "architecture": {
            "description": _cut(
                f"### Trust boundaries\n\n{boundaries}\n\n### Components\n\n{components}", 100_000
            )
            if boundaries or components
            else "",
            **image,
        },
        "dataflow": {"description": _cut(f"### Flows\n\n{flows}", 100_000) if flows else "", **image},
    }


def threat_composer_document(analysis: Analysis, layout: Layout) -> dict[str, Any]:
    """The `.tc.json` workspace of an analysed model laid out by `layout`."""
    model_name = analysis.graph.model.name
    findings = list(analysis.report.findings)
    threats = [_threat(analysis, f, i) for i, f in enumerate(findings, 1)]
    by_control: dict[str, list[Finding]] = {}
    for finding in findings:
        for control_id in finding.controls:
            by_control.setdefault(control_id, []).append(finding)
    mitigations, links = [], []
    for number, control_id in enumerate(sorted(by_control), 1):
        control = analysis.catalog.controls.get(control_id)
        title = control.title if control is not None else control_id
        remedy = f": {control.description.strip()}" if control is not None and control.description else ""
        waiting = any(f.status in ("open", "in-progress") for f in by_control[control_id])
        mitigation_id = _id(model_name, f"mitigation:{control_id}")
        mitigations.append(
            {
                "id": mitigation_id,
                "numericId": number,
                "displayOrder": number,
                "content": _cut(f"{title}{remedy}", 1000),
                "status": "mitigationIdentified" if waiting else "mitigationResolved",
                "metadata": [{"key": "custom:trustmap-control", "value": control_id}],
            }
        )
        for finding in by_control[control_id]:
            links.append(
                {"mitigationId": mitigation_id, "linkedId": _id(model_name, f"threat:{finding.key}")}
            )
    assumptions = [
        {
            "id": _id(model_name, f"question:{q.key}"),
            "numericId": number,
            "displayOrder": number,
            "content": _cut(f"Not stated by the model, to confirm: {q.text}", 1000),
            "metadata": [{"key": "custom:trustmap-question", "value": q.key}],
        }
        for number, q in enumerate(analysis.report.questions, 1)
    ]
    return {
        "schema": 1,
        **_sections(analysis, layout),
        "assumptions": assumptions,
        "mitigations": mitigations,
        "assumptionLinks": [],
        "mitigationLinks": links,
        "threats": threats,
    }


def render_threat_composer(document: dict[str, Any]) -> bytes:
    return (json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n").encode("utf-8")
