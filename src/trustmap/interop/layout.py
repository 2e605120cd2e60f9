"""Positions and sizes of zones and components for the OTM diagram representation.

When the Graphviz `dot` program is installed, a small DOT graph (one cluster per zone, one box
per component, one edge per flow) is laid out as JSON by `trustmap.diagrams.graphviz` (the
project's one way of running Graphviz) under a timeout, and the
clusters' and nodes' boxes are read back. Without Graphviz, or when it fails or times out, a
deterministic grid layout is used instead, silently: the OTM stays valid and importers still
get one box per element. Boxes are absolute, in points, with the origin at the top left.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Box", "Layout", "LayoutSpec", "compute_layout", "dot_source", "grid_layout", "read_dot_json"]

NODE_WIDTH, NODE_HEIGHT = 116.0, 58.0  # 1.6 x 0.8 inches
PAD, LABEL, GAP = 16.0, 24.0, 24.0


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class LayoutSpec:
    """What to lay out: zones (with parents), components (with zones) and flows."""

    zones: Mapping[str, str | None]
    nodes: Mapping[str, str | None]
    edges: Sequence[tuple[str, str]]

    def children(self) -> tuple[dict[str | None, list[str]], dict[str | None, list[str]]]:
        zones: dict[str | None, list[str]] = {}
        nodes: dict[str | None, list[str]] = {}
        for zone, parent in self.zones.items():
            zones.setdefault(parent, []).append(zone)
        for node, holder in self.nodes.items():
            nodes.setdefault(holder, []).append(node)
        return zones, nodes


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    width: float
    height: float


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(spec: LayoutSpec) -> str:
    """The DOT graph to lay out; elements are named by index so that no id needs escaping."""
    zone_names = {zone: f"cluster_{i}" for i, zone in enumerate(spec.zones)}
    node_names = {node: f"n{i}" for i, node in enumerate(spec.nodes)}
    zones, nodes = spec.children()
    lines = [
        "digraph layout {",
        "  graph [rankdir=LR, nodesep=0.4, ranksep=0.8];",
        f"  node [shape=box, fixedsize=true, width={NODE_WIDTH / 72:.3f}, height={NODE_HEIGHT / 72:.3f}];",
    ]

    def emit(parent: str | None, indent: str) -> None:
        for zone in zones.get(parent, []):
            lines.append(f"{indent}subgraph {zone_names[zone]} {{")
            lines.append(f"{indent}  label={_quote(zone)};")
            if not zones.get(zone) and not nodes.get(zone):
                lines.append(f"{indent}  {zone_names[zone]}_empty [style=invis, width=0.5, height=0.3];")
            emit(zone, indent + "  ")
            lines.append(f"{indent}}}")
        for node in nodes.get(parent, []):
            lines.append(f"{indent}{node_names[node]};")

    emit(None, "  ")
    for source, target in spec.edges:
        if source in node_names and target in node_names:
            lines.append(f"  {node_names[source]} -> {node_names[target]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _floats(text: Any) -> list[float]:
    return [float(part) for part in str(text).split(",")]


def read_dot_json(text: str, spec: LayoutSpec) -> Layout | None:
    """Boxes from `dot -Tjson` output; None when it cannot be read or an element is missing."""
    try:
        data = json.loads(text)
        _, _, width, height = _floats(data["bb"])
        by_name = {str(o.get("name")): o for o in data.get("objects", [])}
        boxes = {}
        for index, zone in enumerate(spec.zones):
            x0, y0, x1, y1 = _floats(by_name[f"cluster_{index}"]["bb"])
            boxes[zone] = Box(round(x0), round(height - y1), round(x1 - x0), round(y1 - y0))
        for index, node in enumerate(spec.nodes):
            item = by_name[f"n{index}"]
            x, y = _floats(item["pos"])
            w, h = float(item["width"]) * 72, float(item["height"]) * 72
            boxes[node] = Box(round(x - w / 2), round(height - y - h / 2), round(w), round(h))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    return Layout(boxes, round(width), round(height))


def _arrange(sizes: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], float, float]:
    """Offsets of items in rows of about sqrt(n), and the size of the whole."""
    columns = max(1, math.ceil(math.sqrt(len(sizes))))
    offsets, x, y, row_height, width = [], 0.0, 0.0, 0.0, 0.0
    for index, (w, h) in enumerate(sizes):
        if index and index % columns == 0:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        offsets.append((x, y))
        x += w + GAP
        row_height = max(row_height, h)
        width = max(width, x - GAP)
    return offsets, width, y + row_height


def grid_layout(spec: LayoutSpec) -> Layout:
    """A deterministic layout without Graphviz: zones hold their children in a grid."""
    zones, nodes = spec.children()
    sizes: dict[str, tuple[float, float]] = {}
    inner: dict[str | None, tuple[list[str], list[tuple[float, float]], float, float]] = {}

    def measure(parent: str | None) -> tuple[float, float]:
        items = [*zones.get(parent, []), *nodes.get(parent, [])]
        item_sizes = [measure(i) if i in spec.zones else (NODE_WIDTH, NODE_HEIGHT) for i in items]
        offsets, width, height = _arrange(item_sizes)
        inner[parent] = (items, offsets, width, height)
        for item, size in zip(items, item_sizes, strict=True):
            sizes[item] = size
        return (max(width, NODE_WIDTH) + 2 * PAD, max(height, 20.0) + LABEL + PAD)

    total = measure(None)
    boxes: dict[str, Box] = {}

    def place(parent: str | None, left: float, top: float) -> None:
        items, offsets, _, _ = inner[parent]
        for item, (dx, dy) in zip(items, offsets, strict=True):
            w, h = sizes[item]
            boxes[item] = Box(left + dx, top + dy, w, h)
            if item in spec.zones:
                place(item, left + dx + PAD, top + dy + LABEL)

    place(None, PAD, PAD)
    return Layout(boxes, total[0], total[1])


def _run_dot(source: str, timeout: float) -> str | None:
    """dot's JSON layout through the project's one Graphviz runner; None when it fails."""
    from trustmap.diagrams.graphviz import GraphvizError, GraphvizOptions, run_dot

    try:
        found = run_dot(source, ["json"], {}, GraphvizOptions(timeout=timeout), "exported diagram")
    except GraphvizError:
        return None
    return found["json"].decode("utf-8", errors="replace")


def compute_layout(spec: LayoutSpec, *, timeout: float = 30.0, use_graphviz: bool = True) -> Layout:
    """Graphviz's layout when it is available and answers in time, else the grid layout."""
    if use_graphviz and spec.nodes:
        output = _run_dot(dot_source(spec), timeout)
        layout = read_dot_json(output, spec) if output is not None else None
        if layout is not None:
            return layout
    return grid_layout(spec)
