"""Addresses and ports as security group rules and boundaries write them (format 1.2).

Pure parsing and set arithmetic over `ipaddress` networks and port ranges: validation uses it to
reject what does not parse (E222), the graph to match rules to places and flows.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = [
    "ALL_PORTS",
    "Network",
    "PortRange",
    "covers",
    "is_internet",
    "is_private",
    "overlaps_private",
    "parse_cidr",
    "parse_ports",
    "port_in",
    "ports_text",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: an inclusive range of ports
PortRange = tuple[int, int]
ALL_PORTS: tuple[PortRange, ...] = ((0, 65535),)


def parse_cidr(text: str) -> Network | None:
    """`10.0.0.0/16` as a network; None when it does not parse (host bits set included)."""
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None


def is_internet(network: Network) -> bool:
    """`0.0.0.0/0` or `::/0`: anyone."""
    return network.prefixlen == 0


#: address space that is never routed on the internet: RFC 1918, shared (RFC 6598), loopback,
#: link-local, unique local (documentation ranges are public addresses in models)
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def is_private(network: Network) -> bool:
    """Inside private address space (RFC 1918, shared, link-local, unique local)."""
    return any(covers(private, network) for private in _PRIVATE)


def overlaps_private(network: Network) -> bool:
    """Some private address lies inside it (0.0.0.0/0 does)."""
    return any(network.version == p.version and network.overlaps(p) for p in _PRIVATE)


def covers(outer: Network, inner: Network) -> bool:
    """Whether every address of `inner` is in `outer` (False across IP versions)."""
    if outer.version != inner.version:
        return False
    return inner.subnet_of(outer)  # type: ignore[arg-type]


def parse_ports(value: str | Sequence[int | str]) -> tuple[PortRange, ...] | None:
    """`all`, or a list of ports and "from-to" ranges, as sorted ranges; None when one does not
    parse or is outside 1..65535."""
    if value == "all" or list(value) == ["all"]:
        return ALL_PORTS
    if isinstance(value, str):
        return None
    ranges: list[PortRange] = []
    for item in value:
        if isinstance(item, bool):
            return None
        if isinstance(item, int):
            low = high = item
        else:
            first, dash, second = item.partition("-")
            if not dash or not first.strip().isdigit() or not second.strip().isdigit():
                return None
            low, high = int(first), int(second)
        if not 1 <= low <= high <= 65535:
            return None
        ranges.append((low, high))
    return tuple(sorted(set(ranges)))


def port_in(port: int, ranges: Iterable[PortRange]) -> bool:
    return any(low <= port <= high for low, high in ranges)


def ports_text(ranges: Sequence[PortRange]) -> str:
    """`443`, `1024-65535`, `all ports`, as a rule would be read aloud."""
    if tuple(ranges) == ALL_PORTS:
        return "all ports"
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges)
