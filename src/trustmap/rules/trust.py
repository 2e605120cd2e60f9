"""Sensitive data moving towards less trusted places."""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target
from trustmap.findings import Subject
from trustmap.graph import ComponentInfo, classification_rank
from trustmap.rules.text import named

__all__ = ["restricted_data_flows_to_lower_trust"]


def restricted_data_flows_to_lower_trust(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """Flows that carry data at or above a classification into a less trusted place.

    A bidirectional flow carries data both ways, so either direction counts. An AWS store of
    the customer's that already holds all of that data is its home, not a new place the data
    reaches (reading a secret from Secrets Manager, writing records to their bucket), so it
    does not count; a third party that stores it still does.
    """
    level = threat.parameters.get("classification", "restricted")
    threshold = classification_rank(str(level))
    graph = context.graph
    assets = graph.model.data
    for flow in graph.flows():
        if classification_rank(flow.classification) < threshold:
            continue
        sensitive = {d for d in flow.data if classification_rank(assets[d].classification) >= threshold}
        directions = [(flow.source, flow.target)]
        if flow.bidirectional:
            directions.append((flow.target, flow.source))
        for sender, receiver in directions:
            sent, received = graph.component(sender), graph.component(receiver)
            if received.trust < sent.trust and not _home(received, sensitive):
                data = ", ".join(flow.data)
                yield (
                    Target(Subject("flow", flow.id), flow=flow),
                    (
                        f"Flow '{flow.id}' carries {flow.classification} data ({data}) from "
                        f"{named(sent)} (trust {sent.trust}) "
                        f"to {named(received)} (trust {received.trust})"
                    ),
                )
                break


def _home(component: ComponentInfo, data: set[str]) -> bool:
    """Whether the component is a store of the customer's in AWS that holds all of `data`."""
    return component.aws and "third-party" not in component.boundary_kinds and data <= set(component.stores)
