"""Attack paths: the bounded listing keeps exactly the paths an unbounded search ranks first."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustmap.engine import exposure
from trustmap.engine.exposure import EdgeFacts, NodeFacts, expose
from trustmap.findings import AttackPath


@st.composite
def graphs(draw: st.DrawFn) -> tuple[dict[str, NodeFacts], list[EdgeFacts]]:
    names = [f"c{i}" for i in range(draw(st.integers(2, 9)))]
    nodes = {
        name: NodeFacts(
            id=name,
            entry_cost=draw(st.sampled_from([None, None, 0, 1])),
            position=draw(st.booleans()),
            forwards=draw(st.booleans()),
            target=draw(st.booleans()),
            trust=draw(st.integers(0, 100)),
        )
        for name in names
    }
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=24))
    edges = [
        EdgeFacts(
            id=f"f{index}",
            source=source,
            target=target,
            authenticated=draw(st.booleans()),
            encrypted=draw(st.booleans()),
            crosses=draw(st.booleans()),
        )
        for index, (source, target) in enumerate(pairs)
        if source != target
    ]
    return nodes, edges


def _cost(nodes: dict[str, NodeFacts], edges: list[EdgeFacts], path: AttackPath) -> int:
    by_id = {edge.id: edge for edge in edges}
    hops = [by_id[flow] for flow in path.flows]
    entry = nodes[path.entry].entry_cost or 0
    return entry + sum(
        (0 if nodes[e.source].forwards else 1)
        if not nodes[e.source].position
        else (1 if e.authenticated and nodes[e.source].entry_cost == 0 else 0)
        for e in hops
    )


@settings(max_examples=300, deadline=None)
@given(graphs(), st.integers(1, 6), st.integers(1, 4))
def test_bounded_listing_is_the_head_of_the_unbounded_one(
    graph: tuple[dict[str, NodeFacts], list[EdgeFacts]], bound: int, hops: int
) -> None:
    nodes, edges = graph
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exposure, "MAX_HOPS", hops)  # short: some targets have no entry near
        patch.setattr(exposure, "MAX_PATHS", 10**9)
        every = expose(nodes, edges)
        patch.setattr(exposure, "MAX_PATHS", bound)
        bounded = expose(nodes, edges)
    ranked = sorted(every.paths, key=lambda p: (_cost(nodes, edges, p), len(p.hops), p.id))
    assert bounded.paths == tuple(sorted(ranked[:bound], key=lambda p: p.id))
    assert bounded.truncated == (len(every.paths) > bound)
    assert bounded.gates == every.gates


def _node(
    name: str, entry_cost: int | None = None, *, position: bool = False, forwards: bool = False
) -> NodeFacts:
    return NodeFacts(name, entry_cost, position, forwards, target=False, trust=0 if position else 80)


def _edge(source: str, target: str, *, authenticated: bool = False) -> EdgeFacts:
    return EdgeFacts(f"{source}->{target}", source, target, authenticated, encrypted=True, crosses=True)


def test_the_way_in_says_what_each_gate_is() -> None:
    """ADJUDICATION.md defect 46: a gate is a component to compromise, or someone's credentials
    for an authenticated hop from the internet; a partner's place is one step lower and holds
    the partner's own credentials, so its authenticated hop costs nothing more."""
    nodes = {
        "customers": _node("customers", 0, position=True),
        "api": _node("api", forwards=True),
        "fn": _node("fn"),
        "table": _node("table"),
        "partners": _node("partners", 1, position=True),
        "landing": _node("landing"),
    }
    edges = [
        _edge("customers", "api", authenticated=True),
        _edge("api", "fn"),
        _edge("fn", "table"),
        _edge("partners", "landing", authenticated=True),
    ]
    found = expose(nodes, edges)
    assert found.gates == {"customers": 0, "api": 1, "fn": 1, "table": 2, "partners": 1, "landing": 1}
    assert found.ways["table"].text() == (
        "1 component to compromise and someone's credentials for the authenticated first hop on the way in"
    )
    assert found.ways["landing"].text() == (
        "reached directly from the lower-trust entry 'partners', with nothing to compromise"
    )
