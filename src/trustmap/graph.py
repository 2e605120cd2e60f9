"""The annotated graph: the single source that every output is rendered from.

Each component becomes a `ComponentInfo` (its service, service model, responsibility split,
boundary path, trust rating, internet exposure and data) and each flow a `FlowInfo` (its
protocol, encryption, authentication, data and the boundaries it crosses); boundaries are
`BoundaryInfo`. The networkx `topology` holds only who is joined to whom, for graph questions.
Everything is derived here once, from the validated model and the catalog, so that rules and
renderers only read typed, frozen records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

from trustmap import interfaces as exposed
from trustmap.catalog import Catalog
from trustmap.diagnostics import Span
from trustmap.gc_pause import paused_gc
from trustmap.identities import Identities, Reached, build_identities
from trustmap.lineage import ALL_DATA, Hop, forwarded_data
from trustmap.model import CLASSIFICATIONS, Component, ComponentProperty, Model
from trustmap.validate import LoadedModel

__all__ = [
    "BoundaryInfo",
    "ComponentInfo",
    "FlowInfo",
    "ModelGraph",
    "Record",
    "build_graph",
    "classification_rank",
    "compared_fields",
    "control_plane_call",
    "field_values",
    "max_classification",
    "reported_fields",
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
    #: format 1.2: where it is (as written), and the address ranges of its network
    region: str | None = None
    cidrs: tuple[str, ...] = ()


# How outputs treat a field of a record (its `dataclasses.field` metadata). An unmarked field
# is a fact about the subject: report.json and the OTM export list it and `diff` compares it,
# so a new fact reaches every output without touching them.
_KEY = {"role": "key"}  # the id: reported; `diff` matches entries by it
_RESTATED = {"role": "restated"}  # follows from other facts or from the catalog: reported only
_INTERNAL = {"role": "internal"}  # a lookup aid for rules and views: in no output


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """A component with everything the model and the catalog say about it."""

    id: str = field(metadata=_KEY)
    name: str
    service: str
    boundary: str | None
    boundary_path: tuple[str, ...]  # from the outermost boundary down to the innermost
    trust: int
    internet_facing: bool
    description: str | None
    stores: tuple[str, ...]
    classification: str | None  # of the most sensitive data it stores
    regulations: tuple[str, ...]
    encryption_at_rest: str
    multi_az: bool
    backup: bool
    public_access: bool
    logging: bool
    controls: tuple[str, ...]  # canonical ids, sorted
    tags: Mapping[str, str]
    zones: tuple[str, ...]  # format 1.1: the group's availability zones, as written
    replicas: int | None  # format 1.1: members of the group
    #: passes on the data it receives: True (all), False, or the data ids it passes on
    forwards: bool | tuple[str, ...]
    #: format 1.2: principals it runs as, security groups attached, `interfaces` as written,
    #: tenancy and its isolation, and `region` as written
    runs_as: tuple[str, ...]
    security_groups: tuple[str, ...]
    interfaces: tuple[str, ...] | None
    tenancy: str | None
    tenant_isolation: tuple[str, ...] | None
    region: str | None
    #: the data it stores, processes or transmits: stored, and carried by its flows either way
    handles: tuple[str, ...] = field(metadata=_RESTATED)
    handles_classification: str | None = field(metadata=_RESTATED)
    handles_regulations: tuple[str, ...] = field(metadata=_RESTATED)
    #: what it exposes: `interfaces` as written, or inferred from its callers (format 1.2)
    exposes: tuple[str, ...] = field(metadata=_RESTATED)
    #: where it is: its `region`, its boundaries', or the model's for a regional AWS service
    place: str | None = field(metadata=_RESTATED)
    service_name: str = field(metadata=_RESTATED)
    service_model: str = field(metadata=_RESTATED)
    service_kind: str = field(metadata=_RESTATED)
    dfd: str = field(metadata=_RESTATED)
    aws: bool = field(metadata=_RESTATED)
    responsibility: Mapping[str, str] = field(metadata=_RESTATED)  # layer -> owner
    icon: str = field(metadata=_INTERNAL)
    boundary_kinds: tuple[str, ...] = field(metadata=_INTERNAL)  # of every enclosing boundary
    in_public_subnet: bool = field(metadata=_INTERNAL)  # some enclosing boundary is one
    #: it passes its callers' requests on: `forwards`, or a service that does so by nature (a
    #: load balancer, CDN or gateway, also with its data lineage turned off: `forwards: false`)
    proxy: bool = field(metadata=_INTERNAL)
    #: where the requests that reach it start, through forwarding components (format 1.2)
    callers: tuple[str, ...] = field(metadata=_INTERNAL)
    #: the service runs the customer's own code
    runs_code: bool = field(metadata=_INTERNAL)
    span: Span | None = field(metadata=_INTERNAL)
    #: the properties the model states: written, or given by the catalog as AWS's own default
    stated: frozenset[str] = field(metadata=_INTERNAL)
    #: of those, the ones the model does not write: AWS's default for the service stands
    defaulted: frozenset[str] = field(metadata=_INTERNAL)

    def property_value(self, name: ComponentProperty) -> bool | str:
        """A component property by its name in the catalog's `property` condition."""
        value: bool | str = getattr(self, name)
        return value

    def stated_value(self, name: ComponentProperty) -> bool | str | None:
        """The property as the model states it; None when it says nothing (judgement.md)."""
        return getattr(self, name) if name in self.stated else None


