"""Design versus code: what an architect's model says against what the infrastructure code deploys.

The code (CloudFormation templates, Terraform plans or .tf folders) is imported as usual, then
compared with the model:

- components on one side only (`component-not-in-code`, `component-not-in-design`);
- flows on one side only: a flow of the model that the code neither allows nor implies
  (`flow-not-in-code`), a reference between resources the model does not show
  (`flow-not-in-design`), and above all security-group reachability that no flow of the
  model explains (`reachability-not-in-design`);
- what both sides state and that differs: encryption at rest (`encryption-differs`),
  exposure to the internet (`exposure-differs`) and multi-AZ (`multi-az-differs`).

A code component matches a model component with the same id; or whose resource the model
names in the component's `code` tag (logical ids or addresses, comma-separated); or whose
resource name slugs to the model's id or equals its name; or, last, the one remaining
component of the same service on each side. The code's `internet-clients` stands for every
component of the model that sits in an `internet` boundary. The code says nothing of data,
people and third parties: those model components are not expected in the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from trustmap.catalog import Catalog
from trustmap.graph import ComponentInfo, ModelGraph
from trustmap.interop.build import ANYONE
from trustmap.interop.model_writer import Draft
from trustmap.interop.names import slugify
from trustmap.model import Component, Model

__all__ = ["DRIFT_KINDS", "Code", "Drift", "compare", "drifts_json", "drifts_sarif", "drifts_text"]

DriftKind = Literal[
    "component-not-in-code",
    "component-not-in-design",
    "flow-not-in-code",
    "flow-not-in-design",
    "reachability-not-in-design",
    "encryption-differs",
    "exposure-differs",
    "multi-az-differs",
]
#: every kind, with what it means (the SARIF rules and `trustmap verify --help`)
DRIFT_KINDS: dict[str, str] = {
    "component-not-in-code": "a component of the model that the code does not deploy",
    "component-not-in-design": "a resource the code deploys that the model does not show",
    "flow-not-in-code": "a flow of the model that the code neither allows nor implies",
    "flow-not-in-design": "a reference between resources that no flow of the model shows",
    "reachability-not-in-design": "a security-group rule lets a component reach another, and no flow "
    "of the model explains it",
    "encryption-differs": "the model and the code state different encryption at rest",
    "exposure-differs": "the model and the code disagree on whether it is reachable from the internet",
    "multi-az-differs": "the model and the code disagree on whether it spans availability zones",
}
#: services that the code does not deploy (people, outside systems)
_OUTSIDE = frozenset({"actor", "external-system", "on-premises"})


@dataclass(frozen=True)
class Drift:
    kind: DriftKind
    subject: str  # a model component id, a flow `a->b`, or a code resource
    message: str
    #: the model component or flow it concerns (for positions), when there is one
    design: str | None = None


@dataclass
class Code:
    """One imported input: its model and the draft it was written from (the flows' reasons)."""

    label: str
    model: Model
    draft: Draft
    reasons: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, label: str, model: Model, draft: Draft) -> Code:
        reasons: dict[tuple[str, str], list[str]] = {}
        for entry in draft.flows:
            pair = (str(entry.fields["from"]), str(entry.fields["to"]))
            reasons.setdefault(pair, []).extend(entry.comments)
        return cls(label, model, draft, reasons)


