"""Whether the internet can reach a resource: a security group admits, it does not route.

A rule open to `0.0.0.0/0` lets anyone in only where a packet from the internet can arrive: the
resource has a public address (its scheme or `PubliclyAccessible` says so, an Elastic IP, or a
subnet that maps public addresses on launch) and its subnet routes to an internet gateway. Where
the code does not say (a subnet passed as a parameter), the answer is None, and the importer
asks instead of drawing the flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from trustmap.interop.network import Subnet

__all__ = ["Exposure", "Placement", "exposure"]


@dataclass(frozen=True)
class Exposure:
    reachable: bool | None  # None: the code does not say
    why: str


@dataclass(frozen=True)
class Placement:
    """What the build knows of where a resource sits and how it is addressed."""

    name: str
    subnets: list[Subnet]
    #: it names subnets outside the code (parameters, imports)
    unresolved: bool
    #: it sits in a VPC (of the code, or named by a subnet)
    in_vpc: bool
    #: its `internet_facing` as its properties state it, and from where
    facing: bool | None
    facing_origin: str | None
    #: how it gets a public address where its properties do not say (the mapping table's)
    public_address: Literal["subnet", "never"] | None
    #: what gives it a public address (an Elastic IP, a launch configuration)
    given: tuple[str, ...] = ()


def exposure(place: Placement) -> Exposure:
    """Whether the internet reaches the resource, and why."""
    if place.facing is False:
        return Exposure(False, f"it is not internet facing ({place.facing_origin})")
    if place.facing or place.given:
        why = ", ".join(place.given) if place.given else f"internet facing ({place.facing_origin})"
        if place.subnets and all(s.routed is False for s in place.subnets):
            return Exposure(False, f"{why}, but its subnets have no route to an internet gateway")
        return Exposure(True, why)
    if place.public_address == "never":
        return Exposure(False, f"{place.name} has no public address of its own")
    if place.subnets:
        return _by_subnets(place)
    if place.unresolved:
        return Exposure(None, f"{place.name}'s subnets are outside the template")
    if place.public_address == "subnet" and not place.in_vpc:
        return Exposure(
            True,
            f"{place.name} names no subnet: it launches in the default VPC, whose subnets give "
            "public addresses and route to its internet gateway",
        )
    return Exposure(None, f"the template does not say whether {place.name} has a public address")


def _by_subnets(place: Placement) -> Exposure:
    routed = [s for s in place.subnets if s.routed is not False]
    if not routed:
        names = ", ".join(s.name for s in place.subnets)
        return Exposure(False, f"its subnets ({names}) have no route to an internet gateway")
    unread = [s for s in routed if s.public and s.public_ip_on_launch is None]
    if unread and place.public_address is None:  # a wing that reads no addresses: the subnet decides
        return Exposure(True, f"subnet {unread[0].name} is public ({unread[0].why_public})")
    if place.public_address == "subnet":
        mapping = [s for s in routed if s.public_ip_on_launch is not False and s.public]
        if mapping:
            chosen = mapping[0]
            why = f"subnet {chosen.name} gives public addresses and is public ({chosen.why_public})"
            return Exposure(True, why)
        return Exposure(False, f"{place.name} gets no public address in its subnets ({routed[0].name})")
    return Exposure(None, f"the template does not say whether {place.name} has a public address")
