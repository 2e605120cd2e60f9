"""Network reach: where traffic can go along routes and flows, and what filters it on the way.

Route flows (`kind: route`) are network plumbing: a route carries packets both ways, so these
rules follow route flows in either direction and data flows in the direction of the request.
A network firewall on the way (or a component that declares the filtering control) stops the
walk: what lies behind it is inspected.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target, named
from trustmap.graph import ComponentInfo, classification_rank

__all__ = [
    "internet_entry_routes_to_internal_network_uninspected",
    "route_domain_carries_no_flow",
    "unfiltered_egress",
]

DEFAULT_FILTERS = ("network-firewall",)
DEFAULT_EGRESS = ("internet-gateway", "nat-gateway")
DEFAULT_INTERNAL_KINDS = ("on-premises", "corporate")
_MAX_SHOWN = 3


def _strings(threat: Threat, key: str, default: tuple[str, ...]) -> frozenset[str]:
    value = threat.parameters.get(key)
    return frozenset(value) if isinstance(value, list) else frozenset(default)


def _next_hops(context: EvalContext) -> Mapping[str, list[tuple[str, bool]]]:
    """Where traffic can go from each component: (next component, over a route flow)."""
    hops: dict[str, list[tuple[str, bool]]] = {c.id: [] for c in context.graph.components()}
    for flow in context.graph.flows():
        route = flow.kind == "route"
        hops[flow.source].append((flow.target, route))
        if route:
            hops[flow.target].append((flow.source, route))
    return {node: sorted(set(found)) for node, found in hops.items()}


def _walk(
    start: str,
    context: EvalContext,
    hops: Mapping[str, list[tuple[str, bool]]],
    stops: frozenset[str],
) -> dict[str, tuple[str | None, bool]]:
    """Breadth-first from `start`, not through filtering components: each reached component
    with the one before it and whether a route flow was used on the way."""
    seen: dict[str, tuple[str | None, bool]] = {start: (None, False)}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt, route in hops[node]:
            if nxt in seen:
                continue
            seen[nxt] = (node, seen[node][1] or route)
            if context.graph.component(nxt).service not in stops:
                queue.append(nxt)
    return seen


def _route(seen: Mapping[str, tuple[str | None, bool]], end: str) -> str:
    path = [end]
    while (step := seen[path[-1]][0]) is not None:
        path.append(step)
    return " -> ".join(reversed(path))


def _inspects(context: EvalContext, domain: str, filters: frozenset[str]) -> bool:
    """The route domain's inspection hop is a filtering component (a network firewall)."""
    hop = context.graph.model.route_domains[domain].inspected_by
    return hop is not None and (
        context.graph.component(hop).service in filters
        or "route-domain-segmentation" in context.graph.component(hop).controls
    )


def _filters(context: EvalContext, component: ComponentInfo, control: str) -> bool:
    return control in component.controls or control in context.model_controls


def unfiltered_egress(context: EvalContext, threat: Threat) -> Iterator[tuple[Target, str]]:
    """Workloads that handle confidential data and reach an internet or NAT gateway along flows
    and routes without a network firewall on the way (once, about the model)."""
    filters = _strings(threat, "filters", DEFAULT_FILTERS)
    egress = _strings(threat, "egress", DEFAULT_EGRESS)
    hops = _next_hops(context)
    found: list[str] = []
    affected: list[str] = []
    floor = classification_rank("confidential")
    for component in context.graph.components():
        if (
            component.service_kind != "compute"
            or not component.aws
            or classification_rank(component.handles_classification) < floor
            or _filters(context, component, "egress-filtering")
        ):
            continue
        if component.in_public_subnet:
            # a public subnet is, by definition, routed to an internet gateway
            found.append(f"{named(context.component(component.id))} from its public subnet")
            affected.append(component.id)
            continue
        seen = _walk(component.id, context, hops, filters)
        exits = sorted(n for n in seen if n != component.id and context.graph.component(n).service in egress)
        if exits:
            found.append(f"{named(context.component(component.id))} along {_route(seen, exits[0])}")
            affected.append(component.id)
    if found:
        shown = "; ".join(found[:_MAX_SHOWN]) + (
            f"; and {len(found) - _MAX_SHOWN} more" if len(found) > _MAX_SHOWN else ""
        )
        yield (
            context.model_target(tuple(affected)),
            f"The model routes workloads that handle confidential data to the internet with nothing "
            f"that filters their egress: {shown}",
        )


