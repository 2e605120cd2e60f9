"""Import a CloudFormation template as a trustmap model, offline.

The template's resources become components through the mapping table
(`models/cloudformation.yaml`); its VPCs and subnets become boundaries inside one `account`
boundary; its security-group rules, references and public entry points become flows. The result
is a `Draft` that `model_writer` prints as commented YAML for an architect to finish: what the
template cannot say (data and its classification, the real call graph, controls outside the
template) is listed in the draft's attention list.

Diagnostics of the import (other codes come from the shared loaders):

- E401 the template has no `Resources` mapping (probably not a CloudFormation template)
- E402 a resource has no `Type`, or its `Properties` are not a mapping
- E403 an unknown short-form tag (`!Foo`) in a YAML template
- E404 no resource maps to a component (a model needs at least one)
- W401 a nested stack (AWS::CloudFormation::Stack) was not imported
- W402 a resource type the mapping table does not know; the resource was left out
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, has_errors
from trustmap.interop.build import ACCOUNT, INTERNET, ON_PREMISES, PROPERTY_ORDER, Build, Component
from trustmap.interop.links import add_entry_flows, add_link_flows
from trustmap.interop.mapping import CfnMapping
from trustmap.interop.resources import Template
from trustmap.interop.model_writer import Draft, Entry
from trustmap.source import Document

__all__ = ["CfnImport", "import_template"]

ALWAYS = [
    "classify the data: add `data` entries and list them under each store's `stores` and each flow's "
    "`data` (a template says nothing about data)",
    "check the flows: they come from security-group rules and references between resources, not from "
    "what the application really calls; add the missing ones and their `data`",
    "declare the controls that live outside the template (`controls:` on components and at the top)",
]


@dataclass
class CfnImport:
    """The draft model and the import's diagnostics (W4xx warnings; E4xx errors mean no draft)."""

    draft: Draft | None
    diagnostics: list[Diagnostic]
    #: which component each imported resource became (logical id -> component id)
    components: dict[str, str] = field(default_factory=dict)


def import_template(document: Document, mapping: CfnMapping, catalog: Catalog, *, name: str) -> CfnImport:
    """Turn a parsed template into a draft model named `name`."""
    template, problems = Template.read(document)
    if template is None or has_errors(problems):
        return CfnImport(None, problems)
    build = Build(template, mapping, catalog)
    for reserved in (ACCOUNT, INTERNET, ON_PREMISES, "internet-clients"):
        build.ids.take(reserved)
    mapped = build.classify()
    build.add_boundaries()
    build.add_components(mapped)
    build.place_all()
    build.set_properties()
    build.add_rule_flows()
    add_link_flows(build)
    add_entry_flows(build)
    if not build.components:
        problems.append(
            Diagnostic(
                "E404",
                "no resource of the template maps to a component; a model needs at "
                "least one (see the W402 warnings)",
                document.path,
                document.source_map.key(("Resources",)),
            )
        )
        return CfnImport(None, [*problems, *build.diagnostics])
    sources = {logical: cid for logical, cid in build.component_of.items() if logical in template.resources}
    return CfnImport(_draft(build, name), [*problems, *build.diagnostics], sources)


def _component_entry(component: Component, catalog: Catalog) -> Entry:
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
    sources = [f"{logical} ({type_name})" for logical, type_name in component.sources]
    if sources:
        entry.comments.append("CloudFormation: " + ", ".join(sources))
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


def _draft(build: Build, name: str) -> Draft:
    template = build.template
    description = template.document.data.get("Description")
    order = _boundary_order(build)
    rank = {boundary: index for index, boundary in enumerate(order)}
    components = sorted(build.components.values(), key=lambda c: rank.get(c.boundary, len(rank)))
    return Draft(
        name=name,
        description=description.strip() if isinstance(description, str) and description.strip() else None,
        header=[
            f"Generated by `trustmap import cloudformation` from {template.document.path}.",
            "A starting point, not a finished threat model: review every entry, then run",
            "`trustmap validate` and `trustmap build`. Each component names the CloudFormation",
            "resource it comes from; each flow the rule or reference it was inferred from.",
        ],
        attention=[*ALWAYS, *dict.fromkeys(build.attention)],
        boundaries={b: build.boundaries[b] for b in order},
        components={c.id: _component_entry(c, build.catalog) for c in components},
        flows=build.flows.entries(build.ids),
        controls=list(build.model_controls),
    )
