"""Which views a build draws: the three whole-model views, then two views per unit.

The HTML report and the diagram producer both read this list, so that the page shows exactly
the files the build wrote, under the same titles.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustmap.diagrams.split import Unit, file_stem, units
from trustmap.graph import ModelGraph

__all__ = ["KIND_TITLES", "ViewSpec", "view_plan"]

#: view kind -> its title
KIND_TITLES: dict[str, str] = {
    "architecture": "Architecture",
    "dataflow": "Data flow",
    "responsibility": "Shared responsibility",
}


@dataclass(frozen=True)
class ViewSpec:
    name: str  # the file stem: architecture, dataflow-vpc, ...
    kind: str  # architecture | dataflow | responsibility
    title: str
    unit: Unit | None = None  # None: the whole model


def view_plan(graph: ModelGraph) -> list[ViewSpec]:
    plan = [ViewSpec(kind, kind, KIND_TITLES[kind]) for kind in KIND_TITLES]
    for unit in units(graph):
        for kind in ("architecture", "dataflow"):
            plan.append(ViewSpec(file_stem(kind, unit.key), kind, f"{KIND_TITLES[kind]}: {unit.title}", unit))
    return plan
