"""What changed between two versions of a model: structure, responsibility and findings.

Both versions are analysed with the same catalog and date, then compared entry by entry:
components, boundaries, data and flows by id (with each changed property old -> new), the
responsibility owner of every layer of every component present in both, and findings by key.
A version "opens" findings when it has an open finding whose key the old version did not have,
or when a finding that was decided (accepted, mitigated...) is open again; that is what fails
a pull request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from trustmap.analysis import Analysis
from trustmap.findings import Finding
from trustmap.graph import ComponentInfo, FlowInfo, compared_fields, field_values

__all__ = [
    "BOUNDARY_FIELDS",
    "COMPONENT_FIELDS",
    "FLOW_FIELDS",
    "EntryChange",
    "FindingChange",
    "ModelDiff",
    "PropertyChange",
    "ResponsibilityChange",
    "diff_analyses",
]

#: The properties compared, in the order they are reported (components and flows: the facts
#: of their records, in declaration order; see `trustmap.graph`).
COMPONENT_FIELDS: tuple[str, ...] = compared_fields(ComponentInfo)
BOUNDARY_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "parent",
    "trust",
    "public",
    "description",
    "region",
    "cidrs",
)
FLOW_FIELDS: tuple[str, ...] = compared_fields(FlowInfo)
DATA_FIELDS: tuple[str, ...] = (
    "name",
    "classification",
    "regulations",
    "description",
    # format 1.2
    "kind",
    "integrity",
    "residency",
    "issued_by",
    "derived_from",
    "disposable",
)
MODEL_FIELDS: tuple[str, ...] = ("name", "description", "owner", "region", "controls")
#: format 1.2 sections: a principal with its trust policy and the grants it holds, a security
#: group with its rules, a route domain with its networks
PRINCIPAL_FIELDS: tuple[str, ...] = (
    "kind",
    "name",
    "description",
    "boundary",
    "identifier",
    "trust",
    "grants",
    "members",
    "access_keys",
    "just_in_time",
    "controls",
)
SECURITY_GROUP_FIELDS: tuple[str, ...] = ("name", "description", "boundary", "ingress", "egress")
ROUTE_DOMAIN_FIELDS: tuple[str, ...] = ("name", "description", "via", "members", "inspected_by")


@dataclass(frozen=True)
class PropertyChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryChange:
    """One component, boundary, data asset or flow added, removed or changed."""

    kind: str  # model | boundary | data | principal | security-group | route-domain | component | flow
    id: str
    change: str  # added | removed | changed
    properties: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class ResponsibilityChange:
    component: str
    layer: str
    old: str
    new: str


@dataclass(frozen=True)
class FindingChange:
    """A finding that appeared, disappeared or changed status or severity."""

    key: str
    change: str  # opened | added | closed | reopened | status | severity
    title: str
    subject: str
    old_status: str | None
    new_status: str | None
    old_severity: str | None
    new_severity: str | None

    @property
    def opens(self) -> bool:
        """True when this change makes the new version fail: a new or reopened open finding."""
        return self.change in ("opened", "reopened")


@dataclass(frozen=True)
class QuestionChange:
    """A question the new version asks that the old did not (`asked`), or no longer asks."""

    key: str
    change: str  # asked | gone | answered | reopened
    text: str
    old_status: str | None
    new_status: str | None


@dataclass(frozen=True)
class ModelDiff:
    old_path: str
    new_path: str
    entries: tuple[EntryChange, ...] = ()
    responsibility: tuple[ResponsibilityChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()
    questions: tuple[QuestionChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.entries or self.responsibility or self.findings or self.questions)

    @property
    def opens_findings(self) -> bool:
        return any(change.opens for change in self.findings)

    def of_kind(self, kind: str) -> list[EntryChange]:
        return [entry for entry in self.entries if entry.kind == kind]


def _changes(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: tuple[str, ...]
) -> tuple[PropertyChange, ...]:
    return tuple(
        PropertyChange(name, old.get(name), new.get(name))
        for name in fields
        if old.get(name) != new.get(name)
    )


def _compare(
    kind: str,
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    fields: tuple[str, ...],
    order: list[str] | None = None,
) -> list[EntryChange]:
    ids = order if order is not None else sorted(set(old) | set(new))
    found = []
    for entry_id in ids:
        if entry_id not in old:
            found.append(EntryChange(kind, entry_id, "added"))
        elif entry_id not in new:
            found.append(EntryChange(kind, entry_id, "removed"))
        elif properties := _changes(old[entry_id], new[entry_id], fields):
            found.append(EntryChange(kind, entry_id, "changed", properties))
    return found


def _boundaries(analysis: Analysis) -> dict[str, dict[str, Any]]:
    return {
        b.id: {
            "description": b.description,
            "kind": b.kind,
            "name": b.name,
            "parent": b.parent,
            "public": b.public,
            "trust": b.trust,
            "region": b.region,
            "cidrs": list(b.cidrs),
        }
        for b in analysis.graph.boundaries.values()
    }


def _data(analysis: Analysis) -> dict[str, dict[str, Any]]:
    return {
        data_id: {
            "classification": asset.classification,
            "description": asset.description,
            "name": asset.name or data_id,
            "regulations": sorted(asset.regulations),
            "kind": asset.kind,
            "integrity": asset.integrity,
            "residency": sorted(asset.residency) if asset.residency is not None else None,
            "issued_by": asset.issued_by,
            "derived_from": sorted(asset.derived_from),
            "disposable": asset.disposable,
        }
        for data_id, asset in analysis.graph.model.data.items()
    }


def _written(entry: BaseModel) -> dict[str, Any]:
    """A statement, grant or rule as the model writes it: its stated keys only."""
    return entry.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def _principals(analysis: Analysis) -> dict[str, dict[str, Any]]:
    model = analysis.graph.model
    grants: dict[str, list[dict[str, Any]]] = {}
    for grant in model.grants:
        written = _written(grant)
        written.pop("principal", None)
        grants.setdefault(grant.principal, []).append(written)
    return {
        principal_id: {
            **{key: getattr(principal, key) for key in PRINCIPAL_FIELDS if key not in ("trust", "grants")},
            "trust": None if principal.trust is None else [_written(s) for s in principal.trust],
            "grants": grants.get(principal_id, []),
        }
        for principal_id, principal in model.principals.items()
    }


def _security_groups(analysis: Analysis) -> dict[str, dict[str, Any]]:
    return {
        group_id: {
            "name": group.name,
            "description": group.description,
            "boundary": group.boundary,
            "ingress": None if group.ingress is None else [_written(r) for r in group.ingress],
            "egress": None if group.egress is None else [_written(r) for r in group.egress],
        }
        for group_id, group in analysis.graph.model.security_groups.items()
    }


def _route_domains(analysis: Analysis) -> dict[str, dict[str, Any]]:
    return {
        domain_id: {key: getattr(domain, key) for key in ROUTE_DOMAIN_FIELDS}
        for domain_id, domain in analysis.graph.model.route_domains.items()
    }


def _model(analysis: Analysis) -> dict[str, Any]:
    model = analysis.graph.model
    return {
        "controls": analysis.graph.model_controls,
        "description": model.description,
        "name": model.name,
        "owner": model.owner,
        "region": model.region,
    }


def _facts(records: tuple[ComponentInfo, ...] | tuple[FlowInfo, ...]) -> dict[str, dict[str, Any]]:
    return {r.id: field_values(r, compared_fields(type(r))) for r in records}


def _flow_order(old: Analysis, new: Analysis) -> list[str]:
    """Flows in the new file's order, then the removed ones in the old file's order."""
    new_ids = [f.id for f in new.graph.flows()]
    return new_ids + [f.id for f in old.graph.flows() if f.id not in set(new_ids)]


def _entries(old: Analysis, new: Analysis) -> list[EntryChange]:
    found = []
    model_changes = _changes(_model(old), _model(new), MODEL_FIELDS)
    if model_changes:
        found.append(EntryChange("model", "model", "changed", model_changes))
    found += _compare("boundary", _boundaries(old), _boundaries(new), BOUNDARY_FIELDS)
    found += _compare("data", _data(old), _data(new), DATA_FIELDS)
    found += _compare("principal", _principals(old), _principals(new), PRINCIPAL_FIELDS)
    found += _compare("security-group", _security_groups(old), _security_groups(new), SECURITY_GROUP_FIELDS)
    found += _compare("route-domain", _route_domains(old), _route_domains(new), ROUTE_DOMAIN_FIELDS)
    found += _compare(
        "component", _facts(old.graph.components()), _facts(new.graph.components()), COMPONENT_FIELDS
    )
    flows_old, flows_new = _facts(old.graph.flows()), _facts(new.graph.flows())
    found += _compare("flow", flows_old, flows_new, FLOW_FIELDS, _flow_order(old, new))
    return found


def _responsibility(old: Analysis, new: Analysis) -> list[ResponsibilityChange]:
    old_nodes, new_nodes = old.graph.component_records, new.graph.component_records
    found = []
    for component in sorted(set(old_nodes) & set(new_nodes)):
        before, after = old_nodes[component].responsibility, new_nodes[component].responsibility
        layers = [*after, *(layer for layer in before if layer not in after)]
        found += [
            ResponsibilityChange(component, layer, before.get(layer, "none"), after.get(layer, "none"))
            for layer in layers
            if before.get(layer) != after.get(layer)
        ]
    return found


def _change_kind(old: Finding | None, new: Finding | None) -> str | None:
    if old is None:
        return "opened" if new is not None and new.status == "open" else "added"
    if new is None:
        return "closed"
    if old.status != new.status:
        return "reopened" if new.status == "open" else "status"
    return "severity" if old.severity != new.severity else None


def _finding_change(key: str, old: Finding | None, new: Finding | None) -> FindingChange | None:
    change = _change_kind(old, new)
    either = new or old
    if change is None or either is None:
        return None
    return FindingChange(
        key=key,
        change=change,
        title=either.title,
        subject=either.subject_name,
        old_status=old.status if old else None,
        new_status=new.status if new else None,
        old_severity=old.severity if old else None,
        new_severity=new.severity if new else None,
    )


def _findings(old: Analysis, new: Analysis) -> list[FindingChange]:
    before = {f.key: f for f in old.report.findings}
    after = {f.key: f for f in new.report.findings}
    # New version's order (severity first), then what it closed in the old version's order.
    keys = [f.key for f in new.report.findings] + [f.key for f in old.report.findings if f.key not in after]
    return [c for key in keys if (c := _finding_change(key, before.get(key), after.get(key))) is not None]


def _questions(old: Analysis, new: Analysis) -> list[QuestionChange]:
    before = {q.key: q for q in old.report.questions}
    after = {q.key: q for q in new.report.questions}
    found = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            change = "asked"
        elif now is None and was is not None:
            change = "gone"
        elif was is not None and now is not None and was.status != now.status:
            change = "reopened" if now.status == "unknown" else "answered"
        else:
            continue
        question = now or was
        assert question is not None
        found.append(
            QuestionChange(
                key, change, question.text, was.status if was else None, now.status if now else None
            )
        )
    return found


def diff_analyses(old: Analysis, new: Analysis) -> ModelDiff:
    """Everything that changed from `old` to `new`."""
    return ModelDiff(
        old_path=old.graph.path,
        new_path=new.graph.path,
        entries=tuple(_entries(old, new)),
        responsibility=tuple(_responsibility(old, new)),
        findings=tuple(_findings(old, new)),
        questions=tuple(_questions(old, new)),
    )
