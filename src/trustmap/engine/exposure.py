"""Exposure: how easily an attacker reaches each component, and the attack paths to targets.

An attacker starts at an **entry**: a component in a place of trust below 50 (they stand there:
an actor on the internet, a partner's system) or an internet-facing component (they reach it
from the internet). Requests travel along flows, in the direction of the request. A component
that forwards requests (a load balancer, a CDN, a gateway) lets them through; to go past any
other component the attacker must compromise it, which is a **gate**. An authenticated first hop
from where the attacker stands on the internet is a gate too (they need someone's credentials);
from a lower-trust entry it is not (who stands in a partner's place holds the partner's
credentials: the entry's own step counts that).

Likelihood follows from the gates in front of a component on the easiest way in: none from the
internet is `high`, one is `medium`, more is `low`; an entry that is not the internet (a
partner) starts one step lower. Reach is a shortest-path question (networkx Dijkstra with gate
counts as weights), linear in flows.

Attack paths are listed for targets (stores of confidential or restricted data, control planes):
per (entry, target) pair the shortest three routes, searched within `MAX_HOPS` hops of the
target and at most `MAX_ENTRIES_PER_TARGET` entries per target, `MAX_PATHS` in all (the most
likely first), so that the listing stays bounded on very large models.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from trustmap.findings import AttackPath

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MAX_ENTRIES_PER_TARGET",
    "MAX_HOPS",
    "MAX_PATHS",
    "EdgeFacts",
    "Exposure",
    "NodeFacts",
    "Way",
    "expose",
    "likelihood_of_gates",
]

#: likelihood, as findings.LEVELS spells it
Level = str
LEVELS: tuple[Level, ...] = ("low", "medium", "high")

MAX_HOPS = 8
MAX_ENTRIES_PER_TARGET = 5
PATHS_PER_PAIR = 3
MAX_PATHS = 1000
#: gates from which likelihood is low whatever the entry
_LOW_FROM = 2


def likelihood_of_gates(gates: int | None) -> Level:
    """`high` with no gate, `medium` with one, `low` with more or when unreachable."""
    if gates is None or gates >= _LOW_FROM:
        return "low"
    return "high" if gates == 0 else "medium"


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What exposure needs of a component."""

    id: str
    #: None: not an entry; 0: an internet entry; 1: a lower-trust entry (partner, third party)
    entry_cost: int | None
    #: the attacker stands here (a person or system in a low-trust place), rather than reaching it
    position: bool
    #: passes requests on (a proxy or gateway): going past it needs no compromise
    forwards: bool
    target: bool
    trust: int


@dataclass(frozen=True, slots=True)
class EdgeFacts:
    """What exposure needs of a flow (its request direction)."""

    id: str
    source: str
    target: str
    authenticated: bool
    encrypted: bool
    crosses: bool
    #: a reach that a route domain gives, not a flow (format 1.2)
    route_domain: str | None = None


@dataclass(frozen=True, slots=True)
class Way:
    """What the cheapest way in to a component costs, step by step."""

    entry: str
    #: it starts at a lower-trust entry (a partner), one step below the internet
    lower_trust: bool
    #: its first hop is authenticated from the internet: someone's credentials
    credentials: bool
    #: the components to compromise on the way
    compromised: tuple[str, ...]
    #: the component is the entry itself
    itself: bool = False

    def text(self) -> str:
        """The steps in words (the likelihood's reason)."""
        steps = []
        if self.compromised:
            steps.append(
                f"{len(self.compromised)} component{'s' if len(self.compromised) > 1 else ''} to compromise"
            )
        if self.credentials:
            steps.append("someone's credentials for the authenticated first hop")
        if self.itself:
            return "a lower-trust entry itself"
        start = f" from the lower-trust entry '{self.entry}'" if self.lower_trust else ""
        if not steps:
            return f"reached directly{start}, with nothing to compromise" if start else "reached directly"
        return " and ".join(steps) + " on the way in" + start


@dataclass(frozen=True)
class Exposure:
    """Gates in front of each reachable component, and the attack paths."""

    gates: Mapping[str, int]
    paths: tuple[AttackPath, ...]
    truncated: bool
    #: the cheapest way in to each reachable component
    ways: Mapping[str, Way] = field(default_factory=dict)

    def likelihood(self, component: str) -> Level:
        return likelihood_of_gates(self.gates.get(component))

    def paths_through(self) -> dict[str, Level]:
        """For every component and flow on an attack path, the highest likelihood of those paths."""
        found: dict[str, Level] = {}
        for path in self.paths:
            for item in (*path.hops, *path.flows):
                if LEVELS.index(path.likelihood) > LEVELS.index(found.get(item, "low")):
                    found[item] = path.likelihood
                else:
                    found.setdefault(item, path.likelihood)
        return found


