"""The architecture view: AWS icons, boundaries as nested clusters, flows as edges.

Each component is a small card: the service icon, its name, the service, and a coloured
badge (also its border colour) for the responsibility split of its service model. Flows are
labelled with their name or protocol and port; clear-text flows are dashed, flows that
cross a trust boundary are drawn heavier. A key at the top explains the marks.
"""

from __future__ import annotations

from trustmap.diagrams import dot
from trustmap.diagrams.clusters import boundaries_for, nest
from trustmap.diagrams.icons import icon_key
from trustmap.diagrams.stagger import island_chain, labels_outside, layout_attrs
from trustmap.diagrams.style import (
    BADGE_MEANING,
    EDGE_CROSSING,
    EDGE_PLAIN,
    EDGE_UNENCRYPTED,
    FONT,
    RESPONSIBILITY_BADGES,
    boundary_style,
    responsibility_badge,
)
from trustmap.diagrams.text import html, html_lines, shorten, wrap
from trustmap.diagrams.view import DotView, protocol_text
from trustmap.graph import BoundaryInfo, ComponentInfo, FlowInfo, ModelGraph

__all__ = ["architecture_view", "boundary_label", "node_id"]

ICON_SIZE = 44


def node_id(component_id: str) -> str:
    return f"c_{component_id}"


def boundary_label(boundary: BoundaryInfo) -> dot.Html:
    style = boundary_style(boundary.kind, boundary.public)
    left = '<BR ALIGN="LEFT"/>'
    name = html_lines(wrap(boundary.name, 40, max_lines=2), left)
    facts = html(f"{style.title} · trust {boundary.trust}")
    return dot.Html(f'<B>{name}</B>{left}<FONT POINT-SIZE="9">{facts}</FONT>{left}')


def _cluster_attrs(boundary: BoundaryInfo) -> dot.Attrs:
    style = boundary_style(boundary.kind, boundary.public)
    return {
        "id": f"architecture-b-{boundary.id}",
        "label": boundary_label(boundary),
        "labeljust": "l",
        "color": style.colour,
        "fontcolor": style.colour,
        "fillcolor": style.fill,
        "style": style.style,
        "penwidth": 1.6,
        "margin": 14,
    }


def _card(component: ComponentInfo, icon: str | None, context: bool) -> dot.Html:
    badge = responsibility_badge(component.service_model, component.responsibility.get("os"))
    rows = []
    if icon is not None:
        rows.append(
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}">'
            f'<IMG SRC="{html(icon)}" SCALE="TRUE"/></TD></TR>'
        )
    rows.append(f"<TR><TD><B>{html_lines(wrap(component.name, 22, max_lines=3))}</B></TD></TR>")
    if component.service_name != component.name:
        service = html_lines(wrap(component.service_name, 26, max_lines=2))
        rows.append(f'<TR><TD><FONT POINT-SIZE="8" COLOR="#545B64">{service}</FONT></TD></TR>')
    badge_text = "outside this view" if context else badge.text
    rows.append(
        '<TR><TD CELLPADDING="2">'
        f'<TABLE BORDER="0" STYLE="rounded" BGCOLOR="{badge.colour}" CELLPADDING="1" CELLSPACING="0">'
        f'<TR><TD><FONT POINT-SIZE="8" COLOR="{badge.ink}">&nbsp;{html(badge_text)}&nbsp;</FONT></TD></TR>'
        "</TABLE></TD></TR>"
    )
    border = "#9CA3AF" if context else badge.colour
    return dot.Html(
        f'<TABLE BORDER="2" COLOR="{border}" STYLE="rounded" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="3" BGCOLOR="white">{"".join(rows)}</TABLE>'
    )


def _edge_attrs(flow: FlowInfo, view: str) -> dot.Attrs:
    crossing = bool(flow.crosses)
    protocol = html(protocol_text(flow))
    if flow.name:
        name = html_lines(wrap(flow.name, 24, max_lines=2))
        label = f'{name}<BR/><FONT POINT-SIZE="8" COLOR="#545B64">{protocol}</FONT>'
    else:
        label = protocol
    colour = EDGE_UNENCRYPTED if not flow.encrypted else EDGE_CROSSING if crossing else EDGE_PLAIN
    attrs: dict[str, dot.Value] = {
        "id": f"{view}-f-{flow.index + 1}",
        "label": dot.label_box(label),
        "color": colour,
        "fontcolor": colour if not flow.encrypted else "#232F3E",
        "penwidth": 2.2 if crossing else 1.1,
    }
    if not flow.encrypted:
        attrs["style"] = "dashed"
    if flow.bidirectional:
        attrs["dir"] = "both"
    return attrs


