"""The architecture, the data-flow view and the responsibility matrix as Mermaid flowcharts,
for Markdown that renders Mermaid (GitHub, GitLab).

Boundaries are nested subgraphs (keyed by boundary id), flows are edges: dotted when
unencrypted, thick when they cross a trust boundary. In the architecture, components are
classed by the responsibility split of their service (owner colours); in the data-flow view
they take the threat-model shapes (external entity, process, data store), flows carry their
number, and what has open findings is outlined in the colour of its worst severity, with the
count and severity in words. Ids are derived injectively from model ids, and every label is a
quoted string with Mermaid's syntax characters written as entity codes.
"""

from __future__ import annotations

from collections.abc import Callable

from trustmap.catalog import Catalog
from trustmap.catalog.schema import OWNER_WORDS
from trustmap.colours import OWNER_INK, OWNER_STYLES
from trustmap.diagrams.clusters import sibling_order
from trustmap.diagrams.style import (
    EDGE_CROSSING,
    EDGE_UNENCRYPTED,
    RESPONSIBILITY_BADGES,
    SEVERITY_COLOURS,
    boundary_style,
)
from trustmap.diagrams.text import mermaid_id, mermaid_text
from trustmap.diagrams.view import open_findings_by_subject, protocol_text, worst_severity
from trustmap.findings import Report
from trustmap.graph import BoundaryInfo, ComponentInfo, FlowInfo, ModelGraph

__all__ = ["mermaid_architecture", "mermaid_dataflow", "mermaid_responsibility"]

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


def _edge(flow: FlowInfo, numbered: bool = False) -> str:
    arrow = "-.->" if not flow.encrypted else "==>" if flow.crosses else "-->"
    if flow.bidirectional:
        arrow = "<" + arrow
    text = f"{flow.name} ({protocol_text(flow)})" if flow.name else protocol_text(flow)
    label = mermaid_text(f"{flow.index + 1} {text}" if numbered else text)
    return f'{mermaid_id("c", flow.source)} {arrow}|"{label}"| {mermaid_id("c", flow.target)}'


def _nested(graph: ModelGraph, node: Callable[[ComponentInfo], str]) -> list[str]:
    """Subgraph lines for the boundaries with their nodes, then the nodes outside every boundary."""
    placed: dict[str | None, list[str]] = {}
    for component in graph.components():
        placed.setdefault(component.boundary, []).append(node(component))
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

    lines = [line for root in children(None) for line in emit(root, 1)]
    lines.extend(f"  {line}" for line in placed.get(None, []))
    return lines


def mermaid_architecture(graph: ModelGraph) -> str:
    """The Mermaid source, ending with a newline."""
    # No front-matter title: Mermaid shows markup in titles escaped twice ("&amp;amp;").
    lines = ["%% trustmap architecture: boundaries are subgraphs b_<id>, components c_<id>", "flowchart TB"]
    lines.extend(_nested(graph, _node))
    flows = graph.flows()
    lines.extend(f"  {_edge(flow)}" for flow in flows)
    lines.extend(_styles(graph, flows))
    return "\n".join(lines) + "\n"


_DFD_SHAPES = {"datastore": ('[("', '")]'), "external-entity": ('["', '"]'), "process": ('(["', '"])')}


def mermaid_dataflow(graph: ModelGraph, report: Report) -> str:
    """The data-flow view as Mermaid, ending with a newline."""
    open_by = open_findings_by_subject(report)

    def node(component: ComponentInfo) -> str:
        opening, closing = _DFD_SHAPES.get(component.dfd, ('["', '"]'))
        text = mermaid_text(component.name)
        severities = open_by.get(("component", component.id))
        if severities:
            plural = "s" if len(severities) > 1 else ""
            note = f"⚠ {len(severities)} open finding{plural} ({worst_severity(severities)})"
            text += "<br/>" + mermaid_text(note)
        return f"{mermaid_id('c', component.id)}{opening}{text}{closing}"

    lines = [
        "%% trustmap data flows: external entities [ ], processes ([ ]), data stores [( )]; flows numbered",
        "flowchart LR",
        *_nested(graph, node),
    ]
    flows = graph.flows()
    lines.extend(f"  {_edge(flow, numbered=True)}" for flow in flows)
    lines.extend(_boundary_styles(graph))
    by_severity: dict[str, list[str]] = {}
    for component in graph.components():
        severities = open_by.get(("component", component.id))
        if severities:
            by_severity.setdefault(worst_severity(severities), []).append(mermaid_id("c", component.id))
    for severity, ids in sorted(by_severity.items()):
        colour = SEVERITY_COLOURS[severity]
        lines.append(f"  classDef sev_{severity} stroke:{colour},stroke-width:3px")
        lines.append(f"  class {','.join(ids)} sev_{severity}")
    for severity in SEVERITY_COLOURS:
        marked = [str(i) for i, f in enumerate(flows) if _worst(open_by, f) == severity]
        if marked:
            colour = SEVERITY_COLOURS[severity]
            lines.append(f"  linkStyle {','.join(marked)} stroke:{colour},stroke-width:3px")
    return "\n".join(lines) + "\n"


