"""The DOT of the architecture view, read back with pydot: its structure is the model's.

Golden files pin the exact text; this checks what the text means, for every example: each
boundary is a cluster inside its parent's cluster, each component a node inside its
boundary's cluster (or outside every cluster), each flow an edge between its two components.
"""

from __future__ import annotations

from collections.abc import Callable

import pydot
import pytest

from tests.conftest import example_paths
from trustmap.analysis import Analysis
from trustmap.diagrams.produce import view_source

EXAMPLES = [path.stem for path in example_paths()]
# pydot 4 still calls pyparsing's camelCase names, which pyparsing 3.3 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:.* deprecated - use:DeprecationWarning")


def _unquote(name: str) -> str:
    return name.strip('"')


def _placement(graph: pydot.Dot) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Each cluster's enclosing cluster, and each node's cluster (None: the top level)."""
    clusters: dict[str, str | None] = {}
    nodes: dict[str, str | None] = {}
    stack: list[tuple[pydot.Graph, str | None]] = [(graph, None)]
    while stack:
        current, cluster = stack.pop()
        for node in current.get_nodes():
            name = _unquote(node.get_name())
            if name.startswith("c_"):
                nodes[name.removeprefix("c_")] = cluster
        for sub in current.get_subgraphs():
            name = _unquote(sub.get_name()).removeprefix("cluster_")
            clusters[name] = cluster
            stack.append((sub, name))
    return clusters, nodes


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_architecture_dot_has_the_models_structure(name: str, example: Callable[[str], Analysis]) -> None:
    analysis = example(name)
    model = analysis.graph.model
    (graph,) = pydot.graph_from_dot_data(view_source(analysis, "architecture").source)
    clusters, nodes = _placement(graph)
    assert set(clusters) <= set(model.boundaries)
    for boundary_id, parent in clusters.items():
        assert parent == model.boundaries[boundary_id].parent, boundary_id
    assert nodes == {cid: component.boundary for cid, component in model.components.items()}
    edges = sorted((_unquote(e.get_source()), _unquote(e.get_destination())) for e in graph.get_edges())
    assert edges == sorted((f"c_{flow.source}", f"c_{flow.target}") for flow in model.flows)
