"""Nested trust-boundary clusters, shared by the architecture and data-flow views.

Clusters are keyed by boundary id (`cluster_<id>`), never by label, so two subnets that are
both named "Private" stay two boxes. Siblings are ordered by trust rating, then id: the least
trusted zone (the internet) comes first, the way a reader follows a request inwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from trustmap.diagrams import dot
from trustmap.diagrams.text import html
from trustmap.graph import BoundaryInfo, ModelGraph

__all__ = ["boundaries_for", "cluster_name", "nest", "sibling_order"]


def cluster_name(boundary_id: str) -> str:
    return f"cluster_{boundary_id}"


def sibling_order(boundary: BoundaryInfo) -> tuple[int, str]:
    return (boundary.trust, boundary.id)


def boundaries_for(boundaries: Mapping[str, BoundaryInfo], placed: Iterable[str | None]) -> set[str]:
    """Every boundary on the path of the given innermost boundaries."""
    found: set[str] = set()
    for boundary_id in placed:
        if boundary_id is not None:
            found.update(boundaries[boundary_id].path)
    return found


def nest(
    graph: ModelGraph,
    include: set[str],
    members: Mapping[str | None, list[str]],
    cluster_attrs: Callable[[BoundaryInfo], dot.Attrs],
    empty_note: str = "no components",
) -> list[str]:
    """DOT lines: the included boundaries as nested clusters holding their member lines.

    `members` maps a boundary id (None: outside every boundary) to the DOT statements of the
    nodes placed directly in it. An included boundary with nothing inside gets a small note,
    so that every boundary of the model stays visible as a box.
    """
    tree = graph.boundary_children()

    def children(parent: str | None) -> list[BoundaryInfo]:
        return sorted((graph.boundaries[b] for b in tree.get(parent, []) if b in include), key=sibling_order)

    def emit(boundary: BoundaryInfo) -> list[str]:
        body = [line for kid in children(boundary.id) for line in emit(kid)]
        body.extend(members.get(boundary.id, []))
        if not body:
            note = f'<FONT POINT-SIZE="9" COLOR="#6B7280"><I>{html(empty_note)}</I></FONT>'
            body = [dot.node(f"empty_{boundary.id}", {"shape": "plain", "label": dot.Html(note)})]
        return dot.subgraph(cluster_name(boundary.id), cluster_attrs(boundary), body)

    lines = [line for root in children(None) for line in emit(root)]
    lines.extend(members.get(None, []))
    return lines
