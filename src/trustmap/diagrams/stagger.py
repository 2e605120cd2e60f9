"""Spread the disconnected parts of a large view over a grid instead of one long rank.

dot puts every connected part of a graph side by side along the same ranks, so a view made of
many small islands (the account-level services of many cells, say) becomes one strip thousands
of pixels long. Invisible edges from a sink of one island to a source of the next chain the
islands into rows of about the square root of their number (the idea of Graphviz's
`unflatten -c`), which gives the picture a sane aspect ratio.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx

from trustmap.diagrams import dot
from trustmap.diagrams.style import FONT

__all__ = ["NEWRANK_LIMIT", "island_chain", "labels_outside", "layout_attrs"]

#: dot only honours the chain across clusters with `newrank`, which becomes pathologically
#: slow on large dense graphs (docs/performance.md, "Diagram sources and layout"), so it is
#: used up to this many nodes.
NEWRANK_LIMIT = 100

#: Only a view of at least this many nodes, in at least this many islands, none of them
#: holding more than half of the nodes, is restacked; dot handles the rest well.
MIN_NODES = 12
MIN_ISLANDS = 4


def island_chain(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Invisible edges (tail, head) that chain the islands of the graph into rows."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    islands = sorted((sorted(part) for part in nx.weakly_connected_components(graph)), key=lambda p: p[0])
    fragmented = max(map(len, islands), default=0) * 2 <= len(graph)
    if len(graph) < MIN_NODES or len(islands) < MIN_ISLANDS or not fragmented:
        return []
    per_row = math.ceil(math.sqrt(len(islands)))
    chain = []
    for index in range(len(islands) - 1):
        if (index + 1) % per_row == 0:
            continue  # the next island starts a new row
        sinks = [n for n in islands[index] if graph.out_degree(n) == 0] or islands[index]
        sources = [n for n in islands[index + 1] if graph.in_degree(n) == 0] or islands[index + 1]
        chain.append((sinks[0], sources[0]))
    return chain


def labels_outside(attrs: dot.Attrs, outside: bool) -> dot.Attrs:
    """Edge attributes with the label as `xlabel` when `outside`: dot then places it after the
    layout instead of as a label node, which is the fallback when dot's spline router gives up
    on a large clustered graph ("lost edge")."""
    if not outside or "label" not in attrs:
        return attrs
    return {("xlabel" if key == "label" else key): value for key, value in attrs.items()}


def layout_attrs(
    label: dot.Value, *, chained: bool, nodes: int, outside_labels: bool = False
) -> dict[str, dot.Value]:
    """Graph attributes of the architecture and data-flow views.

    Splines, never ortho: ortho cannot place edge labels and is slow on large models. newrank
    only when islands are chained in a small view: on the examples it let edge labels overlap,
    and it is pathologically slow on large dense models.
    """
    attrs: dict[str, dot.Value] = {
        "label": label,
        "labelloc": "t",
        "labeljust": "l",
        "rankdir": "LR",
        "splines": "spline",
        "nodesep": 0.45,
        "ranksep": 0.6,
        "pad": 0.3,
        "fontname": FONT,
        "fontsize": 11,
        "bgcolor": "white",
    }
    if chained and nodes <= NEWRANK_LIMIT:
        attrs["newrank"] = True  # the old ranking ignores chains between clusters
    if outside_labels:
        attrs["forcelabels"] = True  # draw every xlabel, even where it overlaps
    return attrs
