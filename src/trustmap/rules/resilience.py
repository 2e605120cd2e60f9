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
    graph = context.graph
    value = threat.parameters.get("store_models")
    store_models = set(value) if isinstance(value, list) else set(DEFAULT_STORE_MODELS)
    for component in graph.components():
        if component.dfd != "datastore" or component.multi_az or component.service_model not in store_models:
            continue
        callers = sorted(
            caller
            for caller in set(graph.topology.predecessors(component.id))
            if graph.component(caller).multi_az and graph.component(caller).aws
        )
        if callers:
            tiers = ", ".join(f"'{c}'" for c in callers)
            yield (
                context.component(component.id),
                (
                    f"{named(component)} runs in one availability zone, but the multi-AZ tier {tiers} "
                    "depends on it: losing that zone stops the redundant tier too"
                ),
            )
