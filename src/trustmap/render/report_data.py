"""The data that report.html embeds once, as JSON, and renders its tables and panels from.

A review page of 300 components must stay under 3 MB and load in under 2 s, so nothing is
repeated: each control and each reason text is stored once and referred to by index, a rule's
remediation and references once per rule, and AWS's inherited duties once per service model
(components keep only the customer's and shared items; the page lists AWS's once per service
model in its markup). Keys and lists are sorted where order
is not meaningful, so the JSON is byte-identical from run to run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustmap.analysis import Analysis
from trustmap.findings import ChecklistItem, Decision, Finding, Subject
from trustmap.free_text import json_text
from trustmap.graph import ComponentInfo, FlowInfo
from trustmap.render.views import FRAMEWORKS, category_order, category_title

__all__ = ["EXPIRY_WARNING_DAYS", "decision_rows", "json_for_script", "report_data"]

#: A decision that expires within this many days of `--today` is flagged on the sign-off.
EXPIRY_WARNING_DAYS = 30
_LIKELIHOOD_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class _Table:
    """Strings (or keys) stored once, referred to by their index."""

    values: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def ref(self, value: str) -> int:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        return self.index[value]


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a `<script type="application/json">` element: `<`, `>` and `&`
    are written as escapes, so no text of the model can close the element or open a comment,
    and so are the controls and noncharacters that JSON leaves raw (`free_text.json_text`)."""
    text = json_text(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _decision(decision: Decision | None) -> dict[str, str] | None:
    if decision is None:
        return None
    found = {"pattern": decision.pattern, "reason": decision.reason, "status": decision.status}
    for key in ("owner", "expires", "ticket"):
        value = getattr(decision, key)
        if value:
            found[key] = value
    return found


def _items(items: Iterable[ChecklistItem], controls: _Table, reasons: _Table) -> list[list[Any]]:
    """[control index, status, severity, reason index, decision or null] per item."""
    return [
        [
            controls.ref(item.id),
            item.status,
            item.severity,
            reasons.ref(item.reason),
            _decision(item.decision),
        ]
        for item in items
    ]


def _customer_items(items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if item.owner != "aws"]


def _component(
    analysis: Analysis, component: ComponentInfo, controls: _Table, reasons: _Table
) -> dict[str, Any]:
    items = analysis.report.checklists.get(Subject("component", component.id), ())
    return {
        "boundary_path": list(component.boundary_path),
        "description": component.description or "",
        "id": component.id,
        "internet_facing": component.internet_facing,
        "items": _items(_customer_items(items), controls, reasons),
        "inherited": sum(1 for item in items if item.owner == "aws"),
        "name": component.name,
        "resp": [component.responsibility.get(layer, "") for layer in analysis.catalog.layers],
        "service": component.service,
        "service_model": component.service_model,
        "service_name": component.service_name,
        "stores": list(component.stores),
        "trust": component.trust,
    }


def _flow(analysis: Analysis, flow: FlowInfo, controls: _Table, reasons: _Table) -> dict[str, Any]:
    items = analysis.report.checklists.get(Subject("flow", flow.id), ())
    return {
        "authenticated": flow.authenticated,
        "crosses": list(flow.crosses),
        "data": list(flow.data),
        "encrypted": flow.encrypted,
        "from": flow.source,
        "id": flow.id,
        "items": _items(_customer_items(items), controls, reasons),
        "kind": flow.kind,
        "n": flow.index + 1,
        "name": flow.name or "",
        "port": flow.port,
        "protocol": flow.protocol,
        "to": flow.target,
        "two_way": flow.bidirectional,
    }


def _places(
    analysis: Analysis, subject: Subject, flows: Mapping[str, FlowInfo]
) -> tuple[list[str], list[str]]:
    """The components and boundaries a finding is about: its component, a flow's two ends (and
    the boundaries it crosses), the boundary itself, the components that run as a principal; the
    model is about nothing in particular."""
    graph = analysis.graph
    components: list[str] = []
    boundaries: set[str] = set()
    if subject.kind == "component" and subject.id in graph.component_records:
        components = [subject.id]
    elif subject.kind == "flow":
        flow = flows.get(subject.id)
        if flow is not None:
            components = sorted({flow.source, flow.target})
            boundaries.update(flow.crosses)
    elif subject.kind == "boundary":
        boundaries.add(subject.id)
    elif subject.kind == "principal" and subject.id in graph.permissions.principals:
        # format 1.2: a finding about a role is shown on the components that run as it
        components = sorted(graph.permissions.principals[subject.id].used_by)
    for component_id in components:
        boundaries.update(graph.component_records[component_id].boundary_path)
    return components, sorted(boundaries)


def _finding(analysis: Analysis, finding: Finding, flows: Mapping[str, FlowInfo]) -> dict[str, Any]:
    components, boundaries = _places(analysis, finding.subject, flows)
    return {
        "boundaries": boundaries,
        "category": finding.category,
        "components": components,
        "covers": list(finding.covers),
        "decision": _decision(finding.decision),
        "impact": finding.impact,
        "key": finding.key,
        "likelihood": finding.likelihood,
        "location": f"{finding.location.path}:{finding.location.line}:{finding.location.column}",
        "owner": finding.owner,
        "rule": finding.rule,
        "severity": finding.severity,
        "severity_reasons": list(finding.severity_reasons),
        "status": finding.status,
        "stride": list(finding.stride),
        "subject": [finding.subject.kind, finding.subject.id],
        "subject_name": finding.subject_name,
        "title": finding.title,
        "why": finding.why,
    }


def _rules(findings: Sequence[Finding]) -> dict[str, Any]:
    """What every finding of a rule shares, once per rule."""
    rules: dict[str, Any] = {}
    for finding in findings:
        rules.setdefault(
            finding.rule,
            {
                "compliance": [
                    [label, finding.compliance[key]]
                    for key, label in FRAMEWORKS
                    if finding.compliance.get(key)
                ],
                "controls": list(finding.controls),
                "references": [
                    f"{name.upper()}: {', '.join(v)}" for name, v in sorted(finding.references.items()) if v
                ],
                "remediation": finding.remediation,
            },
        )
    return rules


def _questions(analysis: Analysis) -> list[dict[str, Any]]:
    ordered = sorted(
        analysis.report.questions, key=lambda q: (q.subject.kind != "model", q.control, q.subject.id)
    )
    return [
        {
            "category": q.category,
            "control": q.control,
            "decision": _decision(q.decision),
            "key": q.key,
            "status": q.status,
            "subject": [q.subject.kind, q.subject.id],
            "text": q.text,
            "threats": [
                analysis.catalog.threats[t].title if t in analysis.catalog.threats else t for t in q.threats
            ],
        }
        for q in ordered
    ]


def _attack_paths(analysis: Analysis) -> list[dict[str, Any]]:
    numbers = {f.id: f.index + 1 for f in analysis.graph.flows()}
    paths = sorted(
        analysis.report.attack_paths, key=lambda p: (_LIKELIHOOD_RANK.get(p.likelihood, 3), len(p.hops), p.id)
    )
    return [
        {
            "entry": p.entry,
            "flows": [numbers.get(f, 0) for f in p.flows],
            "hops": list(p.hops),
            "id": p.id,
            "likelihood": p.likelihood,
            "target": p.target,
            "weakest": p.weakest_flow,
            "weakest_n": numbers.get(p.weakest_flow, 0),
            "why": p.weakest_why,
        }
        for p in paths
    ]


def decision_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """The model's risk decisions with what each matched and whether it expires soon."""
    report = analysis.report
    today = analysis.today
    found = []
    for entry in analysis.graph.model.accepted:
        key = (entry.finding, entry.status, entry.reason)

        def same(decision: Decision | None, key: tuple[str, str, str] = key) -> bool:
            return decision is not None and (decision.pattern, decision.status, decision.reason) == key

        expires = entry.expires
        soon = bool(today and expires and today <= expires <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
        found.append(
            {
                "expired": bool(today and expires and expires < today),
                "expires": expires.isoformat() if expires else None,
                "expires_soon": soon,
                "findings": [f.key for f in report.findings if same(f.decision)],
                "item_keys": [
                    i.key for items in report.checklists.values() for i in items if same(i.decision)
                ],
                "owner": entry.owner,
                "pattern": entry.finding,
                "questions": [q.key for q in report.questions if same(q.decision)],
                "reason": entry.reason,
                "status": entry.status,
                "ticket": entry.ticket,
            }
        )
    return found


def report_data(analysis: Analysis, diagrams: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the page's script renders, as plain JSON-ready values."""
    graph = analysis.graph
    controls = _Table()
    reasons = _Table()
    components = [_component(analysis, c, controls, reasons) for c in graph.components()]
    flows = [_flow(analysis, f, controls, reasons) for f in graph.flows()]
    by_id = {f.id: f for f in graph.flows()}
    model_items = analysis.report.checklists.get(Subject("model", "model"), ())
    model_checklist = _items(_customer_items(model_items), controls, reasons)
    catalog = analysis.catalog
    return {
        "attack_paths": _attack_paths(analysis),
        "boundaries": {
            b.id: {"kind": b.kind, "name": b.name, "parent": b.parent, "trust": b.trust}
            for b in sorted(graph.boundaries.values(), key=lambda b: b.id)
        },
        "categories": [[c, category_title(analysis, c)] for c in category_order(analysis)],
        "components": components,
        "controls": [
            [catalog.controls[c].code or "", catalog.controls[c].title, catalog.controls[c].category, c]
            for c in controls.values
        ],
        "data": [
            {
                "classification": asset.classification,
                "id": data_id,
                "name": asset.name or data_id,
                "regulations": sorted(asset.regulations),
            }
            for data_id, asset in sorted(graph.model.data.items())
        ],
        "diagrams": diagrams,
        "findings": [_finding(analysis, f, by_id) for f in analysis.report.findings],
        "flows": flows,
        "layers": [[layer_id, entry.title, entry.side] for layer_id, entry in catalog.layers.items()],
        "model_items": model_checklist,
        "questions": _questions(analysis),
        "reasons": reasons.values,
        "rules": _rules(analysis.report.findings),
    }
