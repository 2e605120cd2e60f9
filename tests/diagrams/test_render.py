"""Rendering with Graphviz: portable SVG, every boundary a cluster, reproducible bytes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.diagrams.conftest import cluster_titles, needs_dot, parse_svg, svg_hrefs, svg_text
from trustmap.analysis import Analysis
from trustmap.diagrams import VIEWS, DiagramOptions, diagram, diagram_files

pytestmark = [pytest.mark.graphviz, needs_dot]

ALL_FORMATS = DiagramOptions(formats=("svg", "png", "pdf"))


@pytest.fixture(scope="module")
def shop_files(example: Callable[[str], Analysis]) -> dict[str, bytes]:
    made = diagram_files(example("shop"), ALL_FORMATS)
    assert made.notes == []
    return made.files


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_renders_in_every_format(shop_files: dict[str, bytes], view: str) -> None:
    assert shop_files[f"{view}.png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert shop_files[f"{view}.pdf"].startswith(b"%PDF-")
    assert b"/CreationDate" not in shop_files[f"{view}.pdf"]
    root = parse_svg(shop_files[f"{view}.svg"])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("view", VIEWS)
def test_svg_is_self_contained(shop_files: dict[str, bytes], view: str) -> None:
    root = parse_svg(shop_files[f"{view}.svg"])
    for href in svg_hrefs(root):
        assert href.startswith(("data:image/png;base64,", "#")), href[:80]
    assert b'<image xlink:href="aws/' not in shop_files[f"{view}.svg"]


def test_icons_are_embedded_once_each(
    shop_files: dict[str, bytes], example: Callable[[str], Analysis]
) -> None:
    root = parse_svg(shop_files["architecture.svg"])
    hrefs = svg_hrefs(root)
    embedded = [h for h in hrefs if h.startswith("data:")]
    uses = [h for h in hrefs if h.startswith("#tm-icon-")]
    services = {component.service for component in example("shop").graph.components()}
    assert len(embedded) == len(set(embedded)) == len(services)
    assert len(uses) == len(example("shop").graph.components())
    symbol_ids = {s.get("id") for s in root.iter("{http://www.w3.org/2000/svg}symbol")}
    assert {u[1:] for u in uses} == symbol_ids


@pytest.mark.parametrize("name", ["shop", "three-tier-web"])
@pytest.mark.parametrize("view", ["architecture", "dataflow"])
def test_every_boundary_is_a_cluster(example: Callable[[str], Analysis], name: str, view: str) -> None:
    analysis = example(name)
    root = parse_svg(diagram(analysis, view, "svg", DiagramOptions()))
    assert cluster_titles(root) == {f"cluster_{b}" for b in analysis.graph.boundaries}
    text = "".join(svg_text(root).split())  # names may be wrapped over lines
    for boundary in analysis.graph.boundaries.values():
        assert "".join(boundary.name.split()) in text


def test_build_is_byte_identical_across_runs(example: Callable[[str], Analysis]) -> None:
    first = diagram_files(example("shop"), ALL_FORMATS).files
    second = diagram_files(example("shop"), ALL_FORMATS).files
    assert sorted(first) == sorted(second)
    for name in sorted(first):
        assert first[name] == second[name], name


def test_responsibility_matrix_names_every_component(
    shop_files: dict[str, bytes], example: Callable[[str], Analysis]
) -> None:
    text = "".join(svg_text(parse_svg(shop_files["responsibility.svg"])).split())
    for component in example("shop").graph.components():
        assert "".join(component.name.split()) in text
