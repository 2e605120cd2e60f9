"""Sensitive data moving towards less trusted places."""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target
from trustmap.findings import Subject
from trustmap.graph import classification_rank

__all__ = ["restricted_data_flows_to_lower_trust"]


def restricted_data_flows_to_lower_trust(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """Flows that carry data at or above a classification into a less trusted place.

    A bidirectional flow carries data both ways, so either direction counts.
    """
    level = threat.parameters.get("classification", "restricted")
    threshold = classification_rank(str(level))
    graph = context.graph
    for flow in graph.flows():
        if classification_rank(flow["classification"]) < threshold:
            continue
        directions = [(flow["source"], flow["target"])]
        if flow["bidirectional"]:
            directions.append((flow["target"], flow["source"]))
        for sender, receiver in directions:
            sent, received = graph.component(sender), graph.component(receiver)
            if received["trust"] < sent["trust"]:
                data = ", ".join(flow["data"])
                yield (
                    Target(Subject("flow", flow["id"]), flow),
                    (
                        f"Flow {flow['id']} carries {flow['classification']} data ({data}) from "
                        f"{sent['name']} (trust {sent['trust']}) "
                        f"to {received['name']} (trust {received['trust']})"
                    ),
                )
                break
