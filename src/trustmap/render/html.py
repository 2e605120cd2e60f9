"""report.html: one self-contained page for a review board.

The page is rendered by Jinja2 (autoescape on, StrictUndefined) from plain values built here,
so the template does no lookups of its own. It refers to nothing outside itself: the CSS is
in the page, the diagrams are the SVG text produced earlier in the build (checked and inlined,
see `inline_svg`), and there is no script.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.catalog.schema import owner_label
from trustmap.findings import SEVERITY_ORDER, STATUSES, Decision, Finding
from trustmap.free_text import clean_text
from trustmap.render.inline_svg import UnsafeSvgError, inline_svg
from trustmap.render.views import (
    FRAMEWORKS,
    SubjectView,
    Views,
    category_order,
    category_title,
    subject_views,
)

__all__ = ["DIAGRAMS", "Diagram", "render_html", "template_environment"]


@dataclass(frozen=True)
class Diagram:
    file: str
    title: str
    caption: str


DIAGRAMS: tuple[Diagram, ...] = (
    Diagram(
        "architecture.svg",
        "Architecture",
        "AWS services inside their trust boundaries; each component marked with its responsibility split.",
    ),
    Diagram(
        "dataflow.svg",
        "Data flow diagram",
        "External entities, processes and data stores with the flows between them; "
        "dashed lines are trust boundaries.",
    ),
    Diagram(
        "responsibility.svg",
        "Shared responsibility matrix",
        "Who owns each security layer of each component: AWS, the customer, or both.",
    ),
)
SIGN_OFF_ROLES = ("System owner", "Security architect", "Risk owner")


def _printed(value: object) -> object:
    """Every text the templates print loses terminal controls (`free_text`); markup is ours."""
    return clean_text(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def template_environment() -> Environment:
    """The Jinja2 environment of trustmap's HTML templates (packaged with the wheel)."""
    return Environment(
        loader=PackageLoader("trustmap.render", "templates"),
        autoescape=True,
        finalize=_printed,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _diagrams(earlier: Mapping[str, bytes]) -> list[dict[str, Any]]:
    found = []
    for diagram in DIAGRAMS:
        svg: Markup | None = None
        note = None
        content = earlier.get(diagram.file)
        if content is None:
            note = (
                f"{diagram.title} not available: the diagrams are drawn with Graphviz, which was not "
                "found when this report was built. Install Graphviz (the dot program) and build again."
            )
        else:
            try:
                # The text was checked by inline_svg: no script, handler or outside reference.
                svg = Markup(inline_svg(content.decode("utf-8"), diagram.file.split(".")[0]))  # noqa: S704
            except (UnsafeSvgError, UnicodeDecodeError) as error:
                note = f"{diagram.title} left out: the SVG did not pass the safety check ({error})."
        found.append(
            {
                "caption": diagram.caption,
                "id": diagram.file.split(".")[0],
                "note": note,
                "svg": svg,
                "title": diagram.title,
            }
        )
    return found


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "expires": decision.expires,
        "owner": decision.owner,
        "pattern": decision.pattern,
        "reason": decision.reason,
        "status": decision.status,
        "ticket": decision.ticket,
    }


def _finding(analysis: Analysis, views: Views, finding: Finding) -> dict[str, Any]:
    return {
        "anchor": views.finding_anchors[finding.key],
        "impact": finding.impact,
        "likelihood": finding.likelihood,
        "category": category_title(analysis, finding.category),
        "compliance": [
            (label, finding.compliance.get(key, []))
            for key, label in FRAMEWORKS
            if finding.compliance.get(key)
        ],
        "controls": list(finding.controls),
        "decision": _decision(finding.decision),
        "key": finding.key,
        "location": f"{finding.location.path}:{finding.location.line}:{finding.location.column}",
        "owner": owner_label(finding.owner),
        "references": [
            f"{name.upper()}: {', '.join(v)}" for name, v in sorted(finding.references.items()) if v
        ],
        "remediation": finding.remediation,
        "severity": finding.severity,
        "severity_reasons": list(finding.severity_reasons),
        "status": finding.status,
        "stride": list(finding.stride),
        "subject": {
            "anchor": views.anchors.get(finding.subject, ""),
            "id": finding.subject.id,
            "kind": finding.subject.kind,
            "name": finding.subject_name,
        },
        "title": finding.title,
        "why": finding.why,
    }