def _worst(open_by: dict[tuple[str, str], list[str]], flow: FlowInfo) -> str | None:
    severities = open_by.get(("flow", flow.id))
    return worst_severity(severities) if severities else None


def _boundary_styles(graph: ModelGraph) -> list[str]:
    lines = []
    for boundary_id, boundary in sorted(graph.boundaries.items()):
        style = boundary_style(boundary.kind, boundary.public)
        dash = ",stroke-dasharray:6 4" if "dashed" in style.style or "dotted" in style.style else ""
        paint = f"fill:{style.fill},stroke:{style.colour},color:{style.colour}{dash}"
        lines.append(f"  style {mermaid_id('b', boundary_id)} {paint}")
    return lines


def _styles(graph: ModelGraph, flows: tuple[FlowInfo, ...]) -> list[str]:
    lines = [
        f"  classDef {model} fill:#ffffff,stroke:{badge.colour},stroke-width:2px,color:#232F3E"
        for model, badge in RESPONSIBILITY_BADGES.items()
    ]
    by_model: dict[str, list[str]] = {}
    for component in graph.components():
        model = component.service_model if component.service_model in RESPONSIBILITY_BADGES else "external"
        if component.service_model == "infrastructure" and component.responsibility.get("os") == "aws":
            model = "network"  # a managed network construct (style.responsibility_badge)
        by_model.setdefault(model, []).append(mermaid_id("c", component.id))
    lines.extend(f"  class {','.join(ids)} {model}" for model, ids in sorted(by_model.items()))
    lines.extend(_boundary_styles(graph))
    unencrypted = [str(index) for index, flow in enumerate(flows) if not flow.encrypted]
    crossing = [str(index) for index, flow in enumerate(flows) if flow.encrypted and flow.crosses]
    if unencrypted:
        lines.append(
            f"  linkStyle {','.join(unencrypted)} stroke:{EDGE_UNENCRYPTED},color:{EDGE_UNENCRYPTED}"
        )
    if crossing:
        lines.append(f"  linkStyle {','.join(crossing)} stroke:{EDGE_CROSSING}")
    return lines


def mermaid_responsibility(graph: ModelGraph, catalog: Catalog) -> str:
    """The shared-responsibility matrix as Mermaid, ending with a newline: one column (a
    subgraph) per component, one cell per layer in the catalog's order, each cell saying its
    owner in words and filled in the owner's colour."""
    lines = [
        "%% trustmap shared responsibility: one column per component (subgraph c_<id>), one cell per layer",
        "flowchart TB",
    ]
    owned: dict[str, list[str]] = {}
    for component in graph.components():
        title = mermaid_text(component.name)
        if component.service_name != component.name:
            title += "<br/>" + mermaid_text(component.service_name)
        lines.append(f'  subgraph {mermaid_id("c", component.id)}["{title}"]')
        lines.append("    direction TB")
        cells = []
        for layer_id, layer in catalog.layers.items():
            owner = component.responsibility.get(layer_id, "")
            cell = mermaid_id("r", f"{component.id}.{layer_id}")
            word = OWNER_WORDS.get(owner, owner or "—")
            lines.append(f'    {cell}["{mermaid_text(f"{layer.title}: {word}")}"]')
            owned.setdefault(owner, []).append(cell)
            cells.append(cell)
        if len(cells) > 1:
            lines.append("    " + " ~~~ ".join(cells))  # invisible links keep the layers in one column
        lines.append("  end")
    for owner, cells in sorted(owned.items()):
        if owner in OWNER_STYLES:
            name = mermaid_id("own", owner)
            lines.append(f"  classDef {name} fill:{OWNER_STYLES[owner][0]},color:{OWNER_INK[owner]}")
            lines.append(f"  class {','.join(cells)} {name}")
    return "\n".join(lines) + "\n"