def _key_cell(mark: str, meaning: str) -> str:
    return f'<TD>{mark}</TD><TD ALIGN="LEFT"><FONT POINT-SIZE="8">{html(meaning)}</FONT></TD>'


def _legend(title: str) -> dot.Html:
    """The title and a key in two columns: responsibility badges, then line styles."""
    badges = [
        _key_cell(
            f'<TABLE BORDER="0" STYLE="rounded" BGCOLOR="{badge.colour}" CELLPADDING="1"><TR><TD>'
            f'<FONT POINT-SIZE="8" COLOR="{badge.ink}">&nbsp;{html(badge.text)}&nbsp;</FONT>'
            "</TD></TR></TABLE>",
            BADGE_MEANING[model],
        )
        for model, badge in RESPONSIBILITY_BADGES.items()
    ]
    lines = [
        _key_cell(f'<FONT COLOR="{EDGE_PLAIN}">———</FONT>', "encrypted flow inside a boundary"),
        _key_cell(
            f'<FONT COLOR="{EDGE_CROSSING}"><B>━━━</B></FONT>', "encrypted flow crossing a trust boundary"
        ),
        _key_cell(
            f'<FONT COLOR="{EDGE_UNENCRYPTED}"><B>╍╍╍</B></FONT>',
            "unencrypted flow (heavier when it crosses)",
        ),
        _key_cell("↔", "two-way arrow: responses carry data too"),
    ]
    cells = [*badges, *lines]
    if len(cells) % 2:
        cells.append("<TD></TD><TD></TD>")
    rows = "".join(f"<TR>{cells[i]}{cells[i + 1]}</TR>" for i in range(0, len(cells), 2))
    return dot.Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">'
        f'<TR><TD COLSPAN="4" ALIGN="LEFT"><FONT POINT-SIZE="16"><B>{html(title)}</B></FONT></TD></TR>'
        f"{rows}</TABLE>"
    )


def architecture_view(
    graph: ModelGraph,
    members: frozenset[str] | None = None,
    name: str = "architecture",
    subtitle: str = "architecture",
    outside_labels: bool = False,
) -> DotView:
    """The architecture view of the whole model, or of `members` and their direct neighbours.

    In a partial view, components outside `members` that a flow connects to them are drawn
    greyed as context, and only the flows that touch a member are drawn.
    """
    components = graph.component_records
    shown = set(components) if members is None else set(members)
    flows = [f for f in graph.flows() if f.source in shown or f.target in shown]
    context = {end for f in flows for end in (f.source, f.target)} - shown
    drawn = sorted(shown | context)

    icons: set[str] = set()
    placed: dict[str | None, list[str]] = {}
    for component_id in drawn:
        component = components[component_id]
        icon = icon_key(component.icon)
        if icon is not None:
            icons.add(icon)
        card = _card(component, icon, component_id in context)
        line = dot.node(node_id(component_id), {"id": f"{name}-c-{component_id}", "label": card})
        placed.setdefault(component.boundary, []).append(line)

    include = boundaries_for(graph.boundaries, placed)
    if members is None:
        include = set(graph.boundaries)
    body = nest(graph, include, placed, _cluster_attrs)
    body.extend(
        dot.edge(node_id(f.source), node_id(f.target), labels_outside(_edge_attrs(f, name), outside_labels))
        for f in flows
    )
    links = island_chain(drawn, [(f.source, f.target) for f in flows])
    body.extend(dot.edge(node_id(tail), node_id(head), {"style": "invis"}) for tail, head in links)

    title = f"{shorten(graph.model.name)} — {subtitle}"
    graph_attrs = layout_attrs(
        _legend(title), chained=bool(links), nodes=len(drawn), outside_labels=outside_labels
    )
    source = dot.graph(
        name,
        graph_attrs,
        {"shape": "plain", "fontname": FONT, "fontsize": 10},
        {
            "fontname": FONT,
            "fontsize": 9,
            "arrowsize": 0.7,
            "decorate": True,
        },  # a line ties each label to its edge
        body,
        comments=_ICON_COMMENT,
    )
    return DotView(name, source, tuple(sorted(icons)), len(drawn))


_ICON_COMMENT = (
    "Generated by trustmap. Icon paths are relative to the resources/ folder installed with the",
    "Python package 'diagrams'; to render by hand: dot -Gimagepath=<that folder> -Tsvg -O FILE",
)
