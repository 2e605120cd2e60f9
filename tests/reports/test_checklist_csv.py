"""checklist.csv: stable columns, one row per item, RFC 4180, no spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from tests.conftest import EXAMPLE_NAMES, check_golden
from tests.reports.conftest import GOLDEN
from trustmap.analysis import Analysis
from trustmap.render.checklist_csv import CSV_COLUMNS, render_checklist_csv, safe_cell

CONTRACT = [
    "subject_kind", "subject", "name", "category", "control", "code", "title", "owner", "status",
    "severity", "iso27001", "pci-dss", "hipaa", "reason",
]  # fmt: skip


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_checklist_csv_matches_golden(name: str, example: Callable[[str], Analysis]) -> None:
    check_golden(GOLDEN / name / "checklist.csv", render_checklist_csv(example(name)))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_one_row_per_checklist_item_with_the_contract_columns_first(
    name: str, example: Callable[[str], Analysis]
) -> None:
    analysis = example(name)
    rows = _rows(render_checklist_csv(analysis))
    assert rows[0][: len(CONTRACT)] == CONTRACT
    assert rows[0] == list(CSV_COLUMNS)
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    items = sum(len(items) for items in analysis.report.checklists.values())
    assert len(rows) - 1 == items
    kinds = {row[0] for row in rows[1:]}
    expected = {"model", "component"} | ({"flow"} if analysis.graph.flows() else set())
    # format 1.2: a principal's checklist (its trust conditions, just-in-time access)
    if any(s.kind == "principal" and items for s, items in analysis.report.checklists.items()):
        expected.add("principal")
    assert kinds == expected
    by_key = {(row[1], row[4]): row for row in rows[1:]}
    for subject, subject_items in analysis.report.checklists.items():
        for item in subject_items:
            row = by_key[(subject.id, item.id)]
            assert row[8] == item.status and row[7] == item.owner
            assert row[10] == "; ".join(item.compliance.get("iso27001", []))


def test_line_endings_are_lf(example: Callable[[str], Analysis]) -> None:
    text = render_checklist_csv(example("shop"))
    assert "\r" not in text and text.endswith("\n")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", " =", "\u00a0+", "\u3000@"])
def test_safe_cell_defuses_formulas(start: str) -> None:
    assert safe_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert safe_cell(f"a{start}b") == f"a{start}b"


@pytest.mark.parametrize("start", ["\t", "\r", "\n", "\x0b"])
def test_safe_cell_defuses_formulas_after_tabs_and_line_breaks(start: str) -> None:
    cell = safe_cell(f"{start}=SUM(A1)")
    assert "\r" not in cell and "\t" not in cell
    assert all(not line.lstrip().startswith("=") for line in cell.split("\n"))


def test_no_cell_of_a_hostile_model_runs_as_a_formula(hostile: Analysis) -> None:
    rows = _rows(render_checklist_csv(hostile))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    names = {row[1]: row[2] for row in rows[1:]}
    assert names["db"] == "'+DB *name* _under_ ~strike~ \\ back"
    assert names["user->web"] == "'=cmd() <b>flow</b>"
    assert names["web"] == "Web <img src=x onerror=alert('web')> | pipe\nnew line"
