"""report.html: one self-contained, offline page that a review board can triage and sign.

The page is rendered by Jinja2 (autoescape on, StrictUndefined) from plain values built here.
What a printout and a reader without script need (summary, sign-off, decisions, data assets,
responsibility, inherited duties) is markup; the long, interactive parts (the findings table
with its filters, questions, attack paths, flows, the component panel, the checklist appendix,
the diagram viewer) are rendered by the page's script from one JSON block (`report_data`),
and the diagrams are packed once each (`diagram_embed`). The page loads nothing: its script,
styles, the vendored svg-pan-zoom (BSD-2-Clause, licence in the page) and icons are inside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.catalog.schema import OWNER_WORDS, owner_label
from trustmap.colours import OWNER_INK, OWNER_STYLES, SEVERITY_COLOURS, SEVERITY_TINTS
from trustmap.findings import SEVERITY_ORDER, STATUSES, Subject
from trustmap.free_text import clean_text
from trustmap.render.diagram_embed import DiagramView, PackedView, pack_diagrams
from trustmap.render.report_data import decision_rows, json_for_script, report_data
from trustmap.render.views import category_order, category_title

__all__ = [
    "SIGN_OFF_ROLES",
    "css_string",
    "palette_css",
    "render_html",
    "report_context",
    "template_environment",
]

SIGN_OFF_ROLES = ("System owner", "Security architect", "Risk owner")
#: the vendored libraries and the page's own script, inlined in this order
_SCRIPTS = ("vendor/svg-pan-zoom.min.js", "report.js")
_LICENCES = ("vendor/svg-pan-zoom.LICENSE",)


@dataclass(frozen=True)
class _Asset:
    name: str
    text: str


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


def _asset(name: str) -> str:
    return (files("trustmap.render") / "templates" / name).read_text(encoding="utf-8")


def _scripts() -> Markup:
    """The page's script: vendored library first. Neither may close the script element."""
    parts = []
    for name in _SCRIPTS:
        text = _asset(name)
        if "</script" in text.lower() or "<!--" in text:
            raise ValueError(f"{name} cannot be inlined: it holds '</script' or '<!--'")
        parts.append(f"/* {name} */\n{text.strip()}\n")
    return Markup("\n".join(parts))  # noqa: S704 - our own, checked script text


def css_string(text: str) -> Markup:
    """A CSS string literal that holds any text: every character but letters, digits and spaces
    is written as a hex escape, so nothing can end the string, the rule or the style element."""
    body = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x}" for ch in text)
    return Markup(f'"{body}"')  # noqa: S704 - escaped above


def palette_css() -> Markup:
    """The one colour language as CSS variables, from `trustmap.colours` (no second copy)."""
    lines = [f"--sev-{s}: {c}; --sev-{s}-bg: {SEVERITY_TINTS[s]};" for s, c in SEVERITY_COLOURS.items()]
    lines += [
        f"--own-{o}: {strong}; --own-{o}-bg: {tint}; --own-{o}-ink: {OWNER_INK[o]};"
        for o, (strong, tint) in OWNER_STYLES.items()
    ]
    return Markup("\n  ".join(lines))  # noqa: S704 - colours from our own constants


def ticket_link(ticket: str | None) -> str | None:
    """The ticket as a link target when it is an http(s) URL, else None (shown as text)."""
    if not ticket:
        return None
    parts = urlsplit(ticket.strip())
    if parts.scheme in ("http", "https") and parts.netloc and not any(ch.isspace() for ch in ticket.strip()):
        return ticket.strip()
    return None


def _identity(analysis: Analysis) -> dict[str, Any]:
    graph, report = analysis.graph, analysis.report
    summary = report.summary()
    model = graph.model
    return {
        "catalog": analysis.catalog.digest,
        "description": model.description,
        "file": graph.path,
        "name": model.name,
        "owner": model.owner,
        "region": model.region,
        "sha256": analysis.model_sha256 or "not recorded",
        "today": analysis.today.isoformat() if analysis.today else "not recorded",
        "version": __version__,
        "open": [(s, summary["open"][s]) for s in reversed(SEVERITY_ORDER)],
        "open_total": sum(summary["open"].values()),
        "questions": summary["questions"]["unanswered"],
        "answered": summary["questions"]["answered"],
    }


def _counts(analysis: Analysis) -> dict[str, int]:
    graph, report = analysis.graph, analysis.report
    return {
        "boundaries": len(graph.boundaries),
        "components": len(graph.component_records),
        "data": len(graph.model.data),
        "decided": sum(1 for f in report.findings if f.status != "open"),
        "findings": len(report.findings),
        "flows": len(graph.flows()),
        "paths": len(report.attack_paths),
    }


def _top_rules(analysis: Analysis) -> list[dict[str, Any]]:
    """Open findings rolled up by rule: worst severity first, then how many."""
    rules: dict[str, dict[str, Any]] = {}
    for finding in analysis.report.open_findings():
        entry = rules.setdefault(
            finding.rule,
            {"count": 0, "rule": finding.rule, "severity": finding.severity, "title": finding.title},
        )
        entry["count"] += 1
        if SEVERITY_ORDER.index(finding.severity) > SEVERITY_ORDER.index(entry["severity"]):
            entry["severity"] = finding.severity
    ordered = sorted(
        rules.values(), key=lambda r: (-SEVERITY_ORDER.index(r["severity"]), -r["count"], r["rule"])
    )
    return ordered[:10]


