"""Import an Open Threat Model document as a trustmap model.

Trust zones become boundaries (kind from our `kind` attribute, else guessed from type and name
with `models/otm.yaml`; `custom` otherwise); components become components (service from the
type: a catalog id or alias, the table of OTM/StartLeft names, a CloudFormation type among the
tags, else an `external-system` placeholder marked TODO); components that contain others (the
VPC and subnet components of StartLeft) become boundaries; StartLeft's copies of one resource per
subnet are merged; dataflows become flows; assets become data. Ids that are not valid trustmap
ids (UUIDs, mixed case) are slugged from names and the original id is kept in a comment.
Threats and mitigations are not imported: trustmap derives findings from its own catalog.
Documents exported by `trustmap export otm` come back with their own ids and properties, and
with the format 1.2 facts the export carries in attributes (`carried`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, has_errors
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import Draft, Entry, render_model
from trustmap.interop.names import IdAllocator, is_model_id, slugify
from trustmap.interop.otm.carried import Carried, read_carried
from trustmap.interop.otm.reader import Element, OtmFlow, OtmRecords, read_records
from trustmap.interop.otm.table import OtmTable
from trustmap.interop.otm.values import (
    UUID,
    boolean,
    decision_entry,
    guess_protocol,
    preferred_id,
    rating,
    stated_value,
    tag_map,
)
from trustmap.model import (
    BOUNDARY_KINDS,
    CLASSIFICATIONS,
    DATA_KINDS,
    DEFAULT_TRUST,
    ENCRYPTED_PROTOCOLS,
    ENCRYPTIONS_AT_REST,
    PUBLIC_SUBNET_TRUST,
)
from trustmap.source import Document

__all__ = ["OtmImport", "import_otm"]


@dataclass
class OtmImport:
    draft: Draft | None
    diagnostics: list[Diagnostic]


@dataclass
class _Build:
    records: OtmRecords
    document: Document
    catalog: Catalog
    table: OtmTable
    cfn: ResourceTable | None
    #: more infrastructure tables whose resource types StartLeft writes as tags (Terraform's)
    more: tuple[ResourceTable, ...] = ()
    ids: IdAllocator = field(default_factory=IdAllocator)
    model_id: dict[str, str] = field(default_factory=dict)  # OTM id -> model id (zones, components)
    copies: dict[str, str] = field(default_factory=dict)  # OTM id of a merged copy -> the kept one's
    by_otm_id: dict[str, Element] = field(default_factory=dict)
    boundary_ids: set[str] = field(default_factory=set)
    synthetic: set[str] = field(default_factory=set)
    data_id: dict[str, str] = field(default_factory=dict)
    boundaries: dict[str, Entry] = field(default_factory=dict)
    components: dict[str, Entry] = field(default_factory=dict)
    data: dict[str, Entry] = field(default_factory=dict)
    flows: list[Entry] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: the format 1.2 facts read from attributes (a region, cidrs, runs_as...), as the fields
    #: of an entry and a key: what a model that does not validate with them goes without
    carried_keys: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    # -- structure ------------------------------------------------------------------------

    def containers(self) -> set[str]:
        """Components that hold other elements and stand for a network: they become boundaries."""
        parents = {e.parent[1] for e in [*self.records.components, *self.records.zones] if e.parent}
        kinds = {t.lower() for t in self.table.container_types}
        return {
            c.otm_id
            for c in self.records.components
            if c.otm_id in parents and ({c.type.lower()} | {t.lower() for t in c.tags}) & kinds
        }

    def merge_copies(self, containers: set[str]) -> list[Element]:
        """StartLeft writes a resource once per subnet; keep the first copy, map the others to it."""
        kept: dict[tuple[str, str, tuple[str, ...]], Element] = {}
        leaves = []
        for element in self.records.components:
            if element.otm_id in containers:
                continue
            key = (element.name, element.type, tuple(element.tags))
            first = kept.get(key)
            if first is not None and element.attributes.get("trustmap_id") is None:
                self.copies[element.otm_id] = first.otm_id
                self.attention.append(
                    f"component '{element.name}' appeared more than once (one copy per "
                    "subnet?); the copies were merged into one"
                )
                continue
            kept[key] = element
            leaves.append(element)
        return leaves

    def _boundary(self, element: Element, fallback_kind: str | None = None) -> None:
        boundary_id = self.ids.take(preferred_id(element, "zone"))
        self.model_id[element.otm_id] = boundary_id
        self.boundary_ids.add(boundary_id)
        kind = element.attributes.get("kind", "")
        public = boolean(element.attributes.get("public")) or False
        if kind not in BOUNDARY_KINDS:
            kind, public = self.table.guess_kind(element.type, " ".join(element.tags), element.name)
            if fallback_kind and kind == "custom":
                kind = fallback_kind
            if kind == "custom":
                self.attention.append(f"boundary '{boundary_id}': kind unknown (custom); set the right kind")
        fields: dict[str, Any] = {"kind": kind}
        if element.name != boundary_id:
            fields["name"] = element.name
        if public and kind == "subnet":
            fields["public"] = True
        trust = rating(element.raw.get("risk"))
        raw_rating = (
            element.raw.get("risk", {}).get("trustRating")
            if isinstance(element.raw.get("risk"), dict)
            else None
        )
        if trust is not None and raw_rating != trust:
            self.attention.append(
                f"boundary '{boundary_id}': trustRating {raw_rating} read as {trust} (0 to 100)"
            )
        default = PUBLIC_SUBNET_TRUST if kind == "subnet" and public else DEFAULT_TRUST[kind]
        if trust is None and element.section == "trustZones":
            self.attention.append(
                f"boundary '{boundary_id}' has no trustRating; the default of '{kind}' applies"
            )
        elif trust is not None and trust != default:
            fields["trust"] = trust
        if element.description:
            fields["description"] = element.description
        self._carry(fields, element.attributes, {"region": False, "cidrs": True})
        entry = Entry(fields)
        if boundary_id != element.otm_id:
            entry.comments.append(f"OTM id: {element.otm_id}")
        self.boundaries[boundary_id] = entry

    def add_boundaries(self, containers: set[str]) -> None:
        for zone in self.records.zones:
            if boolean(zone.attributes.get("trustmap_synthetic")):
                self.synthetic.add(zone.otm_id)
            else:
                self._boundary(zone)
        for component in self.records.components:
            if component.otm_id in containers:
                self._boundary(component, "vpc" if component.type.lower() == "vpc" else None)
                self.attention.append(
                    f"component '{component.name}' ({component.type}) holds other elements; it "
                    "became a boundary"
                )
        for element in [*self.records.zones, *self.records.components]:
            boundary_id = self.model_id.get(element.otm_id)
            if boundary_id in self.boundaries:
                parent = self._parent_boundary(element)
                if parent is not None and not self._would_cycle(boundary_id, parent):
                    self.boundaries[boundary_id].fields["parent"] = parent

    def _parent_boundary(self, element: Element, depth: int = 0) -> str | None:
        if element.parent is None:
            return None
        _, parent = element.parent
        if parent in self.synthetic:
            return None
        found = self.model_id.get(parent)
        holder = self.by_otm_id.get(parent)
        if found is not None and found not in self.boundary_ids and holder is not None and depth < 8:
            # nested in a component that stays a component: it shares that component's boundary
            self.attention.append(
                f"'{element.name}' is nested in component '{holder.name}'; it was placed beside it"
            )
            return self._parent_boundary(holder, depth + 1)
        if found is None or found not in self.boundary_ids:
            self.attention.append(
                f"'{element.name}' names parent '{parent}', which is not a zone or container "
                "of the document; it was placed outside"
            )
            return None
        return found

    def _would_cycle(self, boundary_id: str, parent: str) -> bool:
        current: str | None = parent
        while current is not None:
            if current == boundary_id:
                self.attention.append(f"boundary '{boundary_id}': its parents form a cycle; parent dropped")
                return True
            value = self.boundaries[current].fields.get("parent") if current in self.boundaries else None
            current = value if isinstance(value, str) else None
        return False

    # -- components -----------------------------------------------------------------------

    def service(self, element: Element) -> tuple[str, str | None]:
        """The catalog service for a component, and a TODO note when it is a placeholder."""
        for candidate in (element.type, element.type.lower(), element.attributes.get("service", "")):
            found = self.catalog.canonical_service(candidate) if candidate else None
            if found is not None:
                return found, None
        mapped = self.table.component_types.get(element.type.lower())
        if mapped is not None:
            return mapped, None
        for mapping in [self.cfn, *self.more]:
            for tag in element.tags if mapping is not None else []:
                entry = mapping.resources.get(tag) if mapping is not None else None
                if entry is not None:
                    return entry.service, None
        return "external-system", f"TODO: OTM type '{element.type}' has no catalog service; set `service`"

    def add_components(self, leaves: list[Element]) -> None:
        for element in leaves:
            component_id = self.ids.take(preferred_id(element, "component"))
            self.model_id[element.otm_id] = component_id
        for copy, kept in self.copies.items():
            self.model_id[copy] = self.model_id[kept]
        for element in leaves:
            self.components[self.model_id[element.otm_id]] = self._component(element)

    def _component(self, element: Element) -> Entry:
        component_id = self.model_id[element.otm_id]
        service, todo = self.service(element)
        fields: dict[str, Any] = {"service": service}
        if element.name != component_id:
            fields["name"] = element.name
        boundary = self._parent_boundary(element)
        if boundary is not None:
            fields["boundary"] = boundary
        if element.description:
            fields["description"] = element.description
        fields.update(self._properties(element, service))
        stored = (
            element.raw.get("assets", {}).get("stored")
            if isinstance(element.raw.get("assets"), dict)
            else None
        )
        stores = [self.data_id[a] for a in (stored or []) if isinstance(a, str) and a in self.data_id]
        unknown = [str(a) for a in (stored or []) if a is not None and a not in self.data_id]
        if unknown:
            self.attention.append(
                f"component '{component_id}' stores unknown assets {', '.join(unknown)}; left out"
            )
        if stores:
            fields["stores"] = stores
        controls = [
            c
            for c in element.attributes.get("controls", "").split(",")
            if c and self.catalog.canonical_control(c) is not None
        ]
        if controls:
            fields["controls"] = controls
        tags = tag_map(element.tags)
        if tags:
            fields["tags"] = tags
        entry = Entry(fields)
        if component_id != element.otm_id:
            entry.comments.append(f"OTM id: {element.otm_id}")
        if todo:
            entry.comments.append(todo)
            self.attention.append(f"component '{component_id}': {todo.removeprefix('TODO: ')}")
        return entry

    def _properties(self, element: Element, service_id: str) -> dict[str, Any]:
        """Properties stated in our attributes: exactly those the model stated when the document
        says which (`trustmap_stated`, written by `trustmap export otm`), else those that differ
        from the service's defaults."""
        attrs = element.attributes
        if "trustmap_stated" in attrs:
            return _stated(attrs)
        service = self.catalog.service(service_id)
        found: dict[str, Any] = {}
        defaults = {
            "internet_facing": bool(service and service.defaults.internet_facing),
            "multi_az": service is not None and service.default_multi_az(),
            "backup": False,
            "public_access": False,
            "logging": False,
        }
        for key, default in defaults.items():
            value = boolean(attrs.get(key))
            if value is not None and value != default:
                found[key] = value
        encryption = attrs.get("encryption_at_rest")
        default_encryption = service.defaults.encryption_at_rest if service else None
        if encryption in ENCRYPTIONS_AT_REST and encryption != (default_encryption or "none"):
            found["encryption_at_rest"] = encryption
        return found

    def _carry(self, fields: dict[str, Any], attributes: dict[str, str], keys: dict[str, bool]) -> None:
        """Format 1.2 facts a trustmap export writes as attributes (`keys`: whether a list)."""
        for key, is_list in keys.items():
            text = attributes.get(key, "")
            if text:
                fields[key] = [part for part in text.split(",") if part] if is_list else text
                self.carried_keys.append((fields, key))

    def attach_carried(self, carried: Carried, leaves: list[Element]) -> None:
        """Each component's `runs_as` and `security_groups`, once the sections they name are read."""
        for element in leaves:
            component_id = self.model_id[element.otm_id]
            fields = self.components[component_id].fields
            for key, names in carried.references(component_id, element.attributes).items():
                fields[key] = names
                self.carried_keys.append((fields, key))

    # -- data and flows ----------------------------------------------------------------------

    def add_data(self) -> None:
        for asset in self.records.assets:
            data_id = self.ids.take(preferred_id(asset, "data"))
            self.data_id[asset.otm_id] = data_id
            fields: dict[str, Any] = {}
            if asset.name != data_id:
                fields["name"] = asset.name
            classification = asset.attributes.get("classification")
            if classification not in CLASSIFICATIONS:
                risk = asset.raw.get("risk")
                value = risk.get("confidentiality") if isinstance(risk, dict) else None
                number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
                classification = self.table.classify(float(number)) if number is not None else "internal"
            fields["classification"] = classification
            regulations = [r for r in asset.attributes.get("regulations", "").split(",") if r]
            if regulations:
                fields["regulations"] = regulations
            kind = asset.attributes.get("kind")
            if kind in DATA_KINDS and kind != "records":  # the default is not written
                fields["kind"] = kind
            if asset.description:
                fields["description"] = asset.description
            self._carry(
                fields,
                asset.attributes,
                {"residency": True, "issued_by": False, "derived_from": True, "integrity": False},
            )
            if asset.attributes.get("disposable") == "true":
                fields["disposable"] = True
                self.carried_keys.append((fields, "disposable"))
            self.data[data_id] = Entry(
                fields, comments=[f"OTM id: {asset.otm_id}"] if data_id != asset.otm_id else []
            )

    def _end(self, flow: OtmFlow, otm_id: str) -> str | None:
        found = self.model_id.get(otm_id)
        if found is None or found not in self.components:
            where = "a zone or a container" if found in self.boundary_ids else "unknown"
            self.diagnostics.append(
                Diagnostic(
                    "W412",
                    f"dataflow '{flow.otm_id}' skipped: '{otm_id}' is {where}",
                    self.document.path,
                    self.document.source_map.value(flow.path),
                )
            )
            self.attention.append(
                f"dataflow '{flow.name or flow.otm_id}' skipped: its end '{otm_id}' is {where}"
            )
            return None
        return found

    def add_flows(self) -> None:
        pairs: dict[tuple[str, str], int] = {}
        resolved = []
        seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
        for flow in self.records.flows:
            source, target = self._end(flow, flow.source), self._end(flow, flow.destination)
            if source is None or target is None:
                continue
            copied = flow.source in self.copies or flow.destination in self.copies
            key = (source, target, flow.name or "", tuple(sorted(flow.tags)))
            if copied and key in seen:
                self.attention.append(
                    f"dataflow '{flow.name or flow.otm_id}' repeated a flow between merged copies; "
                    "merged with it"
                )
                continue
            seen.add(key)
            if source == target:
                self.attention.append(
                    f"dataflow '{flow.name or flow.otm_id}' skipped: it loops on '{source}'"
                )
                continue
            pairs[(source, target)] = pairs.get((source, target), 0) + 1
            resolved.append((flow, source, target))
        for flow, source, target in resolved:
            self.flows.append(self._flow(flow, source, target, pairs[(source, target)] > 1))

    def _flow(self, flow: OtmFlow, source: str, target: str, shared: bool) -> Entry:
        fields: dict[str, Any] = {"from": source, "to": target}
        own = flow.attributes.get("trustmap_id", "")
        if own and own != f"{source}->{target}" and is_model_id(own):
            fields["id"] = self.ids.take(own)
        elif shared:
            fields["id"] = self.ids.take(
                slugify(flow.otm_id if not UUID.fullmatch(flow.otm_id) else f"{source}-to-{target}", "flow")
            )
        own_name = flow.attributes.get("trustmap_name") if own else flow.name
        if own_name:
            fields["name"] = own_name
        protocol, port = self._protocol(flow)
        fields["protocol"] = protocol
        if port is not None:
            fields["port"] = port
        encrypted = boolean(flow.attributes.get("encrypted"))
        if encrypted is not None and encrypted != (protocol in ENCRYPTED_PROTOCOLS):
            fields["encrypted"] = encrypted
        authenticated = boolean(flow.attributes.get("authenticated"))
        if authenticated is not None and authenticated != (protocol == "aws-api"):
            fields["authenticated"] = authenticated  # what differs from the protocol's default
        data = [self.data_id[a] for a in flow.assets if a in self.data_id]
        if data:
            fields["data"] = data
        if flow.bidirectional:
            fields["bidirectional"] = True
        if flow.description:
            fields["description"] = flow.description
        if flow.attributes.get("kind") == "route":
            fields["kind"] = "route"
            fields.pop("data", None)  # plumbing carries no data of its own
        return Entry(fields)

    def _protocol(self, flow: OtmFlow) -> tuple[str, int | None]:
        protocol, port = guess_protocol(flow, self.cfn.ports if self.cfn is not None else {})
        if protocol is None:
            self.attention.append(f"flow {flow.name or flow.otm_id}: no protocol stated; written as `other`")
            return "other", port
        return protocol, port


