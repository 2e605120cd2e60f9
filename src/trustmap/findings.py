"""The results of an evaluation: checklist items, findings and the report that holds them.

These are frozen values (checklist items by convention, see there) with no reference to graph
objects, so renderers only ever see plain data. Their order is fixed (see `Report`), which
makes every output deterministic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from trustmap.diagnostics import Diagnostic
from trustmap.severities import LEVELS, SEVERITY_ORDER, Severity, severity_rank

__all__ = [
    "LEVELS",
    "SEVERITY_ORDER",
    "STATUSES",
    "AttackPath",
    "ChecklistItem",
    "Decision",
    "Finding",
    "Location",
    "Question",
    "Report",
    "Severity",
    "Subject",
    "fingerprint",
    "severity_rank",
]

STATUSES: tuple[str, ...] = (
    "open",
    "unknown",
    "met",
    "inherited",
    "accepted",
    "mitigated",
    "false-positive",
    "in-progress",
    "not-applicable",
)


def fingerprint(rule: str, subject_kind: str, subject_id: str) -> str:
    """A finding's identity: rule and subject only, so it survives moved lines and new wording."""
    return hashlib.sha256(f"{rule}|{subject_kind}|{subject_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # component | flow | boundary | model
    id: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "line": self.line, "path": self.path}


@dataclass(frozen=True, slots=True)
class Decision:
    """A risk decision from the model's `accepted` list, as applied to one item."""

    pattern: str
    status: str
    reason: str
    owner: str | None
    expires: str | None
    ticket: str | None

    def to_json(self) -> dict[str, Any]:
        """Every key, null when the decision leaves it out, so readers of report.json can rely
        on `expires` (outputs.md) without testing for it."""
        return {
            "expires": self.expires,
            "finding": self.pattern,
            "owner": self.owner,
            "reason": self.reason,
            "status": self.status,
            "ticket": self.ticket,
        }


# Not frozen, unlike the other records: a frozen dataclass sets each field through
# object.__setattr__, which made building the items (one per control and subject, 470,000 at
# 10,000 components) eight times slower. Nothing writes to an item once it is made.
@dataclass(slots=True)
class ChecklistItem:
    """One control for one subject, with the status chosen and why (read-only by convention)."""

    id: str
    code: str | None
    title: str
    category: str
    owner: str
    status: str
    severity: str
    reason: str
    subject: Subject
    evidence: str | None = None
    remediation: str | None = None
    compliance: dict[str, list[str]] = field(default_factory=dict)
    threats: tuple[str, ...] = ()
    decision: Decision | None = None

    @property
    def key(self) -> str:
        return f"{self.subject.id}/{self.id}"

    def to_json(self) -> dict[str, Any]:
        """The item as report.json holds it; the control's own text (evidence, remediation,
        compliance references) is written once in the report's `controls`, not per item."""
        found: dict[str, Any] = {
            "category": self.category,
            "code": self.code,
            "controls": [self.id],
            "id": self.id,
            "key": self.key,
            "owner": self.owner,
            "reason": self.reason,
            "severity": self.severity,
            "status": self.status,
            "title": self.title,
        }
        if self.decision is not None:
            found["decision"] = self.decision.to_json()
        return found


