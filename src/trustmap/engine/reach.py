"""Network reach from security groups and route domains (format 1.2).

What the model states about the network, worked out once per evaluation:

- for each component whose security groups all state their ingress: the ports the internet
  may reach, the rules no flow into it needs, and the rules its flows need (the expected
  configuration of `restricted-security-groups`);
- for each route domain: which components of one member network can open connections to
  components of another, unless the target's stated security groups keep them out, and whether
  an inspection hop sits between them.

docs/model-format.md ("Security groups", "Route domains") and judgement.md ("Network reach").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trustmap.addresses import (
    PortRange,
    covers,
    is_internet,
    is_private,
    overlaps_private,
    parse_cidr,
    parse_ports,
    port_in,
    ports_text,
)
from trustmap.graph import ComponentInfo, FlowInfo, ModelGraph
from trustmap.model import Model, SecurityGroupRule
from trustmap.peers import boundary_chain, on_internet, rule_admits

__all__ = ["DEFAULT_PORTS", "Network", "RouteReach", "StatedIngress", "network_of"]

#: the usual port of a protocol, for flows that do not say theirs
DEFAULT_PORTS: Mapping[str, int] = {
    "https": 443,
    "http": 80,
    "tls": 443,
    "ssh": 22,
    "sftp": 22,
    "rdp": 3389,
    "ftp": 21,
    "smtp": 25,
    "smtps": 465,
    "postgres": 5432,
    "mysql": 3306,
    "redis": 6379,
    "amqp": 5671,
    "kafka": 9092,
    "grpc": 443,
    "dns": 53,
    "aws-api": 443,
}


@dataclass(frozen=True, slots=True)
class RuleView:
    """One ingress rule of a component's security groups, in words."""

    group: str
    rule: SecurityGroupRule
    ports: tuple[PortRange, ...]

    def text(self) -> str:
        if self.rule.cidr is not None:
            network = parse_cidr(self.rule.cidr)
            peer = f"{self.rule.cidr} (the internet)" if network and is_internet(network) else self.rule.cidr
        elif self.rule.security_group is not None:
            peer = f"security group '{self.rule.security_group}'"
        else:
            peer = f"prefix list '{self.rule.prefix_list}'"
        ports = f" {ports_text(self.ports)}" if self.ports else ""
        return f"{self.rule.protocol}{ports} from {peer} (in '{self.group}')"

    @property
    def from_internet(self) -> bool:
        network = parse_cidr(self.rule.cidr or "")
        return network is not None and is_internet(network)


@dataclass(frozen=True, slots=True)
class StatedIngress:
    """What a component's security groups say about who may reach it."""

    component: str
    rules: tuple[RuleView, ...]
    #: the rules that no data flow into the component needs
    unneeded: tuple[RuleView, ...]
    #: address rules that some flow needs but that also admit whole networks (boundaries with
    #: `cidrs`) where none of those flows comes from, with those networks
    too_wide: tuple[tuple[RuleView, tuple[str, ...]], ...] = ()

    @property
    def wider_than_flows(self) -> bool:
        return bool(self.unneeded or self.too_wide)

    def wider_text(self, shown: int = 3) -> list[str]:
        return [f"{v.text()}, which no flow needs" for v in self.unneeded[:shown]] + [
            f"{v.text()}, which also admits {', '.join(repr(n) for n in networks)}, where no flow comes from"
            for v, networks in self.too_wide[:shown]
        ]

    def internet_ports(self) -> tuple[PortRange, ...]:
        return tuple(sorted({r for view in self.rules if view.from_internet for r in view.ports}))

    def admits_internet(self, ports: Iterable[int] | None = None) -> bool:
        ranges = self.internet_ports()
        if ports is None:
            return bool(ranges)
        return any(port_in(port, ranges) for port in ports)

    def allow_listed_only(self) -> bool:
        """It admits addresses on the internet, but only listed ones (a partner's, an office's)."""
        public = [
            v
            for v in self.rules
            if v.rule.cidr is not None
            and (n := parse_cidr(v.rule.cidr)) is not None
            and not is_private(n)
            and not is_internet(n)
        ]
        return bool(public) and not self.admits_internet()


