"""Plain-text listings and explanations of catalog entries (`trustmap catalog ...`)."""

from __future__ import annotations

from trustmap.catalog import Catalog
from trustmap.catalog.describe import about, describe

__all__ = [
    "explain_control",
    "explain_service",
    "explain_threat",
    "list_controls",
    "list_services",
    "list_threats",
]


def _table(rows: list[tuple[str, ...]]) -> str:
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def list_services(catalog: Catalog) -> str:
    return _table([(sid, s.service_model, s.name) for sid, s in catalog.services.items()])


def list_controls(catalog: Catalog) -> str:
    return _table([(cid, c.category, c.owner, c.title) for cid, c in catalog.controls.items()])


def list_threats(catalog: Catalog) -> str:
    rows: list[tuple[str, ...]] = []
    for tid, t in catalog.threats.items():
        stride = "".join(s[0].upper() for s in t.stride)
        rows.append((tid, t.scope, stride, f"impact {t.impact}", t.title))
    return _table(rows)


def _lines(pairs: list[tuple[str, str | None]]) -> str:
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in pairs if v) + "\n"


def explain_service(catalog: Catalog, entry_id: str) -> str | None:
    service_id = catalog.canonical_service(entry_id)
    if service_id is None:
        return None
    service = catalog.services[service_id]
    split = catalog.responsibility(service_id)
    pairs: list[tuple[str, str | None]] = [
        ("id", service_id),
        ("name", service.name),
        ("service model", service.service_model),
        ("kind", f"{service.kind} ({service.dfd} in data-flow diagrams)"),
        ("icon", service.icon),
        ("placement", service.placement),
        ("aliases", ", ".join(service.aliases) or None),
        ("customer duties", service.customer_duties),
        ("AWS duties", service.aws_duties),
        ("evidences", ", ".join(sorted(catalog.evidenced_controls(service_id))) or None),
    ]
    if service.deprecated is not None:
        pairs.append(
            (
                "deprecated",
                f"since {service.deprecated.date.isoformat()}"
                + (f"; use {service.deprecated.replacement}" if service.deprecated.replacement else ""),
            )
        )
    for caveat in service.caveats:
        pairs.append(("caveat", f"({caveat.date.isoformat()}) {caveat.text}"))
    text = _lines(pairs)
    text += "\nresponsibility\n" + "".join(f"  {layer.ljust(20)}{owner}\n" for layer, owner in split.items())
    return text


def explain_control(catalog: Catalog, entry_id: str) -> str | None:
    control_id = catalog.canonical_control(entry_id)
    if control_id is None:
        return None
    control = catalog.controls[control_id]
    category = catalog.categories.get(control.category)
    compliance = control.compliance.as_dict()
    mitigates = catalog.threats_mitigated_by(control_id)
    pairs: list[tuple[str, str | None]] = [
        ("id", control_id),
        ("code", control.code),
        ("title", control.title),
        ("category", control.category),
        ("whitepaper topics", ", ".join(category.topics) if category else None),
        ("owner", control.owner),
        ("scope", control.scope),
        ("severity", control.severity),
        (
            "applies to",
            describe(control.applies_to) if control.applies_to else "every " + control.scope,
        ),
        ("relevant when", describe(control.relevant_when) if control.relevant_when else None),
        ("met when", describe(control.evidence) if control.evidence else None),
        ("open when", describe(control.open_when) if control.open_when else None),
        ("question", control.question),
        ("evidence", control.evidence_text),
        ("remediation", control.remediation),
        ("ISO 27001", ", ".join(compliance["iso27001"]) or None),
        ("PCI DSS", ", ".join(compliance["pci-dss"]) or None),
        ("HIPAA", ", ".join(compliance["hipaa"]) or None),
        ("Security Hub", ", ".join(control.aws_ids.security_hub) or None),
        ("CIS", ", ".join(control.aws_ids.cis) or None),
        ("checkov", ", ".join(control.aws_ids.checkov) or None),
        ("mitigates", ", ".join(mitigates) or None),
        ("description", control.description),
    ]
    return _lines(pairs)


def explain_threat(catalog: Catalog, entry_id: str) -> str | None:
    threat_id = catalog.canonical_threat(entry_id)
    if threat_id is None:
        return None
    threat = catalog.threats[threat_id]
    applies = describe(threat.when) if threat.when else "a graph rule (implementation: python)"
    pairs: list[tuple[str, str | None]] = [
        ("id", threat.id),
        ("code", threat.code),
        ("title", threat.title),
        ("category", threat.category),
        ("owner", threat.owner),
        ("STRIDE", ", ".join(threat.stride)),
        ("scope", threat.scope),
        (
            "impact",
            f"{threat.impact} at most (with restricted data at stake), {threat.impact_floor} with none",
        ),
        (
            "likelihood",
            "; otherwise ".join(
                [
                    *(f"{c.likelihood} when {c.because}" for c in threat.likelihood_when),
                    threat.likelihood or "from the subject's exposure (attack paths, gates, public settings)",
                ]
            )
            + (
                f", at most {threat.likelihood_cap.at_most}: {threat.likelihood_cap.because}"
                if threat.likelihood_cap
                else ""
            ),
        ),
        ("fires when", about(f"the {threat.scope}", applies)),
        ("mitigated by", ", ".join(threat.mitigated_by) or None),
        ("see also", ", ".join(threat.see_also) or None),
        ("CWE", ", ".join(threat.references.cwe) or None),
        ("CAPEC", ", ".join(threat.references.capec) or None),
        ("references", "; ".join(threat.references.other) or None),
        ("description", threat.description),
    ]
    text = _lines(pairs)
    for title, example in (("fires on", threat.example_bad), ("does not fire on", threat.example_good)):
        if example:
            text += f"\n{title}\n" + "".join(f"  {line}\n" for line in example.rstrip("\n").splitlines())
    return text
