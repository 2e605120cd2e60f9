"""The data-flow view in threat-model notation.

External entities are rectangles, processes are ellipses, data stores are open-ended boxes
(a line above and below); trust boundaries are dashed grey clusters (grey: boundaries are
neutral in the one colour language of `style`). Flows are numbered in the order the model lists
them, and the number is in the label, so that a checklist or a review can refer to "flow 7".
Flows and components with open findings are drawn in the colour of their worst open finding,
with a warning mark, the count and the severity in words. A per-boundary view draws the members
of one unit and, greyed, the components outside it that they exchange data with.
"""

from __future__ import annotations

from collections.abc import Mapping

from trustmap.diagrams import dot
from trustmap.diagrams.clusters import boundaries_for, nest
from trustmap.diagrams.stagger import island_chain, labels_outside, layout_attrs
from trustmap.diagrams.style import FONT, INK, MUTED, SEVERITY_COLOURS
from trustmap.diagrams.text import html, html_lines, shorten, wrap
from trustmap.diagrams.view import DotView, open_findings_by_subject, protocol_text, worst_severity
from trustmap.findings import Report
from trustmap.graph import BoundaryInfo, ComponentInfo, FlowInfo, ModelGraph

__all__ = ["dataflow_view"]

BOUNDARY_GREY = "#5F6B7A"
CONTEXT_GREY = "#9CA3AF"


def _cluster_attrs(
    boundary: BoundaryInfo, open_by: Mapping[tuple[str, str], list[str]], view: str = "dataflow"
) -> dot.Attrs:
    left = '<BR ALIGN="LEFT"/>'
    name = html_lines(wrap(boundary.name, 40, max_lines=2), left)
    facts = f"{boundary.kind} · trust {boundary.trust}"
    severities = open_by.get(("boundary", boundary.id))
    if severities:
        facts += f" · ⚠ {len(severities)} open"
    return {
        "id": f"{view}-b-{boundary.id}",
        "label": dot.Html(f'<B>{name}</B>{left}<FONT POINT-SIZE="9">{html(facts)}</FONT>{left}'),
        "labeljust": "l",
        "color": BOUNDARY_GREY,
        "fontcolor": BOUNDARY_GREY,
        "style": "dashed,rounded",
        "penwidth": 1.4,
        "margin": 14,
    }


def _finding_note(severities: list[str] | None) -> tuple[str, str | None]:
    """The label line and colour for open findings (empty and None when there are none)."""
    if not severities:
        return "", None
    worst = worst_severity(severities)
    colour = SEVERITY_COLOURS[worst]
    count = f"{len(severities)} open finding" + ("s" if len(severities) > 1 else "")
    return f'<BR/><FONT POINT-SIZE="8" COLOR="{colour}"><B>⚠ {count} ({worst})</B></FONT>', colour


def _node_attrs(
    component: ComponentInfo, severities: list[str] | None, context: bool = False
) -> dict[str, dot.Value]:
    note, colour = _finding_note(None if context else severities)
    if context:
        note = '<BR/><FONT POINT-SIZE="8" COLOR="#6B7280"><I>outside this view</I></FONT>'

    name = html_lines(wrap(component.name, 18, max_lines=3))
    service = ""
    if component.service_name != component.name:
        service = html_lines(wrap(component.service_name, 22, max_lines=2))
    service_line = f'<BR/><FONT POINT-SIZE="8" COLOR="{MUTED}">{service}</FONT>' if service else ""
    text = f"<B>{name}</B>{service_line}{note}"
    border = colour or (CONTEXT_GREY if context else INK)
    penwidth = 2.4 if colour else 1.2
    kind = component.dfd
    if kind == "datastore":
        label = (
            f'<TABLE BORDER="0" CELLBORDER="{2 if colour else 1}" CELLSPACING="0" CELLPADDING="6">'
            f'<TR><TD SIDES="TB" COLOR="{border}" BGCOLOR="#FFFFFF">{text}</TD></TR></TABLE>'
        )
        return {"shape": "plain", "label": dot.Html(label)}
    shape = {"process": "ellipse", "external-entity": "box"}.get(kind, "box")
    return {
        "shape": shape,
        "label": dot.Html(text),
        "color": border,
        "penwidth": penwidth,
        "style": "filled",
        "fillcolor": "#F3F4F6" if kind == "external-entity" else "#FFFFFF",
        "margin": 0.04 if shape == "ellipse" else 0.12,
    }


