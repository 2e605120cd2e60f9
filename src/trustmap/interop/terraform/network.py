"""The network side of Terraform resources: subnets (public or not), security-group rules, routes.

A subnet is public when it sets `map_public_ip_on_launch`, or when a route table associated with
it routes to an internet gateway. Rules are read from a security group's `ingress` and `egress`
blocks, from `aws_security_group_rule` and from `aws_vpc_security_group_ingress_rule` /
`_egress_rule`; every address range and group of a rule is one `Rule`.

Read from .tf files, the groups may be stated in the model (`interop/groups.py`): a group's rules
one way are marked not read whole (`Network.unread`) where a rule list is an expression or an
undecided `dynamic` block, a rule's type has no value offline, the group or a rule resource of it
has several instances read as one or an undecided number, or a module not read offline is given
the group (it may add rules). A plan is not stated: a value known only after apply is missing
from it, and a missing address range would drop a rule unseen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from trustmap.interop.network import Direction, Network, PeerKind, Rule, Subnet
from trustmap.interop.paths import UNRESOLVED, literal, literal_port, references
from trustmap.interop.resources import Template, stable_key

__all__ = ["read_network"]

SECURITY_GROUP = "aws_security_group"


def _refs(template: Template, value: Any, type_name: str | None = None) -> list[str]:
    found = references(value, template.resources)
    return [r for r in found if type_name is None or template.type_of(r) == type_name]


def _public_tables(template: Template) -> set[str]:
    gateways = set(template.of_type("aws_internet_gateway"))
    tables: set[str] = set()
    for table in template.of_type("aws_route_table"):
        routes = template.props(table).get("route")
        for route in routes if isinstance(routes, list) else []:
            if isinstance(route, dict) and gateways.intersection(_refs(template, route.get("gateway_id"))):
                tables.add(table)
    for route in template.of_type("aws_route"):
        props = template.props(route)
        if gateways.intersection(_refs(template, props.get("gateway_id"))):
            tables.update(_refs(template, props.get("route_table_id")))
    return tables


def _routed(template: Template, tables: set[str]) -> set[str]:
    routed: set[str] = set()
    for association in template.of_type("aws_route_table_association"):
        props = template.props(association)
        if tables.intersection(_refs(template, props.get("route_table_id"))):
            routed.update(_refs(template, props.get("subnet_id")))
    return routed


def _subnets(template: Template) -> dict[str, Subnet]:
    routed = _routed(template, _public_tables(template))
    found = {}
    for name in template.of_type("aws_subnet"):
        props = template.props(name)
        vpcs = _refs(template, props.get("vpc_id"), "aws_vpc")
        maps_public = literal(props.get("map_public_ip_on_launch"), {}) is True
        why = (
            "map_public_ip_on_launch = true"
            if maps_public
            else ("its route table routes to an internet gateway" if name in routed else None)
        )
        zone = props.get("availability_zone")
        cidr = literal(props.get("cidr_block"), {})
        zone_text = literal(zone, {})
        found[name] = Subnet(
            name=name,
            vpc=vpcs[0] if vpcs else None,
            public=why is not None,
            why_public=why,
            zone=stable_key(zone) if zone is not None and zone_text is not UNRESOLVED else None,
            cidr=cidr if isinstance(cidr, str) else None,
            zone_name=zone_text if isinstance(zone_text, str) and zone_text else None,
        )
    return found


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _own_range(template: Template, value: Any, attribute: str) -> str | None:
    """The address range of the VPC or subnet of the code that `value` names (`aws_vpc.x.cidr_block`
    in a rule's address ranges, read as a reference to the VPC): its `attribute` as written."""
    named = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(named, str) or named not in template.resources:
        return None
    if template.type_of(named) not in ("aws_vpc", "aws_subnet"):
        return None
    cidr = literal(template.props(named).get(attribute), {})
    return cidr if isinstance(cidr, str) else None


def _peers(template: Template, block: Mapping[str, Any], own: str) -> Iterator[tuple[PeerKind, Any]]:
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        for item in _items(block.get(key)):
            resolved = literal(item, {})
            if not isinstance(resolved, str):
                resolved = _own_range(template, item, "ipv6_cidr_block" if "ipv6" in key else "cidr_block")
            yield "cidr", (resolved if isinstance(resolved, str) else item)
    for key in ("security_groups", "source_security_group_id", "referenced_security_group_id"):
        for item in _items(block.get(key)):
            groups = _refs(template, item, SECURITY_GROUP)
            yield ("group", groups[0]) if groups else ("unknown", item)
    itself = block.get("self")
    if itself is True:
        yield "group", own
    elif itself not in (None, False):
        yield "unknown", itself
    for key in ("prefix_list_ids", "prefix_list_id"):
        for item in _items(block.get(key)):
            yield "prefix-list", item


def _rules(
    template: Template,
    group: str,
    direction: Direction,
    block: Mapping[str, Any],
    origin: str,
    origin_path: tuple[str | int, ...],
) -> list[Rule]:
    protocol = literal(block.get("protocol", block.get("ip_protocol", "-1")), {})
    description = block.get("description")
    return [
        Rule(
            group=group,
            direction=direction,
            peer_kind=kind,
            peer=peer,
            ip_protocol=str(protocol).lower() if protocol is not UNRESOLVED else "unknown",
            from_port=literal_port(block.get("from_port"), {}),
            to_port=literal_port(block.get("to_port"), {}),
            description=description if isinstance(description, str) else None,
            origin=origin,
            origin_path=origin_path,
        )
        for kind, peer in _peers(template, block, group)
    ]


_DIRECTIONS: tuple[Direction, ...] = ("ingress", "egress")


def _not_whole(template: Template, name: str) -> str | None:
    """Why a group's or rule resource's rules are not read whole: several instances read as
    one (each may give other values), or a number of instances with no value offline."""
    if name in template.replicas:
        return f"{name} has {template.replicas[name]} instances (count or for_each), read as one"
    unknown = template.unknown.get(name, {})
    for argument in ("count", "for_each"):
        if argument in unknown:
            return f"{name}'s {unknown[argument]}, which has no value offline"
    return None


def _read_rules(
    template: Template, outside: Mapping[str, Any]
) -> tuple[list[Rule], list[str], dict[tuple[str, Direction], str]]:
    rules: list[Rule] = []
    notes: list[str] = []
    unread: dict[tuple[str, Direction], str] = {}

    def not_whole(groups: Iterable[str], directions: Iterable[Direction], why: str | None) -> None:
        for group in groups if why is not None else ():
            for direction in directions:
                unread.setdefault((group, direction), str(why))

    for group in template.of_type(SECURITY_GROUP):
        props = template.props(group)
        not_whole([group], _DIRECTIONS, _not_whole(template, group))
        for direction in _DIRECTIONS:
            blocks = props.get(direction)
            if isinstance(blocks, dict):
                notes.append(f"the {direction} rules of {group} are an expression; read them by hand")
                not_whole([group], [direction], f"its {direction} blocks are an expression")
                continue
            for index, block in enumerate(_items(blocks)):
                if isinstance(block, dict):
                    origin = f"{group}.{direction}[{index}]"
                    path = ("Properties", direction, index)
                    rules.extend(_rules(template, group, direction, block, origin, path))
                else:
                    not_whole([group], [direction], f"its {direction} block {index + 1} is an expression")
    for name in template.of_type("aws_security_group_rule"):
        props = template.props(name)
        groups = _refs(template, props.get("security_group_id"), SECURITY_GROUP)
        kind = literal(props.get("type"), {})
        if groups and kind not in ("ingress", "egress"):
            not_whole(groups, _DIRECTIONS, f"{name}: its type has no value offline")
            notes.append(f"{name}: its type has no value offline; read it by hand")
            continue
        if not groups:
            notes.append(f"{name} names a security group outside the configuration; read it by hand")
            continue
        stated: Direction = "ingress" if kind == "ingress" else "egress"
        not_whole(groups, [stated], _not_whole(template, name))
        rules.extend(_rules(template, groups[0], stated, props, name, ("Properties",)))
    for way in _DIRECTIONS:
        type_name = f"aws_vpc_security_group_{way}_rule"
        for name in template.of_type(type_name):
            props = template.props(name)
            groups = _refs(template, props.get("security_group_id"), SECURITY_GROUP)
            if not groups:
                notes.append(f"{name} names a security group outside the configuration; read it by hand")
                continue
            not_whole(groups, [way], _not_whole(template, name))
            rules.extend(_rules(template, groups[0], way, props, name, ("Properties",)))
    for module, inputs in outside.items():
        given = _refs(template, inputs, SECURITY_GROUP)
        not_whole(given, _DIRECTIONS, f"{module}, not read offline, is given it and may add rules")
    return rules, notes, unread


def _nat_routes(template: Template) -> list[tuple[str, str]]:
    gateways = sorted(template.of_type("aws_internet_gateway"))
    routed = _routed(template, _public_tables(template))
    found: list[tuple[str, str]] = []
    for nat in template.of_type("aws_nat_gateway"):
        subnets = _refs(template, template.props(nat).get("subnet_id"))
        if routed.intersection(subnets) or (subnets and len(gateways) == 1):
            found.extend((nat, gateway) for gateway in gateways)
    return found


def read_network(
    template: Template, *, states_groups: bool = False, outside: Mapping[str, Any] | None = None
) -> Network:
    """The subnets, rules and NAT routes; `states_groups` for .tf files (not a plan), with the
    inputs of the modules not read offline (`outside`: module address -> its arguments)."""
    rules, notes, unread = _read_rules(template, outside or {})
    return Network(
        subnets=_subnets(template),
        rules=rules,
        notes=notes,
        routes=_nat_routes(template),
        unread=unread,
        # inline egress blocks replace the group's egress (Terraform removes AWS's allow-all rule)
        egress_given={g for g in template.of_type(SECURITY_GROUP) if template.props(g).get("egress")},
        outside_names="variables, data sources or modules not read",
        no_egress="no egress blocks of its own (standalone egress rules alone are not stated)",
        states_groups=states_groups,
    )
