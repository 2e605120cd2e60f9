"""Load a model file and check every rule of the format, collecting all problems.

Each section entry is validated on its own, so that one broken component does not hide the
problems of the others, and reference checks (E2xx) still run on the entries that are valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from trustmap.addresses import parse_cidr, parse_ports
from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, did_you_mean, has_errors, printable
from trustmap.gc_pause import paused_gc
from trustmap.model import (
    ID_PATTERN,
    MAX_BOUNDARY_DEPTH,
    Boundary,
    Component,
    DataAsset,
    Decision,
    Flow,
    Grant,
    Model,
    Name,
    Principal,
    RouteDomain,
    SecurityGroup,
    is_id,
)
from trustmap.peers import rule_admits
from trustmap.schema_errors import diagnostics_from_validation_error, id_spelling, invalid_id, not_text_key
from trustmap.source import Document, Limits, Path, key_segment, load_yaml

__all__ = ["KNOWN_REGULATIONS", "LoadedModel", "load_model"]

KNOWN_REGULATIONS = frozenset({"pci-dss", "hipaa", "gdpr", "sox"})
SUPPORTED_VERSION = 1

_E = TypeVar("_E", bound=BaseModel)


@dataclass(frozen=True)
class LoadedModel:
    """A model that passed validation, with the document it came from (for positions)."""

    model: Model
    document: Document

    @property
    def path(self) -> str:
        return self.document.path


class _Header(BaseModel):
    model_config = Model.model_config
    trustmap: int
    name: Name  # the model's name, cut like every display name
    description: str | None = None
    owner: str | None = None
    region: str | None = None
    controls: list[str] = Field(default_factory=list)


_SECTIONS: dict[str, type[BaseModel]] = {
    "data": DataAsset,
    "boundaries": Boundary,
    "components": Component,
    "principals": Principal,
    "security_groups": SecurityGroup,
    "route_domains": RouteDomain,
}
_LISTS: dict[str, type[BaseModel]] = {"flows": Flow, "accepted": Decision, "grants": Grant}


def load_model(
    path: str,
    raw: bytes,
    catalog: Catalog,
    *,
    limits: Limits = Limits(),
    today: dt.date | None = None,
) -> tuple[LoadedModel | None, list[Diagnostic]]:
    """Read and validate a model; the model is None when any error was found."""
    with paused_gc():  # many small long-lived objects, no cycles
        return _load_model(path, raw, catalog, limits, today or dt.date.today())


def _load_model(
    path: str, raw: bytes, catalog: Catalog, limits: Limits, today: dt.date
) -> tuple[LoadedModel | None, list[Diagnostic]]:
    document, problems = load_yaml(path, raw, limits)
    if document is None:
        return None, problems
    model, found = _validate_shape(document)
    problems.extend(found)
    if model is not None:
        declared = {key: _declared_ids(document.data.get(key)) for key in _SECTIONS}
        problems.extend(_check_references(model, document, catalog, declared))
        problems.extend(_check_groups_and_routes(model, document))
        problems.extend(_check_identities(model, document, catalog, declared))
        problems.extend(_check_network(model, document, declared))
        problems.extend(_check_places(model, document, catalog))
        problems.extend(_check_warnings(model, document, catalog, today))
    if has_errors(problems) or model is None:
        return None, _sorted(problems)
    return LoadedModel(model, document), _sorted(problems)


def _sorted(problems: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(problems), key=Diagnostic.sort_key)


def _validate(
    schema: type[_E], value: Any, document: Document, prefix: Path
) -> tuple[_E | None, list[Diagnostic]]:
    try:
        return schema.model_validate(value), []
    except ValidationError as error:
        return None, diagnostics_from_validation_error(error, document, schema, prefix)


def _validate_shape(document: Document) -> tuple[Model | None, list[Diagnostic]]:
    data: dict[Any, Any] = document.data
    problems: list[Diagnostic] = []
    header_data = {k: v for k, v in data.items() if k not in _SECTIONS and k not in _LISTS}
    if header_data.get("controls", ()) is None:
        del header_data["controls"]  # `controls:` with no value: none, as for `flows:` and the maps
    version = header_data.get("trustmap")
    if "trustmap" in header_data and (isinstance(version, bool | float) or version != SUPPORTED_VERSION):
        problems.append(
            Diagnostic(
                "E107",
                _unsupported_version(version),
                document.path,
                document.source_map.value(("trustmap",)),
            )
        )
        header_data["trustmap"] = SUPPORTED_VERSION
    header, found = _validate(_Header, header_data, document, ())
    problems.extend(_rename_unknown_top_level(found))

    sections: dict[str, Any] = {}
    for key, schema in _SECTIONS.items():
        sections[key], found = _validate_mapping(schema, data.get(key), key, document)
        problems.extend(found)
    for key, schema in _LISTS.items():
        sections[key], found = _validate_list(schema, data.get(key), key, document)
        problems.extend(found)
    if "components" in data and not data["components"] and isinstance(data["components"], dict | None):
        problems.append(
            Diagnostic(
                "E108",
                "'components' must hold at least one component",
                document.path,
                document.source_map.key(("components",)),
            )
        )
    elif "components" not in data:
        problems.append(
            Diagnostic(
                "E101",
                "missing required key 'components'",
                document.path,
                document.source_map.value(()),
            )
        )
    if not isinstance(data.get("components"), dict):
        return None, problems
    # A broken header still lets the sections be cross-checked: every problem in one run.
    fields = header.model_dump() if header is not None else {"trustmap": SUPPORTED_VERSION, "name": ""}
    model = Model.model_construct(**fields, **sections)
    return model, problems


def _unsupported_version(version: Any) -> str:
    if version is None:  # `trustmap:` with no value
        return f"the format version is missing: write 'trustmap: {SUPPORTED_VERSION}'"
    # YAML spells booleans in lower case: the message quotes what the author wrote
    shown = str(version).lower() if isinstance(version, bool) else repr(version)
    return (
        f"unsupported format version {shown}: this trustmap reads version {SUPPORTED_VERSION}"
        f" (write 'trustmap: {SUPPORTED_VERSION}')"
    )


def _declared_ids(section: Any) -> set[str]:
    """Ids written in a section, valid entries or not, so one bad entry does not cascade."""
    if not isinstance(section, dict):
        return set()
    return {key for key in section if isinstance(key, str) and is_id(key)}


#: keys other formats give their version under (docker compose, OpenAPI, OTM, CloudFormation)
_VERSION_KEYS = frozenset({"version", "format", "format_version", "otmVersion", "AWSTemplateFormatVersion"})


def _rename_unknown_top_level(found: list[Diagnostic]) -> list[Diagnostic]:
    """Suggest from every top-level key, not only the header's (the header is an internal split)."""
    renamed = []
    known = list(Model.model_fields)
    for problem in found:
        if problem.code == "E102":
            name = problem.message.split("'")[1]
            hint = did_you_mean(name, known)
            if name in _VERSION_KEYS:  # the format's version has a key of its own
                hint = f"; the format version is written 'trustmap: {SUPPORTED_VERSION}'"
            problem = Diagnostic(
                "E102",
                f"unknown key '{printable(name)}'{hint}",
                problem.path,
                problem.span,
            )
        renamed.append(problem)
    return renamed