def _edge_attrs(flow: FlowInfo, severities: list[str] | None, view: str = "dataflow") -> dot.Attrs:
    number = flow.index + 1
    title = flow.name or protocol_text(flow)
    text = f"<B>{number}</B>&nbsp;{html_lines(wrap(title, 24, max_lines=2))}"
    if flow.name:
        text += f'<BR/><FONT POINT-SIZE="8" COLOR="{MUTED}">{html(protocol_text(flow))}</FONT>'
    note, colour = _finding_note(severities)
    attrs: dict[str, dot.Value] = {
        "id": f"{view}-f-{number}",
        "label": dot.label_box(text + note),
        "color": colour or INK,
        "penwidth": 2.4 if colour else 1.1,
    }
    if not flow.encrypted:
        attrs["style"] = "dashed"
    if flow.bidirectional:
        attrs["dir"] = "both"
    return attrs


def _legend(title: str) -> dot.Html:
    high = SEVERITY_COLOURS["high"]
    scale = "&nbsp;".join(
        f'<FONT POINT-SIZE="8" COLOR="{SEVERITY_COLOURS[s]}"><B>{s}</B></FONT>'
        for s in ("critical", "high", "medium", "low")
    )
    cells = (
        '<TD BORDER="1" BGCOLOR="#F3F4F6" CELLPADDING="3"><FONT POINT-SIZE="8">external entity</FONT></TD>'
        '<TD BORDER="1" STYLE="rounded" CELLPADDING="3"><FONT POINT-SIZE="8">process</FONT></TD>'
        '<TD BORDER="1" SIDES="TB" CELLPADDING="3"><FONT POINT-SIZE="8">data store</FONT></TD>'
        f'<TD><FONT POINT-SIZE="9" COLOR="{BOUNDARY_GREY}">╍╍╍</FONT></TD>'
        '<TD ALIGN="LEFT"><FONT POINT-SIZE="8">trust boundary</FONT></TD>'
        f'<TD><FONT POINT-SIZE="9" COLOR="{INK}">╍╍╍</FONT></TD>'
        '<TD ALIGN="LEFT"><FONT POINT-SIZE="8">unencrypted flow</FONT></TD>'
        f'<TD><FONT POINT-SIZE="9" COLOR="{high}"><B>━━━ ⚠</B></FONT></TD>'
        '<TD ALIGN="LEFT"><FONT POINT-SIZE="8">open findings, coloured by the worst severity:</FONT></TD>'
        f"<TD>{scale}</TD>"
        '<TD ALIGN="LEFT"><FONT POINT-SIZE="8">· flows are numbered in model order</FONT></TD>'
    )
    return dot.Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
        f'<TR><TD COLSPAN="11" ALIGN="LEFT"><FONT POINT-SIZE="16"><B>{html(title)}</B></FONT></TD></TR>'
        f"<TR>{cells}</TR></TABLE>"
    )


def dataflow_view(
    graph: ModelGraph,
    report: Report,
    members: frozenset[str] | None = None,
    name: str = "dataflow",
    subtitle: str = "data flows",
    outside_labels: bool = False,
) -> DotView:
    """The data-flow diagram of the whole model, or of `members` and their direct neighbours."""
    open_by = open_findings_by_subject(report)
    records = graph.component_records
    shown = set(records) if members is None else set(members)
    flows = [f for f in graph.flows() if f.source in shown or f.target in shown]
    context = {end for f in flows for end in (f.source, f.target)} - shown
    drawn = [records[c] for c in sorted(shown | context)]
    placed: dict[str | None, list[str]] = {}
    for component in drawn:
        attrs = _node_attrs(component, open_by.get(("component", component.id)), component.id in context)
        line = dot.node(f"c_{component.id}", {"id": f"{name}-c-{component.id}", **attrs})
        placed.setdefault(component.boundary, []).append(line)
    include = set(graph.boundaries) if members is None else boundaries_for(graph.boundaries, placed)
    body = nest(graph, include, placed, lambda b: _cluster_attrs(b, open_by, name))
    body.extend(
        dot.edge(
            f"c_{f.source}",
            f"c_{f.target}",
            labels_outside(_edge_attrs(f, open_by.get(("flow", f.id)), name), outside_labels),
        )
        for f in flows
    )
    links = island_chain([c.id for c in drawn], [(f.source, f.target) for f in flows])
    body.extend(dot.edge(f"c_{tail}", f"c_{head}", {"style": "invis"}) for tail, head in links)
    label = _legend(f"{shorten(graph.model.name)} — {subtitle}")
    graph_attrs = layout_attrs(label, chained=bool(links), nodes=len(drawn), outside_labels=outside_labels)
    source = dot.graph(
        name,
        graph_attrs,
        {"fontname": FONT, "fontsize": 10, "fontcolor": INK},
        {
            "fontname": FONT,
            "fontsize": 9,
            "arrowsize": 0.7,
            "fontcolor": INK,
            "decorate": True,
        },  # a line ties each label to its edge
        body,
        comments=("Generated by trustmap: the data-flow diagram in threat-model notation.",),
    )
    return DotView(name, source, (), len(drawn))