def _hop_cost(source: NodeFacts, edge: EdgeFacts) -> int:
    if source.position:
        return 1 if edge.authenticated and source.entry_cost == 0 else 0
    return 0 if source.forwards else 1


def _weighted(
    nodes: Mapping[str, NodeFacts], edges: Iterable[EdgeFacts]
) -> tuple[nx.DiGraph[str], dict[tuple[str, str], int]]:
    """One weighted edge per ordered pair: the cheapest of its flows, and which flows those are;
    with the order the edges were added in."""
    import networkx as nx

    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in sorted(edges, key=lambda e: e.id):
        cost = _hop_cost(nodes[edge.source], edge)
        known = pairs.get((edge.source, edge.target))
        if known is None:
            pairs[edge.source, edge.target] = {"cost": cost, "flows": [edge]}
        else:
            known["cost"] = min(known["cost"], cost)
            known["flows"].append(edge)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from((source, target, data) for (source, target), data in pairs.items())
    return graph, {pair: index for index, pair in enumerate(pairs)}


def _nearby(
    graph: nx.DiGraph[str],
    near: Mapping[str, int],
    position: Mapping[str, int],
    added: Mapping[tuple[str, str], int],
) -> nx.DiGraph[str]:
    """The part of `graph` among the nodes `near`, as a graph of its own with its nodes and
    edges in the order `graph` has them (`position` of each node, `added`: the order of the
    edges), so that searches on it break ties as on `graph`. Yen's algorithm walks a graph
    view's filtered adjacency far more slowly than a graph's own."""
    import networkx as nx

    nearby: nx.DiGraph[str] = nx.DiGraph()
    ordered: list[str] = sorted(near, key=position.__getitem__)
    nearby.add_nodes_from(ordered)
    succ = graph.succ
    edges: list[tuple[str, str]] = [(u, v) for u in near for v in succ[u] if v in near]
    edges.sort(key=added.__getitem__)
    nearby.add_edges_from(edges)
    return nearby


def _gates(nodes: Mapping[str, NodeFacts], graph: nx.DiGraph[str]) -> tuple[dict[str, int], dict[str, Way]]:
    import networkx as nx

    gates: dict[str, int] = {}
    routes: dict[str, list[str]] = {}
    for start in (0, 1):
        sources = sorted(n for n, facts in nodes.items() if facts.entry_cost == start)
        if not sources:
            continue
        found = nx.multi_source_dijkstra(graph, sources, weight="cost")
        reached = cast("dict[str, float]", found[0])
        paths = cast("dict[str, list[str]]", found[1])
        for node, cost in reached.items():
            total = int(cost) + start
            if total < gates.get(node, total + 1):
                gates[node] = total
                routes[node] = paths[node]
    return gates, {node: _way(nodes, graph, route) for node, route in routes.items()}


def _way(nodes: Mapping[str, NodeFacts], graph: nx.DiGraph[str], route: list[str]) -> Way:
    entry = nodes[route[0]]
    gated = [source for source, target in itertools.pairwise(route) if graph.edges[source, target]["cost"]]
    return Way(
        entry=entry.id,
        lower_trust=entry.entry_cost == 1,
        credentials=any(nodes[source].position for source in gated),
        compromised=tuple(source for source in gated if not nodes[source].position),
        itself=len(route) == 1,
    )


def _path_cost(nodes: Mapping[str, NodeFacts], hops: tuple[str, ...], flows: list[EdgeFacts]) -> int:
    entry = nodes[hops[0]]
    return (entry.entry_cost or 0) + sum(_hop_cost(nodes[f.source], f) for f in flows)


def _cheapest_flows(
    graph: nx.DiGraph[str], nodes: Mapping[str, NodeFacts], hops: tuple[str, ...]
) -> list[EdgeFacts]:
    chosen = []
    for source, target in itertools.pairwise(hops):
        flows = graph.edges[source, target]["flows"]
        chosen.append(min(flows, key=lambda f: (_hop_cost(nodes[source], f), f.id)))
    return chosen