@dataclass(frozen=True, slots=True)
class FlowInfo:
    """A flow with the data it carries and the trust boundaries it crosses."""

    id: str = field(metadata=_KEY)
    source: str
    target: str
    name: str | None
    protocol: str
    port: int | None
    encrypted: bool
    authenticated: bool
    bidirectional: bool
    kind: str  # format 1.1: `data`, or `route` for network plumbing
    data: tuple[str, ...]  # sorted ids: declared, and forwarded to it (see `lineage`)
    classification: str | None  # of the most sensitive data it carries
    crosses: tuple[str, ...]  # left, then entered
    description: str | None
    regulations: tuple[str, ...] = field(metadata=_RESTATED)
    data_forwarded: tuple[str, ...] = field(metadata=_RESTATED)  # the part of `data` forwarded to it
    left: tuple[str, ...] = field(metadata=_RESTATED)  # boundaries left, innermost first
    entered: tuple[str, ...] = field(metadata=_RESTATED)  # boundaries entered, outermost first
    trust_decreases: bool = field(metadata=_RESTATED)
    index: int = field(metadata=_INTERNAL)  # position in the model's `flows`
    crossed_kinds: tuple[str, ...] = field(metadata=_INTERNAL)
    source_trust: int = field(metadata=_INTERNAL)
    target_trust: int = field(metadata=_INTERNAL)
    span: Span | None = field(metadata=_INTERNAL)
    #: the classification of the data the target did not issue (`issued_by`): what the flow
    #: discloses to it; a token presented to its issuer discloses nothing
    disclosed: str | None = field(metadata=_INTERNAL)


Record = ComponentInfo | FlowInfo


def _role(record_field: Field[Any]) -> str:
    return str(record_field.metadata.get("role", "fact"))


_REPORTED = {t: tuple(f.name for f in fields(t) if _role(f) != "internal") for t in (ComponentInfo, FlowInfo)}
_COMPARED = {t: tuple(f.name for f in fields(t) if _role(f) == "fact") for t in (ComponentInfo, FlowInfo)}


def reported_fields(record_type: type[Record]) -> tuple[str, ...]:
    """The fields that outputs report, in declaration order: all but the internal ones."""
    return _REPORTED[record_type]


def compared_fields(record_type: type[Record]) -> tuple[str, ...]:
    """The facts that `diff` compares, in declaration order."""
    return _COMPARED[record_type]


