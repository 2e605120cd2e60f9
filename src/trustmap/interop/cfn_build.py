"""Building a model from a template: components, boundaries, placement, properties and flows.

`Build` holds the state of one import. Its steps run in order (`cloudformation.import_template`
calls them): classify resources, add boundaries, add components, place them, set their
properties, then add flows from security-group rules (`cfn_links` adds those from references
and public entry points).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic
from trustmap.interop.cfn_flows import Flows, sg_rule_flows, within_group_note
from trustmap.interop.cfn_mapping import CfnMapping, ResourceMapping
from trustmap.interop.cfn_network import (
    SECURITY_GROUP,
    SUBNET,
    VPC,
    Rule,
    Subnet,
    describe_value,
    read_rules,
    read_subnets,
)
from trustmap.interop.cfn_template import Template, test_holds
from trustmap.interop.model_writer import Entry
from trustmap.interop.names import IdAllocator, slugify

__all__ = ["ACCOUNT", "ANYONE", "INTERNET", "ON_PREMISES", "PROPERTY_ORDER", "Build", "Component"]

NESTED_STACK = "AWS::CloudFormation::Stack"
ACCOUNT, INTERNET, ON_PREMISES, ANYONE = "account", "internet", "on-premises", "internet-clients"
PROPERTY_ORDER = ("internet_facing", "encryption_at_rest", "multi_az", "backup", "public_access", "logging")


@dataclass
class Component:
    id: str
    service: str
    sources: list[tuple[str, str]]
    boundary: str = ACCOUNT
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    controls: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Build:
    template: Template
    mapping: CfnMapping
    catalog: Catalog
    ids: IdAllocator = field(default_factory=IdAllocator)
    boundaries: dict[str, Entry] = field(default_factory=dict)
    boundary_of: dict[str, str] = field(default_factory=dict)  # VPC/subnet logical id -> boundary id
    subnets: dict[str, Subnet] = field(default_factory=dict)
    components: dict[str, Component] = field(default_factory=dict)
    component_of: dict[str, str] = field(default_factory=dict)  # logical id -> component id
    members: dict[str, list[str]] = field(default_factory=dict)  # security group -> component ids
    flows: Flows = field(default_factory=Flows)
    attention: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    model_controls: list[str] = field(default_factory=list)

    # -- resources ----------------------------------------------------------------------------

    def classify(self) -> list[str]:
        """Mapped resources in template order; warnings for the rest."""
        mapped: list[str] = []
        unmapped: dict[str, list[str]] = {}
        known = (self.mapping.relations, self.mapping.structural, self.mapping.ignored)
        for name in self.template.resources:
            type_name = self.template.type_of(name)
            if type_name == NESTED_STACK:
                self.diagnostics.append(
                    Diagnostic(
                        "W401",
                        f"nested stack '{name}' is not imported; import its template separately",
                        self.template.document.path,
                        self.template.key_span(name),
                    )
                )
                self.attention.append(f"nested stack {name} was not imported: import its template separately")
            elif type_name in self.mapping.resources:
                mapped.append(name)
            elif type_name in self.mapping.evidence:
                self._model_control(self.mapping.evidence[type_name])
            elif not any(type_name in section for section in known):
                unmapped.setdefault(type_name, []).append(name)
                self.diagnostics.append(
                    Diagnostic(
                        "W402",
                        f"resource '{name}' of type {type_name} is not in the mapping table; it was left out",
                        self.template.document.path,
                        self.template.span_of(name, "Type"),
                    )
                )
        for type_name, names in sorted(unmapped.items()):
            self.attention.append(
                f"not imported ({type_name}): {', '.join(names)}; model them by hand if they matter"
            )
        return mapped

    def _model_control(self, control: str) -> None:
        canonical = self.catalog.canonical_control(control) or control
        if canonical not in self.model_controls:
            self.model_controls.append(canonical)

    def service_of(self, name: str, entry: ResourceMapping) -> str:
        for rule in entry.when:
            if test_holds(self.template, name, [rule, *rule.and_]):
                return rule.service
        return entry.service

    def add_components(self, mapped: list[str]) -> None:
        for name in mapped:
            type_name = self.template.type_of(name)
            entry = self.mapping.resources[type_name]
            service = self.service_of(name, entry)
            if entry.singleton:
                component_id = self.component_of.get(f"singleton:{service}") or self.ids.take(
                    slugify(service)
                )
                self.component_of[f"singleton:{service}"] = component_id
                component = self.components.setdefault(component_id, Component(component_id, service, []))
            else:
                component_id = self.ids.take(slugify(name, "resource"))
                component = self.components.setdefault(
                    component_id, Component(component_id, service, [], name=name)
                )
                if entry.note:
                    component.comments.append(entry.note)
            component.sources.append((name, type_name))
            self.component_of[name] = component_id
            condition = self.template.resources[name].get("Condition")
            if isinstance(condition, str):
                component.comments.append(f"{name} exists only when condition {condition} holds")

    # -- boundaries and placement -----------------------------------------------------------

    def add_boundaries(self) -> None:
        name = "AWS account"
        self.boundaries[ACCOUNT] = Entry(
            {"kind": "account", "name": name}, comments=["the account the template deploys into"]
        )
        for vpc in self.template.of_type(VPC):
            boundary_id = self.ids.take(slugify(vpc, "vpc"))
            self.boundary_of[vpc] = boundary_id
            fields: dict[str, Any] = {"kind": "vpc", "name": vpc, "parent": ACCOUNT}
            cidr = self.template.literals(vpc, "CidrBlock")
            if cidr and isinstance(cidr[0], str):
                fields["description"] = f"CIDR {cidr[0]}"
            self.boundaries[boundary_id] = Entry(fields, comments=[f"CloudFormation: {vpc} ({VPC})"])
        self.subnets = read_subnets(self.template)
        for subnet in self.subnets.values():
            boundary_id = self.ids.take(slugify(subnet.name, "subnet"))
            self.boundary_of[subnet.name] = boundary_id
            parent = self.boundary_of.get(subnet.vpc or "", ACCOUNT)
            fields = {"kind": "subnet", "name": subnet.name, "parent": parent}
            if subnet.public:
                fields["public"] = True
            if subnet.cidr:
                fields["description"] = f"CIDR {subnet.cidr}"
            entry = Entry(fields, comments=[f"CloudFormation: {subnet.name} ({SUBNET})"])
            if subnet.why_public:
                entry.trailing["public"] = subnet.why_public
            if subnet.vpc is None:
                self.attention.append(f"subnet {subnet.name} names no VPC of the template; set its parent")
            self.boundaries[boundary_id] = entry

    def _place(self, component: Component) -> None:
        names = [n for n, _ in component.sources]
        if len(names) > 1:  # singletons are account-wide
            return
        name = names[0]
        entry = self.mapping.resources[self.template.type_of(name)]
        attached = list(self.template.attached(name, entry.attached_by))
        subnets: list[str] = []
        vpcs: list[str] = []
        for source in [name, *attached]:
            subnets.extend(
                s
                for s in self.template.placed_in(source, self.mapping, "subnets", SUBNET)
                if s not in subnets
            )
            vpcs.extend(v for v in self.template.placed_in(source, self.mapping, "vpc", VPC) if v not in vpcs)
        groups = self._groups_of(name, attached)
        if subnets:
            chosen = sorted(subnets, key=lambda s: (not self.subnets[s].public, s))[0]
            component.boundary = self.boundary_of[chosen]
            if self.template.conditional(name, self.mapping, "subnets"):
                self.attention.append(
                    f"{name}'s subnets depend on a condition ({', '.join(subnets)}); "
                    f"placed in {chosen}: check its boundary"
                )
            elif len(subnets) > 1:
                component.comments.append(f"in subnets {', '.join(subnets)}; placed in {chosen}")
                if len({self.subnets[s].public for s in subnets}) > 1:
                    self.attention.append(
                        f"{name} spans public and private subnets; placed in public {chosen}"
                    )
                zones = {self.subnets[s].zone for s in subnets if self.subnets[s].zone is not None}
                if len(zones) > 1 and "multi_az" not in component.properties:
                    component.properties["multi_az"] = True
                    component.origins["multi_az"] = f"subnets in {len(zones)} availability zones"
            return
        vpcs.extend(
            v for g in groups for v in self.template.placed_in(g, self.mapping, "vpc", VPC) if v not in vpcs
        )
        if vpcs:
            component.boundary = self.boundary_of[vpcs[0]]
        if self.template.unresolved_placement(name, self.mapping, "subnets"):
            self.attention.append(
                f"{name} names subnets outside the template (parameters or imports); set its boundary by hand"
            )

    def _groups_of(self, name: str, attached: Iterable[str]) -> list[str]:
        groups: list[str] = []
        for source in [name, *attached]:
            groups.extend(
                g
                for g in self.template.placed_in(source, self.mapping, "security_groups", SECURITY_GROUP)
                if g not in groups
            )
        return groups

    def place_all(self) -> None:
        for component in self.components.values():
            self._place(component)
            for name, type_name in component.sources:
                attached = self.template.attached(name, self.mapping.resources[type_name].attached_by)
                for group in self._groups_of(name, attached):
                    group_members = self.members.setdefault(group, [])
                    if component.id not in group_members:
                        group_members.append(component.id)

    # -- properties ---------------------------------------------------------------------------

    def set_properties(self) -> None:
        for component in self.components.values():
            for name, type_name in component.sources:
                entry = self.mapping.resources[type_name]
                for prop, rules in entry.properties.items():
                    self._property(component, name, prop, rules)
                for control_rule in entry.controls:
                    if test_holds(self.template, name, [control_rule, *control_rule.and_]):
                        self._control(component, control_rule.control)

    def _property(self, component: Component, name: str, prop: str, rules: list[Any]) -> None:
        undecided = []
        for rule in rules:
            holds = test_holds(self.template, name, [rule, *rule.and_])
            if holds:
                if prop not in component.properties or component.origins.get(prop, "").startswith("subnets"):
                    component.properties[prop] = rule.value
                    component.origins[prop] = f"{name}.{rule.path}"
                return
            if holds is None:
                undecided.append(rule.path)
        if undecided:
            self.attention.append(
                f"{name}: {prop} depends on an expression ({', '.join(dict.fromkeys(undecided))}); "
                "set it by hand"
            )

    def _control(self, component: Component, control: str) -> None:
        canonical = self.catalog.canonical_control(control) or control
        scope = self.catalog.controls[canonical].scope if canonical in self.catalog.controls else "component"
        if scope == "model":
            self._model_control(canonical)
        elif canonical not in component.controls:
            component.controls.append(canonical)

    # -- flows ----------------------------------------------------------------------------------

    def _outside(self, key: str, service: str, name: str, boundary: str, comment: str) -> str:
        if key in self.components:
            return key
        if boundary not in self.boundaries:
            kind = "internet" if boundary == INTERNET else "on-premises"
            title = "The internet" if boundary == INTERNET else "On-premises networks"
            self.boundaries[boundary] = Entry({"kind": kind, "name": title})
        component_id = key if key == ANYONE else self.ids.take(key)
        self.components[component_id] = Component(
            component_id, service, [], boundary=boundary, name=name, comments=[comment]
        )
        return component_id

    def anyone(self) -> str:
        return self._outside(
            ANYONE,
            "actor",
            "Anyone on the internet",
            INTERNET,
            "clients on the internet (0.0.0.0/0 in a rule, or a public endpoint)",
        )

    def peer_components(self, rule: Rule) -> list[str]:
        """Components standing for the address range, prefix list or group a rule names."""
        if rule.peer_kind == "cidr" and isinstance(rule.peer, str):
            return self._range(rule.peer, rule)
        text = describe_value(rule.peer)
        what = {"prefix-list": "prefix list", "cidr": "address range"}.get(rule.peer_kind, "security group")
        self.attention.append(
            f"{rule.origin} allows the {what} {text}: the placeholder component stands for it; replace it"
        )
        return [
            self._outside(
                slugify(f"{what} {text}", "outside"),
                "external-system",
                f"{what} {text}",
                INTERNET,
                f"TODO: {what} {text} from {rule.origin}; replace with what it really is",
            )
        ]

    def _range(self, cidr: str, rule: Rule) -> list[str]:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return self._placeholder_range(cidr, "external-system", INTERNET, rule)
        if network.prefixlen == 0:
            return [self.anyone()]
        inside = [s.name for s in self.subnets.values() if s.cidr and _overlaps(network, s.cidr)]
        if inside:
            holders = {self.boundary_of[s] for s in inside}
            return [c.id for c in self.components.values() if c.boundary in holders]
        for vpc in self.template.of_type(VPC):
            vpc_cidr = self.template.literals(vpc, "CidrBlock")
            if vpc_cidr and isinstance(vpc_cidr[0], str) and _overlaps(network, vpc_cidr[0]):
                return [
                    c.id for c in self.components.values() if self._within(c.boundary, self.boundary_of[vpc])
                ]
        private = any(_overlaps(network, r) for r in self.mapping.private_ranges)
        return self._placeholder_range(
            cidr, "on-premises" if private else "external-system", ON_PREMISES if private else INTERNET, rule
        )

    def _placeholder_range(self, cidr: str, service: str, boundary: str, rule: Rule) -> list[str]:
        label = f"network {cidr}"
        self.attention.append(
            f"{rule.origin} allows {cidr}: component '{slugify(label)}' ({service}) stands for it; "
            "rename or replace it"
        )
        return [
            self._outside(
                slugify(label, "network"),
                service,
                f"Network {cidr}",
                boundary,
                f"TODO: the address range {cidr} allowed by {rule.origin}; say what it is",
            )
        ]

    def _within(self, boundary: str, ancestor: str) -> bool:
        current: str | None = boundary
        while current is not None:
            if current == ancestor:
                return True
            parent = self.boundaries[current].fields.get("parent") if current in self.boundaries else None
            current = parent if isinstance(parent, str) else None
        return False

    def add_rule_flows(self) -> None:
        rules, notes = read_rules(self.template)
        self.attention.extend(notes)
        for rule in rules:
            if rule.direction == "egress" and rule.peer_kind != "group":
                continue  # outbound address rules are the usual allow-all; they name no peer
            flows = sg_rule_flows(rule, self.members, self.mapping, self.peer_components)
            members = self.members.get(rule.group, [])
            if rule.peer_kind == "group" and str(rule.peer) == rule.group and len(members) > 1:
                self.attention.append(within_group_note(rule.group, members))
            if not flows and rule.group not in self.members:
                self.attention.append(
                    f"security group {rule.group} has rules but no imported resource uses it"
                )
            for flow in flows:
                self.flows.add(flow)


def _overlaps(network: ipaddress.IPv4Network | ipaddress.IPv6Network, other: str) -> bool:
    try:
        candidate = ipaddress.ip_network(other, strict=False)
    except ValueError:
        return False
    return candidate.version == network.version and network.overlaps(candidate)
