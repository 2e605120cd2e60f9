"""The shared-responsibility matrix: one column per component, one row per layer.

The whole matrix is one HTML-like table in one Graphviz node, which keeps it exact and fast.
Columns are grouped by service model (infrastructure, container, abstracted, outside AWS);
rows follow the catalog's layer order and are grouped into "security in the cloud" and "of the
cloud". Each cell is coloured by the owner of that layer, and says the owner in words, so the
matrix also reads in black and white. A model of more than `GROUP_FROM` components gets one
column per service and split, headed with the count and the first few names ("Amazon EC2,
90 components"), instead of 90 identical columns. Wide matrices are cut into bands of at most
`BAND_WIDTH` columns, stacked, each repeating the row labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from trustmap.catalog import Catalog
from trustmap.catalog.schema import OWNER_WORDS
from trustmap.diagrams import dot
from trustmap.diagrams.style import FONT, OWNER_INK, OWNER_STYLES, responsibility_badge
from trustmap.diagrams.text import html, html_lines, shorten, wrap
from trustmap.diagrams.view import DotView
from trustmap.graph import ComponentInfo, ModelGraph

__all__ = ["BAND_WIDTH", "GROUP_FROM", "Column", "bands", "responsibility_view"]

BAND_WIDTH = 16
GROUP_FROM = 32
SIDE_WORDS = {"in": "Security IN the cloud", "of": "Security OF the cloud"}
GRID = "#D1D5DB"


def bands(count: int, width: int = BAND_WIDTH) -> list[tuple[int, int]]:
    """(start, stop) of balanced bands of at most `width` columns."""
    if count == 0:
        return [(0, 0)]
    number = math.ceil(count / width)
    size = math.ceil(count / number)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


@dataclass(frozen=True)
class Column:
    """One column of the matrix: a component, or every component of a service with one split."""

    name: str
    service_name: str
    service_model: str
    responsibility: tuple[tuple[str, str], ...]


def _columns(graph: ModelGraph, catalog: Catalog) -> list[Column]:
    order = {name: index for index, name in enumerate(catalog.service_models)}
    ordered = sorted(graph.components(), key=lambda c: (order.get(c.service_model, len(order)), c.id))
    if len(ordered) <= GROUP_FROM:
        return [
            Column(c.name, c.service_name, c.service_model, tuple(sorted(c.responsibility.items())))
            for c in ordered
        ]
    groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[ComponentInfo]] = {}
    for component in ordered:
        split = tuple(sorted(component.responsibility.items()))
        groups.setdefault((component.service_model, component.service_name, split), []).append(component)
    columns = []
    for (model, service, split), members in sorted(
        groups.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][1], item[0][2])
    ):
        names = ", ".join(c.name for c in members[:3]) + (", …" if len(members) > 3 else "")
        count = f"{len(members)} components" if len(members) > 1 else members[0].name
        columns.append(Column(count if len(members) > 1 else names, service, model, split))
    return columns


def _group_row(columns: Sequence[Column], catalog: Catalog) -> str:
    cells = ['<TD COLSPAN="2" BORDER="0"></TD>']
    for model, members in groupby(columns, key=lambda c: c.service_model):
        span = len(list(members))
        badge = responsibility_badge(model)
        entry = catalog.service_models.get(model)
        title = entry.title if entry is not None else model
        text = html_lines(wrap(title, max(span * 12, 12), max_lines=2))
        cells.append(
            f'<TD COLSPAN="{span}" BGCOLOR="{badge.colour}" CELLPADDING="4">'
            f'<FONT COLOR="{badge.ink}" POINT-SIZE="10"><B>{text}</B></FONT></TD>'
        )
    return f"<TR>{''.join(cells)}</TR>"


def _name_row(columns: Sequence[Column]) -> str:
    cells = ['<TD COLSPAN="2" ALIGN="LEFT" VALIGN="BOTTOM" BORDER="0"><B>Layer</B></TD>']
    for component in columns:
        name = html_lines(wrap(component.name, 14, max_lines=4))
        service = html_lines(wrap(component.service_name, 15, max_lines=2))
        cells.append(
            f'<TD WIDTH="80" VALIGN="BOTTOM" CELLPADDING="4"><FONT POINT-SIZE="9"><B>{name}</B></FONT>'
            f'<BR/><FONT POINT-SIZE="7" COLOR="#545B64">{service}</FONT></TD>'
        )
    return f"<TR>{''.join(cells)}</TR>"


def _layer_rows(columns: Sequence[Column], catalog: Catalog) -> list[str]:
    rows: list[str] = []
    layers = list(catalog.layers.items())
    for side, run in groupby(layers, key=lambda item: item[1].side):
        run_layers = list(run)
        for position, (layer_id, layer) in enumerate(run_layers):
            cells = []
            if position == 0:
                side_text = html_lines(wrap(SIDE_WORDS.get(side, side), 10, max_lines=3))
                fill = "#FFF4E5" if side == "of" else "#EAF2FB"
                cells.append(
                    f'<TD ROWSPAN="{len(run_layers)}" BGCOLOR="{fill}" CELLPADDING="4">'
                    f'<FONT POINT-SIZE="9"><B>{side_text}</B></FONT></TD>'
                )
            cells.append(
                f'<TD ALIGN="LEFT" WIDTH="250" CELLPADDING="4">'
                f'<FONT POINT-SIZE="9">{html(layer.title)}</FONT></TD>'
            )
            for component in columns:
                owner = dict(component.responsibility).get(layer_id, "")
                fill = OWNER_STYLES[owner][0] if owner in OWNER_STYLES else "#FFFFFF"
                ink = OWNER_INK.get(owner, "#111827")
                word = OWNER_WORDS.get(owner, owner or "—")
                cells.append(
                    f'<TD BGCOLOR="{fill}"><FONT POINT-SIZE="8" COLOR="{ink}">{html(word)}</FONT></TD>'
                )
            rows.append(f"<TR>{''.join(cells)}</TR>")
    return rows


def _legend() -> dot.Html:
    meanings = {
        "customer": "the customer's duty",
        "shared": "both: AWS provides, the customer configures",
        "aws": "AWS's duty (inherited)",
        "third-party": "a third party's duty",
    }
    swatches = "".join(
        f'<TD BGCOLOR="{OWNER_STYLES[owner][0]}" CELLPADDING="3" BORDER="1" COLOR="{GRID}">'
        f'<FONT POINT-SIZE="8" COLOR="{OWNER_INK[owner]}">{OWNER_WORDS[owner]}</FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="8">{html(meaning)}</FONT></TD>'
        for owner, meaning in meanings.items()
    )
    return dot.Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4"><TR>{swatches}</TR></TABLE>')


def _band(columns: Sequence[Column], catalog: Catalog) -> str:
    rows = [_group_row(columns, catalog), _name_row(columns), *_layer_rows(columns, catalog)]
    return (
        f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="{GRID}">'
        f"{''.join(rows)}</TABLE>"
    )


def responsibility_view(graph: ModelGraph, catalog: Catalog) -> DotView:
    """The responsibility matrix of every component of the model."""
    columns = _columns(graph, catalog)
    title = f"{shorten(graph.model.name)} — shared responsibility by layer"
    parts = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="16"><B>{html(title)}</B></FONT></TD></TR>']
    for start, stop in bands(len(columns)):
        parts.append(f'<TR><TD ALIGN="LEFT" CELLPADDING="6">{_band(columns[start:stop], catalog)}</TD></TR>')
    table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(parts)}</TABLE>'
    body = [dot.node("matrix", {"id": "responsibility-matrix", "shape": "plain", "label": dot.Html(table)})]
    source = dot.graph(
        "responsibility",
        {
            "label": _legend(),
            "labelloc": "b",
            "labeljust": "l",
            "pad": 0.3,
            "fontname": FONT,
            "bgcolor": "white",
        },
        {"fontname": FONT, "fontsize": 10, "fontcolor": "#111827"},
        {},
        body,
        comments=("Generated by trustmap: the shared-responsibility matrix of the model.",),
    )
    return DotView("responsibility", source, (), 1)
