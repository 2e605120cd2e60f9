"""Paths from the internet to data stores."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target, named

__all__ = ["internet_path_to_datastore_bypasses_waf"]

DEFAULT_FRONT_DOORS = ("waf", "elb")
DEFAULT_STORE_MODELS = ("infrastructure", "container")


def _strings(threat: Threat, key: str, default: tuple[str, ...]) -> set[str]:
    value = threat.parameters.get(key)
    return set(value) if isinstance(value, list) else set(default)


def internet_path_to_datastore_bypasses_waf(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """Data stores in the customer's network that a flow path from the internet reaches
    without passing a WAF or load balancer (or a component that declares control `waf`), and
    without an application in front of them: the path runs only through components that pass
    requests on (gateways, proxies). An application tier on the way is the design working."""
    graph = context.graph
    front_doors = _strings(threat, "front_doors", DEFAULT_FRONT_DOORS)
    store_models = _strings(threat, "store_models", DEFAULT_STORE_MODELS)

    def guarded(node: str) -> bool:
        component = graph.component(node)
        return component.service in front_doors or "waf" in component.controls

    sources = sorted(c.id for c in graph.components() if "internet" in c.boundary_kinds and not guarded(c.id))
    previous: dict[str, str | None] = dict.fromkeys(sources)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        for successor in sorted(set(graph.topology.successors(node))):
            if successor in previous or guarded(successor):
                continue
            previous[successor] = node
            if graph.component(successor).forwards:
                queue.append(successor)
    for node in sorted(previous):
        component = graph.component(node)
        if (
            previous[node] is None
            or component.dfd != "datastore"
            or component.service_model not in store_models
        ):
            continue
        path = [node]
        while (step := previous[path[-1]]) is not None:
            path.append(step)
        route = " -> ".join(reversed(path))
        target = context.component(node)
        yield (
            target,
            (
                f"{named(target)} is reachable from the internet along {route} "
                f"without passing {' or '.join(sorted(front_doors))}"
            ),
        )