def import_otm(
    document: Document,
    catalog: Catalog,
    table: OtmTable,
    cfn: ResourceTable | None = None,
    *,
    name: str | None = None,
    more: tuple[ResourceTable, ...] = (),
) -> OtmImport:
    """A draft model from a parsed OTM document; `cfn` and `more` are the infrastructure tables
    whose resource types name components among the tags (StartLeft writes them)."""
    records, problems = read_records(document)
    if records is None or has_errors(problems):
        return OtmImport(None, problems)
    build = _Build(records, document, catalog, table, cfn, more)
    build.by_otm_id = {e.otm_id: e for e in [*records.zones, *records.components]}
    containers = build.containers()
    leaves = build.merge_copies(containers)
    build.add_data()
    build.add_boundaries(containers)
    build.add_components(leaves)
    if not build.components:
        problems.append(
            Diagnostic(
                "E412",
                "no element of the document can become a component; a model needs at least one",
                document.path,
                document.source_map.value(("components",)),
            )
        )
        return OtmImport(None, problems)
    build.add_flows()
    attributes = records.project.get("attributes")
    carried = read_carried(
        attributes if isinstance(attributes, dict) else {},
        {*build.data, *build.boundaries, *build.components},
    )
    build.attach_carried(carried, leaves)
    if records.threats or records.mitigations:
        build.attention.append(
            f"{records.threats} threats and {records.mitigations} mitigations were not imported: "
            "trustmap derives findings from its catalog; record decisions under `accepted`"
        )
    draft = _draft(build, document, name)
    build.attention.extend(carried.attention)
    carried.fill(draft)
    draft.attention = list(dict.fromkeys(build.attention))
    return OtmImport(_without_what_does_not_fit(draft, build, catalog), [*problems, *build.diagnostics])


