"""Building a draft model from resources: components, boundaries, placement, properties and flows.

Shared by the wings: a wing reads its files into a `Template` (resources in one shape) and a
`Network` (subnets, security-group rules, routes), and `Build.run` does the rest, through the
wing's mapping table. What the resources state is written; what they do not say is left out
(the model format then treats it as unknown, a question), and what cannot be resolved offline
(a parameter without default, an import, a condition that depends on them) is named in a
comment next to the component it concerns. Nothing is invented on the internet: the internet
appears only for an address range a rule states (`0.0.0.0/0`: anyone) and for public endpoints.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic
from trustmap.interop.exposure import Exposure, Placement, exposure
from trustmap.interop.flows import FlowDraft, Flows, rule_protocol, sg_rule_flows, within_group_note
from trustmap.interop.mapping import Link, Listeners, Relation, ResourceMapping, ResourceTable
from trustmap.interop.model_writer import Entry
from trustmap.interop.names import IdAllocator, slugify
from trustmap.interop.network import Network, Rule, Subnet, ip_protocol_name
from trustmap.interop.paths import UNRESOLVED_KEY, values_at
from trustmap.interop.resources import Template, test_holds
from trustmap.interop.sign_in import listener_sign_in
from trustmap.interop.universal import SDK_SERVICES, universal_target

__all__ = ["ACCOUNT", "ANYONE", "INTERNET", "ON_PREMISES", "PROPERTY_ORDER", "Build", "Component"]

ACCOUNT, INTERNET, ON_PREMISES, ANYONE = "account", "internet", "on-premises", "internet-clients"
PROPERTY_ORDER = ("internet_facing", "encryption_at_rest", "multi_az", "backup", "public_access", "logging")
#: the values of a property from the least protection to the most, for writing a bound
PROTECTION: dict[str, tuple[Any, ...]] = {
    "encryption_at_rest": ("none", "aws-managed", "customer-kms", "cloudhsm", "client-side"),
    "internet_facing": (True, False),
    "public_access": (True, False),
    "multi_az": (False, True),
    "backup": (False, True),
    "logging": (False, True),
}
#: the usual port of an entry protocol
ENTRY_PORTS = {"https": 443, "http": 80, "dns": 53, "tls": 443}
MAX_DEPTH = 3


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
    zones: list[str] = field(default_factory=list)
    #: members folded into it (instances of a cluster)
    members: list[str] = field(default_factory=list)
    #: instances it stands for (a Terraform `count`)
    replicas: int | None = None
    #: one component for the resources of a type in one VPC (`fold_per_vpc`)
    folded: bool = False
    #: the subnets of the code it sits in; it names subnets outside the code
    subnets: list[str] = field(default_factory=list)
    unresolved_subnets: bool = False


@dataclass
class Build:
    template: Template
    mapping: ResourceTable
    catalog: Catalog
    network: Network
    ids: IdAllocator = field(default_factory=IdAllocator)
    boundaries: dict[str, Entry] = field(default_factory=dict)
    boundary_of: dict[str, str] = field(default_factory=dict)  # VPC/subnet resource -> boundary id
    components: dict[str, Component] = field(default_factory=dict)
    component_of: dict[str, str] = field(default_factory=dict)  # resource -> component id
    members: dict[str, list[str]] = field(default_factory=dict)  # security group -> component ids
    flows: Flows = field(default_factory=Flows)
    attention: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    model_controls: list[str] = field(default_factory=list)
    #: resource -> what became of it, for every resource that is not a component
    fates: dict[str, str] = field(default_factory=dict)
    #: resource -> the resource that holds it (`held` in the table): part of it, not a component
    held: dict[str, str] = field(default_factory=dict)

    @property
    def subnets(self) -> dict[str, Subnet]:
        return self.network.subnets

    def run(self) -> None:
        """Every step, in order."""
        for reserved in (ACCOUNT, INTERNET, ON_PREMISES, ANYONE):
            self.ids.take(reserved)
        mapped = self.classify()
        self.add_boundaries()
        self.add_components(mapped)
        self.place_all()
        self.set_properties()
        self.add_rule_flows()
        self.add_route_flows()
        self.add_link_flows()
        self.add_reference_flows()
        self.add_entry_flows()
        self.flows.settle()
        self.sign_in_entries()
        self.attention.extend(self.network.notes)

    # -- resources ----------------------------------------------------------------------------

    def _source(self, name: str) -> str:
        return f"{name} ({self.template.type_of(name)})"

    def classify(self) -> list[str]:
        """Mapped resources in template order; a fate and warnings for the rest."""
        mapped: list[str] = []
        unmapped: dict[str, list[str]] = {}
        network = self.mapping.network
        for name in self.template.resources:
            type_name = self.template.type_of(name)
            if type_name in self.mapping.resources:
                holder = self._holder(name, self.mapping.resources[type_name])
                if holder is None:
                    mapped.append(name)
                else:
                    self.held[name] = holder
                    held = self.mapping.resources[type_name].held
                    self.fates[name] = (held.note if held is not None else None) or f"part of {holder}"
            elif type_name in self.mapping.evidence:
                self._model_control(self.mapping.evidence[type_name])
                self.fates[name] = f"evidence of the control {self.mapping.evidence[type_name]}"
            elif type_name in (network.vpc, network.subnet):
                self.fates[name] = "a boundary"
            elif type_name in self.mapping.structural:
                self.fates[name] = self.mapping.structural[type_name]
            elif type_name in self.mapping.relations:
                relation = self.mapping.relations[type_name]
                self.fates[name] = relation.note or "read for placement and flows"
            elif type_name in self.mapping.ignored:
                self.fates[name] = f"not modelled: {self.mapping.ignored[type_name]}"
            else:
                unmapped.setdefault(type_name, []).append(name)
                self.fates[name] = "not modelled: the mapping table does not know this type"
                path, span = self.template.place_of(name)
                self.diagnostics.append(
                    Diagnostic(
                        "W402",
                        f"resource '{name}' of type {type_name} is not in the mapping table; it was left out",
                        path,
                        span,
                    )
                )
        for type_name, names in sorted(unmapped.items()):
            self.attention.append(
                f"not imported ({type_name}): {', '.join(names)}; model them by hand if they matter"
            )
        return mapped

    def _holder(self, name: str, entry: ResourceMapping) -> str | None:
        """The first resource that holds this one (an ECS service running a task definition)."""
        if entry.held is None:
            return None
        for type_name, path in entry.held.by.items():
            for holder in self.template.of_type(type_name):
                if name in self.template.refs(holder, [path]):
                    return holder
        return None

    def _relation(self, name: str) -> Relation | None:
        """How a resource that is not a component leads to others: its type's relation, or,
        for one that is held, what its table entry says a reference to it stands for."""
        type_name = self.template.type_of(name)
        entry = self.mapping.resources.get(type_name)
        if name in self.held and entry is not None and entry.held is not None:
            return Relation(targets=entry.held.targets)
        return self.mapping.relations.get(type_name)

    def _model_control(self, control: str) -> None:
        canonical = self.catalog.canonical_control(control) or control
        if canonical not in self.model_controls:
            self.model_controls.append(canonical)

    def service_of(self, name: str, entry: ResourceMapping) -> str:
        for rule in entry.when:
            if test_holds(self.template, name, [rule, *rule.and_]):
                return rule.service
        return entry.service

    def _member_of(self, name: str, entry: ResourceMapping) -> str | None:
        for holder in self.template.refs(name, entry.member_of):
            if self.template.type_of(holder) in self.mapping.resources:
                return holder
        return None

    def add_components(self, mapped: list[str]) -> None:
        later = []
        for name in mapped:
            type_name = self.template.type_of(name)
            entry = self.mapping.resources[type_name]
            if entry.member_of and self._member_of(name, entry) is not None:
                later.append(name)
                continue
            service = self.service_of(name, entry)
            if entry.fold_per_vpc:
                component = self._folded(name, type_name, service)
            elif entry.singleton:
                component_id = self.component_of.get(f"singleton:{service}") or self.ids.take(
                    slugify(service)
                )
                self.component_of[f"singleton:{service}"] = component_id
                component = self.components.setdefault(component_id, Component(component_id, service, []))
            else:
                component_id = self.ids.take(slugify(self.template.labels.get(name, name), "resource"))
                component = self.components.setdefault(
                    component_id, Component(component_id, service, [], name=name)
                )
                component.replicas = self.template.replicas.get(name)
                if entry.note:
                    component.comments.append(entry.note)
            component.sources.append((name, type_name))
            self.component_of[name] = component.id
            self._origin_comments(component, name)
        for name in later:
            holder = self._member_of(name, self.mapping.resources[self.template.type_of(name)])
            component = self.components[self.component_of[str(holder)]]
            component.members.append(name)
            self.component_of[name] = component.id
            self.fates[name] = f"a member of {holder} (counted in its replicas)"

    def _folded(self, name: str, type_name: str, service: str) -> Component:
        """The one component of the VPC's resources of this type (NAT gateways, one per zone)."""
        subnets = self.template.placed_in(name, self.mapping, "subnets", self.mapping.network.subnet)
        vpcs = [self.subnets[s].vpc for s in subnets if s in self.subnets and self.subnets[s].vpc]
        vpcs += self.template.placed_in(name, self.mapping, "vpc", self.mapping.network.vpc)
        key = f"fold:{type_name}:{vpcs[0] if vpcs else ''}"
        if key in self.component_of:
            return self.components[self.component_of[key]]
        found = self.catalog.service(service)
        title = f"{found.name}s" if found is not None else f"{service}s"
        component_id = self.ids.take(slugify(title, "resource"))
        self.component_of[key] = component_id
        component = Component(component_id, service, [], name=title, folded=True)
        component.comments.append(f"one component for the {title} of the VPC, a group over their zones")
        self.components[component_id] = component
        return component

    def _origin_comments(self, component: Component, name: str) -> None:
        origin = self.template.origin.get(name)
        if origin:
            component.comments.append(f"{name} comes from {origin}")
        conditional = self.template.conditional.get(name)
        if conditional:
            component.comments.append(f"{name} {conditional}")

    # -- boundaries and placement -----------------------------------------------------------

    def add_boundaries(self) -> None:
        source = self.template.source
        self.boundaries[ACCOUNT] = Entry(
            {"kind": "account", "name": "AWS account"}, comments=["the account the resources deploy into"]
        )
        vpc_type, subnet_type = self.mapping.network.vpc, self.mapping.network.subnet
        for vpc in self.template.of_type(vpc_type):
            boundary_id = self.ids.take(slugify(self.template.labels.get(vpc, vpc), "vpc"))
            self.boundary_of[vpc] = boundary_id
            fields: dict[str, Any] = {"kind": "vpc", "name": vpc, "parent": ACCOUNT}
            cidr = self._first_literal(vpc, ["CidrBlock", "cidr_block"])
            if cidr:
                fields["description"] = f"CIDR {cidr}"
            self.boundaries[boundary_id] = Entry(fields, comments=[f"{source}: {vpc} ({vpc_type})"])
        for subnet in self.subnets.values():
            boundary_id = self.ids.take(slugify(self.template.labels.get(subnet.name, subnet.name), "subnet"))
            self.boundary_of[subnet.name] = boundary_id
            parent = self.boundary_of.get(subnet.vpc or "", ACCOUNT)
            fields = {"kind": "subnet", "name": subnet.name, "parent": parent}
            if subnet.public:
                fields["public"] = True
            if subnet.cidr:
                fields["description"] = f"CIDR {subnet.cidr}"
            entry = Entry(fields, comments=[f"{source}: {subnet.name} ({subnet_type})"])
            if subnet.why_public:
                entry.trailing["public"] = subnet.why_public
            if subnet.vpc is None:
                self.attention.append(f"subnet {subnet.name} names no VPC of the template; set its parent")
            self.boundaries[boundary_id] = entry

    def _first_literal(self, name: str, paths: list[str]) -> str | None:
        for path in paths:
            found = self.template.literals(name, path)
            if found and isinstance(found[0], str):
                return found[0]
        return None

    def _place_folded(self, component: Component) -> None:
        subnets: list[str] = []
        for name, _ in component.sources:
            subnets.extend(
                s
                for s in self.template.placed_in(name, self.mapping, "subnets", self.mapping.network.subnet)
                if s in self.subnets and s not in subnets
            )
        if not subnets:
            return
        component.subnets = subnets
        chosen = sorted(subnets, key=lambda s: (not self.subnets[s].public, s))[0]
        component.boundary = self.boundary_of[chosen]
        if len(subnets) > 1:
            members = ", ".join(f"{n} in {s}" for (n, _), s in zip(component.sources, subnets, strict=False))
            component.comments.append(f"members: {members}; placed in {chosen}")
            self._spread(component, [self.subnets[s] for s in subnets])

    def _place(self, component: Component) -> None:
        if component.folded:
            self._place_folded(component)
            return
        names = [n for n, _ in component.sources]
        if len(names) > 1:  # singletons are account-wide
            return
        name = names[0]
        entry = self.mapping.resources[self.template.type_of(name)]
        attached = list(self.template.attached(name, entry.attached_by))
        subnet_type, vpc_type = self.mapping.network.subnet, self.mapping.network.vpc
        subnets: list[str] = []
        vpcs: list[str] = []
        for source in [name, *attached]:
            subnets.extend(
                s
                for s in self.template.placed_in(source, self.mapping, "subnets", subnet_type)
                if s not in subnets and s in self.subnets
            )
            vpcs.extend(
                v for v in self.template.placed_in(source, self.mapping, "vpc", vpc_type) if v not in vpcs
            )
        groups = self.groups_of(name, self.template.type_of(name))
        component.subnets = subnets
        if subnets:
            chosen = sorted(subnets, key=lambda s: (not self.subnets[s].public, s))[0]
            component.boundary = self.boundary_of[chosen]
            if self.template.conditional_at(name, self.mapping, "subnets"):
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
                if entry.group:
                    self._spread(component, [self.subnets[s] for s in subnets])
            return
        vpcs.extend(
            v
            for g in groups
            for v in self.template.placed_in(g, self.mapping, "vpc", vpc_type)
            if v not in vpcs
        )
        if vpcs and vpcs[0] in self.boundary_of:
            component.boundary = self.boundary_of[vpcs[0]]
        if self.template.unresolved_placement(name, self.mapping, "subnets"):
            component.unresolved_subnets = True
            component.comments.append(
                f"question: {name} names subnets outside the template (parameters, imports or data "
                "sources); its boundary is a guess"
            )
            self.attention.append(
                f"{name} names subnets outside the template (parameters or imports); set its boundary by hand"
            )

    def _spread(self, component: Component, subnets: list[Subnet]) -> None:
        """A group over subnets in several zones: its zones by name, else `multi_az`."""
        zones = list(dict.fromkeys(s.zone for s in subnets if s.zone is not None))
        names = list(dict.fromkeys(s.zone_name for s in subnets if s.zone_name is not None))
        if len(names) == len(zones) and len(names) > 1:
            component.zones = names
        elif len(zones) > 1 and "multi_az" not in component.properties:
            component.properties["multi_az"] = True
            component.origins["multi_az"] = f"subnets in {len(zones)} availability zones"

    def groups_of(self, name: str, type_name: str) -> list[str]:
        """The security groups of the code that a resource uses, itself or through what
        attaches to it (a network interface, a mount target)."""
        attached = self.template.attached(name, self.mapping.resources[type_name].attached_by)
        groups: list[str] = []
        for source in [name, *attached]:
            groups.extend(
                g
                for g in self.template.placed_in(
                    source, self.mapping, "security_groups", self.mapping.network.security_group
                )
                if g not in groups
            )
        return groups

    def place_all(self) -> None:
        for component in self.components.values():
            self._place(component)
            for name, type_name in component.sources:
                for group in self.groups_of(name, type_name):
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
            for prop, why in self._unknown(component).items():
                component.comments.append(f"question: {prop} is not known: {why}")
        for component in self.components.values():
            self._inherit(component)
            self._public_address(component)
        for name in self.template.resources:
            relation = self.mapping.relations.get(self.template.type_of(name))
            if relation is None or relation.applies_to is None:
                continue
            for target in self.template.refs(name, [relation.applies_to]):
                configured = self.components.get(self.component_of.get(target, ""))
                if configured is None:
                    continue
                for prop, rules in relation.properties.items():
                    self._property(configured, name, prop, rules)
                for control_rule in relation.controls:
                    if test_holds(self.template, name, [control_rule, *control_rule.and_]):
                        self._control(configured, control_rule.control)

    def _inherit(self, component: Component) -> None:
        """Properties the component does not state, from the resource it inherits them from."""
        for name, type_name in component.sources:
            for source in self.template.refs(name, self.mapping.resources[type_name].inherit_from):
                holder = self.components.get(self.component_of.get(source, ""))
                if holder is None:
                    continue
                for prop, value in holder.properties.items():
                    if prop == "encryption_at_rest" and prop not in component.properties:
                        component.properties[prop] = value
                        component.origins[prop] = f"{source}, which {name} replicates"

    def _public_address(self, component: Component) -> None:
        """`internet_facing: true` where a resource gives the component a public address (an
        Elastic IP) and its own properties do not say otherwise; the giver's fate says so."""
        for name, _ in component.sources:
            for giver, how in self.network.public_addresses.get(name, []):
                self.fates[giver] = f"gives {name} a public address"
                if "internet_facing" not in component.properties:
                    component.properties["internet_facing"] = True
                    component.origins["internet_facing"] = f"{giver} ({self.template.type_of(giver)}), {how}"

    def _unknown(self, component: Component) -> dict[str, str]:
        found: dict[str, str] = {}
        for name, _ in component.sources:
            for prop, why in self.template.unknown.get(name, {}).items():
                found.setdefault(prop, why)
        return found

    def _conditions(self, name: str, path: str) -> str:
        top = path.split(".")[0].split("[")[0]
        decided = self.template.decided.get(name, {}).get(top)
        return f" (conditional: {'; '.join(decided)})" if decided else ""

    def _property(self, component: Component, name: str, prop: str, rules: list[Any]) -> None:
        """The value of the first rule that holds. Where an earlier rule is undecided, the one
        that holds is written only as a bound (see `_bound`), and the question stays."""
        undecided: list[Any] = []
        for rule in rules:
            holds = test_holds(self.template, name, [rule, *rule.and_])
            if holds is None:
                undecided.append(rule)
                continue
            if holds and _bound(prop, rule.value, [r.value for r in undecided]):
                replace = component.origins.get(prop, "").startswith("subnets")
                if prop not in component.properties or replace:
                    component.properties[prop] = rule.value
                    origin = f"{name}.{rule.path}" + self._conditions(name, rule.path)
                    if undecided:
                        origin += f", at least (see the question on {prop})"
                    component.origins[prop] = origin
            if holds:
                break
        if undecided:
            paths = ", ".join(dict.fromkeys(self._undecided_text(name, r.path) for r in undecided))
            component.comments.append(
                f"question: {prop} depends on an expression with no value offline ({name}: {paths})"
            )
            self.attention.append(f"{name}: {prop} depends on an expression ({paths}); set it by hand")

    def _undecided_text(self, name: str, path: str) -> str:
        """The path, and what stands there when it is a name with no value offline."""
        parameters, resources = self.template.parameters, self.template.resources
        for value in values_at(self.template.props(name), path):
            if isinstance(value, dict) and UNRESOLVED_KEY in value and value[UNRESOLVED_KEY]:
                return f"{path} = `{value[UNRESOLVED_KEY][0]}`"
            named = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
            if not isinstance(named, str) or named in resources or named.startswith("AWS::"):
                continue
            if named not in parameters:
                return f"{path} = {named}, which is not deployed"
            if "Default" not in (parameters[named] or {}):
                return f"{path} = parameter {named}, which has no default"
        return path

    def _control(self, component: Component, control: str) -> None:
        canonical = self.catalog.canonical_control(control) or control
        scope = self.catalog.controls[canonical].scope if canonical in self.catalog.controls else "component"
        if scope == "model":
            self._model_control(canonical)
        elif canonical not in component.controls:
            component.controls.append(canonical)

    # -- components outside the account ---------------------------------------------------------

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
        """Components standing for the address range or resource a rule names; none when the
        rule names something the template does not resolve (that becomes a question)."""
        if rule.peer_kind == "resource":
            return [self.component_of[rule.peer]] if rule.peer in self.component_of else []
        if rule.peer_kind == "cidr" and isinstance(rule.peer, str):
            return self._range(rule.peer, rule)
        return []

    def _question(self, rule: Rule, targets: list[str], allows: str) -> None:
        what = rule.peer_text
        text = (
            f"question: {rule.origin} lets {what} reach it ({allows}); the template does not say who "
            "that is: add the flow from the component it stands for"
        )
        for target in targets:
            comments = self.components[target].comments
            if text not in comments:
                comments.append(text)
        self.attention.append(
            f"{rule.origin} allows {what}, which the template does not resolve; see its targets"
        )

    def _range(self, cidr: str, rule: Rule) -> list[str]:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return []
        if network.prefixlen == 0:
            return [self.anyone()]
        inside = [s.name for s in self.subnets.values() if s.cidr and _overlaps(network, s.cidr)]
        if inside:
            holders = {self.boundary_of[s] for s in inside}
            return [c.id for c in self.components.values() if c.boundary in holders and self._calls(c)]
        for vpc in self.template.of_type(self.mapping.network.vpc):
            vpc_cidr = self._first_literal(vpc, ["CidrBlock", "cidr_block"])
            if vpc_cidr and _overlaps(network, vpc_cidr) and vpc in self.boundary_of:
                return [
                    c.id
                    for c in self.components.values()
                    if self._within(c.boundary, self.boundary_of[vpc]) and self._calls(c)
                ]
        private = any(_overlaps(network, r) for r in self.mapping.private_ranges)
        return self._placeholder_range(
            cidr, "on-premises" if private else "external-system", ON_PREMISES if private else INTERNET, rule
        )

    def _calls(self, component: Component) -> bool:
        """It may open connections: a process, not network plumbing (a NAT gateway, an endpoint
        forwards what others start) nor a data store."""
        service = self.catalog.service(component.service)
        return service is None or (service.dfd == "process" and service.kind != "network")

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
                f"the address range {cidr} that {rule.origin} allows; say what it is",
            )
        ]

    def _within(self, boundary: str, ancestor: str) -> bool:
        current: str | None = boundary
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current == ancestor:
                return True
            seen.add(current)
            parent = self.boundaries[current].fields.get("parent") if current in self.boundaries else None
            current = parent if isinstance(parent, str) else None
        return False

    # -- flows ----------------------------------------------------------------------------------

    def add_rule_flows(self) -> None:
        for rule in self.network.rules:
            if rule.direction == "egress" and rule.peer_kind not in ("group", "resource"):
                continue  # outbound address rules are the usual allow-all; they name no peer
            unresolved = rule.peer_kind in ("unknown", "prefix-list") or (
                rule.peer_kind == "cidr" and not isinstance(rule.peer, str)
            )
            if unresolved:
                targets = self.members.get(rule.group, []) if rule.direction == "ingress" else []
                if targets:
                    self._question(rule, targets, rule_protocol(rule, self.mapping)[2])
                elif rule.group not in self.members:
                    self.attention.append(
                        f"security group {rule.group} has rules but no imported resource uses it"
                    )
                continue
            if rule.direction == "ingress" and _from_anyone(rule):
                self._internet_rule(rule)
                continue
            flows = sg_rule_flows(rule, self.members, self.mapping, self.peer_components)
            for flow in flows if rule.peer_kind == "cidr" else []:
                if self.components[flow.source].boundary not in (INTERNET, ON_PREMISES):
                    flow.inferred = "range"
            members = self.members.get(rule.group, [])
            if rule.peer_kind == "group" and str(rule.peer) == rule.group and len(members) > 1:
                self.attention.append(within_group_note(rule.group, members))
            if not flows and rule.group not in self.members:
                self.attention.append(
                    f"security group {rule.group} has rules but no imported resource uses it"
                )
            for flow in flows:
                self.flows.add(flow)

    def _internet_rule(self, rule: Rule) -> None:
        """A rule open to the internet: flows to the members the internet can reach; a note on
        the ones it cannot, a question where the template does not say."""
        members = self.members.get(rule.group, [])
        if not members:
            self.attention.append(f"security group {rule.group} has rules but no imported resource uses it")
            return
        allows = rule_protocol(rule, self.mapping)[2]
        reachable: list[str] = []
        for member in members:
            found = self.exposure(self.components[member])
            if found.reachable and self._listens(self.components[member], rule) is False:
                component = self.components[member]
                ports = ", ".join(str(p) for _, p, _ in self._listeners(*self._first_source(component)) or [])
                component.comments.append(
                    f"security group {rule.group} admits the internet ({allows}, {rule.origin}), but "
                    f"{component.name or component.id} listens only on {ports}; no flow drawn"
                )
                continue
            if found.reachable:
                reachable.append(member)
                continue
            self._unreached(rule, self.components[member], allows, found)
        if not reachable:
            return  # no `internet-clients` without a flow from it
        for flow in sg_rule_flows(rule, {rule.group: reachable}, self.mapping, self.peer_components):
            target = self.components[flow.target]
            why = self.exposure(target).why
            flow.reasons.append(f"the internet reaches {target.name or target.id}: {why}")
            self.flows.add(flow)

    def _first_source(self, component: Component) -> tuple[str, ResourceMapping]:
        name, type_name = component.sources[0]
        return name, self.mapping.resources[type_name]

    def _listens(self, component: Component, rule: Rule) -> bool | None:
        """Whether a component that takes traffic only on its listeners (a load balancer) has one
        on a port the rule admits; None when it has none to read, or a port has no value."""
        if not component.sources or component.sources[0][1] not in self.mapping.resources:
            return None
        listeners = self._listeners(*self._first_source(component))
        ports = [port for _, port, _ in listeners or []]
        if not ports or None in ports:
            return None
        low, high = rule.from_port, rule.to_port
        if ip_protocol_name(rule.ip_protocol) not in ("tcp", "udp") or low is None or high is None:
            return None
        return any(low <= port <= high for port in ports if port is not None)

    def _unreached(self, rule: Rule, component: Component, allows: str, found: Exposure) -> None:
        name = component.name or component.id
        if found.reachable is False:
            component.comments.append(
                f"security group {rule.group} admits the internet ({allows}, {rule.origin}), but {name} is "
                f"not reachable from it: {found.why}; no flow drawn"
            )
            return
        component.comments.append(
            f"question: {rule.origin} admits the internet ({allows}) and the template does not say whether "
            f"{name} is reachable from it ({found.why}): add the flow from {ANYONE} if it is"
        )
        self.attention.append(
            f"{rule.origin} admits the internet to {name}; whether the internet reaches it is not in the "
            "template: see its question"
        )

    def exposure(self, component: Component) -> Exposure:
        """Whether the internet reaches the component (its first resource stands for it)."""
        name, type_name = component.sources[0] if component.sources else (component.id, "")
        entry = self.mapping.resources.get(type_name)
        subnets = [self.subnets[s] for s in component.subnets if s in self.subnets]
        given = tuple(
            f"{giver} ({self.template.type_of(giver)}), {how}"
            for n, _ in component.sources
            for giver, how in self.network.public_addresses.get(n, [])
        )
        return exposure(
            Placement(
                name=name,
                subnets=subnets,
                unresolved=component.unresolved_subnets,
                in_vpc=component.boundary != ACCOUNT,
                facing=component.properties.get("internet_facing"),
                facing_origin=component.origins.get("internet_facing"),
                public_address=entry.public_address if entry is not None else None,
                given=given,
            )
        )

    def add_route_flows(self) -> None:
        """NAT gateway -> internet gateway: plumbing that carries no data of its own."""
        for nat, gateway in self.network.routes:
            if nat in self.component_of and gateway in self.component_of:
                self.flows.add(
                    FlowDraft(
                        self.component_of[nat],
                        self.component_of[gateway],
                        "other",
                        None,
                        reasons=[f"{nat}'s subnet routes to the internet through {gateway}"],
                        kind="route",
                    )
                )

    def _resolve(self, name: str, depth: int) -> list[str]:
        """Components a reference stands for: the resource itself, or a relation's members."""
        if name in self.component_of:
            return [self.component_of[name]]
        template = self.template
        relation = self._relation(name)
        if relation is None or depth >= MAX_DEPTH:
            return []
        found = [c for ref in template.refs(name, relation.targets) for c in self._resolve(ref, depth + 1)]
        if relation.referenced_by:
            for other in template.resources:
                if name in template.refs(other, relation.referenced_by):
                    found.extend(self._resolve(other, depth + 1))
        return list(dict.fromkeys(found))

    def _ends(self, name: str, path: str | None) -> list[str]:
        if path is None:
            return [self.component_of[name]] if name in self.component_of else []
        found: list[str] = []
        for ref in self.template.refs(name, [path]):
            found.extend(c for c in self._resolve(ref, 0) if c not in found)
        return found

    def _protocol_and_port(self, name: str, link: Link) -> tuple[str, int | None]:
        template, mapping = self.template, self.mapping
        read = name
        via = {"to": link.to, "from": link.from_}.get(link.read_from)
        if via is not None:
            named = template.refs(name, [via])
            read = named[0] if named else name
        protocol: str = link.protocol
        if link.protocol_path:
            values = [v for v in template.literals(read, link.protocol_path) if isinstance(v, str)]
            protocol = mapping.protocol_names.get(values[0].lower(), protocol) if values else protocol
        port = None
        if link.port_path:
            port = _port(list(template.literals(read, link.port_path)))
            if port is not None and protocol == "other":
                protocol = mapping.ports.get(port, "other")
        return protocol, port

    def add_link_flows(self) -> None:
        for name in self.template.resources:
            type_name = self.template.type_of(name)
            # one that is held draws no flows of its own: its holder's links name it
            entry: ResourceMapping | Relation | None = (
                self._relation(name)
                if name in self.held
                else self.mapping.resources.get(type_name) or self.mapping.relations.get(type_name)
            )
            for link in entry.links if entry is not None else []:
                protocol, port = self._protocol_and_port(name, link)
                origin = self.template.origin.get(name)
                reason = f"{name} ({type_name}) {link.name or 'refers to'} {link.to or link.from_ or 'it'}"
                if origin:
                    reason += f"; {name} comes from {origin}"
                for source in self._ends(name, link.from_):
                    for target in self._ends(name, link.to):
                        self.flows.add(
                            FlowDraft(source, target, protocol, port, name=link.name, reasons=[reason])
                        )
                if link.universal_input is not None and link.to is not None:
                    self._universal_flows(name, link, link.to, link.universal_input)

    def _universal_flows(self, name: str, link: Link, at: str, input_path: str) -> None:
        """The flows of a schedule's universal targets (`interop.universal`): to the components of
        that service the input names, else the model's only one; else a note, nothing drawn."""
        sources = self._ends(name, link.from_)
        for value in self.template.literals(name, at):
            called = universal_target(value)
            if called is None:
                continue
            sdk, action = called
            services = SDK_SERVICES.get(sdk)
            call = f"{name} calls the {sdk} API ({action}) through a universal target"
            if services is None:
                self._not_drawn(name, f"{call}; no catalog service stands for {sdk}: add the flow by hand")
                continue
            service = " or ".join(services)
            targets = [c for c in self._ends(name, input_path) if self.components[c].service in services]
            why = f"{call}; its input names {', '.join(targets)}"
            if not targets:
                candidates = [c for c, component in self.components.items() if component.service in services]
                if len(candidates) != 1:
                    which = (
                        f"one of {', '.join(candidates)}"
                        if candidates
                        else f"the model has no {service} component"
                    )
                    self._not_drawn(
                        name,
                        f"{call}, and its input names no resource of the model:"
                        f" add the flow by hand ({which})",
                    )
                    continue
                targets = candidates
                only = f"{targets[0]} is the model's only {service} component"
                why = f"{call}; its input names no resource, and {only}"
            for source in sources:
                for target in targets:
                    self.flows.add(FlowDraft(source, target, "aws-api", None, name=link.name, reasons=[why]))

    def _not_drawn(self, name: str, message: str) -> None:
        """A universal target whose flow is not drawn: W404 at the schedule, and a note in the model."""
        self.attention.append(message)
        path, span = self.template.place_of(name)
        self.diagnostics.append(Diagnostic("W404", message, path, span))

    def add_reference_flows(self) -> None:
        """The flows a wing read itself (a distribution's origins, each with its protocol)."""
        for ref in self.network.references:
            for source in self._ends(ref.source, None):
                for target in self._resolve(ref.target, 0):
                    self.flows.add(
                        FlowDraft(source, target, ref.protocol, ref.port, name=ref.name, reasons=[ref.reason])
                    )

    def _listeners(self, name: str, entry: ResourceMapping) -> list[tuple[str, int | None, str]] | None:
        """(protocol, port, where) of each listener the template states; None when the type
        has no listeners to read (its entry protocol is the service's own)."""
        spec = entry.listeners
        if spec is None:
            return None
        holders: list[tuple[str, str]] = []  # (resource, path of one listener)
        if spec.path is not None:
            holders.append((name, spec.path))
        holders.extend((other, "") for other in self._listener_resources(name, spec))
        found: list[tuple[str, int | None, str]] = []
        for holder, base in holders:
            prefix = f"{base}." if base else ""
            protocols = list(self.template.literals(holder, prefix + spec.protocol))
            ports = list(self.template.literals(holder, prefix + spec.port))
            for index, raw in enumerate(protocols or [None] * len(ports)):
                protocol = (
                    self.mapping.protocol_names.get(str(raw).lower(), "other")
                    if isinstance(raw, str)
                    else "other"
                )
                port = _port(ports[index : index + 1])
                if protocol == "other" and port is not None:
                    protocol = self.mapping.ports.get(port, "other")
                found.append((protocol, port, holder))
        return list(dict.fromkeys(found))

    def _listener_resources(self, name: str, spec: Listeners) -> list[str]:
        """The listeners of `name` that are resources of their own (an ALB's)."""
        if spec.resource is None or spec.by is None:
            return []
        return [
            other
            for other in self.template.of_type(spec.resource)
            if name in self.template.refs(other, [spec.by])
        ]

    def sign_in_entries(self) -> None:
        """An entry flow on the port of a listener that signs in everyone it forwards is
        authenticated (the load balancer checks the user before any request goes on). Run after
        `settle`, so that it marks the flow whichever rule or listener stated it."""
        for component in self.components.values():
            for name, type_name in component.sources:
                spec = self.mapping.resources[type_name].listeners
                if spec is None or spec.sign_in is None:
                    continue
                for listener in self._listener_resources(name, spec):
                    port = _port(list(self.template.literals(listener, spec.port)))
                    found = listener_sign_in(listener, spec.sign_in, self.template)
                    if port is None or found is None:
                        continue
                    for flow in self.flows.items.values():
                        if (flow.source, flow.target, flow.port) == (ANYONE, component.id, port):
                            flow.authenticated = True if found.authenticated else flow.authenticated
                            flow.reasons.extend(r for r in found.reasons if r not in flow.reasons)

    def add_relation_entries(self) -> None:
        """A resource that is a public endpoint of others (a Lambda function URL) gives each a
        flow from the internet's clients, authenticated when its tests say it signs callers in."""
        for name in self.template.resources:
            relation = self.mapping.relations.get(self.template.type_of(name))
            if relation is None or relation.internet_entry is None:
                continue
            signs_in = test_holds(self.template, name, relation.authenticated_when)
            reason = f"{self._source(name)} is a public endpoint of it"
            if relation.authenticated_when:
                paths = ", ".join(test.path for test in relation.authenticated_when)
                said = {True: "signs callers in", False: "lets anyone call it", None: "has no value offline"}
                reason += f"; its {paths} {said[signs_in]}"
            protocol: str = relation.internet_entry
            targets = [c for path in relation.targets for c in self._ends(name, path)]
            for target in dict.fromkeys(targets):
                flow = FlowDraft(self.anyone(), target, protocol, ENTRY_PORTS.get(protocol), reasons=[reason])
                flow.authenticated = True if signs_in and relation.authenticated_when else None
                self.flows.add(flow)

    def add_entry_flows(self) -> None:
        self.add_relation_entries()
        for component in list(self.components.values()):
            for name, type_name in component.sources:
                entry = self.mapping.resources[type_name]
                if entry.internet_entry is None or component.properties.get("internet_facing") is False:
                    continue
                anyone = self.anyone()
                if self.flows.has_flow_from(anyone, component.id):
                    continue
                if name in self.network.entry_points:
                    for point in self.network.entry_points[name]:
                        self.flows.add(
                            FlowDraft(
                                anyone,
                                component.id,
                                point.protocol,
                                point.port,
                                description=point.description,
                                reasons=[point.reason],
                            )
                        )
                    continue
                listeners = self._listeners(name, entry)
                if listeners is None:
                    protocol: str = entry.internet_entry
                    reason = f"{name} is a public endpoint ({type_name})"
                    if entry.entry_authenticated:
                        reason += "; the service authenticates every client"
                    port = ENTRY_PORTS.get(protocol)
                    flow = FlowDraft(anyone, component.id, protocol, port, reasons=[reason])
                    flow.authenticated = True if entry.entry_authenticated else None
                    self.flows.add(flow)
                    continue
                if not listeners:
                    component.comments.append(
                        f"question: {name}'s listeners are not in the template: the protocol and port of "
                        "its entry flow are unknown (written as `other`)"
                    )
                    listeners = [("other", None, name)]
                for protocol, port, holder in listeners:
                    reason = f"{name} is a public endpoint ({type_name}); listener {holder}"
                    self.flows.add(FlowDraft(anyone, component.id, protocol, port, reasons=[reason]))