def internet_entry_routes_to_internal_network_uninspected(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """Internet-facing workloads that routes join to the internal network (on-premises,
    corporate) or to restricted stores they have no flow to, with no inspection on the way."""
    filters = _strings(threat, "filters", DEFAULT_FILTERS)
    internal_kinds = _strings(threat, "internal_kinds", DEFAULT_INTERNAL_KINDS)
    hops = _next_hops(context)
    restricted = classification_rank("restricted")
    for component in context.graph.components():
        if not component.internet_facing or component.service_kind != "compute" or not component.aws:
            continue
        if _filters(context, component, "route-domain-segmentation"):
            continue
        direct = {f.flow.target for f in context.flows_out_of[component.id] if f.flow is not None}
        seen = _walk(component.id, context, hops, filters)
        reached = []
        routes: dict[str, str] = {}

        def wanted(node: str) -> bool:
            other = context.graph.component(node)
            internal = not internal_kinds.isdisjoint(other.boundary_kinds) or other.service == "on-premises"
            return internal or classification_rank(other.classification) >= restricted

        for node in sorted(seen):
            if node == component.id or node in direct or not seen[node][1]:
                continue  # itself, a designed flow, or reached without any route
            if wanted(node):
                reached.append(node)
                routes[node] = _route(seen, node)
        # route domains (format 1.2): one route table joins its networks, unless inspected
        for reach in context.network.routes_from(component.id):
            inspected = reach.inspected and _inspects(context, reach.domain, filters)
            if inspected or reach.target in direct or reach.target in routes or not wanted(reach.target):
                continue
            reached.append(reach.target)
            routes[reach.target] = reach.text(context.graph.model)
        reached.sort()
        if reached:
            paths = "; ".join(routes[n] for n in reached[:_MAX_SHOWN])
            yield (
                context.component(component.id),
                f"{named(context.component(component.id))} is reachable from the internet, and routes "
                f"take its traffic on to {', '.join(repr(n) for n in reached[:_MAX_SHOWN])} "
                f"without passing a network firewall: {paths}",
            )


def route_domain_carries_no_flow(context: EvalContext, threat: Threat) -> Iterator[tuple[Target, str]]:
    """Route domains (format 1.2) that join networks of different trust, that no flow of the
    model crosses, and across which a less trusted component reaches a store: reachability that
    nothing needs, on the component they route through (`EvalContext.stale_routes`)."""
    model = context.graph.model
    for via, reaches in context.stale_routes.items():
        target = context.component(via)
        domains = []
        for domain_id in sorted({r.domain for r in reaches}):
            mine = [r for r in reaches if r.domain == domain_id]
            sources = sorted({r.source for r in mine})
            stores = sorted({r.target for r in mine})
            members = _members(model.route_domains[domain_id].members, context)
            domains.append(
                f"route domain '{domain_id}' joins {members}, and no flow of the model goes "
                f"between them, yet {_shown(sources)} can reach "
                f"{_shown(stores)}"
            )
        yield target, f"{named(target)} carries routes that no flow uses: {'; '.join(domains)}"


def _members(members: list[str], context: EvalContext) -> str:
    boundaries = context.graph.boundaries
    ordered = sorted(members, key=lambda m: (boundaries[m].trust, m))
    named = [f"'{m}' (trust {boundaries[m].trust})" for m in ordered]
    return f"{', '.join(named[:-1])} and {named[-1]}"


def _shown(ids: list[str]) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:_MAX_SHOWN])
    return shown + (f" and {len(ids) - _MAX_SHOWN} more" if len(ids) > _MAX_SHOWN else "")
