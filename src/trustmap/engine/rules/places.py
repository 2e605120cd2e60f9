"""Residency rules (format 1.2): data stored or sent where its residency does not allow.

A component's place is its `region`, its boundaries', or the model's region for a regional AWS
service (graph.py). Data with a `residency` stored in a component whose place lies outside it,
or carried by a flow to one, is a finding; a place that overlaps the residency without lying
inside it (a country against an allowed region), or a store whose place is unknown, is asked.
"""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, named
from trustmap.engine.rules.common import Asks, Hit
from trustmap.graph import ComponentInfo

__all__ = ["data_sent_outside_residency", "data_stored_outside_residency"]


def _verdicts(
    component: ComponentInfo, data: tuple[str, ...], context: EvalContext
) -> tuple[list[str], list[str]]:
    """The data (with a residency) that the component's place lies outside of, and the data it
    cannot tell (place unknown, or overlapping)."""
    assets = context.graph.model.data
    places = context.catalog.places
    outside: list[str] = []
    unsure: list[str] = []
    for data_id in data:
        residency = assets[data_id].residency
        if not residency:
            continue
        verdict = None if component.place is None else places.within(component.place, residency)
        if verdict is False:
            outside.append(data_id)
        elif verdict is None:
            unsure.append(data_id)
    return outside, unsure


def _allowed(data_id: str, context: EvalContext) -> str:
    return ", ".join(context.graph.model.data[data_id].residency or ())


def data_stored_outside_residency(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Stores that keep data outside the places its residency allows."""
    for component in context.graph.components():
        outside, unsure = _verdicts(component, component.stores, context)
        target = context.component(component.id)
        if outside:
            listed = ", ".join(f"'{d}' (which may stay only in {_allowed(d, context)})" for d in outside)
            yield (
                target,
                f"{named(target)[:1].upper()}{named(target)[1:]} is in {component.place} and stores {listed}",
            )
        elif unsure and component.aws:
            where = f"in {component.place}" if component.place else "somewhere the model does not say"
            yield Asks(
                target,
                f"{named(target)[:1].upper()}{named(target)[1:]} is {where} and stores data with a residency",
            )


def data_sent_outside_residency(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Flows that carry data from a place inside its residency (or an unknown one) to a place
    outside it: to the flow's target, and for a bidirectional flow back to its initiator.
    Forwarding components and places the model does not give are left to the hop that delivers
    the data and to the stores."""
    graph = context.graph
    for flow in graph.flows():
        if flow.kind == "route" or not flow.data:
            continue
        source, receiver = graph.component(flow.source), graph.component(flow.target)
        ends = [(receiver, source)]
        if flow.bidirectional:
            ends.append((source, receiver))
        reasons = []
        for end, origin in ends:
            if end.forwards or end.place is None:
                continue
            outside, _ = _verdicts(end, flow.data, context)
            # data that is already outside (both ends outside) was moved by an earlier flow
            already, _ = _verdicts(origin, flow.data, context)
            outside = [d for d in outside if d not in already]
            if outside:
                listed = ", ".join(f"'{d}' (which may stay only in {_allowed(d, context)})" for d in outside)
                reasons.append(f"to '{end.id}' in {end.place}: {listed}")
        if reasons:
            target = context.flow(flow.id)
            yield target, f"Flow '{flow.id}' carries data " + "; ".join(reasons)
