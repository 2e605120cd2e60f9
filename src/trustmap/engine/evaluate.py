"""Evaluate the catalog over the annotated graph: checklists, findings and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from trustmap.catalog import Catalog
from trustmap.catalog.describe import about, describe
from trustmap.catalog.schema import CATEGORIES, Condition, Control, Threat
from trustmap.diagnostics import Diagnostic, did_you_mean, printable
from trustmap.engine.conditions import Predicate, predicate
from trustmap.engine.context import EvalContext, Target, named
from trustmap.engine.decisions import DecisionTable
from trustmap.engine.explain import explain
from trustmap.engine.rules import BUILTIN_RULES, Rule, check_registry
from trustmap.engine.rules.common import Asks, Through
from trustmap.engine.severity import rate
from trustmap.engine.signature import catalog_depth, decided_by_class, subject_classes
from trustmap.findings import SEVERITY_ORDER, ChecklistItem, Decision, Finding, Question, Report, Subject
from trustmap.gc_pause import paused_gc
from trustmap.graph import FlowInfo, ModelGraph, classification_rank

__all__ = ["EvaluationOptions", "evaluate"]

INHERITED_REASON = "AWS duty (security of the cloud); evidence: AWS audit reports in AWS Artifact"


@dataclass(frozen=True)
class EvaluationOptions:
    today: dt.date = field(default_factory=dt.date.today)
    allow_unmatched_decisions: bool = False
    rules: Mapping[str, Rule] = field(default_factory=lambda: dict(BUILTIN_RULES))
    #: work out a checklist's fixed statuses once per class of subjects that no condition can
    #: tell apart (engine/signature.py); off, for every subject: the same report, slower
    memo: bool = True


@dataclass(frozen=True)
class _Status:
    status: str
    reason: str


#: a status not worked out yet (None is a result: the control does not apply)
_UNKNOWN: Any = object()
#: in a remembered checklist: a status to work out again for each subject (see `_shape`)
_AGAIN: Any = object()


@dataclass(frozen=True, slots=True)
class _ItemFields:
    """What a control's checklist items share, whatever their subject."""

    id: str
    code: str | None
    title: str
    category: str
    owner: str
    severity: str
    evidence: str | None
    remediation: str | None
    compliance: dict[str, list[str]]
    threats: tuple[str, ...]
    #: the item adds the configuration the model's flows ask of its subject (`_expected`)
    expected: bool

    @classmethod
    def of(cls, control: Control, evaluator: _Evaluator) -> _ItemFields:
        return cls(
            control.id,
            control.code,
            control.title,
            control.category,
            control.owner,
            control.severity,
            control.evidence_text,
            control.remediation,
            evaluator.compliance[control.id],
            evaluator.catalog.threats_mitigated_by(control.id),
            control.expected is not None,
        )


#: fixed statuses that `_status` reaches before it reads `evidence` and `open_when`
_EARLY = frozenset({"inherited", "not-applicable", "met-declared", "met-source", "met-model"})


def _decided(catalog: Catalog, keys: tuple[str, ...]) -> frozenset[str]:
    """The controls whose conditions under `keys` a class decides (`decided_by_class`)."""
    return frozenset(
        control.id
        for control in catalog.controls.values()
        if all(
            decided_by_class(condition)
            for condition in (getattr(control, key) for key in keys)
            if condition is not None
        )
    )


