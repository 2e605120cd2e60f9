"""The architecture as a Mermaid flowchart, for Markdown that renders Mermaid (GitHub, GitLab).

Boundaries are nested subgraphs (keyed by boundary id), components are nodes classed by the
responsibility split of their service, flows are edges: dotted when unencrypted, thick when
they cross a trust boundary. Ids are derived injectively from model ids, and every label is a
quoted string with Mermaid's syntax characters written as entity codes.
"""

from __future__ import annotations

from trustmap.diagrams.clusters import sibling_order
from trustmap.diagrams.style import (
    EDGE_CROSSING,
    EDGE_UNENCRYPTED,
    RESPONSIBILITY_BADGES,
    boundary_style,
)
from trustmap.diagrams.text import mermaid_id, mermaid_text
from trustmap.diagrams.view import protocol_text
from trustmap.graph import BoundaryInfo, ComponentInfo, FlowInfo, ModelGraph

__all__ = ["mermaid_architecture"]

_SHAPES = {"datastore": ('[("', '")]'), "external-entity": ('(["', '"])')}


def _node(component: ComponentInfo) -> str:
    opening, closing = _SHAPES.get(component.dfd, ('["', '"]'))
    text = mermaid_text(component.name)
    if component.service_name != component.name:
        text += "<br/>" + mermaid_text(component.service_name)
    return f"{mermaid_id('c', component.id)}{opening}{text}{closing}"


def _boundary_title(boundary: BoundaryInfo) -> str:
    style = boundary_style(boundary.kind, boundary.public)
    # One line: Mermaid draws a multi-line subgraph title over the first nodes.
    name = " ".join(boundary.name.split())
    return mermaid_text(f"{name} ({style.title}, trust {boundary.trust})")


def _edge(flow: FlowInfo) -> str:
    arrow = "-.->" if not flow.encrypted else "==>" if flow.crosses else "-->"
    if flow.bidirectional:
        arrow = "<" + arrow
    label = mermaid_text(f"{flow.name} ({protocol_text(flow)})" if flow.name else protocol_text(flow))
    return f'{mermaid_id("c", flow.source)} {arrow}|"{label}"| {mermaid_id("c", flow.target)}'


def mermaid_architecture(graph: ModelGraph) -> str:
    """The Mermaid source, ending with a newline."""
    placed: dict[str | None, list[str]] = {}
    for component in graph.components():
        placed.setdefault(component.boundary, []).append(_node(component))
    tree = graph.boundary_children()

    def children(parent: str | None) -> list[BoundaryInfo]:
        return sorted((graph.boundaries[b] for b in tree.get(parent, [])), key=sibling_order)

    def emit(boundary: BoundaryInfo, depth: int) -> list[str]:
        pad = "  " * depth
        inner = [line for kid in children(boundary.id) for line in emit(kid, depth + 1)]
        inner.extend(f"{pad}  {line}" for line in placed.get(boundary.id, []))
        if not inner:
            inner = [f'{pad}  {mermaid_id("e", boundary.id)}["no components"]']
        head = f'{pad}subgraph {mermaid_id("b", boundary.id)}["{_boundary_title(boundary)}"]'
        return [head, f"{pad}  direction TB", *inner, f"{pad}end"]

    # No front-matter title: Mermaid shows markup in titles escaped twice ("&amp;amp;").
    lines = ["%% trustmap architecture: boundaries are subgraphs b_<id>, components c_<id>", "flowchart TB"]
    for root in children(None):
        lines.extend(emit(root, 1))
    lines.extend(f"  {line}" for line in placed.get(None, []))

    flows = graph.flows()
    lines.extend(f"  {_edge(flow)}" for flow in flows)
    lines.extend(_styles(graph, flows))
    return "\n".join(lines) + "\n"


def _styles(graph: ModelGraph, flows: tuple[FlowInfo, ...]) -> list[str]:
    lines = [
        f"  classDef {model} fill:#ffffff,stroke:{badge.colour},stroke-width:2px,color:#232F3E"
        for model, badge in RESPONSIBILITY_BADGES.items()
    ]
    by_model: dict[str, list[str]] = {}
    for component in graph.components():
        model = component.service_model if component.service_model in RESPONSIBILITY_BADGES else "external"
        by_model.setdefault(model, []).append(mermaid_id("c", component.id))
    lines.extend(f"  class {','.join(ids)} {model}" for model, ids in sorted(by_model.items()))
    for boundary_id, boundary in sorted(graph.boundaries.items()):
        style = boundary_style(boundary.kind, boundary.public)
        dash = ",stroke-dasharray:6 4" if "dashed" in style.style else ""
        paint = f"fill:{style.fill},stroke:{style.colour},color:{style.colour}{dash}"
        lines.append(f"  style {mermaid_id('b', boundary_id)} {paint}")
    unencrypted = [str(index) for index, flow in enumerate(flows) if not flow.encrypted]
    crossing = [str(index) for index, flow in enumerate(flows) if flow.encrypted and flow.crosses]
    if unencrypted:
        lines.append(
            f"  linkStyle {','.join(unencrypted)} stroke:{EDGE_UNENCRYPTED},color:{EDGE_UNENCRYPTED}"
        )
    if crossing:
        lines.append(f"  linkStyle {','.join(crossing)} stroke:{EDGE_CROSSING}")
    return lines