def _bound(prop: str, value: Any, undecided: list[Any]) -> bool:
    """Whether `value` may be written while rules before it, with `undecided` values, may hold.

    Only when it claims no more protection than any of them: then it is the least the resource
    has (`StorageEncrypted: true` with an unknown `KmsKeyId`: aws-managed at least, perhaps
    customer-kms). A value that would claim more (not public, where an undecided ACL may make
    it public), or a property with no order, is left out and only the question is written.
    """
    if not undecided:
        return True
    order = PROTECTION.get(prop)
    if order is None or value not in order or any(v not in order for v in undecided):
        return False
    return all(order.index(value) <= order.index(v) for v in undecided)


def _port(values: list[Any]) -> int | None:
    texts = [str(v) for v in values if isinstance(v, int | str) and not isinstance(v, bool)]
    if texts and texts[0].isdigit() and 0 < int(texts[0]) < 65536:
        return int(texts[0])
    return None


def _from_anyone(rule: Rule) -> bool:
    """The rule's peer is the whole internet (`0.0.0.0/0`, `::/0`)."""
    if rule.peer_kind != "cidr" or not isinstance(rule.peer, str):
        return False
    try:
        return ipaddress.ip_network(rule.peer, strict=False).prefixlen == 0
    except ValueError:
        return False


def _overlaps(network: ipaddress.IPv4Network | ipaddress.IPv6Network, other: str) -> bool:
    try:
        candidate = ipaddress.ip_network(other, strict=False)
    except ValueError:
        return False
    return candidate.version == network.version and network.overlaps(candidate)
