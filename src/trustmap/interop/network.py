"""The network facts an importer reads from infrastructure code, in one shape for every wing.

A wing (CloudFormation, Terraform) reads its own resources into `Subnet`s and security-group
`Rule`s; the shared build turns them into boundaries and flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from trustmap.interop.paths import UNRESOLVED

__all__ = [
    "IP_PROTOCOL_NUMBERS",
    "Direction",
    "EntryPoint",
    "Network",
    "PeerKind",
    "Reference",
    "Rule",
    "Subnet",
    "describe_value",
    "ip_protocol_name",
]

Direction = Literal["ingress", "egress"]
#: `resource`: a resource of the template stands for the peer (a classic ELB's own source group)
PeerKind = Literal["group", "cidr", "prefix-list", "resource", "unknown"]


@dataclass(frozen=True)
class Subnet:
    name: str
    vpc: str | None
    public: bool
    why_public: str | None
    zone: str | None  # a stable text form of the availability zone, for telling zones apart
    cidr: str | None
    #: the zone's name as architects write it (`eu-west-1a`, or `a` for the first of GetAZs)
    zone_name: str | None = None
    #: its route table leads to an internet gateway; None: the code does not say
    routed: bool | None = None
    #: instances launched in it get a public address; None: the wing does not read it
    public_ip_on_launch: bool | None = None


#: IANA protocol numbers a rule may give instead of a name (`IpProtocol: 6`), by their names
IP_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def ip_protocol_name(written: str) -> str:
    """A rule's protocol by name: `6` -> tcp; `-1`, a name or an unknown number as written."""
    return IP_PROTOCOL_NUMBERS.get(written, written)


@dataclass(frozen=True)
class Rule:
    """One security-group rule: traffic from `peer` into `group` (or out of it, for egress)."""

    group: str
    direction: Direction
    peer_kind: PeerKind
    peer: Any  # a group's resource name, an address range, or the expression that names it
    ip_protocol: str
    from_port: int | None
    to_port: int | None
    description: str | None
    origin: str  # the resource that holds the rule, and where in it
    origin_path: tuple[str | int, ...]

    @property
    def peer_text(self) -> str:
        if self.peer_kind == "group":
            return f"security group {self.peer}"
        if self.peer_kind == "resource":
            return f"the security group of {self.peer}"
        what = {"cidr": "", "prefix-list": "prefix list "}.get(self.peer_kind, "security group ")
        return what + describe_value(self.peer)


@dataclass(frozen=True)
class EntryPoint:
    """A protocol and port the internet reaches a public endpoint on, as the code states it."""

    protocol: str
    port: int | None
    reason: str
    description: str | None = None


@dataclass(frozen=True)
class Reference:
    """A flow a wing reads itself, where one path per type is not enough (a distribution's
    origins, each with its own protocol)."""

    source: str
    target: str  # a resource, or a relation standing for its members
    protocol: str
    port: int | None
    name: str
    reason: str


@dataclass
class Network:
    """What a wing read: subnets by resource name, the rules, and notes on what it could not read."""

    subnets: dict[str, Subnet] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: (NAT gateway, internet gateway) resource names joined by routing: route flows
    routes: list[tuple[str, str]] = field(default_factory=list)
    #: resource -> (resource, how) that give it a public address: an Elastic IP, a launch
    #: configuration that asks for one
    public_addresses: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: resource -> its entry points, where the wing reads them (else the mapping table's)
    entry_points: dict[str, list[EntryPoint]] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    #: (security group, direction) -> why not all its rules that way were read (a rule list
    #: that is an expression)
    unread: dict[tuple[str, Direction], str] = field(default_factory=dict)
    #: groups whose code gives their whole egress (CloudFormation's inline
    #: `SecurityGroupEgress` replaces the default rule that allows all outbound traffic)
    egress_given: set[str] = field(default_factory=set)
    #: what names a group outside the code, in the wing's words
    outside_names: str = "parameters or imports"
    #: why a group's egress is not stated when its code gives none of its own
    no_egress: str = "no egress rules of its own (the default rule allows all outbound traffic)"
    #: the wing reads every rule its code gives a group, so the model may state the groups
    #: (`interop/groups.py`): CloudFormation, and Terraform's .tf files (not a plan)
    states_groups: bool = False


def describe_value(value: Any) -> str:
    """A short text for a literal or an expression (`parameter X` for a `Ref`)."""
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "Ref":
            return f"parameter {inner}"
        if key == "Fn::GetAtt" and isinstance(inner, list):
            return f"{'.'.join(str(i) for i in inner)}"
        if key == "Fn::ImportValue":
            return f"the import {describe_value(inner)}"
        if key == "Fn::Sub":
            body = inner[0] if isinstance(inner, list) and inner else inner
            return f"'{body}'"
        if key == "Fn::Unresolved":
            text = inner[0] if isinstance(inner, list) and inner else inner
            return f"the expression {text}"
        return f"{key} {inner}"
    return str(value) if value is not None and value is not UNRESOLVED else "an expression"