def _summary(analysis: Analysis, views: Views) -> dict[str, Any]:
    graph, report = analysis.graph, analysis.report
    summary = report.summary()
    model = graph.model
    return {
        "boundaries": len(graph.boundaries),
        "components": len(views.components),
        "data": len(model.data),
        "decided": len(report.findings) - sum(summary["open"].values()),
        "description": model.description,
        "findings": len(report.findings),
        "questions": len(report.open_questions()),
        "flows": len(views.flows),
        "name": model.name,
        "open": [(s, summary["open"][s]) for s in reversed(SEVERITY_ORDER)],
        "open_total": sum(summary["open"].values()),
        "owner": model.owner,
        "region": model.region,
        "source": graph.path,
    }


def _matrix(analysis: Analysis, views: Views) -> dict[str, Any]:
    layers = [
        {"id": layer_id, "side": entry.side, "title": entry.title}
        for layer_id, entry in analysis.catalog.layers.items()
    ]
    rows = []
    for view in views.components:
        assert view.component is not None
        split = view.component.responsibility
        rows.append(
            {
                "anchor": view.anchor,
                "cells": [
                    (split.get(layer["id"], ""), owner_label(split.get(layer["id"], ""))) for layer in layers
                ],
                "id": view.subject.id,
                "name": view.name,
                "service": view.component.service_name,
                "service_model": view.component.service_model,
            }
        )
    return {"layers": layers, "rows": rows}


def _coverage(analysis: Analysis, views: Views) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for view in views.all():
        for item in view.items:
            counts.setdefault(item.category, dict.fromkeys(STATUSES, 0))[item.status] += 1
    open_findings: dict[str, int] = {}
    for finding in analysis.report.open_findings():
        open_findings[finding.category] = open_findings.get(finding.category, 0) + 1
    rows: list[dict[str, Any]] = [
        {
            "category": category,
            "counts": [counts.get(category, {}).get(s, 0) for s in STATUSES],
            "open_findings": open_findings.get(category, 0),
            "title": category_title(analysis, category),
            "total": sum(counts.get(category, {}).values()),
        }
        for category in category_order(analysis)
        if category in counts or category in open_findings
    ]
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(STATUSES))]
    return {
        "rows": rows,
        "statuses": list(STATUSES),
        "totals": totals,
        "total": sum(totals),
        "open_findings": sum(open_findings.values()),
    }


def _decisions(analysis: Analysis) -> list[dict[str, Any]]:
    report = analysis.report
    found = []
    for entry in analysis.graph.model.accepted:

        def same(decision: Any, entry: Any = entry) -> bool:
            return decision is not None and (decision.pattern, decision.status, decision.reason) == (
                entry.finding,
                entry.status,
                entry.reason,
            )

        findings = [f.key for f in report.findings if same(f.decision)]
        items = [i.key for items in report.checklists.values() for i in items if same(i.decision)]
        found.append(
            {
                "expires": entry.expires.isoformat() if entry.expires else None,
                "findings": findings,
                "item_keys": items,
                "owner": entry.owner,
                "pattern": entry.finding,
                "reason": entry.reason,
                "status": entry.status,
                "ticket": entry.ticket,
            }
        )
    return found