@dataclass(frozen=True, slots=True)
class Finding:
    """An open (or decided) customer or shared duty that the model shows unmet."""

    rule: str
    code: str | None
    title: str
    description: str
    category: str
    stride: tuple[str, ...]
    severity: str
    impact: str
    likelihood: str
    severity_reasons: tuple[str, ...]  # the facts behind impact and likelihood
    owner: str
    status: str
    subject: Subject
    subject_name: str
    controls: tuple[str, ...]
    compliance: dict[str, list[str]]
    location: Location
    why: str
    remediation: str
    references: dict[str, list[str]] = field(default_factory=dict)
    decision: Decision | None = None
    #: the controls whose open status raised it (a root cause), in catalog order
    open_controls: tuple[str, ...] = ()
    #: keys of findings with the same root cause and fix that this one stands for
    covers: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.subject.id}/{self.rule}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.rule, self.subject.kind, self.subject.id)

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-severity_rank(self.severity), self.category, self.subject.id, self.rule)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "category": self.category,
            "code": self.code,
            "compliance": self.compliance,
            "controls": list(self.controls),
            "covers": list(self.covers),
            # null while no risk decision applies: every finding has the fields of outputs.md
            "decision": None if self.decision is None else self.decision.to_json(),
            "description": self.description,
            "fingerprint": self.fingerprint,
            "impact": self.impact,
            "key": self.key,
            "likelihood": self.likelihood,
            "location": self.location.to_json(),
            "owner": self.owner,
            "references": self.references,
            "remediation": self.remediation,
            "rule": self.rule,
            "severity": self.severity,
            "severity_reasons": list(self.severity_reasons),
            "status": self.status,
            "stride": list(self.stride),
            "subject": self.subject.to_json(),
            "subject_name": self.subject_name,
            "title": self.title,
            "why": self.why,
        }
        return found


@dataclass(frozen=True, slots=True)
class Question:
    """What the model does not tell about a customer duty that a threat here depends on."""

    subject: Subject
    control: str
    category: str
    text: str
    threats: tuple[str, ...]  # the threats whose judgement waits on the answer
    location: Location
    decision: Decision | None = None

    @property
    def key(self) -> str:
        return f"{self.subject.id}/{self.control}"

    @property
    def status(self) -> str:
        """`unknown` until a risk decision answers it."""
        return self.decision.status if self.decision is not None else "unknown"

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "category": self.category,
            "control": self.control,
            "key": self.key,
            "location": self.location.to_json(),
            "status": self.status,
            "subject": self.subject.to_json(),
            "text": self.text,
            "threats": list(self.threats),
        }
        if self.decision is not None:
            found["decision"] = self.decision.to_json()
        return found


@dataclass(frozen=True, slots=True)
class AttackPath:
    """A route an attacker can take along flows from an entry to a target (judgement.md)."""

    id: str
    entry: str
    target: str
    hops: tuple[str, ...]  # component ids, entry first, target last
    flows: tuple[str, ...]
    weakest_flow: str
    weakest_why: str
    likelihood: str

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "flows": list(self.flows),
            "hops": list(self.hops),
            "id": self.id,
            "likelihood": self.likelihood,
            "target": self.target,
            "weakest": {"flow": self.weakest_flow, "why": self.weakest_why},
        }


@dataclass(frozen=True)
class Report:
    """Everything one evaluation produced, in a fixed order.

    Checklists are keyed by subject id; findings are sorted by severity (highest first), then
    category, subject and rule.
    """

    checklists: dict[Subject, tuple[ChecklistItem, ...]]
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    questions: tuple[Question, ...] = ()  # sorted by key
    attack_paths: tuple[AttackPath, ...] = ()  # sorted by id

    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "open"]

    def open_questions(self) -> list[Question]:
        """Questions that no risk decision answers."""
        return [q for q in self.questions if q.status == "unknown"]

    def summary(self) -> dict[str, Any]:
        open_counts = dict.fromkeys(SEVERITY_ORDER, 0)
        by_status = {s: 0 for s in STATUSES if s not in ("met", "inherited", "not-applicable", "unknown")}
        for finding in self.findings:
            by_status[finding.status] = by_status.get(finding.status, 0) + 1
            if finding.status == "open":
                open_counts[finding.severity] += 1
        checklist: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for items in self.checklists.values():
            for item in items:
                checklist[item.status] += 1
        unanswered = len(self.open_questions())
        return {
            "by_status": by_status,
            "checklist": checklist,
            "findings": len(self.findings),
            "open": open_counts,
            "questions": {"answered": len(self.questions) - unanswered, "unanswered": unanswered},
        }
