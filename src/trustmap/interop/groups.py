"""The security groups of the code, stated in the model (format 1.2), and who uses them.

A component that lists its security groups, each written with `ingress`, tells the engine that
these rules are every way in: it judges their open ports (`sensitive-port-open-to-internet`), a
rule no flow needs, a flow no rule admits (W310). So nothing is written that the code does not
give whole:

- a component lists its groups only when every group each of its resources uses is a group of
  the code, named without an expression that has no value offline (a parameter without
  default, an import, an undecided `Fn::If`), the same for all its resources, and its service
  adds no group of its own (`groups_incomplete` in the table);
- a group writes `ingress` only when every ingress rule the code gives it was read and has a
  value (peer, protocol, ports), none exists under an undecided condition, and every group a
  rule names is listed by all its members (else the engine could not tell who the rule admits);
- it writes `egress` likewise, and only when the code gives its whole egress (`egress_given`):
  otherwise the format reads it as not said, which is what the code says;
- a group is written when a component lists it or a written rule names it. A group written
  without `ingress` still says who its members are: the engine then judges no ingress for them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from trustmap.interop.build import Build
from trustmap.interop.model_writer import Entry
from trustmap.interop.names import slugify
from trustmap.interop.network import Direction, Rule, ip_protocol_name
from trustmap.interop.paths import UNRESOLVED, literal

__all__ = ["StatedGroups", "state_groups"]

#: a rule's protocol by name (`network.ip_protocol_name`) -> the model's `protocol`
PROTOCOLS = {"-1": "all", "all": "all", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmp"}
MAX_PORT = 65535


@dataclass
class StatedGroups:
    """What the draft writes: the groups' entries, each component's groups, and comments."""

    #: group id -> its entry in the model's `security_groups`, in the order of the code
    entries: dict[str, Entry] = field(default_factory=dict)
    #: component id -> the ids of its groups
    of_component: dict[str, list[str]] = field(default_factory=dict)
    #: component id -> why its groups are not listed
    comments: dict[str, list[str]] = field(default_factory=dict)


def _ports(rule: Rule) -> int | str | None:
    """The rule's ports as the model writes them; None when the code gives none."""
    low, high = rule.from_port, rule.to_port
    if low is None or high is None:
        return None
    if low == -1 or (low <= 1 and high == MAX_PORT):
        return "all"
    if low == high and 0 < low <= MAX_PORT:
        return low
    if 0 < low < high <= MAX_PORT:
        return f"{low}-{high}"
    return None


def _peer(rule: Rule, ids: dict[str, str]) -> dict[str, str] | None:
    """The rule's peer as the model writes it (`ids`: the groups a rule may name); None when it
    cannot be written."""
    if rule.peer_kind == "cidr" and isinstance(rule.peer, str):
        try:  # the model wants no host bits: 10.0.0.1/16 admits 10.0.0.0/16
            return {"cidr": str(ipaddress.ip_network(rule.peer, strict=False))}
        except ValueError:
            return None
    if rule.peer_kind == "group" and rule.peer in ids:
        return {"security_group": ids[rule.peer]}
    if rule.peer_kind == "prefix-list":
        named = literal(rule.peer, {})
        return {"prefix_list": named} if isinstance(named, str) and named is not UNRESOLVED else None
    return None


def _why_not(rule: Rule, ids: dict[str, str]) -> str | None:
    """Why a rule cannot be written (None: it can)."""
    protocol = PROTOCOLS.get(ip_protocol_name(rule.ip_protocol))
    if protocol is None:
        return f"its protocol ({rule.ip_protocol}) has no value offline or no name in the model"
    if protocol in ("tcp", "udp") and _ports(rule) is None:
        return "its ports have no value offline"
    if _peer(rule, ids) is None:
        if rule.peer_kind == "group":
            return f"not every member of security group {rule.peer} lists its groups"
        return f"it names {rule.peer_text}, which the code does not resolve"
    return None


def _rule_fields(rule: Rule, ids: dict[str, str]) -> dict[str, Any]:
    protocol = PROTOCOLS[ip_protocol_name(rule.ip_protocol)]
    fields: dict[str, Any] = dict(_peer(rule, ids) or {})
    fields["ports"] = _ports(rule) if protocol in ("tcp", "udp") else "all"
    if protocol != "tcp":
        fields["protocol"] = protocol
    if rule.description:
        fields["description"] = rule.description
    return fields


def _holder(rule: Rule) -> str:
    """The resource that holds the rule: its group (inline), or a rule resource of its own."""
    return rule.group if len(rule.origin_path) > 1 else rule.origin