def _natural(text: str) -> list[tuple[int, str]]:
    """`c2` before `c10`: names of generated models read in their numeric order."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", text)]


def _matrix(analysis: Analysis) -> dict[str, Any]:
    """The responsibility split, one row per service and split (components listed in it)."""
    layers = [{"id": layer_id, "title": entry.title} for layer_id, entry in analysis.catalog.layers.items()]
    groups: dict[tuple[str, str, tuple[str, ...]], list[tuple[str, str]]] = {}
    for component in analysis.graph.components():
        split = tuple(component.responsibility.get(layer["id"], "") for layer in layers)
        groups.setdefault((component.service_model, component.service_name, split), []).append(
            (component.id, component.name)
        )
    order = list(analysis.catalog.service_models)
    rows = []
    for (model, service, split), members in sorted(
        groups.items(), key=lambda item: (order.index(item[0][0]) if item[0][0] in order else 99, item[0][1])
    ):
        ordered = sorted(members, key=lambda m: _natural(m[1]))
        rows.append(
            {
                "cells": [(owner, owner_label(owner) if owner else "—") for owner in split],
                "count": len(members),
                "members": [{"anchor": f"component-{cid}", "name": name} for cid, name in ordered],
                "service": service,
                "service_model": model,
            }
        )
    return {"layers": layers, "rows": rows}


def _inherited(analysis: Analysis) -> list[dict[str, Any]]:
    """AWS's duties, once per service model, with how many of its components inherit each."""
    catalog = analysis.catalog
    found: dict[str, dict[str, Any]] = {}
    for component in analysis.graph.components():
        entry = found.setdefault(component.service_model, {"components": 0, "controls": {}})
        entry["components"] += 1
        for item in analysis.report.checklists.get(Subject("component", component.id), ()):
            if item.owner == "aws":
                entry["controls"][item.id] = entry["controls"].get(item.id, 0) + 1
    order = list(catalog.service_models)
    groups = []
    for model in sorted(found, key=lambda m: (order.index(m) if m in order else 99, m)):
        entry = found[model]
        if not entry["controls"]:
            continue
        service_model = catalog.service_models.get(model)
        groups.append(
            {
                "components": entry["components"],
                "model": model,
                "rows": [
                    {
                        "category": category_title(analysis, catalog.controls[c].category),
                        "code": catalog.controls[c].code or "",
                        "count": n,
                        "title": catalog.controls[c].title,
                    }
                    for c, n in sorted(
                        entry["controls"].items(), key=lambda kv: (catalog.controls[kv[0]].code or "", kv[0])
                    )
                ],
                "title": service_model.title if service_model is not None else model,
            }
        )
    return groups


def _coverage(analysis: Analysis) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for items in analysis.report.checklists.values():
        for item in items:
            counts.setdefault(item.category, dict.fromkeys(STATUSES, 0))[item.status] += 1
    open_findings: dict[str, int] = {}
    for finding in analysis.report.open_findings():
        open_findings[finding.category] = open_findings.get(finding.category, 0) + 1
    rows: list[dict[str, Any]] = [
        {
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
        "open_findings": sum(open_findings.values()),
        "rows": rows,
        "statuses": list(STATUSES),
        "total": sum(totals),
        "totals": totals,
    }


def _data_assets(analysis: Analysis) -> list[dict[str, Any]]:
    graph = analysis.graph
    rows = []
    for data_id, asset in sorted(graph.model.data.items()):
        rows.append(
            {
                "classification": asset.classification,
                "description": asset.description or "",
                "flows": sum(1 for f in graph.flows() if data_id in f.data),
                "id": data_id,
                "name": asset.name or data_id,
                "regulations": ", ".join(sorted(asset.regulations)),
                "stored_in": [
                    {"anchor": f"component-{c.id}", "name": c.name}
                    for c in graph.components()
                    if data_id in c.stores
                ],
            }
        )
    return rows


def report_context(
    analysis: Analysis,
    earlier: Mapping[str, bytes],
    views: Sequence[DiagramView] = (),
    packed_views: Mapping[str, PackedView] | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain values (escaping is the template's job)."""
    packed = pack_diagrams(views, earlier, packed_views)
    decisions = [{**row, "ticket_href": ticket_link(row["ticket"])} for row in decision_rows(analysis)]
    identity = _identity(analysis)
    return {
        "counts": _counts(analysis),
        "coverage": _coverage(analysis),
        "data_assets": _data_assets(analysis),
        "data_json": Markup(json_for_script(report_data(analysis, packed.views))),  # noqa: S704 - escaped JSON
        "decisions": decisions,
        "diagram_notes": packed.notes,
        "icons": Markup(packed.sprite()),  # noqa: S704 - checked by inline_svg
        "identity": identity,
        "inherited": _inherited(analysis),
        "licences": [_Asset(name, _asset(name)) for name in _LICENCES],
        "matrix": _matrix(analysis),
        "owner_words": [(o, OWNER_WORDS[o]) for o in OWNER_STYLES],
        "palette": palette_css(),
        "print_header": css_string(f"{identity['name']} · sha256 {identity['sha256'][:16]}"),
        "script": _scripts(),
        "severities": list(reversed(SEVERITY_ORDER)),
        "sign_off_roles": list(SIGN_OFF_ROLES),
        "soon": [d for d in decisions if d["expires_soon"]],
        "pending": [d for d in decisions if d["status"] == "in-progress"],
        "expired": [d for d in decisions if d["expired"]],
        "top_rules": _top_rules(analysis),
        "version": __version__,
    }


def render_html(
    analysis: Analysis,
    earlier: Mapping[str, bytes],
    views: Sequence[DiagramView] = (),
    packed_views: Mapping[str, PackedView] | None = None,
) -> str:
    """The report page; `earlier` holds the files produced before it, among them the SVG of
    `views`, the diagrams the build drew (none: a page without diagrams); `packed_views`, those
    the build already packed (`diagram_embed.pack_view`)."""
    template = template_environment().get_template("report.html.j2")
    return template.render(report_context(analysis, earlier, views, packed_views))
