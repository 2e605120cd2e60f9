"""Export an analysed model as an Open Threat Model (OTM) 0.2.0 document.

Mapping (docs/interop.md has the full table):

- boundaries -> `trustZones` (`type` = kind, `public-subnet`/`private-subnet` for subnets;
  `risk.trustRating` = trust; `parent: {trustZone: id}`); components outside every boundary go
  into a synthetic zone (`outside-aws` or `outside`, attribute `trustmap_synthetic`), because OTM
  requires a parent;
- components -> `components` (`type` = catalog service id; DFD kind, service model,
  responsibility split and properties in `attributes`, as strings);
- data -> `assets` (confidentiality from the classification);
- flows -> `dataflows` (ids `<from>-to-<to>`, or the flow's explicit id);
- findings -> `threats` (one per finding, STRIDE names as `categories`, impact from severity,
  likelihood null) with instances on their component or flow; the controls that mitigate them
  -> `mitigations` (risk reduction from the control's severity), with the instance's mitigation
  state `implemented` when the control is met for that subject and `required` otherwise;
- one `representations` entry of type `diagram`; element positions are relative to the
  parent zone (as Threat Dragon reads them);
- what OTM has no place for, in `attributes` (OTM's extension point): the format 1.2
  sections (principals, grants, security groups, route domains) as the model wrote them, as
  JSON text in the project's `trustmap_<section>`; a boundary's `region` and `cidrs`; a data
  asset's `residency`, `issued_by`, `derived_from`, `disposable` and `integrity`; a component's `runs_as`
  and `security_groups` are among its facts.

Every `trustmap_id` attribute keeps the model's own id, so that `import otm` restores it.
Output is deterministic: sorted keys, stable order, no timestamps or generated ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import BaseModel

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.findings import ChecklistItem, Finding, Subject
from trustmap.free_text import json_text
from trustmap.graph import ComponentInfo, field_values, reported_fields
from trustmap.interop.layout import Box, Layout, LayoutSpec
from trustmap.interop.names import IdAllocator, slugify
from trustmap.interop.otm.carried import OUTSIDE_OTM_LISTS, OUTSIDE_OTM_MAPS
from trustmap.model import STATED_PROPERTIES, Boundary, DataAsset, Model

__all__ = [
    "OTM_VERSION",
    "REPRESENTATION",
    "flow_ids",
    "layout_spec",
    "otm_document",
    "render_otm",
]

OTM_VERSION = "0.2.0"
REPRESENTATION = "architecture-diagram"
OUTSIDE_AWS, OUTSIDE = "outside-aws", "outside"
STRIDE_NAMES = {
    "spoofing": "Spoofing",
    "tampering": "Tampering",
    "repudiation": "Repudiation",
    "information-disclosure": "Information Disclosure",
    "denial-of-service": "Denial of Service",
    "elevation-of-privilege": "Elevation of Privilege",
}
#: severity -> OTM impact (threats) and risk reduction (mitigations), on OTM's 0..100 scale
SCALE = {"info": 10, "low": 25, "medium": 50, "high": 75, "critical": 100}
CONFIDENTIALITY = {"public": 0, "internal": 30, "confidential": 70, "restricted": 100}
#: a data asset's stated `integrity` as OTM's 0-100 rating (50 where the model states none)
INTEGRITY = {"low": 30, "medium": 70, "high": 100}
THREAT_STATE = {
    "open": "identified",
    "accepted": "accepted",
    "mitigated": "mitigated",
    "false-positive": "not-applicable",
    "in-progress": "in-progress",
}
MET = frozenset({"met", "inherited"})
#: Component fields that OTM holds in keys of its own (name, parent zone, tags, assets) or that
#: are spelt out below (responsibility), not among a component's `attributes`
_OWN_KEYS = frozenset(
    {"name", "description", "tags", "stores", "boundary", "boundary_path", "responsibility"}
)
#: attribute names that differ from the field names
_ATTRIBUTE_NAMES = {"id": "trustmap_id", "dfd": "dfd_kind"}


def _text(value: Any) -> str:
    """OTM attributes are documented as string to string: booleans and lists of plain values
    become text, anything deeper JSON (`values.stated_value` reads each back)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
        return ",".join(str(v) for v in value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def _zones(analysis: Analysis) -> tuple[dict[str, str | None], dict[bool, str]]:
    """Zones with their parents (parents first), and the synthetic zone for AWS / non-AWS
    components that sit outside every boundary (OTM requires a parent)."""
    graph = analysis.graph
    zones: dict[str, str | None] = {b: graph.boundaries[b].parent for b in graph.boundaries_top_down()}
    outside = {c.aws for c in graph.components() if c.boundary is None}
    ids = IdAllocator.reserving([*zones, *graph.component_records])
    synthetic: dict[bool, str] = {}
    for aws, wanted in ((True, OUTSIDE_AWS), (False, OUTSIDE)):
        if aws in outside:
            synthetic[aws] = ids.take(wanted)
            zones[synthetic[aws]] = None
    return zones, synthetic


def flow_ids(analysis: Analysis) -> dict[str, str]:
    """OTM ids of the flows: `<from>-to-<to>` for default ids, unique across every element."""
    graph = analysis.graph
    ids = IdAllocator.reserving([*_zones(analysis)[0], *graph.component_records])
    found = {}
    for flow in graph.flows():
        default = f"{flow.source}->{flow.target}"
        wanted = f"{flow.source}-to-{flow.target}" if flow.id == default else slugify(flow.id, "flow")
        found[flow.id] = ids.take(wanted)
    return found


def _parent_zone(component: ComponentInfo, synthetic: dict[bool, str]) -> str:
    return component.boundary if component.boundary is not None else synthetic[component.aws]


def layout_spec(analysis: Analysis) -> LayoutSpec:
    """The zones, components and flows to lay out, under their OTM ids."""
    zones, synthetic = _zones(analysis)
    nodes = {c.id: _parent_zone(c, synthetic) for c in analysis.graph.components()}
    edges = [(f.source, f.target) for f in analysis.graph.flows()]
    return LayoutSpec(zones, nodes, edges)


def _representation(element_id: str, name: str, box: Box | None, parent: Box | None) -> list[dict[str, Any]]:
    if box is None:
        return []
    left, top = (parent.x, parent.y) if parent is not None else (0.0, 0.0)
    return [
        {
            "representation": REPRESENTATION,
            "id": f"{element_id}-shape",
            "name": name,
            "position": {"x": round(box.x - left), "y": round(box.y - top)},
            "size": {"width": round(box.width), "height": round(box.height)},
        }
    ]


def _trust_zones(
    analysis: Analysis, zones: dict[str, str | None], synthetic: dict[bool, str], layout: Layout
) -> list[dict[str, Any]]:
    found = []
    for zone_id, parent in zones.items():
        info = analysis.graph.boundaries.get(zone_id)
        if info is None:  # synthetic: where components outside every boundary sit
            aws = synthetic.get(True) == zone_id
            entry: dict[str, Any] = {
                "id": zone_id,
                "name": "AWS (outside the modelled boundaries)" if aws else "Outside (no boundary)",
                "type": "aws-cloud" if aws else "internet",
                "risk": {"trustRating": 70 if aws else 0},
                "attributes": {"trustmap_synthetic": "true"},
            }
        else:
            kind = (
                info.kind if info.kind != "subnet" else ("public-subnet" if info.public else "private-subnet")
            )
            entry = {
                "id": zone_id,
                "name": info.name,
                "type": kind,
                "risk": {"trustRating": info.trust},
                "attributes": {
                    "trustmap_id": info.id,
                    "kind": info.kind,
                    "public": _text(info.public),
                    **_placed(analysis.graph.model.boundaries[zone_id]),
                },
            }
            if info.description:
                entry["description"] = info.description
        if parent is not None:
            entry["parent"] = {"trustZone": parent}
        entry["representations"] = _representation(
            zone_id, entry["name"], layout.boxes.get(zone_id), layout.boxes.get(parent) if parent else None
        )
        found.append(entry)
    return found


def _placed(boundary: Boundary) -> dict[str, str]:
    """A boundary's region and address ranges (format 1.2), when the model gives them."""
    found = {"region": boundary.region} if boundary.region is not None else {}
    if boundary.cidrs:
        found["cidrs"] = _text(boundary.cidrs)
    return found


def _component_attributes(component: ComponentInfo, stated: Iterable[str]) -> dict[str, str]:
    """Every reported fact of the component as text, and its responsibility split."""
    names = [name for name in reported_fields(ComponentInfo) if name not in _OWN_KEYS]
    found = {
        _ATTRIBUTE_NAMES.get(name, name): _text(value)
        for name, value in field_values(component, names).items()
    }
    # `trustmap_stated` lists what the model stated, so that `import otm` writes back exactly
    # that and no default
    found["trustmap_stated"] = _text([key for key in STATED_PROPERTIES if key in stated])
    split = component.responsibility
    for owner in ("aws", "customer", "shared", "third-party"):
        found[f"responsibility_{owner}"] = _text([layer for layer, who in split.items() if who == owner])
    found.update({f"responsibility.{layer}": who for layer, who in split.items()})
    return found


def _risk(asset: DataAsset) -> dict[str, Any]:
    """OTM's risk of a data asset: confidentiality from its classification, integrity from its
    stated `integrity` (50, the middle, where the model states none)."""
    if asset.integrity is None:
        integrity, comment = 50, "integrity and availability are not rated by trustmap"
    else:
        integrity, comment = (
            INTEGRITY[asset.integrity],
            "integrity from the trustmap integrity; availability is not rated by trustmap",
        )
    return {
        "confidentiality": CONFIDENTIALITY[asset.classification],
        "integrity": integrity,
        "availability": 50,
        "comment": f"confidentiality from the trustmap classification; {comment}",
    }


def _threat_id(finding: Finding, zone_or_flow: dict[str, str]) -> str:
    subject = zone_or_flow.get(finding.subject.id, finding.subject.id)
    return f"{finding.subject.kind}:{subject}/{finding.rule}"


def _instances(analysis: Analysis, subject: Subject, flow_otm: dict[str, str]) -> list[dict[str, Any]]:
    items: dict[str, ChecklistItem] = {i.id: i for i in analysis.report.checklists.get(subject, ())}
    found = []
    for finding in analysis.report.findings:
        if finding.subject != subject:
            continue
        mitigations = [
            {
                "mitigation": control,
                "state": "implemented"
                if items.get(control) and items[control].status in MET
                else "not-applicable"
                if items.get(control) and items[control].status == "not-applicable"
                else "required",
            }
            for control in finding.controls
        ]
        found.append(
            {
                "threat": _threat_id(finding, flow_otm),
                "state": THREAT_STATE.get(finding.status, finding.status),
                "mitigations": mitigations,
            }
        )
    return sorted(found, key=lambda t: t["threat"])


def _components(
    analysis: Analysis, synthetic: dict[bool, str], layout: Layout, flow_otm: dict[str, str]
) -> list[dict[str, Any]]:
    graph = analysis.graph
    processed: dict[str, set[str]] = {}
    for flow in graph.flows():
        for end in (flow.source, flow.target):
            processed.setdefault(end, set()).update(flow.data)
    found = []
    for component in graph.components():
        parent = _parent_zone(component, synthetic)
        entry: dict[str, Any] = {
            "id": component.id,
            "name": component.name,
            "type": component.service,
            "parent": {"trustZone": parent},
            "tags": [f"{k}:{v}" for k, v in component.tags.items()],
            "attributes": _component_attributes(
                component, graph.model.components[component.id].model_fields_set
            ),
            "assets": {
                "stored": list(component.stores),
                "processed": sorted(processed.get(component.id, set()) - set(component.stores)),
            },
            "threats": _instances(analysis, Subject("component", component.id), flow_otm),
            "representations": _representation(
                component.id, component.name, layout.boxes.get(component.id), layout.boxes.get(parent)
            ),
        }
        if component.description:
            entry["description"] = component.description
        found.append(entry)
    return found


def _dataflows(analysis: Analysis, flow_otm: dict[str, str]) -> list[dict[str, Any]]:
    graph = analysis.graph
    found = []
    for flow in graph.flows():
        source, target = graph.component(flow.source), graph.component(flow.target)
        entry: dict[str, Any] = {
            "id": flow_otm[flow.id],
            "name": flow.name or f"{source.name} to {target.name} ({flow.protocol})",
            "source": flow.source,
            "destination": flow.target,
            "bidirectional": flow.bidirectional,
            # what the model declares; data forwarded along chains is derived again on import
            "assets": [d for d in flow.data if d not in flow.data_forwarded],
            "tags": [
                f"protocol:{flow.protocol}",
                f"encrypted:{_text(flow.encrypted)}",
                *(f"crosses:{b}" for b in flow.crosses),
            ],
            "attributes": {
                "trustmap_id": flow.id,
                "trustmap_name": flow.name or "",
                "kind": flow.kind,
                "protocol": flow.protocol,
                "port": _text(flow.port),
                "encrypted": _text(flow.encrypted),
                "authenticated": _text(flow.authenticated),
                "crosses": _text(flow.crosses),
                "trust_decreases": _text(flow.trust_decreases),
                "classification": _text(flow.classification),
            },
            "threats": _instances(analysis, Subject("flow", flow.id), flow_otm),
        }
        if flow.description:
            entry["description"] = flow.description
        found.append(entry)
    return found


def _decision(finding: Finding) -> dict[str, str]:
    """The risk decision that applies, so that `import otm` can restore the model's `accepted`."""
    decision = finding.decision
    if decision is None:
        return {}
    found = {
        "decision_finding": decision.pattern,
        "decision_status": decision.status,
        "decision_reason": decision.reason,
    }
    for key in ("owner", "expires", "ticket"):
        value = getattr(decision, key)
        if value is not None:
            found[f"decision_{key}"] = str(value)
    return found


def _threats(analysis: Analysis, flow_otm: dict[str, str]) -> list[dict[str, Any]]:
    found = []
    for finding in analysis.report.findings:
        risk: dict[str, Any] = {"likelihood": None, "impact": SCALE[finding.severity]}
        if finding.severity_reasons:
            risk["impactComment"] = "; ".join(finding.severity_reasons)
        found.append(
            {
                "id": _threat_id(finding, flow_otm),
                "name": finding.title,
                "description": finding.description,
                "categories": [STRIDE_NAMES.get(s, s) for s in finding.stride],
                "cwes": list(finding.references.get("cwe", [])),
                "risk": risk,
                "tags": list(finding.stride),
                "attributes": {
                    "rule": finding.rule,
                    "code": _text(finding.code),
                    "key": finding.key,
                    "severity": finding.severity,
                    "status": finding.status,
                    "category": finding.category,
                    "owner": finding.owner,
                    "fingerprint": finding.fingerprint,
                    "subject_kind": finding.subject.kind,
                    "subject": finding.subject.id,
                    "remediation": finding.remediation,
                    "why": finding.why,
                    **_decision(finding),
                },
            }
        )
    return sorted(found, key=lambda t: t["id"])


def _mitigations(analysis: Analysis) -> list[dict[str, Any]]:
    catalog = analysis.catalog
    found = []
    for control_id in sorted({c for f in analysis.report.findings for c in f.controls}):
        control = catalog.controls.get(control_id)
        if control is None:
            continue
        compliance = "; ".join(f"{k}: {', '.join(v)}" for k, v in control.compliance.as_dict().items() if v)
        entry: dict[str, Any] = {
            "id": control_id,
            "name": control.title,
            "riskReduction": SCALE[control.severity],
            "attributes": {
                "category": control.category,
                "owner": control.owner,
                "code": _text(control.code),
                "scope": control.scope,
                "compliance": compliance,
            },
        }
        if control.description:
            entry["description"] = control.description.strip()
        found.append(entry)
    return found


def _assets(analysis: Analysis) -> list[dict[str, Any]]:
    found = []
    for data_id, asset in sorted(analysis.graph.model.data.items()):
        entry: dict[str, Any] = {
            "id": data_id,
            "name": asset.name or data_id,
            "risk": _risk(asset),
            "attributes": {
                "trustmap_id": data_id,
                "classification": asset.classification,
                "regulations": _text(asset.regulations),
                "kind": asset.kind,
                **({"residency": _text(asset.residency)} if asset.residency is not None else {}),
                **({"issued_by": asset.issued_by} if asset.issued_by is not None else {}),
                **({"derived_from": _text(asset.derived_from)} if asset.derived_from else {}),
                **({"disposable": "true"} if asset.disposable else {}),
                **({"integrity": asset.integrity} if asset.integrity is not None else {}),
            },
        }
        if asset.description:
            entry["description"] = asset.description
        found.append(entry)
    return found


def _sections_outside_otm(model: Model) -> dict[str, str]:
    """The format 1.2 sections, each as JSON text of what the model wrote (no defaults), under
    `trustmap_<section>`: OTM has no element for them, and `import otm` reads them back."""
    found: dict[str, str] = {}
    for section in OUTSIDE_OTM_MAPS:
        entries: dict[str, BaseModel] = getattr(model, section)
        if entries:
            found[f"trustmap_{section}"] = _text({k: _written(v) for k, v in entries.items()})
    for section in OUTSIDE_OTM_LISTS:
        items: list[BaseModel] = getattr(model, section)
        if items:
            found[f"trustmap_{section}"] = _text([_written(v) for v in items])
    return found


def _written(entry: BaseModel) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude_unset=True)


