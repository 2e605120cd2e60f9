"""The network side of a template: VPCs, subnets (public or not) and security-group rules.

A subnet is public when a route table associated with it has a route to an internet gateway,
or, where the template does not say how it is routed, when it sets `MapPublicIpOnLaunch: true`.
Every ingress rule of every security group is read, inline (`SecurityGroupIngress` lists) or
standalone (`AWS::EC2::SecurityGroupIngress`), as are egress rules that name another security
group; each becomes a `Rule` that the flow builder turns into flows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trustmap.interop.cloudformation.cloudfront import read_distributions
from trustmap.interop.network import Direction, Network, PeerKind, Rule, Subnet
from trustmap.interop.paths import UNRESOLVED, literal, literal_port, references
from trustmap.interop.resources import Template, stable_key

__all__ = ["read_network", "read_rules", "read_subnets", "zone_name"]

VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"
NAT_GATEWAY = "AWS::EC2::NatGateway"
CLASSIC_ELB = "AWS::ElasticLoadBalancing::LoadBalancer"
INSTANCE = "AWS::EC2::Instance"


def _gateways_routes(template: Template) -> tuple[set[str], set[str]]:
    """Route tables with a route to an internet gateway of the template, and route tables with
    a route to a gateway the template does not hold (a parameter, an import)."""
    gateways = set(template.of_type(INTERNET_GATEWAY))
    tables: set[str] = set()
    unknown: set[str] = set()
    for route in template.of_type("AWS::EC2::Route"):
        props = template.props(route)
        named = references(props.get("RouteTableId"), template.resources)
        target = props.get("GatewayId")
        if gateways.intersection(references(target, template.resources)):
            tables.update(named)
        elif target is not None and not references(target, template.resources) and target != "local":
            unknown.update(named)
    return tables, unknown


def _associations(template: Template) -> dict[str, set[str]]:
    """Subnet -> the route tables associated with it in the template."""
    found: dict[str, set[str]] = {}
    for association in template.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        props = template.props(association)
        tables = set(references(props.get("RouteTableId"), template.resources))
        for subnet in references(props.get("SubnetId"), template.resources):
            found.setdefault(subnet, set()).update(tables)
    return found


def _routed(tables: set[str] | None, has_vpc: bool, public: set[str], unknown: set[str]) -> bool | None:
    """Whether a subnet's route table leads to an internet gateway. Without an association of
    the template, a subnet of a VPC of the template uses the VPC's main table, which only routes
    within the VPC (a template cannot add routes to it); of another VPC, nobody here knows."""
    if tables is None:
        return False if has_vpc else None
    if tables & public:
        return True
    return None if tables & unknown else False


def read_subnets(template: Template) -> dict[str, Subnet]:
    """Every subnet of the template, with its VPC, its routing and whether it is public: routed
    to an internet gateway, or mapping public addresses where the routing is not known."""
    public_tables, unknown_tables = _gateways_routes(template)
    associations = _associations(template)
    subnets = {}
    for name in template.of_type(SUBNET):
        props = template.props(name)
        vpcs = [r for r in references(props.get("VpcId"), template.resources) if template.type_of(r) == VPC]
        maps_public = literal(props.get("MapPublicIpOnLaunch"), template.parameters) in (True, "true", "True")
        routed = _routed(associations.get(name), bool(vpcs), public_tables, unknown_tables)
        why = (
            "its route table has a route to an internet gateway"
            if routed
            else ("MapPublicIpOnLaunch: true" if maps_public and routed is None else None)
        )
        zone = props.get("AvailabilityZone")
        cidr = literal(props.get("CidrBlock"), template.parameters)
        if zone is None and "AvailabilityZoneId" in props:
            zone = props.get("AvailabilityZoneId")
        subnets[name] = Subnet(
            name=name,
            vpc=vpcs[0] if vpcs else None,
            public=why is not None,
            why_public=why,
            zone=stable_key(zone) if zone is not None else None,
            cidr=cidr if isinstance(cidr, str) else None,
            zone_name=zone_name(zone, template.parameters),
            routed=routed,
            public_ip_on_launch=maps_public,
        )
    return subnets


def _own_range(template: Template, value: Any) -> str | None:
    """The address range `!GetAtt X.CidrBlock` names, X a VPC or subnet of the template that
    states its `CidrBlock` (a rule that admits the VPC's own range, as templates often write)."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) and len(value) == 1 else None
    parts = target.split(".", 1) if isinstance(target, str) else target
    if not isinstance(parts, list) or len(parts) != 2 or parts[1] != "CidrBlock":
        return None
    name = str(parts[0])
    if name not in template.resources or template.type_of(name) not in (VPC, SUBNET):
        return None
    cidr = literal(template.props(name).get("CidrBlock"), template.parameters)
    return cidr if isinstance(cidr, str) else None


def _rule(
    template: Template,
    group: str,
    direction: Direction,
    entry: Mapping[str, Any],
    origin: str,
    origin_path: tuple[str | int, ...],
) -> Rule:
    params = template.parameters
    peer_key = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    name_key = "SourceSecurityGroupName" if direction == "ingress" else None
    prefix_key = "SourcePrefixListId" if direction == "ingress" else "DestinationPrefixListId"
    peer_kind: PeerKind = "unknown"
    peer: Any = None
    for key in (peer_key, name_key):
        if key and key in entry:
            named = references(entry[key], template.resources)
            groups = [r for r in named if template.type_of(r) == SECURITY_GROUP]
            balancers = [r for r in named if template.type_of(r) == CLASSIC_ELB]
            if groups:
                peer_kind, peer = "group", groups[0]
            elif balancers:  # !GetAtt Elb.SourceSecurityGroup.GroupName: the balancer's own group
                peer_kind, peer = "resource", balancers[0]
            else:
                peer_kind, peer = "unknown", entry[key]
            break
    else:
        for key in ("CidrIp", "CidrIpv6"):
            if key in entry:
                resolved = literal(entry[key], params)
                if not isinstance(resolved, str):
                    resolved = _own_range(template, entry[key])
                peer_kind, peer = "cidr", (resolved if isinstance(resolved, str) else entry[key])
                break
        else:
            if prefix_key in entry:
                peer_kind, peer = "prefix-list", entry[prefix_key]
    protocol = literal(entry.get("IpProtocol", "-1"), params)
    description = entry.get("Description")
    return Rule(
        group=group,
        direction=direction,
        peer_kind=peer_kind,
        peer=peer,
        ip_protocol=str(protocol).lower() if protocol is not UNRESOLVED else "unknown",
        from_port=literal_port(entry.get("FromPort"), params),
        to_port=literal_port(entry.get("ToPort"), params),
        description=description if isinstance(description, str) else None,
        origin=origin,
        origin_path=origin_path,
    )


_DIRECTIONS: tuple[tuple[str, Direction], ...] = (
    ("SecurityGroupIngress", "ingress"),
    ("SecurityGroupEgress", "egress"),
)


def _standalone_group(template: Template, name: str) -> str | None:
    props = template.props(name)
    for key in ("GroupId", "GroupName"):
        groups = [
            r for r in references(props.get(key), template.resources) if template.type_of(r) == SECURITY_GROUP
        ]
        if groups:
            return groups[0]
    return None


def read_rules(template: Template) -> tuple[list[Rule], list[str], dict[tuple[str, Direction], str]]:
    """Every rule of every security group, notes on the ones that could not be read, and why
    not every rule of a group one way was read ((group, direction) -> which rules)."""
    rules: list[Rule] = []
    notes: list[str] = []
    unread: dict[tuple[str, Direction], str] = {}
    for group in template.of_type(SECURITY_GROUP):
        for key, direction in _DIRECTIONS:
            entries = template.props(group).get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                notes.append(f"the {key} of security group {group} is an expression; read its rules by hand")
                unread.setdefault((group, direction), f"its {key} is an expression")
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, dict) and not _is_expression(entry):
                    rules.append(
                        _rule(
                            template,
                            group,
                            direction,
                            entry,
                            f"{group}.{key}[{index}]",
                            ("Properties", key, index),
                        )
                    )
                else:
                    notes.append(f"rule {index + 1} of {group}.{key} is an expression; read it by hand")
                    unread.setdefault((group, direction), f"rule {index + 1} of its {key} is an expression")
    for (_, direction), type_name in zip(
        _DIRECTIONS, ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"), strict=True
    ):
        for name in template.of_type(type_name):
            standalone = _standalone_group(template, name)
            if standalone is None:
                notes.append(
                    f"{name} ({type_name}) names a security group outside the template; read it by hand"
                )
                continue
            rules.append(_rule(template, standalone, direction, template.props(name), name, ("Properties",)))
    return rules, notes, unread