@dataclass(frozen=True, slots=True)
class RouteReach:
    """A component of one member network can open connections to one of another."""

    domain: str
    source: str
    target: str
    inspected: bool

    def text(self, model: Model) -> str:
        domain = model.route_domains[self.domain]
        via = f" (via '{domain.via}')" if domain.via else ""
        return f"route domain '{self.domain}'{via} joins '{self.source}' to '{self.target}'"


@dataclass(frozen=True)
class Network:
    ingress: Mapping[str, StatedIngress]
    routes: tuple[RouteReach, ...]
    #: the ingress each component's flows need, whether or not its security groups are stated
    expected: Mapping[str, tuple[str, ...]]
    #: components whose security groups all state egress: whether it admits internal addresses
    egress_internal: Mapping[str, bool]

    def routes_from(self, component: str) -> list[RouteReach]:
        return [r for r in self.routes if r.source == component]


def network_of(graph: ModelGraph) -> Network:
    model = graph.model
    flows_into: dict[str, list[FlowInfo]] = {}
    for flow in graph.flows():
        # AWS API calls reach the service's public endpoint, past any security group, unless
        # they go to an interface endpoint in the VPC (which has security groups of its own)
        api_in_vpc = graph.component(flow.target).service == "vpc-endpoint"
        if flow.kind == "data" and (flow.protocol != "aws-api" or api_in_vpc):
            flows_into.setdefault(flow.target, []).append(flow)
    ingress = {
        c.id: _stated(c, model, graph, flows_into.get(c.id, []))
        for c in graph.components()
        if _ingress_stated(c, model)
    }
    expected = {
        cid: tuple(sorted({_expected(flow, model, graph) for flow in flows}))
        for cid, flows in flows_into.items()
    }
    egress = {c.id: _egress_internal(c, model) for c in graph.components() if _egress_stated(c, model)}
    return Network(ingress, _routes(graph, ingress), expected, egress)


def _egress_stated(component: ComponentInfo, model: Model) -> bool:
    groups = [model.security_groups.get(g) for g in component.security_groups]
    return bool(groups) and all(g is not None and g.egress is not None for g in groups)


def _egress_internal(component: ComponentInfo, model: Model) -> bool:
    """A stated egress rule to private address space, or to 0.0.0.0/0 (which includes it)."""
    for group in component.security_groups:
        for rule in model.security_groups[group].egress or ():
            network = parse_cidr(rule.cidr or "")
            if network is not None and overlaps_private(network):
                return True
    return False


def _ingress_stated(component: ComponentInfo, model: Model) -> bool:
    groups = [model.security_groups.get(g) for g in component.security_groups]
    return bool(groups) and all(g is not None and g.ingress is not None for g in groups)


def _stated(
    component: ComponentInfo, model: Model, graph: ModelGraph, flows: list[FlowInfo]
) -> StatedIngress:
    views = []
    for group_id in component.security_groups:
        for rule in model.security_groups[group_id].ingress or ():
            # ICMP has no ports: its rule (written `ports: all`) opens none of them
            ports = () if rule.protocol == "icmp" else parse_ports(rule.ports) or ()
            views.append(RuleView(group_id, rule, ports))
    unneeded = tuple(v for v in views if not any(_needs(v, flow, model, graph) for flow in flows))
    too_wide = []
    for view in views:
        needing = [flow for flow in flows if _needs(view, flow, model, graph)]
        extra = _networks_beyond(view, needing, component, model, graph) if needing else ()
        if extra:
            too_wide.append((view, extra))
    return StatedIngress(component.id, tuple(views), unneeded, tuple(too_wide))


