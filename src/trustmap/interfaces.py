"""What a component exposes, inferred from the requests that reach it (format 1.2).

A component that runs the customer's code and does not write `interfaces` gets them from its
callers, found by following flows back, in the request direction, through components that
forward requests (load balancers, CDNs, gateways): people over HTTP make a web UI, an API
gateway or an outside system makes an API, queues and storage make batch work. A bucket that
people or outside systems write to receives uploads. docs/model-format.md, "Interfaces".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Caller", "Hop", "Node", "callers", "infer"]

_API_GATEWAYS = frozenset({"api-gateway", "appsync"})
_WEB = frozenset({"http", "https"})
_QUEUE_KINDS = frozenset({"messaging", "datastore"})
_SCHEDULERS = frozenset(
    {"eventbridge", "step-functions", "sqs", "sns", "kinesis", "msk", "mq", "s3", "dynamodb"}
)
_UPLOAD_TARGETS = frozenset({"s3", "efs"})


@dataclass(frozen=True, slots=True)
class Node:
    """What inference needs of a component."""

    id: str
    service: str
    kind: str  # the catalog's service kind
    forwards: bool
    runs_code: bool
    trust: int
    stated: tuple[str, ...] | None  # `interfaces` as written


@dataclass(frozen=True, slots=True)
class Hop:
    """A data flow in its request direction."""

    source: str
    target: str
    protocol: str
    regulations: frozenset[str]


@dataclass(frozen=True, slots=True)
class Caller:
    """Where a request that reaches a component starts, and how it gets there."""

    origin: str
    protocol: str  # of the first hop
    through_api: bool
    regulations: frozenset[str]  # carried on the way


def callers(node: str, nodes: Mapping[str, Node], into: Mapping[str, list[Hop]]) -> tuple[Caller, ...]:
    """The origins of the requests that reach `node`, through forwarding components."""
    found: set[Caller] = set()
    seen = {node}
    queue: deque[tuple[str, bool, frozenset[str]]] = deque([(node, False, frozenset())])
    while queue:
        current, through_api, carried = queue.popleft()
        for hop in sorted(into.get(current, ()), key=lambda h: (h.source, h.protocol)):
            source = nodes[hop.source]
            regulations = carried | hop.regulations
            if source.forwards and source.id not in seen:
                seen.add(source.id)
                queue.append((source.id, through_api or source.service in _API_GATEWAYS, regulations))
            elif not source.forwards:
                found.add(Caller(source.id, hop.protocol, through_api, regulations))
    return tuple(sorted(found, key=lambda c: (c.origin, c.protocol, c.through_api)))


def infer(node: Node, found: Iterable[Caller], nodes: Mapping[str, Node]) -> tuple[str, ...]:
    """The interfaces of a component: as written, or inferred from its callers."""
    if node.stated is not None:
        return tuple(sorted(set(node.stated)))
    found = list(found)
    services = {c.origin: nodes[c.origin].service for c in found}
    interfaces: set[str] = set()
    if node.kind == "datastore" and node.service in _UPLOAD_TARGETS:
        if any(services[c.origin] in ("actor", "external-system") for c in found):
            interfaces.add("file-upload")
        return tuple(sorted(interfaces))
    if not node.runs_code:
        return ()
    for caller in found:
        service = services[caller.origin]
        if caller.through_api or service == "external-system":
            interfaces.add("api")
        elif service == "actor" and caller.protocol in _WEB:
            interfaces.add("web-ui")
            if "pci-dss" in caller.regulations:
                interfaces.add("payment-page")
    queued = all(nodes[c.origin].kind in _QUEUE_KINDS or services[c.origin] in _SCHEDULERS for c in found)
    if not interfaces and queued:
        interfaces.add("batch")
    return tuple(sorted(interfaces))