def _is_expression(entry: Mapping[str, Any]) -> bool:
    return len(entry) == 1 and (next(iter(entry)).startswith("Fn::") or next(iter(entry)) == "Ref")


def zone_name(value: Any, parameters: Mapping[str, Any]) -> str | None:
    """The zone's name: a literal (`eu-west-1a`), a parameter's default, or the letter of
    `!Select [i, !GetAZs ...]` (GetAZs lists a region's zones in alphabetical order)."""
    resolved = literal(value, parameters)
    if isinstance(resolved, str) and resolved:
        return resolved
    if isinstance(value, dict) and set(value) == {"Fn::Select"}:
        args = value["Fn::Select"]
        if (
            isinstance(args, list)
            and len(args) == 2
            and isinstance(args[1], dict)
            and "Fn::GetAZs" in args[1]
        ):
            index = literal(args[0], parameters)
            if isinstance(index, int | str) and str(index).isdigit() and int(index) < 26:
                return "abcdefghijklmnopqrstuvwxyz"[int(index)]
    return None


def _nat_routes(template: Template) -> list[tuple[str, str]]:
    """NAT gateways in a subnet whose route table leads to an internet gateway of the template."""
    gateways = set(template.of_type(INTERNET_GATEWAY))
    tables, _ = _gateways_routes(template)
    routed: set[str] = set()
    for association in template.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        props = template.props(association)
        if tables.intersection(references(props.get("RouteTableId"), template.resources)):
            routed.update(references(props.get("SubnetId"), template.resources))
    found: list[tuple[str, str]] = []
    for nat in template.of_type(NAT_GATEWAY):
        subnets = references(template.props(nat).get("SubnetId"), template.resources)
        if routed.intersection(subnets) or (subnets and len(gateways) == 1):
            found.extend((nat, gateway) for gateway in sorted(gateways))
    return found