def _subject(analysis: Analysis, views: Views, view: SubjectView) -> dict[str, Any]:
    facts: list[tuple[str, str]] = []
    if (component := view.component) is not None:
        path = " › ".join(analysis.graph.boundaries[b].name for b in component.boundary_path)
        facts = [
            ("Service", f"{component.service_name} ({component.service_model})"),
            ("Boundary", path or "outside every boundary"),
            ("Trust", str(component.trust)),
            ("Internet-facing", "yes" if component.internet_facing else "no"),
        ]
        if component.stores:
            facts.append(("Stores", ", ".join(component.stores)))
    elif (flow := view.flow) is not None:
        facts = [
            ("From → to", f"{flow.source} → {flow.target}"),
            ("Protocol", flow.protocol + (f" :{flow.port}" if flow.port is not None else "")),
            ("Encrypted", "yes" if flow.encrypted else "no"),
            ("Authenticated", "yes" if flow.authenticated else "no"),
            ("Crosses", ", ".join(flow.crosses) or "no boundary"),
        ]
    return {
        "anchor": view.anchor,
        "facts": facts,
        "findings": [
            {
                "anchor": views.finding_anchors[f.key],
                "key": f.key,
                "severity": f.severity,
                "status": f.status,
                "title": f.title,
            }
            for f in view.findings
        ],
        "groups": [
            {
                "rows": [
                    {
                        "code": item.code,
                        "decision": _decision(item.decision),
                        "id": item.id,
                        "owner": owner_label(item.owner),
                        "owner_id": item.owner,
                        "reason": item.reason,
                        "severity": item.severity,
                        "status": item.status,
                        "title": item.title,
                    }
                    for item in group.items
                ],
                "title": group.title,
            }
            for group in view.groups
        ],
        "id": view.subject.id,
        "kind": view.subject.kind,
        "name": view.name,
        "open": sum(1 for item in view.items if item.status == "open"),
        "total": len(view.items),
    }


def _questions(analysis: Analysis, views: Views) -> list[dict[str, Any]]:
    """What the model does not tell, grouped by control: account-wide ones first."""
    found = []
    for question in analysis.report.questions:
        found.append(
            {
                "control": question.control,
                "decision": _decision(question.decision),
                "key": question.key,
                "status": question.status,
                "subject": question.subject.id,
                "subject_kind": question.subject.kind,
                "text": question.text,
                "threats": [analysis.catalog.threats[t].title for t in question.threats],
            }
        )
    return sorted(found, key=lambda q: (q["subject_kind"] != "model", q["control"], q["subject"]))


def _attack_paths(analysis: Analysis) -> list[dict[str, Any]]:
    order = {"high": 0, "medium": 1, "low": 2}
    paths = sorted(analysis.report.attack_paths, key=lambda p: (order[p.likelihood], len(p.hops), p.id))
    return [
        {
            "hops": list(p.hops),
            "id": p.id,
            "likelihood": p.likelihood,
            "target": p.target,
            "weakest_flow": p.weakest_flow,
            "weakest_why": p.weakest_why,
        }
        for p in paths
    ]


def report_context(analysis: Analysis, earlier: Mapping[str, bytes]) -> dict[str, Any]:
    """Everything the template shows, as plain values (escaping is the template's job)."""
    views = subject_views(analysis)
    findings = [_finding(analysis, views, f) for f in analysis.report.findings]
    by_category = [
        {
            "category": c,
            "findings": [
                f for f, raw in zip(findings, analysis.report.findings, strict=True) if raw.category == c
            ],
            "title": category_title(analysis, c),
        }
        for c in category_order(analysis)
    ]
    return {
        "by_category": [group for group in by_category if group["findings"]],
        "by_subject": [_subject(analysis, views, v) for v in views.all() if v.findings],
        "questions": _questions(analysis, views),
        "attack_paths": _attack_paths(analysis),
        "catalog_digest": analysis.catalog.digest,
        "coverage": _coverage(analysis, views),
        "decisions": _decisions(analysis),
        "diagrams": _diagrams(earlier),
        "findings": findings,
        "matrix": _matrix(analysis, views),
        "sign_off_roles": list(SIGN_OFF_ROLES),
        "subjects": [_subject(analysis, views, v) for v in views.all() if v.subject.kind != "boundary"],
        "summary": _summary(analysis, views),
        "version": __version__,
    }


def render_html(analysis: Analysis, earlier: Mapping[str, bytes]) -> str:
    """The report page; `earlier` holds the files produced before it (the diagrams' SVG)."""
    template = template_environment().get_template("report.html.j2")
    return template.render(report_context(analysis, earlier))
