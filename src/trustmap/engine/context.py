"""What a condition is evaluated against: a component, a flow or the whole model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from trustmap.catalog import Catalog
from trustmap.catalog.schema import Condition
from trustmap.diagnostics import Span
from trustmap.engine.exposure import EdgeFacts, Exposure, NodeFacts, expose
from trustmap.engine.reach import Network, RouteReach, network_of
from trustmap.findings import Location, Subject
from trustmap.graph import (
    ComponentInfo,
    FlowInfo,
    ModelGraph,
    classification_rank,
    control_plane_call,
    max_classification,
)
from trustmap.identities import PrincipalInfo, Reached
from trustmap.severities import Level

__all__ = ["MODEL_SUBJECT", "EvalContext", "Target", "named"]

MODEL_SUBJECT = Subject("model", "model")
_CONFIDENTIAL = classification_rank("confidential")
#: forwarding components followed from a request to what serves it (a CDN, a gateway, a proxy)
_FORWARD_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Target:
    """A subject with its record: a component's, a flow's or a principal's; none for the model."""

    subject: Subject
    component: ComponentInfo | None = None
    flow: FlowInfo | None = None
    principal: PrincipalInfo | None = None
    #: the components a finding about the model names (the workloads a model-wide graph rule
    #: found): a threat with `impact_from: affected` weighs the data they handle
    affected: tuple[str, ...] = ()
    #: a likelihood the graph rule that raised the finding worked out, with its reason (an OIDC
    #: trust that admits one organisation's repositories, not the whole service): over the
    #: catalog's rating
    likelihood: tuple[Level, str] | None = None

    @property
    def name(self) -> str:
        if self.component is not None:
            return self.component.name
        if self.flow is not None:
            return self.flow.name or self.flow.id
        if self.principal is not None:
            return self.principal.name
        return "the model"

    @property
    def span(self) -> Span | None:
        record = self.component or self.flow or self.principal
        return record.span if record is not None else None


def _joins(a: set[str], b: set[str], members: set[str]) -> bool:
    """Two ends whose boundary paths lie in two different member networks of a route domain."""
    return bool(a & members) and bool(b & members) and not a & b & members


def _member_trust(graph: ModelGraph, component_id: str, members: set[str]) -> int:
    """The trust of the member network of a route domain that the component is in."""
    inside = members.intersection(graph.component(component_id).boundary_path)
    return min(graph.boundaries[m].trust for m in inside)


def named(target: Target) -> str:
    """How a finding's `why` names its subject: `Web tier ('web')`, or `'web'` when the component
    has no display name of its own; `flow 'web->db'`; `the model`."""
    if target.flow is not None:
        return f"flow '{target.subject.id}'"
    if target.principal is not None:
        kind = target.principal.kind.replace("-", " ")
        if target.name == target.subject.id:
            return f"{kind} '{target.subject.id}'"
        return f"{kind} {target.name} ('{target.subject.id}')"
    if target.component is None:
        return "the model"
    if target.name == target.subject.id:
        return f"'{target.subject.id}'"
    return f"{target.name} ('{target.subject.id}')"


