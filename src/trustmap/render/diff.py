"""`trustmap diff` output: text for terminals, Markdown for pull-request comments, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from trustmap.diff import EntryChange, FindingChange, ModelDiff
from trustmap.free_text import json_text
from trustmap.render.markdown import code, md_cell, md_text, table

__all__ = ["DIFF_FORMAT", "DIFF_RENDERERS", "render_diff_json", "render_diff_md", "render_diff_text"]

DIFF_FORMAT = "trustmap-diff/1"
#: Sections in the order they are shown, with their headings.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("model", "Model"),
    ("boundary", "Boundaries"),
    ("data", "Data"),
    ("principal", "Principals and grants"),
    ("security-group", "Security groups"),
    ("route-domain", "Route domains"),
    ("component", "Components"),
    ("flow", "Flows"),
)
_NOUNS = {
    "model": ("model settings", "model settings"),
    "boundary": ("boundary", "boundaries"),
    "data": ("data asset", "data assets"),
    "principal": ("principal", "principals"),
    "security-group": ("security group", "security groups"),
    "route-domain": ("route domain", "route domains"),
    "component": ("component", "components"),
    "flow": ("flow", "flows"),
}
_ENTRY_MARK = {"added": "+", "removed": "-", "changed": "~"}
_QUESTION_MARK = {"asked": "?", "gone": "-", "answered": "~", "reopened": "!"}
_FINDING_MARK = {"opened": "+", "added": "+", "closed": "-", "reopened": "!", "status": "~", "severity": "~"}


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _printable(text: str) -> str:
    """No control characters reach the terminal (a model could hold escape sequences)."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _counts(diff: ModelDiff) -> list[str]:
    found = []
    for kind, _ in SECTIONS:
        entries = diff.of_kind(kind)
        for change in ("added", "removed", "changed"):
            n = sum(1 for e in entries if e.change == change)
            if n:
                found.append(f"{n} {_NOUNS[kind][n != 1]} {change}")
    for change in ("opened", "reopened", "closed", "added", "status", "severity"):
        n = sum(1 for f in diff.findings if f.change == change)
        if n:
            label = {
                "added": "added already decided",
                "status": "changed status",
                "severity": "changed severity",
            }
            found.append(f"{n} finding{'s' if n != 1 else ''} {label.get(change, change)}")
    return found


def _verdict(diff: ModelDiff) -> str:
    if diff.opens_findings:
        return "The new version opens findings."
    return "The new version opens no findings."


def _finding_line(change: FindingChange) -> str:
    severity = change.new_severity or change.old_severity
    detail = ""
    if change.change in ("status", "reopened"):
        detail = f" ({change.old_status} -> {change.new_status})"
    elif change.change == "severity":
        detail = f" ({change.old_severity} -> {change.new_severity})"
    elif change.change == "added":
        detail = f" (already {change.new_status})"
    return f"{change.change:<9} [{severity}] {change.key}: {change.title}{detail}"


def render_diff_text(diff: ModelDiff) -> str:
    lines = [_printable(f"trustmap diff {diff.old_path} -> {diff.new_path}")]
    if diff.empty:
        return "\n".join([*lines, "No changes.", ""])
    for kind, title in SECTIONS:
        entries = diff.of_kind(kind)
        if not entries:
            continue
        lines += ["", title]
        for entry in entries:
            lines.append(
                _printable(
                    f"  {_ENTRY_MARK[entry.change]} {entry.id}"
                    + ("" if entry.change == "changed" else f" ({entry.change})")
                )
            )
            lines += [
                _printable(f"      {p.name}: {_value(p.old)} -> {_value(p.new)}") for p in entry.properties
            ]
    if diff.responsibility:
        lines += ["", "Responsibility"]
        lines += [f"  ~ {r.component} {r.layer}: {r.old} -> {r.new}" for r in diff.responsibility]
    if diff.findings:
        lines += ["", "Findings"]
        lines += [_printable(f"  {_FINDING_MARK[f.change]} {_finding_line(f)}") for f in diff.findings]
    if diff.questions:
        lines += ["", "Questions"]
        lines += [
            _printable(f"  {_QUESTION_MARK[q.change]} {q.key} ({q.change}): {q.text}") for q in diff.questions
        ]
    lines += ["", "; ".join(_counts(diff)) + ". " + _verdict(diff), ""]
    return "\n".join(lines)


