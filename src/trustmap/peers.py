"""Which components a security group rule's peer stands for (format 1.2).

A rule names one peer: a CIDR range, a security group or a prefix list. This module says
whether a component of the model is that peer, from what the model states: the security groups
attached to it, the `cidrs` of the boundaries around it, whether it sits on the internet, and
its service (CloudFront for the `cloudfront` prefix list). Validation uses it for W310 and the
network rules for reachability; it reads the validated `Model` only.
"""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.addresses import Network, covers, is_internet, is_private, parse_cidr, parse_ports, port_in
from trustmap.model import Model, SecurityGroupRule

__all__ = ["INTERNET_SERVICES", "boundary_chain", "is_peer", "on_internet", "rule_admits"]

#: components of these services stand on the internet unless a boundary says otherwise
INTERNET_SERVICES = frozenset({"actor", "external-system"})
#: services whose addresses a managed prefix list stands for
PREFIX_LIST_SERVICES = {
    "cloudfront": frozenset({"cloudfront"}),
    "s3": frozenset({"s3"}),
    "dynamodb": frozenset({"dynamodb"}),
}


def boundary_chain(model: Model, boundary: str | None) -> Iterator[str]:
    """The boundary and its parents, innermost first (cycles were rejected by validation)."""
    seen: set[str] = set()
    while boundary is not None and boundary in model.boundaries and boundary not in seen:
        seen.add(boundary)
        yield boundary
        boundary = model.boundaries[boundary].parent


def _networks(model: Model, component_id: str) -> list[Network]:
    """The address ranges of the innermost boundary around a component that states some."""
    for boundary in boundary_chain(model, model.components[component_id].boundary):
        found = [n for c in model.boundaries[boundary].cidrs if (n := parse_cidr(c)) is not None]
        if found:
            return found
    return []


def on_internet(model: Model, component_id: str) -> bool:
    """A component that sits on the internet: in an `internet` boundary, or a person or outside
    system in no boundary."""
    component = model.components[component_id]
    kinds = {model.boundaries[b].kind for b in boundary_chain(model, component.boundary)}
    if "internet" in kinds:
        return True
    return component.boundary is None and component.service in INTERNET_SERVICES


def is_peer(rule: SecurityGroupRule, model: Model, component_id: str) -> bool | None:
    """Whether the component is the rule's peer: True, False, or None when the model does not
    say enough (a private CIDR, and no `cidrs` on the boundaries around the component)."""
    component = model.components[component_id]
    if rule.security_group is not None:
        return rule.security_group in component.security_groups
    if rule.prefix_list is not None:
        services = PREFIX_LIST_SERVICES.get(rule.prefix_list)
        return None if services is None else component.service in services
    network = parse_cidr(rule.cidr or "")
    if network is None:
        return False
    if is_internet(network):
        return True
    networks = _networks(model, component_id)
    if any(covers(network, inner) for inner in networks):
        return True
    if networks:
        return False
    return False if on_internet(model, component_id) and is_private(network) else None


def rule_admits(rule: SecurityGroupRule, model: Model, component_id: str, port: int | None) -> bool | None:
    """Whether the rule lets the component in on the port (None: the model does not say)."""
    if rule.protocol == "icmp":
        return False  # ICMP has no ports: it carries no flow
    ranges = parse_ports(rule.ports) or ()
    if port is not None and not port_in(port, ranges):
        return False
    return is_peer(rule, model, component_id)
