"""A build's draft: the components, boundaries and flows in the order and form the model takes.

Shared by the importers of infrastructure code. Every resource that did not become a component
is named in the draft's `left_out` list with what became of it, so that nothing the code
deploys disappears without a word.
"""

from __future__ import annotations

from typing import Any

from trustmap.catalog import Catalog
from trustmap.interop.build import ACCOUNT, PROPERTY_ORDER, Build, Component
from trustmap.interop.groups import state_groups
from trustmap.interop.model_writer import Draft, Entry

__all__ = ["ALWAYS", "draft_of"]

ALWAYS = [
    "classify the data: add `data` entries and list them under each store's `stores` and each flow's "
    "`data` (infrastructure code says nothing about data)",
    "check the flows: they come from security-group rules and references between resources, not from "
    "what the application really calls; add the missing ones and their `data`",
    "declare the controls that live outside the code (`controls:` on components and at the top)",
]


def _component_entry(component: Component, catalog: Catalog, source: str) -> Entry:
    fields: dict[str, Any] = {"service": component.service}
    service = catalog.service(component.service)
    if component.name is None and service is not None:
        fields["name"] = service.name  # a singleton that gathers every resource of its type
    elif component.name and component.name != component.id:
        fields["name"] = component.name
    fields["boundary"] = component.boundary
    entry = Entry(fields)
    for prop in PROPERTY_ORDER:
        if prop in component.properties:
            fields[prop] = component.properties[prop]
            entry.trailing[prop] = f"from {component.origins[prop]}"
    if component.controls:
        fields["controls"] = sorted(component.controls)
    if component.zones:
        fields["zones"] = component.zones
        entry.trailing["zones"] = "the availability zones of its subnets"
    if component.members:
        fields["replicas"] = len(component.members)
        entry.trailing["replicas"] = "members: " + ", ".join(component.members)
    elif component.replicas is not None:
        fields["replicas"] = component.replicas
        entry.trailing["replicas"] = "instances of count / for_each"
    sources = [f"{logical} ({type_name})" for logical, type_name in component.sources]
    if sources:
        entry.comments.append(f"{source}: " + ", ".join(sources))
    entry.comments.extend(component.comments)
    return entry


def _boundary_order(build: Build) -> list[str]:
    """Outside first, then the account and each VPC followed by its subnets."""
    children: dict[str | None, list[str]] = {}
    for boundary_id, entry in build.boundaries.items():
        parent = entry.fields.get("parent")
        children.setdefault(parent if isinstance(parent, str) else None, []).append(boundary_id)
    order: list[str] = []
    stack = sorted(children.get(None, []), key=lambda b: (b == ACCOUNT, b), reverse=True)
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(reversed(children.get(current, [])))
    return order


def draft_of(
    build: Build,
    name: str,
    header: list[str],
    description: str | None,
    left_out: list[tuple[str, str, str]],
) -> Draft:
    """The draft of a finished build; `left_out` adds what the wing dropped before the build."""
    order = _boundary_order(build)
    rank = {boundary: index for index, boundary in enumerate(order)}
    components = sorted(build.components.values(), key=lambda c: rank.get(c.boundary, len(rank)))
    template = build.template
    named = [f"{resource} ({template.type_of(resource)}): {fate}" for resource, fate in build.fates.items()]
    named += [f"{resource} ({what}): {why}" for resource, what, why in left_out]
    groups = state_groups(build)
    entries = {c.id: _component_entry(c, build.catalog, template.source) for c in components}
    for component_id, entry in entries.items():
        entry.comments.extend(groups.comments.get(component_id, []))
        if component_id in groups.of_component:
            entry.fields["security_groups"] = groups.of_component[component_id]
    return Draft(
        name=name,
        description=description,
        header=header,
        attention=[*ALWAYS, *dict.fromkeys(build.attention)],
        boundaries={b: build.boundaries[b] for b in order},
        components=entries,
        security_groups=groups.entries,
        flows=build.flows.entries(build.ids),
        controls=list(build.model_controls),
        left_out=named,
    )