def _networks_beyond(
    view: RuleView, flows: list[FlowInfo], component: ComponentInfo, model: Model, graph: ModelGraph
) -> tuple[str, ...]:
    """The networks (boundaries with `cidrs`) that an address rule admits and that hold none of
    the sources of the flows that need it (nor contain them), besides the component's own:
    10.0.0.0/8 where two subnets need it."""
    network = parse_cidr(view.rule.cidr or "")
    if network is None or is_internet(network):
        return ()
    sources = {b for flow in flows for b in graph.component(flow.source).boundary_path}
    sources |= set(component.boundary_path)
    found = []
    for boundary_id, boundary in sorted(model.boundaries.items()):
        if boundary_id in sources or not boundary.cidrs:
            continue
        inner = [n for c in boundary.cidrs if (n := parse_cidr(c)) is not None]
        if inner and all(covers(network, n) for n in inner):
            found.append(boundary_id)
    # a network inside another one listed is said by its parent
    return tuple(b for b in found if not any(p in found for p in list(boundary_chain(model, b))[1:]))


def _port(flow: FlowInfo) -> int | None:
    return flow.port if flow.port is not None else DEFAULT_PORTS.get(flow.protocol)


def _needs(view: RuleView, flow: FlowInfo, model: Model, graph: ModelGraph) -> bool:
    """Whether the flow needs the rule: it admits the flow's source on its port (a rule open to
    the internet is needed only by sources on the internet; unknown peers count as needed)."""
    port = _port(flow)
    if port is not None and not port_in(port, view.ports):
        return False
    if view.from_internet:
        source = graph.component(flow.source)
        return on_internet(model, flow.source) or source.trust == 0
    return rule_admits(view.rule, model, flow.source, port) is not False


def _expected(flow: FlowInfo, model: Model, graph: ModelGraph) -> str:
    source = graph.component(flow.source)
    port = _port(flow)
    where = "all ports" if port is None else f"tcp {port}"
    if source.security_groups:
        peer = f"security group '{source.security_groups[0]}'"
    elif on_internet(model, flow.source) or source.trust == 0:
        peer = "0.0.0.0/0 (the internet)"
    elif source.service == "cloudfront":
        peer = "prefix list 'cloudfront'"
    else:
        cidrs = next(
            (
                model.boundaries[b].cidrs
                for b in boundary_chain(model, source.boundary)
                if model.boundaries[b].cidrs
            ),
            [],
        )
        peer = ", ".join(cidrs) if cidrs else f"the addresses of '{flow.source}'"
    return f"{where} from {peer} ('{flow.source}', flow '{flow.id}')"


def _members(graph: ModelGraph, member: str) -> set[str]:
    return {c.id for c in graph.components() if member in c.boundary_path}


def _routes(graph: ModelGraph, ingress: Mapping[str, StatedIngress]) -> tuple[RouteReach, ...]:
    model = graph.model
    found: set[RouteReach] = set()
    for domain_id in sorted(model.route_domains):
        domain = model.route_domains[domain_id]
        inspected = domain.inspected_by is not None
        members = {m: _members(graph, m) for m in sorted(set(domain.members)) if m in graph.boundaries}
        for first, sources in members.items():
            for second, targets in members.items():
                if first == second:
                    continue
                for source in sorted(sources - targets):
                    for target in sorted(targets - sources):
                        if _kept_out(source, target, ingress, model):
                            continue
                        found.add(RouteReach(domain_id, source, target, inspected))
    return tuple(sorted(found, key=lambda r: (r.domain, r.source, r.target)))


def _kept_out(source: str, target: str, ingress: Mapping[str, StatedIngress], model: Model) -> bool:
    """The target's stated security groups admit nothing from the source."""
    stated = ingress.get(target)
    if stated is None:
        return False
    return all(rule_admits(view.rule, model, source, None) is False for view in stated.rules)
