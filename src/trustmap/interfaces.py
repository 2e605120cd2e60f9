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
_OUTSIDE = frozenset({"actor", "external-system"})
_FILE_TRANSFER = frozenset({"sftp", "ftp"})
_REQUESTS = frozenset({"http", "https", "grpc", "aws-api"})


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
    #: it may carry data above public (a flow that declares no data may)
    private_data: bool = False


@dataclass(frozen=True, slots=True)
class Caller:
    """Where a request that reaches a component starts, and how it gets there."""

    origin: str
    protocol: str  # of the first hop
    through_api: bool
    regulations: frozenset[str]  # carried on the way
    private_data: bool = False  # data above public on the hop that delivers the request


def callers(node: str, nodes: Mapping[str, Node], into: Mapping[str, list[Hop]]) -> tuple[Caller, ...]:
    """The origins of the requests that reach `node`, through forwarding components."""
    found: set[Caller] = set()
    seen = {node}
    # (component, through an API gateway, regulations carried, private data on the delivering hop)
    queue: deque[tuple[str, bool, frozenset[str], bool | None]] = deque([(node, False, frozenset(), None)])
    while queue:
        current, through_api, carried, private = queue.popleft()
        for hop in sorted(into.get(current, ()), key=lambda h: (h.source, h.protocol)):
            source = nodes[hop.source]
            regulations = carried | hop.regulations
            # what reaches `node` is what the hop into it delivers
            private_data = hop.private_data if private is None else private
            if source.forwards and source.id not in seen:
                seen.add(source.id)
                api = through_api or source.service in _API_GATEWAYS
                queue.append((source.id, api, regulations, private_data))
            elif not source.forwards:
                found.add(Caller(source.id, hop.protocol, through_api, regulations, private_data))
    return tuple(sorted(found, key=lambda c: (c.origin, c.protocol, c.through_api)))


def infer(node: Node, found: Iterable[Caller], nodes: Mapping[str, Node]) -> tuple[str, ...]:
    """The interfaces of a component: as written, or inferred from its callers."""
    if node.stated is not None:
        return tuple(sorted(set(node.stated)))
    found = list(found)
    services = {c.origin: nodes[c.origin].service for c in found}
    interfaces: set[str] = set()
    if node.kind == "datastore" and node.service in _UPLOAD_TARGETS:
        # people or partners who send it data that may be private (a download of public
        # content, such as a campaign page, is modelled as a request to the bucket too)
        if any(services[c.origin] in _OUTSIDE and c.private_data for c in found):
            interfaces.add("file-upload")
        return tuple(sorted(interfaces))
    if not node.runs_code:
        return ()
    for caller in found:
        service = services[caller.origin]
        if service in _OUTSIDE and caller.protocol in _FILE_TRANSFER:
            interfaces.add("file-upload")
        elif caller.through_api or (service == "external-system" and caller.protocol in _REQUESTS):
            interfaces.add("api")
        elif service == "external-system":
            interfaces.add("batch")  # messages in a protocol of their own (HL7, MQ, EDI)
        elif service == "actor" and caller.protocol in _WEB:
            interfaces.add("web-ui")
            if "pci-dss" in caller.regulations:
                interfaces.add("payment-page")
    queued = all(nodes[c.origin].kind in _QUEUE_KINDS or services[c.origin] in _SCHEDULERS for c in found)
    if not interfaces and queued:
        interfaces.add("batch")
    return tuple(sorted(interfaces))