class _Evaluator:
    def __init__(self, graph: ModelGraph, catalog: Catalog, options: EvaluationOptions) -> None:
        self.graph = graph
        self.catalog = catalog
        self.options = options
        self.context = EvalContext(graph, catalog)
        #: each component's and flow's class (engine/signature.py), by (kind, id); empty: no memo
        self.classes: dict[tuple[str, str], int] = {}
        if options.memo:
            # at least one step: a flow's statuses read the controls of its source
            self.classes = subject_classes(self.context, max(1, catalog_depth(catalog)))
        #: per class, the checklist controls that may apply, each with its status when the class
        #: fixes it, else _AGAIN (controls that the class rules out are left out)
        self.shapes: dict[int, tuple[tuple[Control, Any], ...]] = {}
        #: controls whose conditions a class decides (`decided_by_class`): only their statuses
        #: are remembered per class
        self.by_class = _decided(catalog, ("applies_to", "relevant_when", "evidence", "open_when")) - {
            # met through another flow of its group: a relation a class does not compare
            control.id
            for control in catalog.controls.values()
            if control.shared_by is not None
        }
        #: controls whose `applies_to` a class decides: that one does not apply is remembered
        self.applies_by_class = _decided(catalog, ("applies_to",))
        #: controls whose `applies_to` and `relevant_when` a class decides: the statuses worked
        #: out before `evidence` and `open_when` are read (inherited, not applicable, declared)
        #: are remembered
        self.early_by_class = _decided(catalog, ("applies_to", "relevant_when"))
        #: control statuses by subject (kind, id), then control id; None: `applies_to` excludes it
        self.statuses: dict[tuple[str, str], dict[str, _Status | None]] = {}
        self.unlisted: dict[tuple[str, str, str], _Status | None] = {}
        self.decisions = DecisionTable.from_model(graph.model.accepted, options.today)
        self.descriptions: dict[int, tuple[Condition, str]] = {}
        self.predicates: dict[str, tuple[Predicate | None, ...]] = {}
        #: questions asked so far, by key, with the threats that wait on each
        self.asked: dict[str, tuple[Target, Control, list[str]]] = {}
        #: components that declare each contrast control, by service (see `_contrast`)
        self.declared_by: dict[tuple[str, str], list[str]] = {}
        for component in graph.components():
            for control_id in component.controls:
                self.declared_by.setdefault((component.service, control_id), []).append(component.id)
        self.fixed: dict[tuple[str, str], _Status] = {}
        #: per kind of group and control, the first flow of each group whose source declares
        #: the control (see `_shared`)
        self.shared_declarations: dict[tuple[str, str], dict[tuple[str, ...], FlowInfo]] = {}
        #: for the id of each status in `fixed` (alive as long as the evaluator), which it is
        self.fixed_which: dict[int, str] = {}
        #: per subject kind, the controls of its checklist in the order the checklist lists them
        category_order = {c: i for i, c in enumerate(CATEGORIES)}
        owner_order = {"aws": 0, "shared": 1, "customer": 2}
        self.controls_of: dict[str, list[Control]] = {}
        for control in sorted(
            catalog.controls.values(),
            key=lambda c: (category_order[c.category], owner_order[c.owner], c.id),
        ):
            self.controls_of.setdefault(control.scope, []).append(control)
        # One compliance mapping per control, shared by its items (they are read-only).
        self.compliance = {c.id: c.compliance.as_dict() for c in catalog.controls.values()}
        #: per threat, its references (`_references`); per scope, its targets with their classes
        self.references: dict[str, dict[str, list[str]]] = {}
        self.classed: dict[str, list[tuple[Target, int | None]]] = {}
        #: per control, the fields of its checklist items that are the same for every subject
        self.item_fields: dict[str, _ItemFields] = {}
        self.has_decisions = bool(self.decisions.entries)
        #: per (threat, subject), the principal whose grants a rule's hit rests on (`Through`)
        self.ends_at: dict[tuple[str, str], str | None] = {}

    def describe(self, condition: Condition) -> str:
        """`describe`, once per condition: the same phrases are asked for every subject."""
        found = self.descriptions.get(id(condition))
        if found is None or found[0] is not condition:
            found = (condition, describe(condition))
            self.descriptions[id(condition)] = found
        return found[1]

    # -- controls ---------------------------------------------------------------------

    def status(self, control: Control, target: Target, *, listed_only: bool = True) -> _Status | None:
        """A control's status for a target; None when `applies_to` excludes it and `listed_only`."""
        known = self._statuses(target)
        found = known.get(control.id, _UNKNOWN)
        if found is _UNKNOWN:
            found = known[control.id] = self._status(control, target)
        if found is None and not listed_only:
            key = (target.subject.kind, target.subject.id, control.id)
            if key not in self.unlisted:
                self.unlisted[key] = self._status(control, target, ignore_applies_to=True)
            return self.unlisted[key]
        return found  # type: ignore[no-any-return]

    def _statuses(self, target: Target) -> dict[str, _Status | None]:
        subject = (target.subject.kind, target.subject.id)
        known = self.statuses.get(subject)
        if known is None:
            known = self.statuses[subject] = {}
        return known

    def _status(self, control: Control, target: Target, *, ignore_applies_to: bool = False) -> _Status | None:
        context = self.context
        applies, relevant, evidence, open_when = self._predicates(control)
        if not ignore_applies_to and applies is not None and not applies(target, context):
            return None
        if control.owner == "aws":
            return self._fixed(control, "inherited")
        if relevant is not None and not relevant(target, context):
            return self._fixed(control, "not-applicable")
        if target.component is not None and control.id in target.component.controls:
            return self._fixed(control, "met-declared")
        if target.principal is not None and control.id in target.principal.controls:
            return self._fixed(control, "met-declared")
        # A flow control declared on a component holds for the flows that component sends.
        if target.flow is not None and control.id in self.graph.component(target.flow.source).controls:
            return self._fixed(control, "met-source")
        if control.id in context.model_controls:
            return self._fixed(control, "met-model")
        if control.shared_by is not None and target.flow is not None:
            shared = self._shared(control, control.shared_by, target.flow)
            if shared is not None:
                return shared
        if evidence is not None and evidence(target, context):
            assert control.evidence is not None
            # the branch of the evidence that holds here, not the whole rule
            stated = explain(control.evidence, target, context)
            return _Status("met", "evidenced by the model: " + about(named(target), stated))
        if open_when is not None and open_when(target, context):
            assert control.open_when is not None
            stated = explain(control.open_when, target, context)
            return _Status("open", f"stated in the model: {named(target)} {stated}")
        contrast = self._contrast(control, target)
        if contrast is not None:
            return contrast
        return self._fixed(control, "unknown")

    def _shared(self, control: Control, shared_by: str, flow: FlowInfo) -> _Status | None:
        """Met when the source of another flow of the same group declares the control: the
        infrastructure it stands for serves the whole group (catalog `shared_by`). The flow's
        own source does not declare it (`_status` has found that met already)."""
        declaring = self.shared_declarations.get((shared_by, control.id))
        if declaring is None:
            # the first flow of each group whose source declares the control, found once: a
            # VPC may send thousands of flows to one service
            declaring = self.shared_declarations[(shared_by, control.id)] = {}
            for other in self.graph.flows():
                if control.id in self.graph.component(other.source).controls:
                    declaring.setdefault(_group_key(shared_by, other, self.graph), other)
        serving = declaring.get(_group_key(shared_by, flow, self.graph))
        if serving is None:
            return None
        return _Status(
            "met",
            f"declared by '{serving.source}' for its flow '{serving.id}' from the same VPC to the "
            "same service: one VPC endpoint serves both",
        )

    def _contrast(self, control: Control, target: Target) -> _Status | None:
        """Open when other components of the same service declare the control and this one
        does not: the model shows where the control is in place, so its absence here is a
        statement (catalog `contrast: true`, judgement.md)."""
        if not control.contrast or target.component is None:
            return None
        others = self.declared_by.get((target.component.service, control.id), [])
        if not others:
            return None
        where = ", ".join(f"'{o}'" for o in others[:3])
        return _Status(
            "open",
            f"the model declares '{control.id}' on {where} ({target.component.service} too) but not on"
            f" {named(target)}",
        )

    def _predicates(self, control: Control) -> tuple[Predicate | None, ...]:
        found = self.predicates.get(control.id)
        if found is None:
            context = self.context
            found = tuple(
                None if condition is None else predicate(condition, context)
                for condition in (
                    control.applies_to,
                    control.relevant_when,
                    control.evidence,
                    control.open_when,
                )
            )
            self.predicates[control.id] = found
        return found

    def _fixed(self, control: Control, which: str) -> _Status:
        """A status whose reason depends on the control alone: made once per control."""
        found = self.fixed.get((control.id, which))
        if found is None:
            found = self._fixed_status(control, which)
            self.fixed[(control.id, which)] = found
            self.fixed_which[id(found)] = which
        return found

    def _fixed_status(self, control: Control, which: str) -> _Status:
        if which == "inherited":
            return _Status("inherited", INHERITED_REASON)
        if which == "not-applicable":
            assert control.relevant_when is not None
            return _Status(
                "not-applicable",
                "not applicable: only needed when " + about("it", self.describe(control.relevant_when)),
            )
        if which == "met-declared":
            return _Status("met", "declared in the component's controls")
        if which == "shown":
            return _Status("open", "not evidenced, and the graph shows the gap")
        if which == "met-source":
            return _Status("met", "declared in the controls of the flow's source")
        if which == "met-model":
            return _Status("met", self._model_evidence(control.id))
        scope = "the model's top-level 'controls'" if control.scope == "model" else "its 'controls'"
        if control.evidence is not None:
            expected = f"{self.describe(control.evidence)}, or '{control.id}' in {scope}"
        else:
            expected = f"'{control.id}' in {scope}"
        return _Status("unknown", f"the model does not say; evidence would be: {expected}")

    def _model_evidence(self, control_id: str) -> str:
        if control_id in self.graph.model_controls:
            return "declared in the model's top-level controls"
        providers = sorted(
            component.id
            for component in self.graph.components()
            if control_id in self.catalog.evidenced_controls(component.service)
        )
        return (
            "evidenced by the component"
            + ("s " if len(providers) > 1 else " ")
            + ", ".join(f"'{p}'" for p in providers)
        )

    def checklist(self, target: Target) -> tuple[ChecklistItem, ...]:
        """The items of a subject, by category, owner (aws, shared, customer) and id."""
        known = self._statuses(target)
        number = self.classes.get((target.subject.kind, target.subject.id))
        shape = None if number is None else self.shapes.get(number)
        if shape is None:
            controls = self.controls_of.get(target.subject.kind, ())
            statuses = []
            for control in controls:
                found = known.get(control.id, _UNKNOWN)
                if found is _UNKNOWN:
                    found = known[control.id] = self._status(control, target)
                statuses.append(found)
            if number is not None:
                # the controls that apply to the class, each with its status or _AGAIN
                self.shapes[number] = tuple(
                    (control, remembered)
                    for control, found in zip(controls, statuses, strict=True)
                    if (remembered := self._shape(control, found)) is not None
                )
            return tuple(
                self._item(control, target, found)
                for control, found in zip(controls, statuses, strict=True)
                if found is not None
            )
        # Another subject of a class already worked out: only the controls that apply to the
        # class are visited, and only the statuses that name the subject are worked out again.
        items = []
        for control, remembered in shape:
            found = remembered
            if found is _AGAIN:
                found = known.get(control.id, _UNKNOWN)
                if found is _UNKNOWN:
                    found = known[control.id] = self._status(control, target)
                if found is None:
                    continue
            items.append(self._item(control, target, found))
        return tuple(items)

    def _shape(self, control: Control, found: _Status | None) -> Any:
        """What a checklist remembers of a status for the subject's class: None (the control
        does not apply) and fixed statuses, which depend only on the control and on the values
        of the conditions read to reach them, when the class decides those conditions; a status
        that names the subject or its neighbours, or one that a condition the class does not
        decide may change, is worked out again."""
        if found is None:
            return None if control.id in self.applies_by_class else _AGAIN
        which = self.fixed_which.get(id(found))
        if which is None:
            return _AGAIN
        decided = self.early_by_class if which in _EARLY else self.by_class
        return found if control.id in decided else _AGAIN

    def _item(self, control: Control, target: Target, found: _Status) -> ChecklistItem:
        status, reason, decision = found.status, found.reason, None
        if self.has_decisions and (status == "open" or status == "unknown"):
            decision = self.decisions.lookup(f"{target.subject.id}/{control.id}")
            if decision is not None:
                status, reason = decision.status, f"{decision.status}: {decision.reason}"
        # The fields of a control's items that do not depend on the subject, gathered once
        # (an item is made for every control of every subject: ~470,000 at 10,000 components).
        about = self.item_fields.get(control.id)
        if about is None:
            about = self.item_fields[control.id] = _ItemFields.of(control, self)
        remediation = about.remediation
        if about.expected:
            expected = self._expected(control, target)
            if expected:
                remediation = f"{remediation or ''} Expected from the model's flows: {expected}.".strip()
        return ChecklistItem(
            about.id,
            about.code,
            about.title,
            about.category,
            about.owner,
            status,
            about.severity,
            reason,
            target.subject,
            about.evidence,
            remediation,
            about.compliance,
            about.threats,
            decision,
        )

    def _expected(self, control: Control, target: Target) -> str:
        """The configuration the model's flows ask of the subject (format 1.2), or ''."""
        if control.expected != "ingress-from-flows" or target.component is None:
            return ""
        return "; ".join(self.context.network.expected.get(target.subject.id, ()))

    # -- threats ----------------------------------------------------------------------

    def hits(self, threat: Threat) -> Iterator[tuple[Target, str | None, bool]]:
        """Subjects the threat applies to, with why (None: explain it only if it is kept) and
        whether the graph shows the threat (a rule that fires) rather than only that it applies."""
        if threat.implementation == "python":
            # `evaluate` checked that every python threat has its rule.
            for hit in self.options.rules[threat.id](self.context, threat):
                if isinstance(hit, Asks):
                    yield hit.target, hit.why, False
                elif isinstance(hit, Through):
                    self.ends_at[(threat.id, hit.target.subject.id)] = hit.principal
                    yield hit.target, hit.why, True
                else:
                    yield hit[0], hit[1], True
            return
        assert threat.when is not None
        applies = predicate(threat.when, self.context)
        context = self.context
        if not decided_by_class(threat.when):
            for target in context.targets(threat.scope):
                if applies(target, context):
                    yield target, None, False
            return
        # subjects of one class (engine/signature.py) agree on a condition the class decides
        by_class: dict[int, bool] = {}
        for target, number in self._classed(threat.scope):
            if number is None:
                holds = applies(target, context)
            else:
                known = by_class.get(number)
                holds = by_class[number] = applies(target, context) if known is None else known
            if holds:
                yield target, None, False

    def _classed(self, scope: str) -> list[tuple[Target, int | None]]:
        """The targets of a scope, in order, each with its class (None: it has none)."""
        found = self.classed.get(scope)
        if found is None:
            found = self.classed[scope] = [
                (target, self.classes.get((target.subject.kind, target.subject.id)))
                for target in self.context.targets(scope)
            ]
        return found

    def control_target(self, control: Control, target: Target) -> Target:
        return self.context.model_target() if control.scope == "model" else target

    def findings(self) -> list[Finding]:
        found: list[Finding] = []
        for threat in self.catalog.threats.values():
            for target, why, shown in self.hits(threat):
                # Route flows are plumbing: they carry no data, so no data-handling finding.
                if target.flow is not None and target.flow.kind == "route":
                    continue
                open_controls: list[tuple[Control, _Status]] = []
                unknown: list[Control] = []
                for control_id in threat.mitigated_by:
                    control = self.catalog.controls[control_id]
                    status = self.status(control, self.control_target(control, target), listed_only=False)
                    if status is not None and status.status == "open":
                        open_controls.append((control, status))
                    elif status is not None and status.status == "unknown":
                        unknown.append(control)
                if (shown or threat.finding_unless_met) and unknown:
                    # A graph rule fires on what the model shows; only evidence mitigates it.
                    open_controls += [(c, self._fixed(c, "shown")) for c in unknown]
                if threat.mitigated_by and not open_controls:
                    for control in unknown:
                        self.ask(control, self.control_target(control, target), threat)
                    continue
                if why is None:
                    assert threat.when is not None
                    why = f"{_capital(named(target))} {explain(threat.when, target, self.context)}"
                found.append(self._finding(threat, target, why, open_controls))
        return sorted(_one_per_root_cause(self._grouped(self._folded(found))), key=Finding.sort_key)

    def _folded(self, found: list[Finding]) -> list[Finding]:
        """A finding whose threat `folds_into` another raised on the same subject is part of it."""
        by_subject: dict[tuple[str, str], dict[str, Finding]] = {}
        for finding in found:
            by_subject.setdefault((finding.subject.kind, finding.subject.id), {})[finding.rule] = finding
        result = []
        for rules in by_subject.values():
            absorbed: dict[str, list[Finding]] = {}
            for rule, finding in rules.items():
                into = next((r for r in self.catalog.threats[rule].folds_into if r in rules), None)
                if into is None:
                    continue
                absorbed.setdefault(into, []).append(finding)
            for rule, finding in rules.items():
                if any(finding in group for group in absorbed.values()):
                    continue
                parts = absorbed.get(rule, [])
                if parts:
                    titles = "; ".join(f"{p.title.lower()} ({p.rule})" for p in parts)
                    finding = replace(
                        finding,
                        why=f"{finding.why} It also means: {titles}.",
                        covers=(*finding.covers, *(p.key for p in parts)),
                    )
                result.append(finding)
        return result

    def _grouped(self, found: list[Finding]) -> list[Finding]:
        """Subjects of a threat with `group_by` that one fix covers become one finding, naming the
        others: one VPC endpoint serves every flow to that service, a replica is fixed with its
        primary store, a security group's rule with the group, a shared role's grants with the
        role (whichever of its threats names it)."""
        kept: dict[tuple[str, ...], list[Finding]] = {}
        result: list[Finding] = []
        flows = {f.id: f for f in self.graph.flows()}
        for finding in sorted(
            found, key=lambda f: flows[f.subject.id].index if f.subject.id in flows else -1
        ):
            key = self._group_key(finding, flows)
            if key is None:
                result.append(finding)
            else:
                kept.setdefault(key, []).append(finding)
        for key, members in kept.items():
            # The subject with the most sensitive data (the most severe finding) stands for the
            # group, then the first by id: the choice must not depend on the order the model
            # lists things in.
            group = sorted(
                members,
                key=lambda f: (
                    # a store's primary stands for its copies
                    f.subject.id != key[1] if key[0] == "replicas" else False,
                    -classification_rank(flows[f.subject.id].classification) if f.subject.id in flows else 0,
                    -SEVERITY_ORDER.index(f.severity) if key[0] in _BY_SEVERITY else 0,
                    # of equals, the role's own finding or its workload's, not another's path to it
                    self._through_another(f),
                    f.subject.id,
                    f.rule,
                ),
            )
            finding, others = group[0], group[1:]
            if others:
                listed = ", ".join(
                    f"'{o.subject.id}'" if o.rule == finding.rule else f"'{o.subject.id}' ({o.rule})"
                    for o in others
                )
                fix = _GROUP_FIX.get(key[0], "").format(*key[1:])
                finding = replace(
                    finding,
                    why=f"{finding.why} The same fix{fix} covers {listed}.",
                    covers=(*finding.covers, *(o.key for o in others)),
                )
            result.append(finding)
        return result

    def _group_key(self, finding: Finding, flows: Mapping[str, FlowInfo]) -> tuple[str, ...] | None:
        """What one fix of the finding covers, as the threat's `group_by` says; None: itself."""
        group_by = self.catalog.threats[finding.rule].group_by
        subject = finding.subject
        if group_by is None:
            return None
        if subject.kind == "flow" and group_by in _FLOW_GROUPS:
            return (group_by, finding.rule, *_group_key(group_by, flows[subject.id], self.graph))
        if subject.kind != "component" and not (group_by == "principal" and subject.kind == "principal"):
            return None
        if group_by == "replicas":
            return (group_by, self.context.primaries.get(subject.id, subject.id), finding.rule)
        if group_by == "place":
            # one decision (where the system runs) moves every store of one place
            return (group_by, self.graph.component(subject.id).place or subject.id, finding.rule)
        if group_by == "security-group":
            # the rules no flow needs are fixed in the groups that hold them, for every member
            stated = self.context.network.ingress.get(subject.id)
            views = [*stated.unneeded, *(v for v, _ in stated.too_wide)] if stated else []
            wide = {v.group for v in views}
            return (group_by, ", ".join(f"'{g}'" for g in sorted(wide)), finding.rule) if wide else None
        if group_by == "principal":
            # one role's grants, shared by the workloads that run as it: every threat grouped by
            # principal on that role is fixed by scoping (or splitting) that one role; a rule
            # says so where the grants are another principal's that a path of grants ends at
            if (finding.rule, subject.id) in self.ends_at:
                ends_at = self.ends_at[(finding.rule, subject.id)]
                return None if ends_at is None else (group_by, ends_at)
            if subject.kind == "principal":
                return (group_by, subject.id)
            runs_as = self.graph.component(subject.id).runs_as
            return (group_by, runs_as[0]) if len(runs_as) == 1 else None
        return None

    def _through_another(self, finding: Finding) -> bool:
        """Whether the principal the finding's paths end at is not the subject or its role."""
        ends_at = self.ends_at.get((finding.rule, finding.subject.id))
        if ends_at is None or ends_at == finding.subject.id:
            return False
        return (
            finding.subject.kind != "component"
            or ends_at not in self.graph.component(finding.subject.id).runs_as
        )

    def ask(self, control: Control, target: Target, threat: Threat) -> None:
        """A question about a control the model says nothing of, once per subject and control."""
        key = f"{target.subject.id}/{control.id}"
        asked = self.asked.get(key)
        if asked is None:
            self.asked[key] = (target, control, [threat.id])
        elif threat.id not in asked[2]:
            asked[2].append(threat.id)

    def questions(self) -> list[Question]:
        found = []
        for key, (target, control, threats) in sorted(self.asked.items()):
            found.append(
                Question(
                    subject=target.subject,
                    control=control.id,
                    category=control.category,
                    text=control.question or f"Is this in place: {control.title}?",
                    threats=tuple(sorted(threats)),
                    location=self.context.location(target),
                    decision=self.decisions.lookup(key),
                )
            )
        return found

    def _decided_controls(
        self, target: Target, open_controls: list[tuple[Control, _Status]]
    ) -> Decision | None:
        """A decision on every open mitigating control (`db/multi-az`) decides the finding too."""
        decisions = [
            self.decisions.lookup(f"{self.control_target(control, target).subject.id}/{control.id}")
            for control, _ in open_controls
        ]
        if not decisions or any(d is None for d in decisions):
            return None
        return decisions[0]

    def _finding(
        self, threat: Threat, target: Target, why: str, open_controls: list[tuple[Control, _Status]]
    ) -> Finding:
        rating = rate(threat, target, [c for c, _ in open_controls], self.context)
        compliance: dict[str, set[str]] = {"hipaa": set(), "iso27001": set(), "pci-dss": set()}
        for control, _ in open_controls:
            for framework, refs in control.compliance.as_dict().items():
                compliance[framework].update(refs)
        missing = "; ".join(f"control '{c.id}' is open ({s.reason})" for c, s in open_controls)
        missing = f"Not mitigated: {missing}" if missing else ""
        remediation = " ".join(c.remediation for c, _ in open_controls if c.remediation) or threat.description
        key = f"{target.subject.id}/{threat.id}"
        decision = self.decisions.lookup(key) or self._decided_controls(target, open_controls)
        return Finding(
            rule=threat.id,
            code=threat.code,
            title=threat.title,
            description=threat.description,
            category=threat.category,
            stride=tuple(threat.stride),
            severity=rating.severity,
            impact=rating.impact,
            likelihood=rating.likelihood,
            severity_reasons=rating.reasons,
            open_controls=tuple(c.id for c, _ in open_controls),
            owner=threat.owner,
            status=decision.status if decision else "open",
            subject=target.subject,
            subject_name=target.name,
            controls=tuple(threat.mitigated_by),
            compliance={k: sorted(v) for k, v in sorted(compliance.items())},
            location=self.context.location(target),
            why=why + (f". {missing}" if missing else "") + ". " + _capital("; ".join(rating.reasons)) + ".",
            remediation=remediation,
            references=self._references(threat),
            decision=decision,
        )

    def _references(self, threat: Threat) -> dict[str, list[str]]:
        """A threat's references (CWE, CAPEC, ...), made once and shared by its findings, which
        are read-only."""
        found = self.references.get(threat.id)
        if found is None:
            found = self.references[threat.id] = {
                k: list(v) for k, v in threat.references.model_dump().items() if v
            }
        return found

    # -- decisions --------------------------------------------------------------------

    def unmatched(
        self, findings: list[Finding], checklists: dict[Subject, tuple[ChecklistItem, ...]]
    ) -> list[Diagnostic]:
        code = "W306" if self.options.allow_unmatched_decisions else "E210"
        unused = self.decisions.unused()
        keys: set[str] = set()
        if unused:  # the keys a decision could have named, gathered only when one named none
            keys = {f.key for f in findings}
            keys.update(item.key for items in checklists.values() for item in items)
            keys.update({f"{key.partition('/')[0]}/*" for key in keys})
        return [
            Diagnostic(
                code,
                f"the decision '{printable(entry.finding)}' matches no finding or checklist item"
                + (did_you_mean(entry.finding, keys) or " (renamed subject?)")
                + ("" if self.options.allow_unmatched_decisions else "; pass --allow-unmatched to keep it"),
                self.graph.path,
                self.graph.decision_spans.get(index),
            )
            for index, entry in unused
        ]