def field_values(record: Record, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a record, for serialisers that take their field lists from above."""
    return {name: getattr(record, name) for name in names}


@dataclass(frozen=True)
class ModelGraph:
    """The model as typed records, and its topology for graph questions.

    `topology` holds components (nodes) and flows (edges keyed by flow id) and nothing else;
    what is known about each lives in its `ComponentInfo` and `FlowInfo`.
    """

    topology: nx.MultiDiGraph[str]
    boundaries: dict[str, BoundaryInfo]
    component_records: Mapping[str, ComponentInfo]  # by id, in id order
    flow_records: tuple[FlowInfo, ...]  # in model order
    model: Model
    path: str
    lines: tuple[str, ...]
    #: the model's top-level `controls`, as canonical ids, sorted
    model_controls: tuple[str, ...] = ()
    #: where each entry of the model's `accepted` list is, by index
    decision_spans: dict[int, Span] = field(default_factory=dict)
    #: format 1.2: principals, grants and the permission graph
    identities: Identities | None = None

    @property
    def permissions(self) -> Identities:
        """The permission graph (built with every graph; empty for a model without principals)."""
        assert self.identities is not None
        return self.identities

    def components(self) -> tuple[ComponentInfo, ...]:
        """Components in id order."""
        return tuple(self.component_records.values())

    def component(self, component_id: str) -> ComponentInfo:
        return self.component_records[component_id]

    def flows(self) -> tuple[FlowInfo, ...]:
        """Flows in the order they are written in the model (stable, and what readers expect)."""
        return self.flow_records

    def boundary_children(self) -> dict[str | None, list[str]]:
        """The boundary tree: each boundary's children (None: the top-level ones), by id."""
        children: dict[str | None, list[str]] = {}
        for boundary in sorted(self.boundaries.values(), key=lambda b: b.id):
            children.setdefault(boundary.parent, []).append(boundary.id)
        return children

    def boundaries_top_down(self) -> list[str]:
        """Every boundary after its parent, siblings by id: a walk of `boundary_children`."""
        children = self.boundary_children()
        order: list[str] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            current = stack.pop()
            order.append(current)
            stack.extend(reversed(children.get(current, [])))
        return order


def _boundary_infos(loaded: LoadedModel) -> dict[str, BoundaryInfo]:
    model, at = loaded.model, loaded.document.source_map
    infos: dict[str, BoundaryInfo] = {}
    # Each path is its parent's plus itself: a walk up stops at the first boundary whose path
    # is known, so the paths cost one step per boundary, however deep the nesting.
    paths: dict[str, tuple[str, ...]] = {}
    for boundary_id in sorted(model.boundaries):
        chain: list[str] = []
        current: str | None = boundary_id
        while current is not None and current not in paths:
            chain.append(current)
            current = model.boundaries[current].parent
        path = paths[current] if current is not None else ()
        for step in reversed(chain):
            path = paths[step] = (*path, step)
        boundary = model.boundaries[boundary_id]
        infos[boundary_id] = BoundaryInfo(
            id=boundary_id,
            name=boundary.name or boundary_id,
            kind=boundary.kind,
            trust=boundary.rating(),
            public=boundary.public,
            parent=boundary.parent,
            path=paths[boundary_id],
            description=boundary.description,
            span=at.key(("boundaries", boundary_id)),
            region=boundary.region,
            cidrs=tuple(boundary.cidrs),
        )
    return infos


def build_graph(loaded: LoadedModel, catalog: Catalog) -> ModelGraph:
    """Build the annotated graph of a validated model."""
    with paused_gc():  # many small long-lived records, no cycles
        return _build_graph(loaded, catalog)


def _build_graph(loaded: LoadedModel, catalog: Catalog) -> ModelGraph:
    # Imported here: networkx takes 0.15 s to import, which validation and the catalog's rule
    # registry check (both import this module) do not need.
    import networkx as nx

    model, at = loaded.model, loaded.document.source_map
    boundaries = _boundary_infos(loaded)
    topology: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    # One responsibility split per service, shared by its components (they only read it).
    splits: dict[str, Mapping[str, str]] = {}
    components = {
        component_id: _component_info(component_id, loaded, catalog, boundaries, splits)
        for component_id in sorted(model.components)
    }
    topology.add_nodes_from(components)
    forwarded = forwarded_data(
        (
            Hop(flow.flow_id, flow.source, flow.target, frozenset(flow.data), flow.kind == "data")
            for flow in model.flows
        ),
        {
            c.id: ALL_DATA if c.forwards is True else frozenset(c.forwards or ())
            for c in components.values()
            if c.forwards
        },
        frozenset(cid for cid, c in model.components.items() if c.forwards is not None),
    )
    flows = []
    issuers = {d: asset.issued_by for d, asset in model.data.items() if asset.issued_by is not None}
    for index, flow in enumerate(model.flows):
        source, target = components[flow.source], components[flow.target]
        left, entered = _crossing(source.boundary_path, target.boundary_path)
        added = forwarded.get(flow.flow_id, frozenset())
        data = tuple(sorted(set(flow.data) | added))
        crosses = (*left, *entered)
        classification = max_classification(model.data[d].classification for d in data)
        flows.append(
            FlowInfo(
                id=flow.flow_id,
                source=flow.source,
                target=flow.target,
                name=flow.name,
                protocol=flow.protocol,
                port=flow.port,
                encrypted=flow.is_encrypted,
                # AWS API calls are SigV4-signed and checked by IAM unless the model says otherwise
                authenticated=flow.authenticated
                if "authenticated" in flow.model_fields_set
                else flow.protocol == "aws-api",
                bidirectional=flow.bidirectional,
                kind=flow.kind,
                data=data,
                classification=classification,
                crosses=crosses,
                description=flow.description,
                regulations=tuple(sorted({r for d in data for r in model.data[d].regulations})),
                data_forwarded=tuple(sorted(added)),
                left=left,
                entered=entered,
                trust_decreases=target.trust < source.trust,
                index=index,
                crossed_kinds=tuple(sorted({boundaries[b].kind for b in crosses})),
                source_trust=source.trust,
                target_trust=target.trust,
                span=at.value(("flows", index)),
                disclosed=(
                    max_classification(
                        model.data[d].classification for d in data if issuers.get(d) != flow.target
                    )
                    if issuers
                    else classification
                ),
            )
        )
        topology.add_edge(flow.source, flow.target, key=flow.flow_id)
    # What the flows tell of each component, set in one copy of its record (a record has some
    # eighty fields: copying it twice was a third of the graph's time at 10,000 components)
    identities = build_identities(
        model,
        lambda path: at.key(path) if isinstance(path[-1], str) else at.value(path),
        frozenset(s for s, entry in catalog.services.items() if entry.runs_code),
        {cid: c.service for cid, c in components.items()},
    )
    handled = _handled_data(components, flows, model)
    interfaces = _interfaces(components, flows, identities)
    components = {cid: replace(c, **handled[cid], **interfaces[cid]) for cid, c in components.items()}
    decision_spans = {
        index: span
        for index in range(len(model.accepted))
        if (span := at.value(("accepted", index, "finding"))) is not None
    }
    return ModelGraph(
        topology=topology,
        boundaries=boundaries,
        component_records=components,
        flow_records=tuple(flows),
        model=model,
        path=loaded.path,
        lines=loaded.document.lines,
        model_controls=tuple(sorted({catalog.canonical_control(c) or c for c in model.controls})),
        decision_spans=decision_spans,
        identities=identities,
    )


#: service kinds whose AWS API is their data plane: a call puts or gets data (PutObject,
#: PutRecord, SendMessage); into any other kind it is a control-plane call
_DATA_PLANE_KINDS = frozenset({"datastore", "messaging"})
#: service kinds of people and systems outside AWS
_OUTSIDE_KINDS = frozenset({"actor", "external"})


def _interfaces(
    components: dict[str, ComponentInfo], flows: list[FlowInfo], identities: Identities
) -> dict[str, dict[str, Any]]:
    """Each component's callers and what it exposes (format 1.2, "Interfaces")."""
    nodes = {
        cid: exposed.Node(cid, c.service, c.service_kind, c.proxy, c.runs_code, c.trust, c.interfaces)
        for cid, c in components.items()
    }
    into: dict[str, list[exposed.Hop]] = {}
    reached: dict[str, dict[str, Reached]] = {}  # what each caller's roles hold grants on
    control_plane = [control_plane_call(flow, components[flow.target]) for flow in flows]
    # a person or outside system that deploys into the account (a CI pipeline: its AWS API
    # calls update a workload or configure an entry) writes into stores to publish its own
    # build, not to send requests or upload files
    deployers = {
        flow.source
        for flow, control in zip(flows, control_plane, strict=True)
        if control
        and components[flow.source].service_kind in _OUTSIDE_KINDS
        and (components[flow.target].runs_code or components[flow.target].proxy)
    }
    for flow, control in zip(flows, control_plane, strict=True):
        deployment = (
            flow.source in deployers
            and flow.protocol == "aws-api"
            and components[flow.target].service_kind in _DATA_PLANE_KINDS
        )
        if flow.kind == "data" and not control and not deployment:
            # only data declared public is known not to be private; a flow that names none may be;
            # an AWS API call whose caller's stated roles can only read the target delivers none
            private = flow.classification != "public" and not _reads_only(flow, identities, reached)
            hop = exposed.Hop(flow.source, flow.target, flow.protocol, frozenset(flow.regulations), private)
            into.setdefault(flow.target, []).append(hop)
    found = {}
    for cid in components:
        callers = exposed.callers(cid, nodes, into)
        found[cid] = {
            "callers": tuple(sorted({c.origin for c in callers})),
            "exposes": exposed.infer(nodes[cid], callers, nodes),
        }
    return found


def control_plane_call(flow: FlowInfo, target: ComponentInfo) -> bool:
    """An AWS API call into a function invokes its code, into a store or a queue it puts or
    gets data; into anything else (a deployment into a task, a scaling action, a role to
    assume, a cache invalidation on a CDN) it is a control-plane call, not a request."""
    return (
        flow.protocol == "aws-api"
        and target.service != "lambda"
        and target.service_kind not in _DATA_PLANE_KINDS
    )


def _reads_only(flow: FlowInfo, identities: Identities, reached: dict[str, dict[str, Reached]]) -> bool:
    """An AWS API call whose caller runs as roles that hold read, and nothing stronger, on
    its target: a GetObject, whatever the flow's direction says (the grants are stated)."""
    if flow.protocol != "aws-api" or not identities.principals:
        return False
    if flow.source not in reached:
        reached[flow.source] = identities.reach([flow.source])
    grant = reached[flow.source].get(flow.target)
    return grant is not None and grant.access == "read"


def _handled_data(
    components: dict[str, ComponentInfo], flows: list[FlowInfo], model: Model
) -> dict[str, dict[str, Any]]:
    """The data each component stores, processes or transmits (judgement.md: impact)."""
    touched: dict[str, set[str]] = {cid: set(c.stores) for cid, c in components.items()}
    for flow in flows:
        touched[flow.source].update(flow.data)
        touched[flow.target].update(flow.data)
    found = {}
    for cid in components:
        handles = tuple(sorted(touched[cid]))
        found[cid] = {
            "handles": handles,
            "handles_classification": max_classification(model.data[d].classification for d in handles),
            "handles_regulations": tuple(sorted({r for d in handles for r in model.data[d].regulations})),
        }
    return found


def _crossing(
    source_path: tuple[str, ...], target_path: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Boundaries left (innermost first) and entered (outermost first) between two places."""
    common = 0
    for a, b in zip(source_path, target_path, strict=False):
        if a != b:
            break
        common += 1
    return tuple(reversed(source_path[common:])), target_path[common:]


def _component_info(
    component_id: str,
    loaded: LoadedModel,
    catalog: Catalog,
    boundaries: dict[str, BoundaryInfo],
    splits: dict[str, Mapping[str, str]],
) -> ComponentInfo:
    model = loaded.model
    component = model.components[component_id]
    service_id = catalog.canonical_service(component.service)
    assert service_id is not None  # validation guarantees it
    service = catalog.services[service_id]
    path = boundaries[component.boundary].path if component.boundary else ()
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
    multi_az, multi_az_stated = _multi_az(component, service.defaults.multi_az, service.default_multi_az())
    defaults = service.defaults
    written = component.model_fields_set
    stated = {"internet_facing", "encryption_at_rest"} | (written & _TRI_STATE)
    if multi_az_stated:
        stated.add("multi_az")
    if defaults.logging is not None:
        stated.add("logging")
    forwards = component.forwards if component.forwards is not None else bool(defaults.forwards)
    stores = tuple(sorted(set(component.stores)))
    if service_id not in splits:
        splits[service_id] = catalog.responsibility(service_id)
    return ComponentInfo(
        id=component_id,
        name=component.name or component_id,
        service=service_id,
        boundary=component.boundary,
        boundary_path=path,
        trust=trust,
        internet_facing=internet_facing,
        description=component.description,
        stores=stores,
        classification=max_classification(model.data[d].classification for d in stores),
        regulations=tuple(sorted({r for d in stores for r in model.data[d].regulations})),
        encryption_at_rest=component.encryption_at_rest or service.defaults.encryption_at_rest or "none",
        multi_az=multi_az,
        backup=component.backup,
        public_access=component.public_access,
        logging=component.logging if "logging" in written or defaults.logging is None else defaults.logging,
        controls=tuple(sorted({catalog.canonical_control(c) or c for c in component.controls})),
        tags=dict(sorted(component.tags.items())),
        zones=tuple(component.zones or ()),
        replicas=component.replicas,
        forwards=tuple(sorted(set(forwards))) if isinstance(forwards, list) else forwards,
        runs_as=tuple(component.runs_as),
        security_groups=tuple(component.security_groups),
        interfaces=None if component.interfaces is None else tuple(component.interfaces),
        tenancy=component.tenancy,
        tenant_isolation=None if component.tenant_isolation is None else tuple(component.tenant_isolation),
        region=component.region,
        exposes=(),
        place=_place(component, service.aws, service.placement, path, boundaries, model, catalog),
        handles=stores,
        handles_classification=None,
        handles_regulations=(),
        service_name=service.name,
        service_model=service.service_model,
        service_kind=service.kind,
        dfd=service.dfd,
        aws=service.aws,
        responsibility=splits[service_id],
        icon=service.icon,
        boundary_kinds=tuple(sorted(kinds)),
        in_public_subnet=in_public_subnet,
        proxy=bool(forwards) or bool(defaults.forwards),
        callers=(),
        runs_code=service.runs_code,
        span=loaded.document.source_map.key(("components", component_id)),
        stated=frozenset(stated),
        # internet_facing, when not written, follows from the subnet or the service's kind
        defaulted=frozenset(stated - written - {"internet_facing"}),
    )


def _place(
    component: Component,
    aws: bool,
    placement: str | None,
    path: tuple[str, ...],
    boundaries: Mapping[str, BoundaryInfo],
    model: Model,
    catalog: Catalog,
) -> str | None:
    """Where a component is: its `region`, its innermost boundary's, or (for a regional AWS
    service) the model's top-level `region` when that is an AWS region code."""
    if component.region is not None:
        return component.region
    for boundary in reversed(path):
        if boundaries[boundary].region is not None:
            return boundaries[boundary].region
    if aws and placement != "global" and model.region in catalog.places.regions:
        return model.region
    return None


#: properties that are unknown unless the model writes them (or the catalog gives AWS's default)
_TRI_STATE = frozenset({"multi_az", "backup", "public_access", "logging"})


def _multi_az(component: Component, default: bool | None, fallback: bool) -> tuple[bool, bool]:
    """Whether a component spans two zones, and whether the model says so.

    Written `multi_az` wins; then its `zones` (two or more is multi-AZ); then the catalog's
    default, which describes one resource (an instance is in one zone), so not for a group of
    `replicas` whose zones are not given. Otherwise the format's fallback, and unknown.
    """
    if component.multi_az is not None:
        return component.multi_az, True
    if component.zones:
        return len(component.zones) >= 2, True
    if default is not None and component.replicas is None:
        return default, True
    return fallback, False