def _without_what_does_not_fit(draft: Draft, build: _Build, catalog: Catalog) -> Draft:
    """The draft, or, when the format 1.2 facts it carries make it fail validation (an edited
    document: a grant on a component that is gone, an unknown region), the draft without them,
    with the first problem named: the rest of the model is still worth importing."""
    carried = bool(draft.principals or draft.grants or draft.security_groups or draft.route_domains)
    if not (carried or build.carried_keys):
        return draft
    from trustmap.validate import load_model  # here: validation is only needed for what was carried

    _, problems = load_model(build.document.path, render_model(draft).encode("utf-8"), catalog)
    errors = [problem for problem in problems if problem.level == "error"]
    if not errors:
        return draft
    draft.principals, draft.grants, draft.security_groups, draft.route_domains = {}, [], {}, {}
    for fields, key in build.carried_keys:
        fields.pop(key, None)
    draft.attention.append(
        "the principals, grants, security groups, route domains, regions, address ranges and "
        f"residency the document carries do not fit the model ({errors[0].message}); all were left out"
    )
    return draft


def _draft(build: _Build, document: Document, name: str | None) -> Draft:
    project = build.records.project
    found = project.get("attributes")
    attributes: dict[str, Any] = found if isinstance(found, dict) else {}
    controls = [
        c for c in str(attributes.get("controls") or "").split(",") if build.catalog.canonical_control(c)
    ]
    if not build.data:
        build.attention.insert(0, "classify the data: the document has no assets; add `data` entries")
    return Draft(
        name=name or str(project.get("name") or document.path),
        region=str(attributes["region"]) if attributes.get("region") else None,
        description=str(project["description"]) if project.get("description") else None,
        owner=str(project["owner"]) if project.get("owner") else None,
        header=[
            f"Generated by `trustmap import otm` from {document.path}.",
            "Review it, then run `trustmap validate` and `trustmap build`.",
        ],
        attention=list(dict.fromkeys(build.attention)),
        data=build.data,
        boundaries=build.boundaries,
        components=build.components,
        flows=build.flows,
        controls=controls,
        accepted=[decision_entry(d) for d in build.records.decisions],
    )


def _stated(attrs: dict[str, str]) -> dict[str, Any]:
    """The component keys a trustmap export says the model stated, with their values."""
    found: dict[str, Any] = {}
    for key in attrs["trustmap_stated"].split(","):
        value = stated_value(key, attrs.get(key, ""))
        if value is not None:
            found[key] = value
    return found