def _listing(build: Build) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Component id -> its groups, for the components that can list them; and why the others
    cannot."""
    template, mapping = build.template, build.mapping
    kind = mapping.network.security_group
    listed: dict[str, list[str]] = {}
    why: dict[str, str] = {}
    for component in build.components.values():
        found: list[list[str]] = []
        reason = incomplete = None
        for name, type_name in component.sources:
            entry = mapping.resources[type_name]
            incomplete = incomplete or entry.groups_incomplete
            attached = list(template.attached(name, entry.attached_by))
            through = [
                r
                for source in [name, *attached]
                for r in template.placed_through(source, mapping, "security_groups", kind)
            ]
            if incomplete:
                reason = incomplete
            elif any(template.unresolved_placement(r, mapping, "security_groups") for r in through):
                reason = (
                    f"{name} names security groups that are not in the code ({build.network.outside_names})"
                )
            elif hop := next(
                (
                    r
                    for r in through
                    if r not in (name, *attached)
                    and not template.states_placement(r, mapping, "security_groups")
                ),
                None,
            ):  # a resource of the code that is not a group stated here (a VPC's default group)
                reason = (
                    f"{name} names {hop} ({template.type_of(hop)}), which is not a security group of the code"
                )
            elif any(template.conditional_at(r, mapping, "security_groups") for r in through):
                reason = f"{name}'s security groups depend on a condition"
            found.append(build.groups_of(name, type_name))
        if not any(found):
            if reason is not None and not incomplete:  # it names groups, none of them in the code
                why[component.id] = reason
            continue
        if reason is None and any(set(groups) != set(found[0]) for groups in found):
            reason = "its resources use different security groups"
        if reason is None:
            listed[component.id] = found[0]
        else:
            why[component.id] = reason
    return listed, why


def _reasons(build: Build, direction: Direction, peers: dict[str, str]) -> dict[str, str]:
    """Group -> why its rules one way are not written."""
    network, template = build.network, build.template
    why: dict[str, str] = {}
    for group in template.of_type(build.mapping.network.security_group):
        if (group, direction) in network.unread:
            why[group] = network.unread[(group, direction)]
        elif direction == "egress" and group not in network.egress_given:
            why[group] = network.no_egress
        elif group in template.undecided:
            why[group] = f"it {template.conditional[group]}"
    for rule in network.rules:
        if rule.direction != direction or rule.group in why:
            continue
        holder = _holder(rule)
        reason = _why_not(rule, peers)
        if reason is None and holder in template.undecided:
            reason = f"it {template.conditional[holder]}"
        if reason is not None:
            why[rule.group] = f"{rule.origin}: {reason}"
    return why


def state_groups(build: Build) -> StatedGroups:
    """The groups of a finished build that the model can state, and which components list them."""
    template = build.template
    found = StatedGroups()
    if not build.network.states_groups:
        return found
    groups = template.of_type(build.mapping.network.security_group)
    listed, not_listed = _listing(build)
    # a rule may name a group whose every member lists its groups: the engine then knows who it admits
    peers = {g: g for g in groups if all(m in listed for m in build.members.get(g, []))}
    missing = {d: _reasons(build, d, peers) for d in ("ingress", "egress")}
    used = {g for groups_of in listed.values() for g in groups_of}
    while True:  # and the groups the written rules name, and the ones theirs name
        named = {
            str(r.peer)
            for r in build.network.rules
            if r.group in used and r.group not in missing[r.direction] and r.peer_kind == "group"
        }
        if named <= used:
            break
        used |= named
    ids = {g: build.ids.take(slugify(template.labels.get(g, g), "sg")) for g in groups if g in used}
    for group, group_id in ids.items():
        found.entries[group_id] = _entry(build, group, ids, missing)
    for component_id, groups_of in listed.items():
        found.of_component[component_id] = [ids[g] for g in groups_of]
    for component_id, reason in not_listed.items():
        found.comments[component_id] = [f"security_groups not written: {reason}"]
    return found


def _entry(build: Build, group: str, ids: dict[str, str], missing: dict[str, dict[str, str]]) -> Entry:
    template, mapping = build.template, build.mapping
    fields: dict[str, Any] = {"name": group}
    vpcs = template.placed_in(group, mapping, "vpc", mapping.network.vpc)
    if vpcs and vpcs[0] in build.boundary_of:
        fields["boundary"] = build.boundary_of[vpcs[0]]
    entry = Entry(fields, comments=[f"{template.source}: {group} ({template.type_of(group)})"])
    for direction in ("ingress", "egress"):
        reason = missing[direction].get(group)
        if reason is not None:
            entry.comments.append(f"{direction} not written: {reason}")
            continue
        rules = [r for r in build.network.rules if r.group == group and r.direction == direction]
        fields[direction] = [_rule_fields(r, ids) for r in rules]
        others = sorted({_holder(r) for r in rules if _holder(r) != group})
        defaults = sorted({p for r in rules for p in _parameters(build, r)})
        notes = [f"with {', '.join(others)}"] if others else []
        notes += [f"the default of parameter {p}" for p in defaults]
        notes += [f"{h} {template.conditional[h]}" for h in [group, *others] if h in template.conditional]
        if notes:
            entry.trailing[direction] = "; ".join(notes)
    return entry


def _parameters(build: Build, rule: Rule) -> list[str]:
    """The parameters whose defaults give the rule's values."""
    value: Any = build.template.resources[_holder(rule)]
    for part in rule.origin_path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return []
    if not isinstance(value, dict):
        return []
    return [
        str(v["Ref"])
        for v in value.values()
        if isinstance(v, dict) and set(v) == {"Ref"} and v["Ref"] in build.template.parameters
    ]
