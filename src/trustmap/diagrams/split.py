"""Per-boundary architecture views for large models.

A picture of 300 components is unreadable whatever the layout (and a PNG that size hits
cairo's 32767-pixel limit), so large models also get one architecture view per unit: each VPC
that is not inside another VPC, and each top-level boundary for what it holds outside those
VPCs. Every component inside some boundary belongs to exactly one unit; components outside
every boundary appear in the views of the components they exchange data with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustmap.graph import BoundaryInfo, ModelGraph

__all__ = ["LARGE_MODEL", "Unit", "file_stem", "units"]

#: More components than this and the build also writes per-boundary views.
LARGE_MODEL = 60


@dataclass(frozen=True)
class Unit:
    boundary: BoundaryInfo
    members: frozenset[str]


def file_stem(boundary_id: str) -> str:
    """`architecture-<id>`, with anything but letters, digits, `-` and `_` replaced."""
    return "architecture-" + re.sub(r"[^A-Za-z0-9_-]", "_", boundary_id)


def _unit_of(path: tuple[str, ...], graph: ModelGraph) -> str | None:
    for boundary_id in path:
        if graph.boundaries[boundary_id].kind == "vpc":
            return boundary_id
    return path[0] if path else None


def units(graph: ModelGraph) -> list[Unit]:
    """The units of a model, ordered by boundary id."""
    members: dict[str, set[str]] = {}
    for component in graph.components():
        unit = _unit_of(component.boundary_path, graph)
        if unit is not None:
            members.setdefault(unit, set()).add(component.id)
    return [Unit(graph.boundaries[b], frozenset(found)) for b, found in sorted(members.items())]
