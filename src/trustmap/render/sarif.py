"""findings.sarif: the findings as SARIF 2.1.0, for GitHub code scanning and other viewers.

One run; the rules are the catalog threats that fired (sorted by id), each result points at the
model's YAML line. A finding with a risk decision is still reported, with a suppression, so
that code scanning shows it as dismissed rather than losing it. `security-severity` is the
score GitHub maps to critical/high/medium/low. Questions (what the model does not say) follow
as `note` results of rules `question/<control>`, apart from the findings.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.catalog.schema import Control, Threat
from trustmap.findings import Finding, Question, fingerprint, severity_rank
from trustmap.free_text import json_text
from trustmap.render.markdown import md_text
from trustmap.render.views import compliance_text

__all__ = ["SARIF_SCHEMA", "render_sarif", "sarif_document"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub: above 9.0 is critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, below 4.0 low.
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
_SUPPRESSION_STATUS = {
    "accepted": "accepted",
    "mitigated": "accepted",
    "false-positive": "accepted",
    "in-progress": "underReview",
}
FINGERPRINT_KEY = "trustmapFinding/v1"


def _rule_name(rule_id: str) -> str:
    """SARIF wants an identifier-like name: `unencrypted-flow` -> `UnencryptedFlow`."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _help(analysis: Analysis, threat: Threat, findings: list[Finding]) -> dict[str, str]:
    catalog = analysis.catalog
    controls = [catalog.controls[c] for c in threat.mitigated_by if c in catalog.controls]
    compliance: dict[str, set[str]] = {}
    for control in controls:
        for framework, refs in control.compliance.as_dict().items():
            compliance.setdefault(framework, set()).update(refs)
    summary = compliance_text({k: sorted(v) for k, v in compliance.items()})
    text = [threat.description, ""]
    markdown = [md_text(threat.description), ""]
    if controls:
        text.append("Mitigations:")
        markdown.append("**Mitigations**")
        markdown.append("")
        for control in controls:
            remedy = f": {control.remediation}" if control.remediation else ""
            text.append(f"- {control.id} ({control.title}){remedy}")
            markdown.append(
                f"- `{control.id}` {md_text(control.title)}"
                + (f": {md_text(control.remediation)}" if control.remediation else "")
            )
        text.append("")
        markdown.append("")
    else:
        remedy = findings[0].remediation
        text += [f"Remediation: {remedy}", ""]
        markdown += [f"**Remediation**: {md_text(remedy)}", ""]
    if summary:
        text.append(f"Compliance: {summary}")
        markdown.append(f"**Compliance**: {md_text(summary)}")
    others = [
        f"{name.upper()}: {', '.join(values)}"
        for name, values in sorted(threat.references.model_dump().items())
        if values
    ]
    if others:
        text.append("References: " + "; ".join(others))
        markdown.append("**References**: " + md_text("; ".join(others)))
    return {"markdown": "\n".join(markdown).strip() + "\n", "text": "\n".join(text).strip() + "\n"}


def _rule(analysis: Analysis, threat: Threat, findings: list[Finding]) -> dict[str, Any]:
    # Severity is raised per subject; the rule carries the highest it reached in this model.
    worst = max((f.severity for f in findings), key=severity_rank)
    tags = ["security", *threat.stride, threat.category]
    tags += list(threat.references.cwe)
    return {
        "defaultConfiguration": {"level": _LEVEL[worst]},
        "fullDescription": {"text": threat.description},
        "help": _help(analysis, threat, findings),
        "id": threat.id,
        "name": _rule_name(threat.id),
        "properties": {
            "category": threat.category,
            "code": threat.code,
            "precision": "high",
            "problem.severity": _LEVEL[worst],
            "security-severity": _SCORE[worst],
            "stride": list(threat.stride),
            "tags": tags,
        },
        "shortDescription": {"text": threat.title},
    }


def _suppressions(finding: Finding) -> list[dict[str, Any]]:
    decision = finding.decision
    if decision is None or finding.status not in _SUPPRESSION_STATUS:
        return []
    properties = {
        key: value
        for key, value in (
            ("decision", decision.status),
            ("owner", decision.owner),
            ("expires", decision.expires),
            ("ticket", decision.ticket),
            ("pattern", decision.pattern),
        )
        if value
    }
    return [
        {
            "justification": decision.reason,
            "kind": "external",
            "properties": properties,
            "status": _SUPPRESSION_STATUS[finding.status],
        }
    ]