def _validate_mapping(
    schema: type[_E], value: Any, key: str, document: Document
) -> tuple[dict[str, _E], list[Diagnostic]]:
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, [_not_a(key, "mapping of id to entry", value, document)]
    valid: dict[str, _E] = {}
    problems: list[Diagnostic] = []
    for entry_id, entry in value.items():
        path: Path = (key, str(entry_id))
        if not isinstance(entry_id, str):
            at = document.source_map.key((key, key_segment(entry_id)))
            problems.append(Diagnostic("E103", not_text_key(entry_id), document.path, at))
            continue
        if not is_id(entry_id):
            problems.append(
                Diagnostic(
                    "E105",
                    invalid_id(entry_id, ID_PATTERN),
                    document.path,
                    document.source_map.key(path),
                )
            )
            continue
        parsed, found = _validate(schema, entry if entry is not None else {}, document, path)
        problems.extend(found)
        if parsed is not None:
            valid[entry_id] = parsed
    return valid, problems


def _validate_list(
    schema: type[_E], value: Any, key: str, document: Document
) -> tuple[tuple[_E, ...], list[Diagnostic]]:
    if value is None:
        return (), []
    if not isinstance(value, list):
        return (), [_not_a(key, "list", value, document)]
    valid: list[_E] = []
    problems: list[Diagnostic] = []
    for index, entry in enumerate(value):
        parsed, found = _validate(schema, entry, document, (key, index))
        problems.extend(found)
        if parsed is not None:
            valid.append(parsed)
    return tuple(valid), problems


def _not_a(key: str, what: str, value: Any, document: Document) -> Diagnostic:
    kind = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
    hint = ""
    if what == "list" and isinstance(value, dict):
        hint = "; write each entry on its own line starting with '- '"
    elif what.startswith("mapping") and isinstance(value, list):
        hint = "; key each entry by its id ('web: {service: ec2}'), with no '- '"
    return Diagnostic(
        "E103",
        f"'{key}' must be a {what}, not {kind}{hint}",
        document.path,
        document.source_map.value((key,)),
    )


