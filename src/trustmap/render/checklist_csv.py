"""checklist.csv: one row per checklist item, for spreadsheets and trackers.

Rows come in report order: the model's account-wide items, then each component (sorted by id),
then each flow (in YAML order), then each principal (1.2, sorted by id). The first columns are a
stable contract; new columns are only ever appended. Quoting follows RFC 4180 (the csv module,
LF line endings).

No cell can forge a row or run as a formula, whatever the model's names hold: terminal
controls are removed, every line break (a lone CR, NEL, U+2028...) becomes LF, which the
writer always quotes, tabs become spaces, and each line of a cell that a spreadsheet or a
line-by-line reader would take for a formula (=, +, -, @, after any leading whitespace) gets a
leading `'` (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from trustmap.analysis import Analysis
from trustmap.findings import ChecklistItem
from trustmap.free_text import clean_text
from trustmap.render.views import SubjectView, subject_views

__all__ = ["CSV_COLUMNS", "render_checklist_csv", "safe_cell"]

CSV_COLUMNS: tuple[str, ...] = (
    "subject_kind",
    "subject",
    "name",
    "category",
    "control",
    "code",
    "title",
    "owner",
    "status",
    "severity",
    "iso27001",
    "pci-dss",
    "hipaa",
    "reason",
    # appended after the contract columns
    "key",
    "category_title",
    "evidence",
    "remediation",
    "threats",
    "findings",
    "decision_owner",
    "decision_expires",
    "decision_ticket",
    # format 1.1: the question this item asks (status unknown, a threat waits on it)
    "question",
)

#: A cell starting with one of these runs as a formula in Excel, LibreOffice or Sheets.
_FORMULA_START = ("=", "+", "-", "@")


def _inert(line: str) -> str:
    return "'" + line if line.lstrip().startswith(_FORMULA_START) else line


def safe_cell(value: object) -> str:
    """The cell's text, made inert: see the module docstring."""
    text = clean_text("" if value is None else str(value)).replace("\t", " ")
    if "\n" not in text:
        return _inert(text)
    return "\n".join(_inert(line) for line in text.split("\n"))


def _join(values: Sequence[str]) -> str:
    return "; ".join(values)


def _row(
    analysis: Analysis,
    view: SubjectView,
    item: ChecklistItem,
    findings: dict[str, list[str]],
    questions: dict[str, str],
) -> list[str]:
    decision = item.decision
    category = analysis.catalog.categories.get(item.category)
    return [
        view.subject.kind,
        view.subject.id,
        view.name,
        item.category,
        item.id,
        item.code or "",
        item.title,
        item.owner,
        item.status,
        item.severity,
        _join(item.compliance.get("iso27001", ())),
        _join(item.compliance.get("pci-dss", ())),
        _join(item.compliance.get("hipaa", ())),
        item.reason,
        item.key,
        category.title if category else item.category,
        item.evidence or "",
        item.remediation or "",
        _join(item.threats),
        _join(findings.get(item.key, [])),
        (decision.owner or "") if decision else "",
        (decision.expires or "") if decision else "",
        (decision.ticket or "") if decision else "",
        questions.get(item.key, ""),
    ]


def render_checklist_csv(analysis: Analysis) -> str:
    """Every checklist item as a CSV row, with a header row."""
    views = subject_views(analysis)
    # The findings each item is a mitigation of (account-wide controls are the model's items).
    findings: dict[str, list[str]] = {}
    for finding in analysis.report.findings:
        for control_id in finding.controls:
            control = analysis.catalog.controls.get(control_id)
            subject = "model" if control is not None and control.scope == "model" else finding.subject.id
            findings.setdefault(f"{subject}/{control_id}", []).append(finding.key)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    questions = {q.key: q.text for q in analysis.report.questions}
    writer.writerow(CSV_COLUMNS)
    # Most cells repeat (titles, owners, statuses, references): each distinct value made safe once.
    safe: dict[str, str] = {}
    for view in (views.model, *views.components, *views.flows, *views.principals):
        for item in view.items:
            row = _row(analysis, view, item, findings, questions)
            cells = []
            for cell in row:
                text = safe.get(cell)
                if text is None:
                    text = safe[cell] = safe_cell(cell)
                cells.append(text)
            writer.writerow(cells)
    return stream.getvalue()