@dataclass(frozen=True)
class EvalContext:
    """Read-only facts about the model that conditions and rules look up."""

    graph: ModelGraph
    catalog: Catalog
    #: per-condition lookups of `trustmap.engine.conditions.holds`, by id (a cache, not state)
    conditions: dict[int, tuple[Any, Any]] = field(default_factory=dict, compare=False, repr=False)
    #: the data each subject reaches through the permission graph (a cache)
    _reached: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    _opened: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    #: each condition's key, by id (a cache: explaining asks it for every subject)
    _keys: dict[int, tuple[Condition, str]] = field(default_factory=dict, compare=False, repr=False)

    def condition_key(self, condition: Condition) -> str:
        """`condition.key()`, worked out once per condition."""
        found = self._keys.get(id(condition))
        if found is None or found[0] is not condition:
            found = self._keys[id(condition)] = (condition, condition.key())
        return found[1]

    @cached_property
    def model_controls(self) -> frozenset[str]:
        """Controls declared for the whole model, plus those its services evidence."""
        declared = set(self.graph.model_controls)
        for component in self.graph.components():
            declared |= self.catalog.evidenced_controls(component.service)
        return frozenset(declared)

    @cached_property
    def model_services(self) -> frozenset[str]:
        return frozenset(component.service for component in self.graph.components())

    @cached_property
    def model_regulations(self) -> frozenset[str]:
        return frozenset(r for d in self.graph.model.data.values() for r in d.regulations)

    @cached_property
    def model_classification(self) -> str | None:
        return max_classification(d.classification for d in self.graph.model.data.values())

    @cached_property
    def neighbours(self) -> Mapping[str, frozenset[str]]:
        """Services of the components joined to each component by a flow, either way; through
        an interface endpoint, the services it leads to (it is only the way to them)."""
        components = self.graph.component_records
        topology = self.graph.topology
        found: dict[str, set[str]] = {node: set() for node in components}
        for source, target in topology.edges():
            found[source].add(components[target].service)
            found[target].add(components[source].service)
            if components[target].service == "vpc-endpoint":
                found[source].update(components[t].service for t in topology.successors(target))
        return {node: frozenset(services) for node, services in found.items()}

    @cached_property
    def network(self) -> Network:
        """Security group facts and route-domain reach (engine/reach.py)."""
        return network_of(self.graph)

    @cached_property
    def stale_routes(self) -> Mapping[str, tuple[RouteReach, ...]]:
        """By the component a route domain goes through (its `via`): the stores a component of
        a less trusted member network reaches in a more trusted one (its security groups do not
        keep it out), across a domain that no flow crosses and no inspection hop sits on."""
        graph = self.graph
        domains = [
            (domain_id, domain)
            for domain_id, domain in sorted(graph.model.route_domains.items())
            if domain.via is not None and domain.via in graph.component_records and not domain.inspected_by
        ]
        if not domains:
            return {}
        crossing = [
            (set(graph.component(f.source).boundary_path), set(graph.component(f.target).boundary_path))
            for f in graph.flows()
            if f.kind != "route"
        ]
        found: dict[str, list[RouteReach]] = {}
        for domain_id, domain in domains:
            assert domain.via is not None
            members = set(domain.members)
            if any(_joins(a, b, members) for a, b in crossing):
                continue
            for reach in self.network.routes:
                if reach.domain != domain_id:
                    continue
                target = graph.component(reach.target)
                if (
                    target.dfd == "datastore"
                    and target.stores
                    and _member_trust(graph, reach.source, members)
                    < _member_trust(graph, reach.target, members)
                ):
                    found.setdefault(domain.via, []).append(reach)
        return {via: tuple(reaches) for via, reaches in found.items()}

    @cached_property
    def exposure(self) -> Exposure:
        """Gates in front of each component and the attack paths (engine/exposure.py)."""
        policy = self.catalog.severity
        targets = frozenset(policy.control_planes)
        nodes = {}
        network = self.network
        for component in self.graph.components():
            position = component.trust < policy.entry_trust_below
            internet = (
                component.internet_facing or "internet" in component.boundary_kinds or component.trust == 0
            )
            entry_cost = 0 if internet else (1 if position else None)
            stated = network.ingress.get(component.id)
            if stated is not None and component.aws and entry_cost == 0:
                # stated security groups decide who on the internet reaches it: anyone, listed
                # addresses only (a lower-trust entry), or nobody (only its callers in AWS)
                entry_cost = 0 if stated.admits_internet() else (1 if stated.allow_listed_only() else None)
            nodes[component.id] = NodeFacts(
                id=component.id,
                entry_cost=entry_cost,
                position=position,
                forwards=bool(component.forwards),
                target=component.service in targets
                or classification_rank(component.classification) >= _CONFIDENTIAL,
                trust=component.trust,
            )
        edges = [
            EdgeFacts(
                id=flow.id,
                source=flow.source,
                target=flow.target,
                # AWS API calls are SigV4-signed whatever the model says of them
                authenticated=flow.authenticated or flow.protocol == "aws-api",
                encrypted=flow.encrypted,
                crosses=bool(flow.crosses),
            )
            for flow in self.graph.flows()
        ]
        # a host reached in one network of a route domain reaches the others' targets
        edges += [
            EdgeFacts(
                id=f"route:{reach.domain}",
                source=reach.source,
                target=reach.target,
                authenticated=False,
                encrypted=True,
                crosses=True,
                route_domain=reach.domain,
            )
            for reach in network.routes
            if nodes[reach.target].target and self.graph.component(reach.source).service_kind == "compute"
        ]
        return expose(nodes, edges)

    @cached_property
    def on_paths(self) -> Mapping[str, str]:
        """The highest likelihood of the attack paths each component or flow lies on."""
        return self.exposure.paths_through()

    @cached_property
    def dependents(self) -> Mapping[str, tuple[str, ...]]:
        """The components that send data flows to each component (who depends on it), and to
        each network link the senders of the data flows it carries. A control-plane call that
        carries no data (a pipeline deploying a task, starting a job) is not dependence."""
        found: dict[str, set[str]] = {cid: set() for cid in self.graph.component_records}
        for flow in self.graph.flows():
            deploys = not flow.data and control_plane_call(flow, self.graph.component(flow.target))
            if flow.kind == "data" and not deploys:
                found[flow.target].add(flow.source)
        for link, flows in self.carried.items():
            found[link].update(f.source for f in flows)
        return {cid: tuple(sorted(others)) for cid, others in found.items()}

    @cached_property
    def carried(self) -> Mapping[str, tuple[FlowInfo, ...]]:
        """The data flows each network link (a VPN, a gateway) carries, by flow id: those
        between two components that route flows join through it (`processor -> vpn -> erp`,
        either way), and those between two member networks of a route domain `via` it."""
        # where each component routes to and is routed from; two components that both route
        # through a NAT gateway to the internet do not reach each other through it
        routes_to: dict[str, set[str]] = {}
        routed_from: dict[str, set[str]] = {}
        for flow in self.graph.flows():
            if flow.kind == "route":
                routes_to.setdefault(flow.source, set()).add(flow.target)
                routed_from.setdefault(flow.target, set()).add(flow.source)
        domains = [(d.via, d.members) for _, d in sorted(self.graph.model.route_domains.items()) if d.via]
        found: dict[str, list[FlowInfo]] = {}
        for flow in sorted(self.graph.flows(), key=lambda f: f.id):
            if flow.kind != "data" or not flow.data:
                continue
            source, target = self.graph.component(flow.source), self.graph.component(flow.target)
            links = {
                link
                for a, b in ((flow.source, flow.target), (flow.target, flow.source))
                for link in routes_to.get(a, set()) & routed_from.get(b, set())
            }
            for via, members in domains:
                # the two ends in different member networks of the domain
                inside = [{m for m in members if m in c.boundary_path} for c in (source, target)]
                if inside[0] and inside[1] and not inside[0] & inside[1]:
                    links.add(via)
            for link in sorted(link for link in links if link in self.graph.component_records):
                if self.graph.component(link).service_kind == "network":
                    found.setdefault(link, []).append(flow)
        return {link: tuple(flows) for link, flows in found.items()}

    @cached_property
    def stored_by(self) -> Mapping[str, tuple[str, ...]]:
        """The components that store each data asset, by id."""
        found: dict[str, list[str]] = {d: [] for d in self.graph.model.data}
        for component in self.graph.components():
            for data_id in component.stores:
                found[data_id].append(component.id)
        return {d: tuple(ids) for d, ids in found.items()}

    @cached_property
    def primaries(self) -> Mapping[str, str]:
        """For a store that receives a copy of another store's data along a flow (a replica, a
        backup), the store it copies, followed to the first; computed by flow id, so the order
        the model lists flows in does not matter."""
        copies: dict[str, str] = {}
        for flow in sorted(self.graph.flows(), key=lambda f: f.id):
            source, target = self.graph.component(flow.source), self.graph.component(flow.target)
            if source.dfd == target.dfd == "datastore" and set(flow.data) & set(source.stores) & set(
                target.stores
            ):
                copies.setdefault(flow.target, flow.source)
        primaries = {}
        for replica in copies:
            primary, seen = replica, {replica}
            while primary in copies and copies[primary] not in seen:
                primary = copies[primary]
                seen.add(primary)
            primaries[replica] = primary
        return primaries

    @cached_property
    def flows_into(self) -> Mapping[str, tuple[Target, ...]]:
        """The flows that reach each component, by flow id (reasons that name one of them must not
        depend on the order the model lists them in)."""
        found: dict[str, list[Target]] = {cid: [] for cid in self.graph.component_records}
        for flow in self._flows:
            assert flow.flow is not None
            found[flow.flow.target].append(flow)
        return {cid: tuple(sorted(flows, key=lambda f: f.subject.id)) for cid, flows in found.items()}

    @cached_property
    def flows_out_of(self) -> Mapping[str, tuple[Target, ...]]:
        """The flows that leave each component, by flow id."""
        found: dict[str, list[Target]] = {cid: [] for cid in self.graph.component_records}
        for flow in self._flows:
            assert flow.flow is not None
            found[flow.flow.source].append(flow)
        return {cid: tuple(sorted(flows, key=lambda f: f.subject.id)) for cid, flows in found.items()}

    @cached_property
    def linked(self) -> Mapping[str, tuple[str, ...]]:
        """The components joined to each component by a flow, either way, by id."""
        found: dict[str, set[str]] = {cid: set() for cid in self.graph.component_records}
        for source, target in self.graph.topology.edges():
            found[source].add(target)
            found[target].add(source)
        return {cid: tuple(sorted(others)) for cid, others in found.items()}

    @cached_property
    def _components(self) -> dict[str, Target]:
        return {c.id: Target(Subject("component", c.id), component=c) for c in self.graph.components()}

    @cached_property
    def _flows(self) -> tuple[Target, ...]:
        return tuple(Target(Subject("flow", f.id), flow=f) for f in self.graph.flows())

    @cached_property
    def _principals(self) -> dict[str, Target]:
        return {
            p.id: Target(Subject("principal", p.id), principal=p)
            for p in self.graph.permissions.principals.values()
        }

    def principal(self, principal_id: str) -> Target:
        return self._principals[principal_id]

    def data_reached(self, target: Target) -> tuple[str, ...]:
        """The data a subject's identities can act on through the permission graph (format 1.2):
        from a component, what it runs as reaches; from a principal, what it reaches."""
        known = self._reached.get(target.subject.id)
        if known is not None:
            return known
        model = self.graph.model
        found: set[str] = set()
        for reached in self.graph.permissions.reach([target.subject.id]).values():
            if reached.target in model.data:
                found.add(reached.target)
            elif reached.target in model.components:
                found.update(self._grant_data(reached) or model.components[reached.target].stores)
        self._reached[target.subject.id] = result = tuple(sorted(found))
        return result

    def opened(self, component_id: str) -> tuple[str, ...]:
        """The components that serve a component's requests made with credentials of its own
        (authenticated flows that are not AWS API calls, nor to an IAM-authenticated listener,
        which its role signs), followed through forwarding components along the flows that
        carry the same data: what a leaked credential of the component opens."""
        known = self._opened.get(component_id)
        if known is not None:
            return known
        served: set[str] = set()
        for ref in self.flows_out_of.get(component_id, ()):
            flow = ref.flow
            assert flow is not None
            if flow.authenticated and flow.protocol != "aws-api" and not self.iam_listener(flow):
                served.update(self._served(flow.target, frozenset(flow.data), {component_id}, _FORWARD_DEPTH))
        self._opened[component_id] = result = tuple(sorted(served))
        return result

    def _served(self, component_id: str, data: frozenset[str], seen: set[str], depth: int) -> set[str]:
        """Where requests carrying `data` end: `component_id`, or past it when it forwards."""
        component = self.graph.component(component_id)
        if not component.proxy or depth == 0 or component_id in seen:
            return {component_id}
        seen = seen | {component_id}
        onward = [
            ref.flow
            for ref in self.flows_out_of.get(component_id, ())
            if ref.flow is not None and ref.flow.kind == "data" and data & set(ref.flow.data)
        ]
        if not onward:
            return {component_id}
        found: set[str] = set()
        for flow in onward:
            found |= self._served(flow.target, data, seen, depth - 1)
        return found

    def iam_listener(self, flow: FlowInfo) -> bool:
        """Whether a flow reaches a listener its target authenticates with IAM (SigV4)."""
        service = self.catalog.service(self.graph.component(flow.target).service)
        return flow.port is not None and service is not None and flow.port in service.iam_auth_ports

    def _grant_data(self, reached: Reached) -> tuple[str, ...]:
        """The data a grant narrows itself to (`data:`), on the last step of a reach."""
        last = reached.path[-1] if reached.path else None
        if last is None:
            return ()
        narrowed = [
            d
            for grant in self.graph.permissions.grants_by_principal.get(last.source, ())
            if reached.target in grant.targets and grant.access == last.how
            for d in grant.data
        ]
        return tuple(narrowed)

    def component(self, component_id: str) -> Target:
        return self._components[component_id]

    def flow(self, flow_id: str) -> Target:
        return self._flow_targets[flow_id]

    @cached_property
    def _flow_targets(self) -> dict[str, Target]:
        return {t.subject.id: t for t in self._flows}

    def model_target(self, affected: tuple[str, ...] = ()) -> Target:
        """The model as a finding's subject; `affected`: the components the finding names."""
        return Target(MODEL_SUBJECT, affected=affected)

    def targets(self, scope: str) -> list[Target]:
        """Components (by id) or flows (in model order), made once: rules ask for them often."""
        if scope == "component":
            return list(self._components.values())
        if scope == "flow":
            return list(self._flows)
        if scope == "principal":
            return list(self._principals.values())
        return [self.model_target()]

    def location(self, target: Target) -> Location:
        span = target.span
        if span is None:
            return Location(self.graph.path, 1, 1)
        return Location(self.graph.path, span.line, span.column)