def _instances_of_interface(template: Template, interface: str) -> list[str]:
    """Instances a network interface is attached to (inline, or by an attachment)."""
    found = [
        i
        for i in template.of_type(INSTANCE)
        if interface in template.refs(i, ["NetworkInterfaces[*].NetworkInterfaceId"])
    ]
    for attachment in template.of_type("AWS::EC2::NetworkInterfaceAttachment"):
        if interface in template.refs(attachment, ["NetworkInterfaceId"]):
            found.extend(template.refs(attachment, ["InstanceId"]))
    return found


def _public_addresses(template: Template) -> dict[str, list[tuple[str, str]]]:
    """Instances (and groups) given a public address: an Elastic IP, through its `InstanceId` or
    an association naming the instance or one of its network interfaces; a launch configuration
    or template that asks for one."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name in template.of_type("AWS::EC2::EIP", "AWS::EC2::EIPAssociation"):
        holders = template.refs(name, ["InstanceId"])
        for interface in template.refs(name, ["NetworkInterfaceId"]):
            holders.extend(_instances_of_interface(template, interface))
        addresses = [
            a for a in template.refs(name, ["AllocationId", "EIP"]) if template.type_of(a) == "AWS::EC2::EIP"
        ]
        for holder in holders:
            found.setdefault(holder, []).extend((n, "an Elastic IP") for n in [name, *addresses])
    launches = template.of_type("AWS::AutoScaling::LaunchConfiguration", "AWS::EC2::LaunchTemplate")
    asked = [
        name
        for name in launches
        for path in (
            "AssociatePublicIpAddress",
            "LaunchTemplateData.NetworkInterfaces[*].AssociatePublicIpAddress",
        )
        if {True, "true", "True"}.intersection(
            v for v in template.literals(name, path) if isinstance(v, bool | str)
        )
    ]
    paths = [
        "LaunchConfigurationName",
        "LaunchTemplate.LaunchTemplateId",
        "LaunchTemplate.LaunchTemplateName",
    ]
    for group in template.of_type("AWS::AutoScaling::AutoScalingGroup", INSTANCE):
        for launch in template.refs(group, paths):
            if launch in asked:
                found.setdefault(group, []).append((launch, "AssociatePublicIpAddress: true"))
    return found


def read_network(template: Template) -> Network:
    """The template's subnets, security-group rules, NAT routes and CloudFront protocols."""
    rules, notes, unread = read_rules(template)
    entry_points, references = read_distributions(template)
    return Network(
        subnets=read_subnets(template),
        rules=rules,
        notes=notes,
        routes=_nat_routes(template),
        entry_points=entry_points,
        references=references,
        public_addresses=_public_addresses(template),
        unread=unread,
        egress_given={
            g for g in template.of_type(SECURITY_GROUP) if template.props(g).get("SecurityGroupEgress")
        },
        states_groups=True,
    )