# -- references -------------------------------------------------------------------------


def _flow_index(model: Model, document: Document) -> list[tuple[int, Flow]]:
    """Flows paired with their index in the YAML list (invalid flows were dropped)."""
    raw = document.data.get("flows") or []
    indexed: list[tuple[int, Flow]] = []
    position = 0
    for flow in model.flows:
        while position < len(raw):
            entry = raw[position]
            position += 1
            if (
                isinstance(entry, dict)
                and entry.get("from") == flow.source
                and entry.get("to") == flow.target
                and entry.get("id") == flow.id
            ):
                indexed.append((position - 1, flow))
                break
    return indexed


def _check_references(
    model: Model, document: Document, catalog: Catalog, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E2xx: every reference resolves and every id names one thing (order does not matter:
    `load_model` sorts)."""
    yield from _check_shared_ids(model, document)
    yield from _check_data(model, document, declared)
    yield from _check_boundaries(model, document, declared)
    yield from _check_nesting(model, document)
    yield from _check_components(model, document, catalog, declared)
    for index, control in enumerate(model.controls):
        yield from _check_control(control, catalog, document, ("controls", index))
    flows = _flow_index(model, document)
    yield from _check_flows(flows, document, declared)
    yield from _check_flow_ids(flows, document, declared)


def _check_data(model: Model, document: Document, declared: dict[str, set[str]]) -> Iterator[Diagnostic]:
    """E201, E203, E228: a data asset's issuer is a known component, and what it is derived from
    is known data that is not, in the end, itself."""
    at, where = document.source_map, document.path
    components, data = declared["components"], declared["data"]
    for data_id, asset in model.data.items():
        base: Path = ("data", data_id)
        if asset.issued_by is not None and asset.issued_by not in components:
            yield Diagnostic(
                "E201",
                f"data '{data_id}' is issued by unknown component '{asset.issued_by}'"
                f"{did_you_mean(asset.issued_by, components)}",
                where,
                at.value((*base, "issued_by")),
            )
        for index, source in enumerate(asset.derived_from):
            if source not in data:
                yield Diagnostic(
                    "E203",
                    f"data '{data_id}' is derived from unknown data '{source}'{did_you_mean(source, data)}",
                    where,
                    at.value((*base, "derived_from", index)),
                )
        cycle = _derivation_cycle(model, data_id)
        if cycle:
            yield Diagnostic(
                "E228",
                f"data '{data_id}' is derived from itself: {' <- '.join(cycle)}",
                where,
                at.value((*base, "derived_from")),
            )


def _derivation_cycle(model: Model, start: str) -> list[str]:
    """The chain of `derived_from` that leads from `start` back to it, or [] (depth-first; a
    model has a few dozen data assets)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        data_id, chain = stack.pop()
        asset = model.data.get(data_id)
        for source in asset.derived_from if asset else ():
            if source == start:
                return [*chain, source]
            if source not in seen:
                seen.add(source)
                stack.append((source, [*chain, source]))
    return []


def _check_boundaries(
    model: Model, document: Document, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E202: a boundary's parent is a boundary."""
    boundaries = declared["boundaries"]
    for boundary_id, boundary in model.boundaries.items():
        if boundary.parent is not None and boundary.parent not in boundaries:
            yield Diagnostic(
                "E202",
                f"boundary '{boundary_id}' has unknown parent '{boundary.parent}'"
                f"{did_you_mean(boundary.parent, boundaries)}",
                document.path,
                document.source_map.value(("boundaries", boundary_id, "parent")),
            )


def _check_components(
    model: Model, document: Document, catalog: Catalog, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E204, E202, E203, E205: a component's service, boundary, data and controls exist."""
    at, where = document.source_map, document.path
    boundaries, data = declared["boundaries"], declared["data"]
    for component_id, component in model.components.items():
        base: Path = ("components", component_id)
        if catalog.canonical_service(component.service) is None:
            yield Diagnostic(
                "E204",
                f"unknown service '{printable(component.service)}'"
                f"{did_you_mean(component.service, catalog.services)}"
                " (run 'trustmap catalog services' for the list)",
                where,
                at.value((*base, "service")),
            )
        if component.boundary is not None and component.boundary not in boundaries:
            yield Diagnostic(
                "E202",
                f"component '{component_id}' is in unknown boundary '{component.boundary}'"
                f"{did_you_mean(component.boundary, boundaries)}",
                where,
                at.value((*base, "boundary")),
            )
        for index, data_id in enumerate(component.stores):
            if data_id not in data:
                yield Diagnostic(
                    "E203",
                    f"component '{component_id}' stores unknown data '{data_id}'"
                    f"{did_you_mean(data_id, data)}",
                    where,
                    at.value((*base, "stores", index)),
                )
        for index, control in enumerate(component.controls):
            yield from _check_control(control, catalog, document, (*base, "controls", index))


def _check_flows(
    flows: list[tuple[int, Flow]], document: Document, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E201, E207, E203: a flow joins two different known components and carries known data."""
    at, where = document.source_map, document.path
    components, data = declared["components"], declared["data"]
    written = document.data.get("components")
    misspelt = {
        id_spelling(key): key
        for key in (written if isinstance(written, dict) else ())
        if isinstance(key, str)
    }
    for index, flow in flows:
        base: Path = ("flows", index)
        for end, key in ((flow.source, "from"), (flow.target, "to")):
            if end not in components:
                hint = did_you_mean(end, components)
                if end in declared["boundaries"]:  # a flow drawn to a box on the diagram
                    hint = f": '{end}' is a boundary; a flow joins two components, such as one inside it"
                elif misspelt.get(end, end) != end:  # one E105 on the key is the error to fix
                    hint = f": the component is written '{printable(misspelt[end])}', which is not a valid id"
                yield Diagnostic(
                    "E201",
                    f"flow '{flow.flow_id}' {'starts at' if key == 'from' else 'goes to'} "
                    f"unknown component '{end}'{hint}",
                    where,
                    at.value((*base, key)),
                )
        if flow.source == flow.target:
            yield Diagnostic(
                "E207",
                f"flow '{flow.flow_id}' goes from '{flow.source}' to itself",
                where,
                at.value((*base, "to")),
            )
        for data_index, data_id in enumerate(flow.data):
            if data_id not in data:
                yield Diagnostic(
                    "E203",
                    f"flow '{flow.flow_id}' carries unknown data '{data_id}'{did_you_mean(data_id, data)}",
                    where,
                    at.value((*base, "data", data_index)),
                )


def _check_flow_ids(
    flows: list[tuple[int, Flow]], document: Document, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E208, E209: each flow id is unique and names no component or boundary."""
    at, where = document.source_map, document.path
    seen: dict[str, int] = {}
    for index, flow in flows:
        base: Path = ("flows", index)
        if flow.flow_id in seen:
            hint = "" if flow.id else "; flows between the same pair each need an explicit 'id'"
            first = at.value(("flows", seen[flow.flow_id]))
            line = first.line if first else 1
            yield Diagnostic(
                "E208",
                f"duplicate flow id '{flow.flow_id}' (first at line {line}){hint}",
                where,
                at.value((*base, "id")) if flow.id else at.value(base),
            )
        else:
            seen[flow.flow_id] = index
        if flow.flow_id in declared["components"] or flow.flow_id in declared["boundaries"]:
            yield Diagnostic(
                "E209",
                f"flow id '{flow.flow_id}' is already the id of a component or boundary",
                where,
                at.value((*base, "id")),
            )


def _check_control(control: str, catalog: Catalog, document: Document, path: Path) -> Iterator[Diagnostic]:
    if catalog.canonical_control(control) is None:
        yield Diagnostic(
            "E205",
            f"unknown control '{printable(control)}'{did_you_mean(control, catalog.controls)}"
            " (run 'trustmap catalog controls' for the list)",
            document.path,
            document.source_map.value(path),
        )


def _check_shared_ids(model: Model, document: Document) -> Iterator[Diagnostic]:
    owners: dict[str, str] = {}
    for section in ("data", "boundaries", "components", "principals", "security_groups", "route_domains"):
        entries: Mapping[str, object] = getattr(model, section)
        for entry_id in entries:
            if entry_id in owners:
                yield Diagnostic(
                    "E209",
                    f"id '{entry_id}' names both an entry of '{owners[entry_id]}' and of "
                    f"'{section}'; one id names one thing",
                    document.path,
                    document.source_map.key((section, entry_id)),
                )
            else:
                owners[entry_id] = section


def _check_nesting(model: Model, document: Document) -> Iterator[Diagnostic]:
    """E206 for boundary parents that form a cycle, E212 for a boundary nested deeper than
    `MAX_BOUNDARY_DEPTH`. One walk up from each boundary that stops at the first boundary
    already measured, so the cost is linear in the number of boundaries, however deep."""
    depths: dict[str, int] = {}  # 1 for a boundary without a parent; 0: on or under a cycle
    for start in sorted(model.boundaries):
        chain: list[str] = []
        on_chain: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in model.boundaries and current not in depths:
            if current in on_chain:
                cycle = chain[on_chain[current] :]
                first = min(cycle)
                loop = " -> ".join([*cycle[cycle.index(first) :], *cycle[: cycle.index(first)], first])
                yield Diagnostic(
                    "E206",
                    f"boundary parents form a cycle: {loop}",
                    document.path,
                    document.source_map.value(("boundaries", first, "parent")),
                )
                depths.update(dict.fromkeys(chain, 0))
                break
            on_chain[current] = len(chain)
            chain.append(current)
            current = model.boundaries[current].parent
        else:  # stopped at the top (no parent, or an unknown one) or at a boundary measured before
            known = current is not None and current in depths
            depth = depths[current] if known and current is not None else 0
            under_cycle = known and depth == 0
            for boundary_id in reversed(chain):
                depth = 0 if under_cycle else depth + 1
                depths[boundary_id] = depth
                if depth == MAX_BOUNDARY_DEPTH + 1:  # reported once, at the top of the part too deep
                    yield Diagnostic(
                        "E212",
                        f"boundary '{boundary_id}' is nested {depth} levels deep through its parents, "
                        f"more than {MAX_BOUNDARY_DEPTH}; nest fewer boundaries",
                        document.path,
                        document.source_map.value(("boundaries", boundary_id, "parent")),
                    )


# -- warnings ---------------------------------------------------------------------------


def _check_groups_and_routes(model: Model, document: Document) -> Iterator[Diagnostic]:
    """Format 1.1: forwarded data must exist, zones are distinct, route flows carry no data."""
    at = document.source_map
    where = document.path
    for component_id, component in model.components.items():
        base = ("components", component_id)
        if isinstance(component.forwards, list):
            for index, data_id in enumerate(component.forwards):
                if data_id not in model.data:
                    yield Diagnostic(
                        "E203",
                        f"component '{component_id}' forwards unknown data '{data_id}'"
                        f"{did_you_mean(data_id, model.data)}",
                        where,
                        at.value((*base, "forwards", index)),
                    )
        seen: set[str] = set()
        for index, zone in enumerate(component.zones or ()):
            if zone in seen:
                yield Diagnostic(
                    "E214",
                    f"component '{component_id}' lists zone '{zone}' twice",
                    where,
                    at.value((*base, "zones", index)),
                )
            seen.add(zone)
    for index, flow in enumerate(model.flows):
        if flow.kind == "route" and flow.data:
            yield Diagnostic(
                "E215",
                f"flow '{flow.flow_id}' is a route (network plumbing) and carries no data of its own;"
                " declare the data on the data flows that use the route",
                where,
                at.value(("flows", index, "data")),
            )


def _check_warnings(
    model: Model, document: Document, catalog: Catalog, today: dt.date
) -> Iterator[Diagnostic]:
    """W3xx: the model is valid but probably not what its author meant."""
    yield from _unknown_regulations(model, document)
    yield from _expired_decisions(model, document, today)
    yield from _public_non_subnets(model, document)
    yield from _deprecated_services(model, document, catalog)
    yield from _unused_data(model, document)
    yield from _flows_no_rule_admits(model, document)


def _unknown_regulations(model: Model, document: Document) -> Iterator[Diagnostic]:
    """W301: a data asset names a regulation trustmap does not know."""
    for data_id, asset in model.data.items():
        for index, regulation in enumerate(asset.regulations):
            if regulation not in KNOWN_REGULATIONS:
                yield Diagnostic(
                    "W301",
                    f"unknown regulation '{printable(regulation)}'"
                    f"{did_you_mean(regulation, KNOWN_REGULATIONS)}; known: "
                    + ", ".join(sorted(KNOWN_REGULATIONS)),
                    document.path,
                    document.source_map.value(("data", data_id, "regulations", index)),
                )


def _expired_decisions(model: Model, document: Document, today: dt.date) -> Iterator[Diagnostic]:
    """W302: a risk decision has expired."""
    for index, decision in enumerate(model.accepted):
        if decision.expires is not None and decision.expires < today:
            yield Diagnostic(
                "W302",
                f"the decision on '{decision.finding}' expired on {decision.expires.isoformat()};"
                " the findings it matched count as open again",
                document.path,
                document.source_map.value(("accepted", index, "expires")),
            )


def _public_non_subnets(model: Model, document: Document) -> Iterator[Diagnostic]:
    """W303: `public: true` on a boundary that is not a subnet."""
    for boundary_id, boundary in model.boundaries.items():
        if boundary.public and boundary.kind != "subnet":
            yield Diagnostic(
                "W303",
                f"'public' only has a meaning for subnets, not for a '{boundary.kind}' boundary",
                document.path,
                document.source_map.value(("boundaries", boundary_id, "public")),
            )


def _deprecated_services(model: Model, document: Document, catalog: Catalog) -> Iterator[Diagnostic]:
    """W304: a component of a deprecated service."""
    for component_id, component in model.components.items():
        service = catalog.service(component.service)
        if service is not None and service.deprecated is not None:
            replacement = (
                f"; use {service.deprecated.replacement} instead" if service.deprecated.replacement else ""
            )
            yield Diagnostic(
                "W304",
                f"service '{component.service}' is deprecated since "
                f"{service.deprecated.date.isoformat()}{replacement}",
                document.path,
                document.source_map.value(("components", component_id, "service")),
            )


def _unused_data(model: Model, document: Document) -> Iterator[Diagnostic]:
    """W305: a data asset that no component stores and no flow carries."""
    used = {d for c in model.components.values() for d in c.stores} | {d for f in model.flows for d in f.data}
    for data_id in sorted(set(model.data) - used - _written_uses(document.data)):
        yield Diagnostic(
            "W305",
            f"data '{data_id}' is neither stored by a component nor carried by a flow",
            document.path,
            document.source_map.key(("data", data_id)),
        )


def _written_uses(data: dict[Any, Any]) -> set[Any]:
    """Data ids that components and flows name as written, valid entries or not: a flow or a
    component with an error of its own is left out of the model, but it still uses its data,
    and a second message about that data would send the author after the wrong line."""
    components, flows = data.get("components"), data.get("flows")
    entries = [*(components.values() if isinstance(components, dict) else ())]
    entries += [*(flows.values() if isinstance(flows, dict) else flows if isinstance(flows, list) else ())]
    used: set[Any] = set()
    for entry in entries:
        if isinstance(entry, dict):
            for key in ("stores", "data"):
                named = entry.get(key)
                if isinstance(named, list):
                    used.update(n for n in named if isinstance(n, str))
    return used


# -- format 1.2: identities, networks, places ---------------------------------------------

#: principal kinds a component can run as, and that a trust statement can name
_RUNNABLE = frozenset({"role", "user"})
_TRUSTABLE = frozenset({"role", "user", "account", "oidc-provider", "saml-provider", "service"})


def _unknown_principal(name: str, what: str, model: Model, document: Document, path: Path) -> Diagnostic:
    return Diagnostic(
        "E220",
        f"{what} unknown principal '{name}'{did_you_mean(name, model.principals)}",
        document.path,
        document.source_map.value(path),
    )


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _item_path(document: Document, path: Path, index: int) -> Path:
    """Where the `index`th id of a key that takes one id or a list of them is written."""
    value: Any = document.data
    for step in path:
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            value = None
    return path if isinstance(value, str) else (*path, index)


def _misfit(message: str, document: Document, path: Path) -> Diagnostic:
    return Diagnostic("E224", message, document.path, document.source_map.value(path))


def _check_identities(
    model: Model, document: Document, catalog: Catalog, declared: dict[str, set[str]]
) -> Iterator[Diagnostic]:
    """E220, E224, E225, E202, E203, E205: principals, their trust and grants fit together."""
    principals = model.principals
    for principal_id, principal in principals.items():
        base: Path = ("principals", principal_id)
        if principal.boundary is not None and principal.boundary not in declared["boundaries"]:
            yield Diagnostic(
                "E202",
                f"principal '{principal_id}' is in unknown boundary '{principal.boundary}'"
                f"{did_you_mean(principal.boundary, declared['boundaries'])}",
                document.path,
                document.source_map.value((*base, "boundary")),
            )
        for index, control in enumerate(principal.controls):
            yield from _check_control(control, catalog, document, (*base, "controls", index))
        if principal.trust is not None and principal.kind != "role":
            yield _misfit(
                f"'trust' is a role's trust policy; principal '{principal_id}' is {_a(principal.kind)}",
                document,
                (*base, "trust"),
            )
        for index, statement in enumerate(principal.trust or ()):
            where: Path = (*base, "trust", index, "principal")
            other = principals.get(statement.principal)
            if other is None:
                yield _unknown_principal(
                    statement.principal, f"the trust of '{principal_id}' names", model, document, where
                )
            elif other.kind not in _TRUSTABLE:
                yield _misfit(
                    f"a trust policy cannot name the {other.kind} '{statement.principal}'"
                    " (name its users, or the role they use)",
                    document,
                    where,
                )
        if principal.members and principal.kind != "group":
            yield _misfit(
                f"'members' belong to a group; principal '{principal_id}' is {_a(principal.kind)}",
                document,
                (*base, "members"),
            )
        for index, member in enumerate(principal.members):
            where = (*base, "members", index)
            found = principals.get(member)
            if found is None:
                yield _unknown_principal(member, f"group '{principal_id}' lists", model, document, where)
            elif found.kind != "user":
                yield _misfit(f"a group's members are users; '{member}' is {_a(found.kind)}", document, where)
        if principal.access_keys is not None and principal.kind != "user":
            yield _misfit(
                f"'access_keys' belong to an IAM user; principal '{principal_id}' is {_a(principal.kind)}",
                document,
                (*base, "access_keys"),
            )
    for component_id, component in model.components.items():
        for index, name in enumerate(component.runs_as):
            where = _item_path(document, ("components", component_id, "runs_as"), index)
            found = principals.get(name)
            if found is None:
                yield _unknown_principal(name, f"component '{component_id}' runs as", model, document, where)
            elif found.kind not in _RUNNABLE:
                yield _misfit(
                    f"a component runs as a role or a user; '{name}' is {_a(found.kind)}", document, where
                )
    yield from _check_grants(model, document, declared)


def _check_grants(model: Model, document: Document, declared: dict[str, set[str]]) -> Iterator[Diagnostic]:
    raw = document.data.get("grants")
    for index, grant in _listed(model.grants, raw):
        base: Path = ("grants", index)
        holder = model.principals.get(grant.principal)
        if holder is None:
            yield _unknown_principal(grant.principal, "a grant names", model, document, (*base, "principal"))
        known = declared["components"] | declared["data"] | set(model.principals)
        for position, target in enumerate(grant.to):
            where: Path = _item_path(document, (*base, "to"), position)
            if target == "*":
                continue
            if target not in known:
                yield Diagnostic(
                    "E225",
                    f"grant of '{grant.principal}' is to '{printable(target)}', which is no component,"
                    f" data or principal{did_you_mean(target, known)}",
                    document.path,
                    document.source_map.value(where),
                )
            elif grant.access == "pass-role" and (
                target not in model.principals or model.principals[target].kind != "role"
            ):
                yield _misfit(f"'pass-role' passes a role; '{target}' is not one", document, where)
        for position, data_id in enumerate(grant.data):
            where = (*base, "data", position)
            if data_id not in declared["data"]:
                yield Diagnostic(
                    "E203",
                    f"grant of '{grant.principal}' names unknown data '{data_id}'"
                    f"{did_you_mean(data_id, declared['data'])}",
                    document.path,
                    document.source_map.value(where),
                )
                continue
            stores = [t for t in grant.to if t in model.components and data_id in model.components[t].stores]
            if not stores:
                yield Diagnostic(
                    "E225",
                    f"grant of '{grant.principal}' narrows to data '{data_id}', which no component"
                    " it names stores",
                    document.path,
                    document.source_map.value(where),
                )


def _listed(entries: tuple[Grant, ...] | list[Grant], raw: Any) -> list[tuple[int, Grant]]:
    """Valid list entries with their index in the YAML list (invalid ones were dropped)."""
    if not isinstance(raw, list):
        return []
    found: list[tuple[int, Grant]] = []
    position = 0
    for entry in entries:
        while position < len(raw):
            candidate = raw[position]
            position += 1
            if isinstance(candidate, dict) and candidate.get("principal") == entry.principal:
                found.append((position - 1, entry))
                break
    return found


def _check_network(model: Model, document: Document, declared: dict[str, set[str]]) -> Iterator[Diagnostic]:
    """E221, E222, E226, E227, E201, E202: security groups, their rules and route domains."""
    at, where = document.source_map, document.path
    groups = declared["security_groups"]
    for boundary_id, boundary in model.boundaries.items():
        for index, cidr in enumerate(boundary.cidrs):
            if parse_cidr(cidr) is None:
                yield _bad_cidr(cidr, document, ("boundaries", boundary_id, "cidrs", index))
    for component_id, component in model.components.items():
        for index, group in enumerate(component.security_groups):
            if group not in groups:
                yield Diagnostic(
                    "E221",
                    f"component '{component_id}' has unknown security group '{group}'"
                    f"{did_you_mean(group, groups)}",
                    where,
                    at.value(("components", component_id, "security_groups", index)),
                )
    for group_id, group_entry in model.security_groups.items():
        base: Path = ("security_groups", group_id)
        if group_entry.boundary is not None and group_entry.boundary not in declared["boundaries"]:
            yield Diagnostic(
                "E202",
                f"security group '{group_id}' is in unknown boundary '{group_entry.boundary}'"
                f"{did_you_mean(group_entry.boundary, declared['boundaries'])}",
                where,
                at.value((*base, "boundary")),
            )
        for direction in ("ingress", "egress"):
            for index, rule in enumerate(getattr(group_entry, direction) or ()):
                path: Path = (*base, direction, index)
                peers = [k for k in ("cidr", "security_group", "prefix_list") if getattr(rule, k) is not None]
                if len(peers) != 1:
                    named = ", ".join(f"'{p}'" for p in peers) if peers else "none"
                    yield Diagnostic(
                        "E227",
                        f"{_a(direction)} rule of '{group_id}' must name exactly one peer ('cidr',"
                        f" 'security_group' or 'prefix_list'); it names {named}",
                        where,
                        at.value(path),
                    )
                if rule.cidr is not None and parse_cidr(rule.cidr) is None:
                    yield _bad_cidr(rule.cidr, document, (*path, "cidr"))
                if rule.security_group is not None and rule.security_group not in groups:
                    yield Diagnostic(
                        "E221",
                        f"{_a(direction)} rule of '{group_id}' names unknown security group"
                        f" '{rule.security_group}'{did_you_mean(rule.security_group, groups)}",
                        where,
                        at.value((*path, "security_group")),
                    )
                if parse_ports(rule.ports) is None:
                    yield Diagnostic(
                        "E222",
                        f"{_a(direction)} rule of '{group_id}' has ports that do not parse: write"
                        " 'all', or a list of ports (1 to 65535) and \"from-to\" ranges",
                        where,
                        at.value((*path, "ports")),
                    )
    for domain_id, domain in model.route_domains.items():
        base = ("route_domains", domain_id)
        for key in ("via", "inspected_by"):
            value = getattr(domain, key)
            if value is not None and value not in declared["components"]:
                yield Diagnostic(
                    "E201",
                    f"route domain '{domain_id}' names unknown component '{value}' in '{key}'"
                    f"{did_you_mean(value, declared['components'])}",
                    where,
                    at.value((*base, key)),
                )
        for index, member in enumerate(domain.members):
            if member not in declared["boundaries"]:
                yield Diagnostic(
                    "E202",
                    f"route domain '{domain_id}' joins unknown boundary '{member}'"
                    f"{did_you_mean(member, declared['boundaries'])}",
                    where,
                    at.value((*base, "members", index)),
                )
        if len(set(domain.members)) < 2:
            yield Diagnostic(
                "E226",
                f"route domain '{domain_id}' joins fewer than two different networks",
                where,
                at.value((*base, "members")),
            )


def _bad_cidr(text: str, document: Document, path: Path) -> Diagnostic:
    return Diagnostic(
        "E222",
        f"'{printable(text)}' is not a CIDR range (write an address and a prefix length, such as"
        " 10.20.0.0/16, with no host bits set)",
        document.path,
        document.source_map.value(path),
    )


def _check_places(model: Model, document: Document, catalog: Catalog) -> Iterator[Diagnostic]:
    """E223: every `region` and `residency` names a place the catalog knows."""
    known = catalog.places.known()

    def check(place: str, path: Path) -> Iterator[Diagnostic]:
        if place not in known:
            yield Diagnostic(
                "E223",
                f"unknown place '{printable(place)}'{did_you_mean(place, known)}: write an AWS region"
                " (eu-west-1), a country code (de) or eu / eea",
                document.path,
                document.source_map.value(path),
            )

    for data_id, asset in model.data.items():
        for index, place in enumerate(asset.residency or ()):
            yield from check(place, ("data", data_id, "residency", index))
    for boundary_id, boundary in model.boundaries.items():
        if boundary.region is not None:
            yield from check(boundary.region, ("boundaries", boundary_id, "region"))
    for component_id, component in model.components.items():
        if component.region is not None:
            yield from check(component.region, ("components", component_id, "region"))


def _flows_no_rule_admits(model: Model, document: Document) -> Iterator[Diagnostic]:
    """W310: a flow into a component whose security groups state their ingress, and none admits
    the flow's source on its port (route flows and AWS API calls do not pass security groups)."""
    for index, flow in enumerate(model.flows):
        target = model.components.get(flow.target)
        if target is None or flow.source not in model.components or not target.security_groups:
            continue
        if flow.kind == "route" or flow.protocol == "aws-api":
            continue
        groups = [model.security_groups.get(g) for g in target.security_groups]
        if any(g is None or g.ingress is None for g in groups):
            continue  # unknown group (an error already) or ingress not said
        verdicts = [
            rule_admits(rule, model, flow.source, flow.port)
            for g in groups
            if g is not None
            for rule in g.ingress or ()
        ]
        if None in verdicts or True in verdicts:
            continue
        port = f" on port {flow.port}" if flow.port is not None else ""
        yield Diagnostic(
            "W310",
            f"no ingress rule of the security groups of '{flow.target}' admits flow '{flow.flow_id}'"
            f" from '{flow.source}'{port}: the flow cannot happen, or a rule is missing",
            document.path,
            document.source_map.value(("flows", index)),
        )