def _matches(design: Model, code: Model) -> dict[str, str]:
    """code component id -> model component id."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    named: dict[str, str] = {}
    for design_id, component in design.components.items():
        for resource in component.tags.get("code", "").split(","):
            if resource.strip():
                named[resource.strip()] = design_id

    def same_id(code_id: str, component: Component, design_id: str, design: Component) -> bool:
        return code_id == design_id

    def tagged(code_id: str, component: Component, design_id: str, design: Component) -> bool:
        return named.get(component.name or "") == design_id

    def same_name(code_id: str, component: Component, design_id: str, design: Component) -> bool:
        return slugify(component.name or code_id) == design_id or (
            component.name is not None and component.name == design.name
        )

    rounds: list[Callable[[str, Component, str, Component], bool]] = [same_id, tagged, same_name]
    for test in rounds:
        for code_id, component in code.components.items():
            if code_id in found:
                continue
            for design_id, design_component in design.components.items():
                if design_id not in taken and test(code_id, component, design_id, design_component):
                    found[code_id] = design_id
                    taken.add(design_id)
                    break
    by_service: dict[str, tuple[list[str], list[str]]] = {}
    for code_id, component in code.components.items():
        if code_id not in found and code_id != ANYONE:
            by_service.setdefault(component.service, ([], []))[0].append(code_id)
    for design_id, component in design.components.items():
        if design_id not in taken:
            by_service.setdefault(component.service, ([], []))[1].append(design_id)
    for code_ids, design_ids in by_service.values():
        if len(code_ids) == 1 and len(design_ids) == 1:
            found[code_ids[0]] = design_ids[0]
    return found


def _internet_side(design: Model) -> set[str]:
    internet = {b for b, boundary in design.boundaries.items() if boundary.kind == "internet"}
    return {c for c, component in design.components.items() if component.boundary in internet}


def _placeholder(code: Model, code_id: str) -> bool:
    component = code.components[code_id]
    return code_id == ANYONE or component.service in _OUTSIDE


def _stated_multi_az(component: object) -> bool | None:
    zones = getattr(component, "zones", None)
    if zones:
        return len(zones) > 1
    value = getattr(component, "multi_az", None)
    return value if isinstance(value, bool) else None


def _properties(info: ComponentInfo, code: Model, code_id: str, design_id: str) -> Iterable[Drift]:
    stated = code.components[code_id]
    name = stated.name or code_id
    if stated.encryption_at_rest is not None and stated.encryption_at_rest != info.encryption_at_rest:
        yield Drift(
            "encryption-differs",
            design_id,
            f"{design_id}: the model says encryption_at_rest {info.encryption_at_rest}, "
            f"the code {stated.encryption_at_rest} ({name})",
            design_id,
        )
    if stated.internet_facing is not None and stated.internet_facing != info.internet_facing:
        yield Drift(
            "exposure-differs",
            design_id,
            f"{design_id}: the model says internet_facing {str(info.internet_facing).lower()}, "
            f"the code {str(stated.internet_facing).lower()} ({name})",
            design_id,
        )
    multi_az = _stated_multi_az(stated)
    if multi_az is not None and multi_az != info.multi_az:
        yield Drift(
            "multi-az-differs",
            design_id,
            f"{design_id}: the model says multi_az {str(info.multi_az).lower()}, "
            f"the code {str(multi_az).lower()} ({name})",
            design_id,
        )


def compare(graph: ModelGraph, codes: list[Code], catalog: Catalog) -> list[Drift]:
    """Every drift between the model (as its graph) and the code (see the module's documentation)."""
    design = graph.model
    drifts: list[Drift] = []
    internet = _internet_side(design)
    design_pairs = {(f.source, f.target) for f in design.flows}
    design_pairs |= {(f.target, f.source) for f in design.flows if f.bidirectional}
    matched_design: set[str] = set()
    code_pairs: set[tuple[str, str]] = set()
    for code in codes:
        matches = _matches(design, code.model)
        matched_design.update(matches.values())
        for code_id in code.model.components:
            if code_id in matches or _placeholder(code.model, code_id):
                continue
            component = code.model.components[code_id]
            drifts.append(
                Drift(
                    "component-not-in-design",
                    code_id,
                    f"{component.name or code_id} ({component.service}) is deployed by {code.label} "
                    "and is not in the model",
                )
            )
        for code_id, design_id in matches.items():
            drifts.extend(_properties(graph.component(design_id), code.model, code_id, design_id))
        for flow in code.model.flows:
            sources = internet if flow.source == ANYONE else {matches.get(flow.source, "")}
            target = matches.get(flow.target)
            if target is None:
                continue
            pairs = {(s, target) for s in sources if s}
            code_pairs |= pairs
            reasons = code.reasons.get((flow.source, flow.target), [])
            by_rule = any(r.startswith("security group") for r in reasons)
            outside = flow.source != ANYONE and flow.source not in matches
            if outside and not (by_rule and _placeholder(code.model, flow.source)):
                continue  # from a component the model leaves out: reported as such above
            if pairs & design_pairs:
                continue
            source = (
                "the internet"
                if flow.source == ANYONE
                else (code.model.components[flow.source].name or flow.source)
                if outside
                else next(iter(sources))
            )
            why = reasons[0] if reasons else "a reference"
            drifts.append(
                Drift(
                    "reachability-not-in-design" if by_rule else "flow-not-in-design",
                    f"{source}->{target}",
                    f"{source} -> {target}: {why} ({code.label}); no flow of the model shows it",
                    target,
                )
            )
    for design_id, component in design.components.items():
        if design_id in matched_design or component.service in _OUTSIDE:
            continue
        service = catalog.service(component.service)
        if service is not None and not getattr(service, "aws", True):
            continue
        drifts.append(
            Drift(
                "component-not-in-code",
                design_id,
                f"{design_id} ({component.service}) is in the model and the code does not deploy it",
                design_id,
            )
        )
    for flow in design.flows:
        ends = (flow.source, flow.target)
        if not all(e in matched_design or e in internet for e in ends):
            continue  # an end the code does not have is reported above
        if ends in code_pairs or (flow.bidirectional and (flow.target, flow.source) in code_pairs):
            continue
        drifts.append(
            Drift(
                "flow-not-in-code",
                flow.flow_id,
                f"{flow.flow_id}: the code neither allows nor implies this flow",
                flow.flow_id,
            )
        )
    return sorted(set(drifts), key=lambda d: (d.kind, d.subject, d.message))


# -- output ------------------------------------------------------------------------------------


def drifts_json(drifts: list[Drift], model_path: str, against: list[str]) -> dict[str, object]:
    return {
        "model": model_path,
        "against": against,
        "drift": bool(drifts),
        "drifts": [
            {"kind": d.kind, "subject": d.subject, "message": d.message, "design": d.design} for d in drifts
        ],
    }


def drifts_sarif(
    drifts: list[Drift], model_path: str, lines: dict[str, int], version: str
) -> dict[str, object]:
    """SARIF 2.1.0: one rule per drift kind, each result at the model's line for its subject."""
    kinds = sorted({d.kind for d in drifts})
    results = []
    for drift in drifts:
        result: dict[str, object] = {
            "ruleId": drift.kind,
            "ruleIndex": kinds.index(drift.kind),
            "level": "warning",
            "message": {"text": drift.message},
            "partialFingerprints": {"trustmapDrift/v1": f"{drift.kind}:{drift.subject}"},
        }
        region = {"startLine": lines.get(drift.design or "", 1)}
        result["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": model_path}, "region": region}}
        ]
        results.append(result)
    rules = [
        {
            "id": kind,
            "name": "".join(part.capitalize() for part in kind.split("-")),
            "shortDescription": {"text": DRIFT_KINDS[kind]},
            "defaultConfiguration": {"level": "warning"},
        }
        for kind in kinds
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "trustmap verify",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def drifts_text(drifts: list[Drift]) -> str:
    if not drifts:
        return "no drift: the code deploys what the model says\n"
    return "".join(f"{d.kind}: {d.message}\n" for d in drifts) + f"{len(drifts)} drifts\n"
