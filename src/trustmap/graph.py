"""The annotated graph: the single source that every output is rendered from.

Nodes are components and edges are flows (a `networkx.MultiDiGraph` keyed by flow id). Each
node carries its service, service model, responsibility split, boundary path, trust rating,
internet exposure and data; each edge its protocol, encryption, authentication, data and the
boundaries it crosses. Boundaries form their own tree (`graph.graph["boundaries"]`).
Everything is derived here once, from the validated model and the catalog, so that rules and
renderers only read.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

from trustmap.catalog import Catalog
from trustmap.diagnostics import Span
from trustmap.model import CLASSIFICATIONS, Model
from trustmap.validate import LoadedModel

__all__ = [
    "BoundaryInfo",
    "ModelGraph",
    "build_graph",
    "classification_rank",
    "max_classification",
]

#: Trust of a component outside every boundary: an AWS service sits in the AWS cloud,
#: anything else is somewhere on the internet.
TRUST_OUTSIDE_AWS = 0
TRUST_OUTSIDE_BOUNDARIES_AWS = 70


def classification_rank(classification: str | None) -> int:
    return CLASSIFICATIONS.index(classification) if classification in CLASSIFICATIONS else -1


def max_classification(values: Iterable[str]) -> str | None:
    ranked = sorted(values, key=classification_rank)
    return ranked[-1] if ranked else None


@dataclass(frozen=True, slots=True)
class BoundaryInfo:
    id: str
    name: str
    kind: str
    trust: int
    public: bool
    parent: str | None
    path: tuple[str, ...]  # from the outermost boundary down to this one
    description: str | None
    span: Span | None


@dataclass(frozen=True)
class ModelGraph:
    """The annotated graph with the model's metadata, sorted accessors only."""

    graph: nx.MultiDiGraph[str]
    boundaries: dict[str, BoundaryInfo]
    model: Model
    path: str
    lines: tuple[str, ...]
    #: where each entry of the model's `accepted` list is, by index
    decision_spans: dict[int, Span] = field(default_factory=dict)

    def components(self) -> list[tuple[str, dict[str, Any]]]:
        return [(node, self.graph.nodes[node]) for node in sorted(self.graph.nodes)]

    def component(self, component_id: str) -> dict[str, Any]:
        attrs: dict[str, Any] = self.graph.nodes[component_id]
        return attrs

    def flows(self) -> list[dict[str, Any]]:
        """Flows in the order they are written in the model (stable, and what readers expect)."""
        return sorted((data for _, _, data in self.graph.edges(data=True)), key=lambda f: f["index"])

    def boundary_children(self) -> dict[str | None, list[str]]:
        children: dict[str | None, list[str]] = {}
        for boundary in sorted(self.boundaries.values(), key=lambda b: b.id):
            children.setdefault(boundary.parent, []).append(boundary.id)
        return children


def _boundary_infos(loaded: LoadedModel) -> dict[str, BoundaryInfo]:
    model, at = loaded.model, loaded.document.source_map
    infos: dict[str, BoundaryInfo] = {}
    for boundary_id in sorted(model.boundaries):
        chain: list[str] = []
        current: str | None = boundary_id
        while current is not None:
            chain.append(current)
            current = model.boundaries[current].parent
        boundary = model.boundaries[boundary_id]
        infos[boundary_id] = BoundaryInfo(
            id=boundary_id,
            name=boundary.name or boundary_id,
            kind=boundary.kind,
            trust=boundary.rating(),
            public=boundary.public,
            parent=boundary.parent,
            path=tuple(reversed(chain)),
            description=boundary.description,
            span=at.key(("boundaries", boundary_id)),
        )
    return infos


def build_graph(loaded: LoadedModel, catalog: Catalog) -> ModelGraph:
    """Build the annotated graph of a validated model."""
    # Dozens of small long-lived dicts and lists per component, and no reference cycles: the
    # cyclic collector would only rescan them (a third of the time on large models).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_graph(loaded, catalog)
    finally:
        if collecting:
            gc.enable()