def _result(finding: Finding, rule_index: int, uri: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "level": _LEVEL[finding.severity],
        "locations": [
            {
                "logicalLocations": [
                    {"fullyQualifiedName": finding.subject.id, "kind": finding.subject.kind}
                ],
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startColumn": finding.location.column, "startLine": finding.location.line},
                },
            }
        ],
        "message": {"text": f"{finding.title}: {finding.why}"},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "category": finding.category,
            "compliance": finding.compliance,
            "key": finding.key,
            "owner": finding.owner,
            "impact": finding.impact,
            "likelihood": finding.likelihood,
            "remediation": finding.remediation,
            "severity": finding.severity,
            "status": finding.status,
            "stride": list(finding.stride),
        },
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
    }
    suppressions = _suppressions(finding)
    if suppressions:
        result["suppressions"] = suppressions
    return result


#: questions are reported as notes under a rule of their own per control
QUESTION_RULE_PREFIX = "question/"


def _question_rule(control: Control) -> dict[str, Any]:
    text = control.question or f"Is this in place: {control.title}?"
    return {
        "defaultConfiguration": {"level": "note"},
        "fullDescription": {"text": f"The model does not say: {text}"},
        "help": {"text": control.remediation or text, "markdown": md_text(control.remediation or text)},
        "id": QUESTION_RULE_PREFIX + control.id,
        "name": "Question" + _rule_name(control.id),
        "properties": {
            "category": control.category,
            "kind": "question",
            "tags": ["question", control.category],
        },
        "shortDescription": {"text": control.title},
    }


def _question_result(question: Question, rule_index: int, uri: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "kind": "review",
        "level": "note",
        "locations": [
            {
                "logicalLocations": [
                    {"fullyQualifiedName": question.subject.id, "kind": question.subject.kind}
                ],
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {"startColumn": question.location.column, "startLine": question.location.line},
                },
            }
        ],
        "message": {"text": f"{question.text} (the model does not say; for: {', '.join(question.threats)})"},
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(
                "question/" + question.control, question.subject.kind, question.subject.id
            )
        },
        "properties": {"key": question.key, "status": question.status, "threats": list(question.threats)},
        "ruleId": QUESTION_RULE_PREFIX + question.control,
        "ruleIndex": rule_index,
    }
    if question.decision is not None and question.status in _SUPPRESSION_STATUS:
        decision = question.decision
        result["suppressions"] = [
            {
                "justification": decision.reason,
                "kind": "external",
                "status": _SUPPRESSION_STATUS[question.status],
            }
        ]
    return result


def sarif_document(analysis: Analysis) -> dict[str, Any]:
    """The SARIF log as plain data."""
    findings = analysis.report.findings
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = sorted(r for r in by_rule if r in analysis.catalog.threats)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    questions = analysis.report.questions
    asked = sorted({q.control for q in questions})
    question_index = {c: len(rule_ids) + i for i, c in enumerate(asked)}
    uri = quote(analysis.graph.path.replace("\\", "/"), safe="/")
    return {
        "$schema": SARIF_SCHEMA,
        "runs": [
            {
                # One category per model: GitHub accepts a folder of SARIF files only when each
                # run has its own (the part of the id before the last "/").
                "automationDetails": {"id": f"trustmap/{analysis.graph.path}/"},
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The directory trustmap was run from."}}
                },
                "properties": {"catalogDigest": analysis.catalog.digest, "model": analysis.graph.model.name},
                "results": [
                    *(_result(f, index[f.rule], uri) for f in findings if f.rule in index),
                    *(_question_result(q, question_index[q.control], uri) for q in questions),
                ],
                "tool": {
                    "driver": {
                        "name": "trustmap",
                        "rules": [
                            *(_rule(analysis, analysis.catalog.threats[r], by_rule[r]) for r in rule_ids),
                            *(_question_rule(analysis.catalog.controls[c]) for c in asked),
                        ],
                        "semanticVersion": __version__,
                        "version": __version__,
                    }
                },
            }
        ],
        "version": "2.1.0",
    }


def render_sarif(analysis: Analysis) -> str:
    encoded = json.dumps(sarif_document(analysis), indent=2, sort_keys=True, ensure_ascii=False)
    return json_text(encoded) + "\n"
