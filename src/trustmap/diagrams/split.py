"""Per-boundary views: the architecture and data-flow diagrams of one part of a model.

A picture of 300 components is unreadable whatever the layout (and a PNG that size hits
cairo's 32767-pixel limit), and even 25 components inline in a page give 3-5 px text. So a
model of more than `PER_BOUNDARY_FROM` components also gets one architecture and one data-flow
view per unit. A unit starts as each VPC that is not inside another VPC and each top-level
boundary for what it holds outside those VPCs; a unit of more than `MAX_UNIT` components is cut
along its child boundaries, and what sits directly in it is cut into parts of at most
`MAX_UNIT`. Every component inside some boundary belongs to exactly one unit; units of fewer
than `MIN_UNIT` components get no view of their own (they show as context in their neighbours'
views and in the whole-model view); components outside every boundary appear in the views of
the components they exchange data with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustmap.graph import BoundaryInfo, ModelGraph

__all__ = ["MAX_UNIT", "MIN_UNIT", "PER_BOUNDARY_FROM", "Unit", "file_stem", "units"]

#: More components than this and the build also writes per-boundary views.
PER_BOUNDARY_FROM = 20
#: A unit larger than this is cut along its child boundaries, or into parts.
MAX_UNIT = 40
#: A unit smaller than this gets no view of its own.
MIN_UNIT = 3


@dataclass(frozen=True)
class Unit:
    boundary: BoundaryInfo
    members: frozenset[str]
    #: (part, of) when the components placed directly in the boundary were cut into parts
    part: tuple[int, int] | None = None

    @property
    def key(self) -> str:
        """The boundary id, with `-part-N` when it is one part of several."""
        return self.boundary.id if self.part is None else f"{self.boundary.id}-part-{self.part[0]}"

    @property
    def title(self) -> str:
        name = " ".join(self.boundary.name.split())
        return name if self.part is None else f"{name} (part {self.part[0]} of {self.part[1]})"


def file_stem(view: str, key: str) -> str:
    """`architecture-<key>`, with anything but letters, digits, `-` and `_` replaced."""
    return f"{view}-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def _natural(text: str) -> list[tuple[int, str]]:
    """`c2` before `c10`: ids of generated models read in their numeric order."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", text)]


def _unit_of(path: tuple[str, ...], graph: ModelGraph) -> str | None:
    for boundary_id in path:
        if graph.boundaries[boundary_id].kind == "vpc":
            return boundary_id
    return path[0] if path else None


def _cut(graph: ModelGraph, boundary_id: str, members: set[str]) -> list[Unit]:
    """A unit of `boundary_id`, or its pieces when it holds more than MAX_UNIT components."""
    boundary = graph.boundaries[boundary_id]
    if len(members) <= MAX_UNIT:
        return [Unit(boundary, frozenset(members))]
    children = graph.boundary_children().get(boundary_id, [])
    found: list[Unit] = []
    direct = set(members)
    for child in sorted(children):
        inside = {m for m in members if child in graph.component_records[m].boundary_path}
        direct -= inside
        if inside:
            found.extend(_cut(graph, child, inside))
    ordered = sorted(direct, key=_natural)
    parts = [ordered[i : i + MAX_UNIT] for i in range(0, len(ordered), MAX_UNIT)]
    for number, part in enumerate(parts, start=1):
        found.append(Unit(boundary, frozenset(part), (number, len(parts)) if len(parts) > 1 else None))
    return found


def units(graph: ModelGraph) -> list[Unit]:
    """The units of a model that get views, ordered by key (none for a small model)."""
    if len(graph.component_records) <= PER_BOUNDARY_FROM:
        return []
    members: dict[str, set[str]] = {}
    for component in graph.components():
        unit = _unit_of(component.boundary_path, graph)
        if unit is not None:
            members.setdefault(unit, set()).add(component.id)
    found = [piece for b, inside in sorted(members.items()) for piece in _cut(graph, b, inside)]
    return sorted((u for u in found if len(u.members) >= MIN_UNIT), key=lambda u: _natural(u.key))
