"""A small SVG picture of a laid-out model: zones as frames, components as boxes, flows as arrows.

Threat Composer keeps one image per workspace (a data URL of at most 1,000,000 characters);
this picture, drawn from the export layout (`layout`), stays a few kilobytes for models of a
hundred components. Text is escaped; the output is deterministic.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from trustmap.interop.layout import Box, Layout

__all__ = ["data_url", "picture_svg"]

MAX_LABEL = 20


def _label(text: str) -> str:
    short = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
    return escape(short)


def _centre(box: Box) -> tuple[float, float]:
    return box.x + box.width / 2, box.y + box.height / 2


def _edge(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box (arrows stay visible)."""
    cx, cy = _centre(box)
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        box.width / 2 / abs(dx) if dx else float("inf"),
        box.height / 2 / abs(dy) if dy else float("inf"),
    )
    return cx + dx * min(scale, 1.0), cy + dy * min(scale, 1.0)


def picture_svg(
    layout: Layout,
    zones: Mapping[str, str],
    components: Mapping[str, str],
    flows: Sequence[tuple[str, str]],
) -> str:
    """The SVG text; `zones` and `components` map ids to display names."""
    width, height = round(layout.width) + 32, round(layout.height) + 32
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
        '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for zone, name in zones.items():
        box = layout.boxes.get(zone)
        if box is None:
            continue
        parts.append(
            f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" height="{box.height:.0f}" '
            'fill="none" stroke="#c0392b" stroke-dasharray="6 4"/>'
            f'<text x="{box.x + 6:.0f}" y="{box.y + 14:.0f}" fill="#c0392b">{_label(name)}</text>'
        )
    for source, target in flows:
        a, b = layout.boxes.get(source), layout.boxes.get(target)
        if a is None or b is None:
            continue
        (x1, y1), (x2, y2) = _edge(a, _centre(b)), _edge(b, _centre(a))
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" '
            'marker-end="url(#a)"/>'
        )
    for component, name in components.items():
        box = layout.boxes.get(component)
        if box is None:
            continue
        x, y = _centre(box)
        parts.append(
            f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" height="{box.height:.0f}" '
            'rx="6" fill="#eef3fb" stroke="#2c5aa0"/>'
            f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">{_label(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
