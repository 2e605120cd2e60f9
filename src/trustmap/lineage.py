"""Data lineage: the data that forwarding components pass on along the flows they send.

A load balancer, CDN or API gateway does not use the data it receives; it passes it on. The
architect declares `data:` on the flow where the data enters (`shopper -> cdn`), and the data is
known on every onward hop of a forwarding component (`cdn -> lb`, `lb -> web`) without being
written again on each. A component forwards everything it receives (`forwards: true`, the
catalog default of proxies and gateways), a listed subset (`forwards: [card-data]`) or nothing.

Only data flows carry data on, in the direction of the request: a route flow carries no data of
its own (judgement.md §4), and what comes back on a response goes to the flow's initiator,
which already asked for it. An onward flow that declares data of its own is taken at its word,
and a gateway with several routes that declare nothing passes nothing on unless the model says
it forwards: which route gets what is not known.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["ALL_DATA", "Hop", "forwarded_data"]

#: a component that forwards whatever data it receives
ALL_DATA: frozenset[str] = frozenset({"*"})


@dataclass(frozen=True, slots=True)
class Hop:
    """What lineage needs of a flow."""

    id: str
    source: str
    target: str
    data: frozenset[str]
    carries_data: bool = True


def forwarded_data(
    hops: Iterable[Hop], forwards: Mapping[str, frozenset[str]], explicit: frozenset[str] = frozenset()
) -> dict[str, frozenset[str]]:
    """The data each flow carries on from forwarding components, beyond what it declares.

    `forwards` maps a forwarding component to the data it passes on (`ALL_DATA` for all);
    components that are not in it forward nothing. A forwarder passes data on to its onward
    flows that declare none of their own; when it has several such flows, only if the model sets
    its `forwards` (it is in `explicit`), since a gateway's routes usually differ. Returns flow
    id -> data ids added (only
    flows that gain something). A worklist until nothing changes: every flow's data only
    grows and is bounded by the model's data assets, so it ends, in time linear in flows
    times data assets.
    """
    hops = [hop for hop in hops if hop.carries_data]
    inbound: dict[str, list[Hop]] = {}
    outbound: dict[str, list[Hop]] = {}
    for hop in hops:
        inbound.setdefault(hop.target, []).append(hop)
        outbound.setdefault(hop.source, []).append(hop)
    carried = {hop.id: set(hop.data) for hop in hops}
    pending = deque(sorted(c for c in forwards if c in inbound and c in outbound))
    queued = set(pending)
    while pending:
        component = pending.popleft()
        queued.discard(component)
        received: set[str] = set()
        for hop in inbound[component]:
            received |= carried[hop.id]
        passed = forwards[component]
        if passed is not ALL_DATA and passed != ALL_DATA:
            received &= passed
        onward = [hop for hop in outbound[component] if not hop.data]
        if len(onward) > 1 and component not in explicit:
            continue  # several routes and none says what it carries: which gets what is unknown
        for hop in onward:
            new = received - carried[hop.id]
            if not new:
                continue
            carried[hop.id] |= new
            if hop.target in forwards and hop.target in outbound and hop.target not in queued:
                pending.append(hop.target)
                queued.add(hop.target)
    return {hop.id: frozenset(carried[hop.id] - hop.data) for hop in hops if carried[hop.id] - hop.data}
