"""Names with markup, quotes, backslashes, newlines and `<<trust boundary>>` in every output."""

from __future__ import annotations

import re

import pytest

from tests.diagrams.conftest import cluster_titles, needs_dot, parse_svg, svg_hrefs, svg_text
from trustmap.analysis import Analysis
from trustmap.diagrams import DiagramOptions, diagram_files


def test_sources_escape_every_name(hostile: Analysis) -> None:
    files = diagram_files(hostile, DiagramOptions(formats=())).files
    for name in ("architecture.dot", "dataflow.dot", "responsibility.dot"):
        text = files[name].decode("utf-8")
        assert "<<trust boundary>>" not in text
        assert "<script>" not in text and "<i>" not in text and "<tag>" not in text
        assert "&lt;&lt;trust boundary&gt;&gt;" in text
    for name in ("diagram.mmd", "dataflow.mmd"):
        mermaid = files[name].decode("utf-8")
        for line in mermaid.splitlines()[2:]:
            labels = re.findall(r'"([^"]*)"', line)
            assert all("<" not in label.replace("<br/>", "") for label in labels), line
            # quotes only delimit labels: an even number on every line
            assert line.count('"') % 2 == 0, line
        assert "<script>" not in mermaid


@pytest.mark.graphviz
@needs_dot
def test_hostile_names_render_and_stay_text(hostile: Analysis) -> None:
    made = diagram_files(hostile, DiagramOptions(formats=("svg", "png")))
    assert made.notes == []
    for view in ("architecture", "dataflow", "responsibility"):
        root = parse_svg(made.files[f"{view}.svg"])
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert not tags & {"script", "i", "b", "tag", "foreignObject"}
        for href in svg_hrefs(root):
            assert href.startswith(("data:", "#"))
        text = svg_text(root)
        joined = text.replace("\n", "")  # long names are wrapped over several lines
        assert "<script>alert('x')</script>" in joined
        if view != "responsibility":
            assert "<<trust boundary>>" in joined
            assert cluster_titles(root) == {f"cluster_{b}" for b in hostile.graph.boundaries}
    architecture = svg_text(parse_svg(made.files["architecture.svg"])).replace("\n", " ")
    assert "C:\\new\\temp \\N \\G \\l" in architecture  # backslashes are not DOT escapes
    assert 'Web "tier" second line & <tag>' in architecture  # the newline became a line break
    assert "Ünïcödé データ" in architecture