def _md_properties(entry: EntryChange) -> str:
    if entry.change != "changed":
        return ""
    return "<br>".join(
        f"{code(p.name)}: {md_cell(_value(p.old))} → {md_cell(_value(p.new))}" for p in entry.properties
    )


def render_diff_md(diff: ModelDiff) -> str:
    lines = [f"### trustmap: {md_text(diff.old_path)} → {md_text(diff.new_path)}", ""]
    if diff.empty:
        return "\n".join([*lines, "No changes.", ""])
    icon = "❌" if diff.opens_findings else "✅"
    lines += [f"{icon} **{_verdict(diff)}** {md_text('; '.join(_counts(diff)))}.", ""]
    if diff.findings:
        rows = [
            [
                f"**{f.change}**" if f.opens else f.change,
                f.new_severity or f.old_severity or "",
                code(f.key),
                md_cell(f.title),
                f"{f.old_status or '—'} → {f.new_status or '—'}",
            ]
            for f in diff.findings
        ]
        lines += ["#### Findings", "", *table(["Change", "Severity", "Finding", "Title", "Status"], rows), ""]
    if diff.questions:
        rows = [[q.change, code(q.key), md_cell(q.text)] for q in diff.questions]
        lines += ["#### Questions", "", *table(["Change", "Question", "Text"], rows), ""]
    for kind, title in SECTIONS:
        entries = diff.of_kind(kind)
        if entries:
            rows = [[e.change, code(e.id), _md_properties(e)] for e in entries]
            lines += [f"#### {title}", "", *table(["Change", "Id", "What changed"], rows), ""]
    if diff.responsibility:
        rows = [[code(r.component), code(r.layer), r.old, r.new] for r in diff.responsibility]
        lines += ["#### Responsibility", "", *table(["Component", "Layer", "Was", "Now"], rows), ""]
    return "\n".join(lines)


def diff_document(diff: ModelDiff) -> dict[str, Any]:
    def entries(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "change": e.change,
                "id": e.id,
                "properties": [{"name": p.name, "new": p.new, "old": p.old} for p in e.properties],
            }
            for e in diff.of_kind(kind)
        ]

    return {
        "boundaries": entries("boundary"),
        "components": entries("component"),
        "data": entries("data"),
        "principals": entries("principal"),
        "security_groups": entries("security-group"),
        "route_domains": entries("route-domain"),
        "empty": diff.empty,
        "findings": [
            {
                "change": f.change,
                "key": f.key,
                "new": {"severity": f.new_severity, "status": f.new_status} if f.new_status else None,
                "old": {"severity": f.old_severity, "status": f.old_status} if f.old_status else None,
                "opens": f.opens,
                "subject": f.subject,
                "title": f.title,
            }
            for f in diff.findings
        ],
        "flows": entries("flow"),
        "format": DIFF_FORMAT,
        "model": entries("model"),
        "new": diff.new_path,
        "old": diff.old_path,
        "opens_findings": diff.opens_findings,
        "questions": [
            {
                "change": q.change,
                "key": q.key,
                "new_status": q.new_status,
                "old_status": q.old_status,
                "text": q.text,
            }
            for q in diff.questions
        ],
        "responsibility": [
            {"component": r.component, "layer": r.layer, "new": r.new, "old": r.old}
            for r in diff.responsibility
        ],
    }


def render_diff_json(diff: ModelDiff) -> str:
    return json_text(json.dumps(diff_document(diff), indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


DIFF_RENDERERS: dict[str, Callable[[ModelDiff], str]] = {
    "text": render_diff_text,
    "md": render_diff_md,
    "json": render_diff_json,
}