def _weakest(nodes: Mapping[str, NodeFacts], flows: list[EdgeFacts]) -> tuple[str, str]:
    for flow in flows:
        if flow.route_domain is not None:
            return flow.id, "a network route that no flow needs (route domain)"
    for flow in flows:
        if flow.crosses and not flow.encrypted:
            return flow.id, "clear text across a trust boundary"
    for flow in flows:
        if not flow.authenticated and nodes[flow.target].trust > nodes[flow.source].trust:
            return flow.id, "unauthenticated into a more trusted place"
    return flows[0].id, "the way in"


def _pair_paths(nearby: nx.DiGraph[str], entry: str, target: str) -> list[tuple[str, ...]]:
    """Up to three shortest simple routes from entry to target (Yen's algorithm on `nearby`, the
    part of the graph within reach of the target, so the work per pair stays bounded)."""
    import networkx as nx

    routes = nx.shortest_simple_paths(nearby, entry, target)
    return [tuple(route) for route in itertools.islice(routes, PATHS_PER_PAIR) if len(route) - 1 <= MAX_HOPS]


def expose(nodes: Mapping[str, NodeFacts], edges: Iterable[EdgeFacts]) -> Exposure:
    """Gates for every component reachable from an entry, and the attack paths to targets."""
    graph, added = _weighted(nodes, edges)
    position = {node: index for index, node in enumerate(graph)}
    gates, ways = _gates(nodes, graph)
    reverse = graph.reverse(copy=False)
    candidates: list[tuple[int, int, str, AttackPath]] = []
    # A path costs at least its target's gates (the cheapest way in, whatever its length), so
    # targets are searched cheapest first, and once MAX_PATHS paths cost less than a target's
    # gates, none of its paths or the later targets' can be kept: at 10,000 components this
    # skips most of the search. The paths kept are the same.
    targets = sorted(
        (t for t, facts in nodes.items() if facts.target and t in gates), key=lambda t: (gates[t], t)
    )
    for index, target in enumerate(targets):
        rises = index > 0 and gates[target] > gates[targets[index - 1]]
        if rises and len(candidates) >= MAX_PATHS and gates[target] > _kept_cost(candidates):
            truncated = len(candidates) > MAX_PATHS or any(
                _entries(nodes, reverse, later) for later in targets[index:]
            )
            return Exposure(gates=gates, paths=_kept(candidates), truncated=truncated, ways=ways)
        near, entries = _near_entries(nodes, reverse, target)
        if not entries:
            continue
        nearby = _nearby(graph, near, position, added)
        for entry in entries:
            for rank, hops in enumerate(_pair_paths(nearby, entry, target), start=1):
                flows = _cheapest_flows(graph, nodes, hops)
                cost = _path_cost(nodes, hops, flows)
                weakest, why = _weakest(nodes, flows)
                path = AttackPath(
                    id=f"{entry}~{target}~{rank}",
                    entry=entry,
                    target=target,
                    hops=hops,
                    flows=tuple(f.id for f in flows),
                    weakest_flow=weakest,
                    weakest_why=why,
                    likelihood=likelihood_of_gates(cost),
                )
                candidates.append((cost, len(hops), path.id, path))
    return Exposure(gates=gates, paths=_kept(candidates), truncated=len(candidates) > MAX_PATHS, ways=ways)


def _near_entries(
    nodes: Mapping[str, NodeFacts], reverse: nx.DiGraph[str], target: str
) -> tuple[dict[str, int], list[str]]:
    """The nodes within MAX_HOPS of a target (hops to it), and the nearest entries among them."""
    import networkx as nx

    near: dict[str, int] = nx.single_source_shortest_path_length(reverse, target, cutoff=MAX_HOPS)
    entries = sorted(
        (n for n in near if nodes[n].entry_cost is not None and n != target),
        key=lambda n: (near[n], n),
    )[:MAX_ENTRIES_PER_TARGET]
    return near, entries


def _entries(nodes: Mapping[str, NodeFacts], reverse: nx.DiGraph[str], target: str) -> list[str]:
    return _near_entries(nodes, reverse, target)[1]


def _kept_cost(candidates: list[tuple[int, int, str, AttackPath]]) -> int:
    """The cost of the dearest path that would be kept now."""
    return heapq.nsmallest(MAX_PATHS, (c[0] for c in candidates))[-1]


def _kept(candidates: list[tuple[int, int, str, AttackPath]]) -> tuple[AttackPath, ...]:
    """The MAX_PATHS most likely paths (cheapest, then shortest, then by id), in id order."""
    candidates.sort(key=lambda c: c[:3])
    return tuple(sorted((c[3] for c in candidates[:MAX_PATHS]), key=lambda p: p.id))
