"""The network side of Terraform resources: subnets (public or not), security-group rules, routes.

A subnet is public when it sets `map_public_ip_on_launch`, or when a route table associated with
it routes to an internet gateway. Rules are read from a security group's `ingress` and `egress`
blocks, from `aws_security_group_rule` and from `aws_vpc_security_group_ingress_rule` /
`_egress_rule`; every address range and group of a rule is one `Rule`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


def _peers(template: Template, block: Mapping[str, Any], own: str) -> Iterator[tuple[PeerKind, Any]]:
    for key in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        for item in _items(block.get(key)):
            resolved = literal(item, {})
            yield "cidr", (resolved if isinstance(resolved, str) else item)
    for key in ("security_groups", "source_security_group_id", "referenced_security_group_id"):
        for item in _items(block.get(key)):
            groups = _refs(template, item, SECURITY_GROUP)
            yield ("group", groups[0]) if groups else ("unknown", item)
    if block.get("self") is True:
        yield "group", own
    for key in ("prefix_list_ids", "prefix_list_id"):
        for item in _items(block.get(key)):
            yield "prefix-list", item


def _rules(
    template: Template, group: str, direction: Direction, block: Mapping[str, Any], origin: str
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
            origin_path=(),
        )
        for kind, peer in _peers(template, block, group)
    ]


def _read_rules(template: Template) -> tuple[list[Rule], list[str]]:
    rules: list[Rule] = []
    notes: list[str] = []
    for group in template.of_type(SECURITY_GROUP):
        props = template.props(group)
        for key in ("ingress", "egress"):
            blocks = props.get(key)
            direction: Direction = "ingress" if key == "ingress" else "egress"
            if isinstance(blocks, dict):
                notes.append(f"the {key} rules of {group} are an expression; read them by hand")
                continue
            for index, block in enumerate(_items(blocks)):
                if isinstance(block, dict):
                    rules.extend(_rules(template, group, direction, block, f"{group}.{key}[{index}]"))
    for name in template.of_type("aws_security_group_rule"):
        props = template.props(name)
        groups = _refs(template, props.get("security_group_id"), SECURITY_GROUP)
        kind = literal(props.get("type"), {})
        if not groups or kind not in ("ingress", "egress"):
            notes.append(f"{name} names a security group outside the configuration; read it by hand")
            continue
        rules.extend(_rules(template, groups[0], "ingress" if kind == "ingress" else "egress", props, name))
    for type_name, direction in (
        ("aws_vpc_security_group_ingress_rule", "ingress"),
        ("aws_vpc_security_group_egress_rule", "egress"),
    ):
        for name in template.of_type(type_name):
            props = template.props(name)
            groups = _refs(template, props.get("security_group_id"), SECURITY_GROUP)
            if not groups:
                notes.append(f"{name} names a security group outside the configuration; read it by hand")
                continue
            rules.extend(_rules(template, groups[0], direction, props, name))
    return rules, notes


def _nat_routes(template: Template) -> list[tuple[str, str]]:
    gateways = sorted(template.of_type("aws_internet_gateway"))
    routed = _routed(template, _public_tables(template))
    found: list[tuple[str, str]] = []
    for nat in template.of_type("aws_nat_gateway"):
        subnets = _refs(template, template.props(nat).get("subnet_id"))
        if routed.intersection(subnets) or (subnets and len(gateways) == 1):
            found.extend((nat, gateway) for gateway in gateways)
    return found


def read_network(template: Template) -> Network:
    rules, notes = _read_rules(template)
    return Network(subnets=_subnets(template), rules=rules, notes=notes, routes=_nat_routes(template))