def _build_graph(loaded: LoadedModel, catalog: Catalog) -> ModelGraph:
    # Imported here: networkx takes 0.15 s to import, which validation and the catalog's rule
    # registry check (both import this module) do not need.
    import networkx as nx

    model, at = loaded.model, loaded.document.source_map
    boundaries = _boundary_infos(loaded)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.graph["boundaries"] = nx.DiGraph(
        [(b.parent, b.id) for b in boundaries.values() if b.parent is not None]
    )
    graph.graph["boundaries"].add_nodes_from(boundaries)
    for component_id in sorted(model.components):
        graph.add_node(component_id, **_component_attributes(component_id, loaded, catalog, boundaries))
    for index, flow in enumerate(model.flows):
        source = graph.nodes[flow.source]
        target = graph.nodes[flow.target]
        left, entered = _crossing(source["boundary_path"], target["boundary_path"])
        data = sorted(set(flow.data))
        classification = max_classification(model.data[d].classification for d in data)
        graph.add_edge(
            flow.source,
            flow.target,
            key=flow.flow_id,
            id=flow.flow_id,
            index=index,
            source=flow.source,
            target=flow.target,
            name=flow.name,
            label=flow.name or flow.protocol,
            protocol=flow.protocol,
            port=flow.port,
            encrypted=flow.is_encrypted,
            encrypted_explicit=flow.encrypted is not None,
            authenticated=flow.authenticated,
            bidirectional=flow.bidirectional,
            description=flow.description,
            data=data,
            classification=classification,
            regulations=sorted({r for d in data for r in model.data[d].regulations}),
            left=left,
            entered=entered,
            crosses=[*left, *entered],
            crossed_kinds=sorted({boundaries[b].kind for b in [*left, *entered]}),
            source_trust=source["trust"],
            target_trust=target["trust"],
            trust_decreases=target["trust"] < source["trust"],
            span=at.value(("flows", index)),
        )
    decision_spans = {
        index: span
        for index in range(len(model.accepted))
        if (span := at.value(("accepted", index, "finding"))) is not None
    }
    return ModelGraph(graph, boundaries, model, loaded.path, loaded.document.lines, decision_spans)


def _crossing(source_path: list[str], target_path: list[str]) -> tuple[list[str], list[str]]:
    """Boundaries left (innermost first) and entered (outermost first) between two places."""
    common = 0
    for a, b in zip(source_path, target_path, strict=False):
        if a != b:
            break
        common += 1
    return list(reversed(source_path[common:])), list(target_path[common:])


def _component_attributes(
    component_id: str, loaded: LoadedModel, catalog: Catalog, boundaries: dict[str, BoundaryInfo]
) -> dict[str, Any]:
    model = loaded.model
    component = model.components[component_id]
    service_id = catalog.canonical_service(component.service)
    assert service_id is not None  # validation guarantees it
    service = catalog.services[service_id]
    path = list(boundaries[component.boundary].path) if component.boundary else []
    innermost = boundaries[component.boundary] if component.boundary else None
    kinds = {boundaries[b].kind for b in path}
    in_public_subnet = any(boundaries[b].kind == "subnet" and boundaries[b].public for b in path)
    if innermost is not None:
        trust = innermost.trust
    else:
        trust = TRUST_OUTSIDE_BOUNDARIES_AWS if service.aws else TRUST_OUTSIDE_AWS
    internet_facing = component.internet_facing
    if internet_facing is None:
        internet_facing = bool(
            service.defaults.internet_facing
            or in_public_subnet
            or (service.kind in ("actor", "external") and "internet" in kinds)
        )
    multi_az = component.multi_az
    if multi_az is None:
        default = service.defaults.multi_az
        multi_az = default if default is not None else service.service_model == "abstracted"
    encryption = component.encryption_at_rest or service.defaults.encryption_at_rest or "none"
    stores = sorted(set(component.stores))
    controls = sorted({catalog.canonical_control(c) or c for c in component.controls})
    return {
        "id": component_id,
        "name": component.name or component_id,
        "description": component.description,
        "service": service_id,
        "service_name": service.name,
        "service_model": service.service_model,
        "service_kind": service.kind,
        "dfd": service.dfd,
        "aws": service.aws,
        "icon": service.icon,
        "boundary": component.boundary,
        "boundary_path": path,
        "boundary_kinds": sorted(kinds),
        "in_public_subnet": in_public_subnet,
        "trust": trust,
        "internet_facing": internet_facing,
        "stores": stores,
        "classification": max_classification(model.data[d].classification for d in stores),
        "regulations": sorted({r for d in stores for r in model.data[d].regulations}),
        "encryption_at_rest": encryption,
        "multi_az": multi_az,
        "backup": component.backup,
        "public_access": component.public_access,
        "logging": component.logging,
        "controls": controls,
        "tags": dict(sorted(component.tags.items())),
        "responsibility": catalog.responsibility(service_id),
        "span": loaded.document.source_map.key(("components", component_id)),
    }
