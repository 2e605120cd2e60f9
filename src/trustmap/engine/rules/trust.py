"""Sensitive data moving towards less trusted places."""

from __future__ import annotations

from collections.abc import Iterator

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target, named
from trustmap.findings import Subject
from trustmap.graph import ComponentInfo, ModelGraph, classification_rank

__all__ = ["restricted_data_flows_to_lower_trust"]

_LOW_TRUST = 50


def restricted_data_flows_to_lower_trust(
    context: EvalContext, threat: Threat
) -> Iterator[tuple[Target, str]]:
    """Flows that carry data at or above a classification into a less trusted place.

    Only the request direction counts: the response of a bidirectional flow goes back to the
    initiator, which asked for it (a user's own card data shown back to them, a sign-in token).
    A system of the customer's that already stores all of that data is its home, not a new place
    the data reaches (a database read by its application, a core banking system on premises);
    a third party that stores it still counts. Route flows carry no data, and a component that
    only forwards the data is not where it ends up.
    """
    level = threat.parameters.get("classification", "restricted")
    threshold = classification_rank(str(level))
    graph = context.graph
    assets = graph.model.data
    for flow in graph.flows():
        if flow.kind == "route" or classification_rank(flow.classification) < threshold:
            continue
        # a credential presented to the component that issued it (`issued_by`) discloses nothing
        sensitive = {
            d
            for d in flow.data
            if classification_rank(assets[d].classification) >= threshold
            and assets[d].issued_by != flow.target
        }
        if not sensitive:
            continue
        sent, received = graph.component(flow.source), graph.component(flow.target)
        # A forwarding component (a load balancer in a public subnet) only passes the data on:
        # where it ends up is judged on the hop that delivers it (`proxy`: also a load balancer
        # whose data lineage the model turns off).
        if received.proxy:
            continue
        if _less_trusted_party(sent, received, graph) and not _home(received, sensitive, sent, graph):
            data = ", ".join(flow.data)
            yield (
                Target(Subject("flow", flow.id), flow=flow),
                (
                    f"Flow '{flow.id}' carries {flow.classification} data ({data}) from "
                    f"{named(context.component(sent.id))} (trust {sent.trust}) "
                    f"to {named(context.component(received.id))} (trust {received.trust})"
                ),
            )


def _less_trusted_party(sent: ComponentInfo, received: ComponentInfo, graph: ModelGraph) -> bool:
    """A less trusted place that is another party: in a place of trust below 50, another
    account, or outside AWS and outside the sender's account. Between two components of one
    account a lower rating is the nesting of boundaries (a public subnet, a region of the
    account), not a less trusted party, whatever the receiver is: a service the catalog lacks
    (an `external-system`) that the model places inside the sender's own account is reached
    with that account's credentials under its terms."""
    if received.trust >= sent.trust:
        return False
    if received.trust < _LOW_TRUST:
        return True
    account = _account(received, graph)
    if account != _account(sent, graph):
        return True
    return not received.aws and account is None


def _account(component: ComponentInfo, graph: ModelGraph) -> str | None:
    return next((b for b in reversed(component.boundary_path) if graph.boundaries[b].kind == "account"), None)


def _home(component: ComponentInfo, data: set[str], sent: ComponentInfo, graph: ModelGraph) -> bool:
    """Whether the component is a system of the customer's that already stores all of `data`
    (an on-premises system of record), rather than a copy in another AWS account."""
    customers = (
        component.service not in ("external-system", "actor")
        and "third-party" not in component.boundary_kinds
    )
    elsewhere = component.aws and sent.aws and _account(component, graph) != _account(sent, graph)
    return customers and not elsewhere and data <= set(component.stores)
