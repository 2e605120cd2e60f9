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
from trustmap.render.views import category_order

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
    for finding in analysis.report.findings:
        assert code(finding.key) in text
    for image in ("architecture.svg", "dataflow.svg", "responsibility.svg"):
        assert f"]({image})" in text


def test_categories_follow_the_catalog_order_and_aws_duties_are_listed(
    example: Callable[[str], Analysis],
) -> None:
    analysis = example("shop")
    text = render_checklist_md(analysis)
    section = text.split('<a id="component-web"></a>')[1].split("## Flows")[0]
    titles = re.findall(r"^#### (.+)$", section, flags=re.M)
    order = [
        analysis.catalog.categories[c].title
        for c in category_order(analysis)
        if c in analysis.catalog.categories
    ]
    assert titles == [t for t in order if t in titles]
    assert "| AWS | inherited |" in section and "| Customer |" in section


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