#: the `group_by` values that group flows; the others group components (and principals)
_FLOW_GROUPS = frozenset({"source-vpc-and-target-service", "target-and-protocol"})
#: groups whose most severe finding stands for the others (their members' rules differ)
_BY_SEVERITY = frozenset({"security-group", "principal"})
#: how a group's finding names its one fix, from the group key's parts after the kind
_GROUP_FIX = {"security-group": " (in {0})", "principal": " (scoping the grants of '{0}')"}


def _group_key(group_by: str, flow: FlowInfo, graph: ModelGraph) -> tuple[str, ...]:
    """What one fix covers: flows from one VPC to one service share an endpoint."""
    source, target = graph.component(flow.source), graph.component(flow.target)
    if group_by == "target-and-protocol":
        return (flow.target, flow.protocol, str(flow.port))
    vpc = next(
        (b for b in reversed(source.boundary_path) if graph.boundaries[b].kind == "vpc"),
        source.boundary or "",
    )
    return (vpc, target.service)


def _one_per_root_cause(found: list[Finding]) -> list[Finding]:
    """Findings on one subject that the same open controls raise are one root cause with one
    fix: keep the most severe and name the others in it (the review counted them twice)."""
    by_cause: dict[tuple[str, tuple[str, ...]], list[Finding]] = {}
    result: list[Finding] = []
    for finding in sorted(found, key=Finding.sort_key):
        if not finding.open_controls:
            result.append(finding)
            continue
        by_cause.setdefault(
            (finding.key.rpartition("/")[0] + finding.subject.kind, finding.open_controls), []
        ).append(finding)
    for group in by_cause.values():
        first, others = group[0], group[1:]
        if others:
            titles = "; ".join(f"{o.title.lower()} ({o.rule})" for o in others)
            first = replace(
                first,
                why=f"{first.why} The same fix also answers: {titles}.",
                covers=(*first.covers, *(o.key for o in others)),
                decision=first.decision or next((o.decision for o in others if o.decision), None),
                status=first.status
                if first.decision
                else next((o.status for o in others if o.decision), first.status),
            )
        result.append(first)
    return result


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def evaluate(graph: ModelGraph, catalog: Catalog, options: EvaluationOptions | None = None) -> Report:
    """Checklists for every component, flow and the model; findings; decisions applied.

    When the catalog's python threats and the rules do not pair up one to one, the report holds
    only those errors (E211): a threat without its rule would silently find nothing.
    """
    options = options or EvaluationOptions()
    unpaired = check_registry(catalog, options.rules)
    if unpaired:
        return Report({}, (), tuple(unpaired))
    # ~50 long-lived objects per component and no reference cycles
    with paused_gc():
        evaluator = _Evaluator(graph, catalog, options)
        findings = evaluator.findings()
        checklists: dict[Subject, tuple[ChecklistItem, ...]] = {}
        for target in [
            evaluator.context.model_target(),
            *evaluator.context.targets("component"),
            *evaluator.context.targets("flow"),
            *evaluator.context.targets("principal"),
        ]:
            checklists[target.subject] = evaluator.checklist(target)
        questions = tuple(evaluator.questions())
        return Report(
            checklists,
            tuple(findings),
            tuple(evaluator.unmatched(findings, checklists)),
            questions=questions,
            attack_paths=evaluator.context.exposure.paths,
        )
