"""Availability: single points of failure behind redundant tiers."""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target
from trustmap.rules.text import named

__all__ = ["single_az_store_behind_multi_az_tier"]

DEFAULT_STORE_MODELS = ("infrastructure", "container")


def single_az_store_behind_multi_az_tier(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """A stateful store in one availability zone that a multi-AZ tier depends on."""
    graph = context.graph.graph
    value = threat.parameters.get("store_models")
    store_models = set(value) if isinstance(value, list) else set(DEFAULT_STORE_MODELS)
    for node, attrs in context.graph.components():
        if attrs["dfd"] != "datastore" or attrs["multi_az"] or attrs["service_model"] not in store_models:
            continue
        callers = sorted(
            caller
            for caller in set(graph.predecessors(node))
            if graph.nodes[caller]["multi_az"] and graph.nodes[caller]["aws"]
        )
        if callers:
            tiers = ", ".join(f"'{c}'" for c in callers)
            yield (
                context.component(node),
                (
                    f"{named(attrs)} runs in one availability zone, but the multi-AZ tier {tiers} "
                    "depends on it: losing that zone stops the redundant tier too"
                ),
            )
