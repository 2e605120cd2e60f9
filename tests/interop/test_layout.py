"""Diagram positions for the OTM representation: Graphviz when present, else a grid."""

from __future__ import annotations

import json
import shutil

import pytest

from trustmap.interop.layout import Box, LayoutSpec, compute_layout, dot_source, grid_layout, read_dot_json

SPEC = LayoutSpec(
    zones={"cloud": None, "vpc": "cloud", "empty": "cloud", "internet": None},
    nodes={"user": "internet", "web": "vpc", "db": "vpc", "bucket": "cloud"},
    edges=[("user", "web"), ("web", "db"), ("web", "bucket")],
)


def _inside(inner: Box, outer: Box) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )


def _check_nesting(boxes: dict[str, Box]) -> None:
    for node, zone in SPEC.nodes.items():
        assert zone is not None and _inside(boxes[node], boxes[zone]), node
    for zone, parent in SPEC.zones.items():
        if parent is not None:
            assert _inside(boxes[zone], boxes[parent]), zone


def test_grid_layout_nests_every_element() -> None:
    result = grid_layout(SPEC)
    assert set(result.boxes) == set(SPEC.zones) | set(SPEC.nodes)
    _check_nesting(result.boxes)
    assert grid_layout(SPEC) == result  # deterministic


def test_dot_source_names_elements_by_index_only() -> None:
    spec = LayoutSpec(zones={'a"b\\c': None}, nodes={"x": 'a"b\\c'}, edges=[])
    source = dot_source(spec)
    assert "subgraph cluster_0" in source and 'label="a\\"b\\\\c"' in source
    assert "n0;" in source


def test_empty_zones_get_an_invisible_placeholder() -> None:
    assert "cluster_2_empty [style=invis" in dot_source(SPEC)


def test_read_dot_json_converts_to_top_left_origin() -> None:
    spec = LayoutSpec(zones={"z": None}, nodes={"n": "z"}, edges=[])
    output = json.dumps(
        {
            "bb": "0,0,200,100",
            "objects": [
                {"name": "cluster_0", "bb": "10,10,190,90"},
                {"name": "n0", "pos": "100,50", "width": "1", "height": "0.5"},
            ],
        }
    )
    result = read_dot_json(output, spec)
    assert result is not None
    assert result.boxes["z"] == Box(10, 10, 180, 80)
    assert result.boxes["n"] == Box(64, 32, 72, 36)
    assert read_dot_json("not json", spec) is None
    assert read_dot_json(json.dumps({"bb": "0,0,1,1", "objects": []}), spec) is None


def test_without_graphviz_the_grid_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustmap.diagrams import graphviz

    def missing(*_: object, **__: object) -> dict[str, bytes]:
        raise graphviz.GraphvizMissingError("no dot here")

    monkeypatch.setattr(graphviz, "run_dot", missing)
    assert compute_layout(SPEC) == grid_layout(SPEC)
    assert compute_layout(SPEC, use_graphviz=False) == grid_layout(SPEC)


@pytest.mark.graphviz
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz dot program")
def test_graphviz_layout_nests_every_element() -> None:
    result = compute_layout(SPEC, timeout=60)
    assert result != grid_layout(SPEC)  # laid out by dot, not the fallback grid
    _check_nesting(result.boxes)
