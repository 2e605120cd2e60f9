"""checklist.md: golden files for the examples, anchors, category order, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE_NAMES, EXAMPLES, check_golden
from tests.reports.conftest import GOLDEN
from trustmap.analysis import Analysis
from trustmap.cli import app
from trustmap.render.checklist import CHECKLIST_RENDERERS
from trustmap.render.checklist_md import render_checklist_md
from trustmap.render.markdown import code, md_cell, md_text

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_checklist_md_matches_golden(name: str, example: Callable[[str], Analysis]) -> None:
    check_golden(GOLDEN / name / "checklist.md", render_checklist_md(example(name)))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_link_has_its_anchor_and_every_component_a_section(
    name: str, example: Callable[[str], Analysis]
) -> None:
    analysis = example(name)
    text = render_checklist_md(analysis)
    anchors = re.findall(r'<a id="([^"]+)"></a>', text)
    assert len(anchors) == len(set(anchors))
    assert set(re.findall(r"\]\(#([^)]+)\)", text)) <= set(anchors)
    for component in analysis.graph.components():
        assert f'<a id="component-{component.id}"></a>' in text
    for flow in analysis.graph.flows():
        assert f'<a id="flow-{flow.id.replace("->", "-to-")}"></a>' in text
    for principal in analysis.graph.permissions.principals:
        assert f'<a id="principal-{principal}"></a>' in text
    for finding in analysis.report.findings:
        assert code(finding.key) in text
    for image in ("architecture.svg", "dataflow.svg", "responsibility.svg"):
        assert f"]({image})" in text


def test_aws_duties_are_listed_once_per_service_model_not_per_component(
    example: Callable[[str], Analysis],
) -> None:
    analysis = example("shop")
    text = render_checklist_md(analysis)
    inherited = text.split("## Inherited AWS duties")[1].split("## Account-wide checklist")[0]
    components = text.split("## Components")[1].split("## Flows")[0]
    for model in {c.service_model for c in analysis.graph.components() if c.aws}:
        assert f"### {analysis.catalog.service_models[model].title} (" in inherited
    aws_items = {
        item.code or item.id
        for items in analysis.report.checklists.values()
        for item in items
        if item.owner == "aws"
    }
    assert all(f"`{code_}`" in inherited for code_ in aws_items)
    assert not any(f"| `{code_}` |" in components for code_ in aws_items), "an AWS duty listed per component"
    assert "inherited from AWS" in components


def test_the_summary_comes_first_and_rolls_up_by_rule(example: Callable[[str], Analysis]) -> None:
    text = render_checklist_md(example("shop"))
    order = [
        text.index(h)
        for h in (
            "## Summary",
            "## Top open risks by rule",
            "## Risk decisions to review",
            "## Questions",
            "## Attack paths",
            "## Findings",
            "## Components",
        )
    ]
    assert order == sorted(order)
    assert "SHA-256" in text and "Evaluated on | 2026-11-28" in text
    assert "| medium | No access logs at the edge<br>`edge-requests-not-logged` | 2 | `cdn`, `lb` |" in text


def test_tables_keep_their_shape_with_hostile_text(hostile: Analysis) -> None:
    text = render_checklist_md(hostile)
    for raw in ("<script", "<img", "<svg", "<b>", "[link](http"):
        assert raw not in text
    header_cells = None
    for line in text.splitlines():
        if not line.startswith("| "):
            header_cells = None
            continue
        cells = len(UNESCAPED_PIPE.findall(line))
        header_cells = header_cells or cells
        assert cells == header_cells, line
    assert "Shop &lt;script&gt;alert('name')&lt;/script&gt; \\| \\`tick\\`" in text
    assert "\\@security-team" in text


def test_escaping_helpers() -> None:
    assert md_cell("a|b\nc") == "a\\|b<br>c"
    assert md_text("x\r\ny") == "x y"
    assert md_cell("<&>") == "&lt;&amp;&gt;"
    assert md_text("*_`[]~#@$\\") == "\\*\\_\\`\\[\\]\\~\\#\\@\\$\\\\"
    assert md_cell("bell\x07") == "bell"
    assert code("web->db") == "`web->db`"


def test_md_is_the_default_checklist_format() -> None:
    assert next(iter(CHECKLIST_RENDERERS)) == "md"
    assert {"md", "json", "csv"} <= set(CHECKLIST_RENDERERS)
    runner = CliRunner()
    result = runner.invoke(app, ["checklist", str(EXAMPLES / "shop.yaml"), "--today", "2026-11-28"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Threat and control checklist: Online shop\n")
    csv_out = runner.invoke(
        app, ["checklist", str(EXAMPLES / "shop.yaml"), "--today", "2026-11-28", "--format", "csv"]
    )
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("subject_kind,subject,name,")


def test_only_the_diagrams_that_were_drawn_are_linked(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    none = render_checklist_md(analysis, set())
    assert ".svg)" not in none and "Graphviz (the `dot` program) was not found" in none
    some = render_checklist_md(analysis, {"architecture.svg", "report.json"})
    assert "](architecture.svg)" in some and "](dataflow.svg)" not in some
    assert "was not found" not in some