def otm_document(analysis: Analysis, layout: Layout) -> dict[str, Any]:
    """The OTM document of an analysed model, laid out by `layout` (see `layout_spec`)."""
    model = analysis.graph.model
    zones, synthetic = _zones(analysis)
    flow_otm = flow_ids(analysis)
    project: dict[str, Any] = {
        "name": model.name,
        "id": slugify(model.name, "model"),
        "attributes": {
            "generator": f"trustmap {__version__}",
            "trustmap_format": "1",
            "region": _text(model.region),
            "controls": _text(model.controls),
            **_sections_outside_otm(model),
        },
    }
    if model.description:
        project["description"] = model.description
    if model.owner:
        project["owner"] = model.owner
    return {
        "otmVersion": OTM_VERSION,
        "project": project,
        "representations": [
            {
                "id": REPRESENTATION,
                "name": "Architecture",
                "type": "diagram",
                "size": {"width": round(layout.width), "height": round(layout.height)},
            }
        ],
        "assets": _assets(analysis),
        "trustZones": _trust_zones(analysis, zones, synthetic, layout),
        "components": _components(analysis, synthetic, layout, flow_otm),
        "dataflows": _dataflows(analysis, flow_otm),
        "threats": _threats(analysis, flow_otm),
        "mitigations": _mitigations(analysis),
    }


def render_otm(document: dict[str, Any], output_format: str = "json") -> bytes:
    """The document as JSON (default) or YAML text, keys sorted."""
    if output_format == "yaml":
        return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100).encode()
    return (json_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)) + "\n").encode()
