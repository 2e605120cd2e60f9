"""The catalog's condition keys: a closed vocabulary, one table entry per key.

Conditions are data checked by the catalog schema; nothing here evaluates strings. Each key of
`CONDITION_KEYS` says how a condition with that key is tested (`build`) and why it holds or
fails for one subject, in words with that subject's own values (`explain`); the general
phrase for catalog readers is `trustmap.catalog.describe`. A key that does not apply to the
subject's kind (a flow test on a component) is simply false.

Each condition is turned once into a predicate (a closure over its value, with lists made
into sets) and kept in the evaluation context: a run asks the same few hundred conditions
about every component and flow, and finding a condition's key walks all its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from trustmap.catalog.schema import Condition, PropertyTest
from trustmap.engine.context import EvalContext, Target
from trustmap.graph import classification_rank

__all__ = ["CONDITION_KEYS", "ConditionKey", "Predicate", "condition_value", "holds", "predicate"]

Predicate = Callable[[Target, EvalContext], bool]
#: (the condition's value, the target, the context, whether it holds) -> why, in words
Explainer = Callable[[Any, Target, EvalContext, bool], str]


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """What the engine does with one key of the condition vocabulary."""

    #: the condition's value -> a predicate over targets (made once per evaluation)
    build: Callable[[Any, EvalContext], Predicate]
    #: why a leaf holds (or fails) for a target; None: the general phrase says it all.
    #: `all`, `any`, `not`, `source` and `target` are explained by walking into them.
    explain: Explainer | None = None


def condition_value(condition: Condition, key: str) -> Any:
    """The value under `key` (`not` is the field `not_`)."""
    return getattr(condition, "not_" if key == "not" else key)


def holds(condition: Condition, target: Target, context: EvalContext) -> bool:
    """Whether `condition` is true for `target`."""
    return predicate(condition, context)(target, context)


def predicate(condition: Condition, context: EvalContext) -> Predicate:
    """The condition as a function of a target, made once per context."""
    # The entry keeps the condition alive, so its id cannot be reused while it is cached.
    found = context.conditions.get(id(condition))
    if found is None or found[0] is not condition:
        key = condition.key()
        test = CONDITION_KEYS[key].build(condition_value(condition, key), context)
        found = (condition, test)
        context.conditions[id(condition)] = found
    return found[1]


# -- words shared by the explainers -------------------------------------------------------

_DFD = {"process": "a process", "datastore": "a data store", "external-entity": "an external entity"}


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeio" else "a ") + word


def _quoted(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _not(positive: bool) -> str:
    return "" if positive else "not "


# -- combinations ---------------------------------------------------------------------------


def _all(value: list[Condition], context: EvalContext) -> Predicate:
    parts = tuple(predicate(c, context) for c in value)

    def test(target: Target, context: EvalContext) -> bool:
        for part in parts:  # noqa: SIM110 (a loop, not all(genexpr): this runs millions of times)
            if not part(target, context):
                return False
        return True

    return test


def _any(value: list[Condition], context: EvalContext) -> Predicate:
    parts = tuple(predicate(c, context) for c in value)

    def test(target: Target, context: EvalContext) -> bool:
        for part in parts:  # noqa: SIM110 (as in _all)
            if part(target, context):
                return True
        return False

    return test


def _negation(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: not inner(t, c)


def _source(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.source), c)


def _target(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.target), c)


# -- components -----------------------------------------------------------------------------


def _service(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service in allowed


def _explain_service(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    if not positive:
        return f"uses none of the services {_quoted(value)}"
    return f"uses service '{target.component.service if target.component else None}'"


def _service_model(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_model in allowed


def _explain_service_model(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    model = target.component.service_model if target.component else "?"
    return f"is {_not(positive)}{_article(model)} service"


def _kind(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_kind in allowed


def _explain_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    kind = target.component.service_kind if target.component else "?"
    return f"is {_not(positive)}{_article(kind)} component"


def _dfd(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.dfd in allowed


def _explain_dfd(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    dfd = target.component.dfd if target.component else ""
    return f"is {_not(positive)}{_DFD.get(dfd, 'an element')}"


def _aws(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.aws == value


def _property(value: PropertyTest, _: EvalContext) -> Predicate:
    name, equals, in_ = value.name, value.equals, value.in_

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        # Only what the model states: a property it says nothing about matches no test, so
        # that a default is never evidence and never a finding (judgement.md).
        actual = target.component.stated_value(name)
        if actual is None:
            return False
        if equals is not None:
            return bool(actual == equals)
        return actual in (in_ or ())

    return test


def _explain_property(value: PropertyTest, target: Target, _: EvalContext, positive: bool) -> str:
    actual = target.component.stated_value(value.name) if target.component else None
    if actual is None:
        return f"says nothing of {value.name}"
    shown = str(actual).lower() if isinstance(actual, bool) else actual
    return f"has {value.name}: {shown}"


def _stores_data(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and bool(t.component.stores) == value


def _handles_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.handles_regulations)


def _explain_handles_regulation(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(target.component.handles_regulations if target.component else ()))
    return f"stores, processes or transmits {', '.join(found)} data" if found else "handles no such data"


def _in_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.boundary_kinds)


def _explain_in_boundary_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(target.component.boundary_kinds if target.component else ()))
    return f"sits in {_article(found[0])} boundary" if found else f"sits in no {'/'.join(value)} boundary"


def _in_public_subnet(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.in_public_subnet == value


def _trust_below(value: int, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.trust < value


def _linked_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(c.neighbours[t.subject.id])


def _explain_linked_service(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(context.neighbours.get(target.subject.id, ())))
    if found:
        return f"exchanges data with a component of service '{found[0]}'"
    return f"exchanges no data with a component of service {_quoted(value)}"


# -- components, flows and the model -----------------------------------------------------


def _classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return classification_rank(context.model_classification) >= floor
        return classification_rank(record.classification) >= floor

    return test


def _explain_classification(value: str, target: Target, context: EvalContext, positive: bool) -> str:
    record = target.component or target.flow
    actual = context.model_classification if record is None else record.classification
    return f"handles {actual} data" if actual else "handles no classified data"


def _regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return not wanted.isdisjoint(context.model_regulations)
        return not wanted.isdisjoint(record.regulations)

    return test


def _explain_regulation(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    record = target.component or target.flow
    regulations = context.model_regulations if record is None else record.regulations
    found = sorted(set(value) & set(regulations))
    return f"handles {', '.join(found)} data" if found else f"handles no {'/'.join(value)} data"


def _declared(value: str, context: EvalContext) -> Predicate:
    control = context.catalog.canonical_control(value) or value

    def test(target: Target, context: EvalContext) -> bool:
        if control in context.model_controls:
            return True
        return target.component is not None and control in target.component.controls

    return test


def _explain_declared(value: str, target: Target, _: EvalContext, positive: bool) -> str:
    return f"{'declares' if positive else 'does not declare'} control '{value}'"


# -- flows ----------------------------------------------------------------------------------


def _protocol(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.protocol in allowed


def _explain_protocol(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    return f"uses {target.flow.protocol if target.flow else None}"


def _port(value: list[int], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.port in allowed


def _encrypted(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.encrypted == value


def _explain_encrypted(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    flow = target.flow
    state = "encrypted" if flow and flow.encrypted else "not encrypted"
    return f"is {state} ({flow.protocol if flow else None})"


def _authenticated(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.authenticated == value


def _crosses(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and bool(t.flow.crosses) == value


def _explain_crosses(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    crosses = target.flow.crosses if target.flow else ()
    return f"crosses the trust boundaries {_quoted(crosses)}" if crosses else "stays inside its boundary"


def _crosses_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.flow is not None and not wanted.isdisjoint(t.flow.crossed_kinds)


def _explain_crosses_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    kinds = sorted(set(value) & set(target.flow.crossed_kinds if target.flow else ()))
    if kinds:
        return f"crosses {_article(' and '.join(kinds))} boundary"
    return f"crosses no {'/'.join(value)} boundary"


def _trust_decreases(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.trust_decreases == value


def _explain_trust_decreases(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    trusts = (target.flow.source_trust, target.flow.target_trust) if target.flow else (None, None)
    return f"goes from trust {trusts[0]} to {trusts[1]}"


# -- the whole model ------------------------------------------------------------------------


def _inbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for flow in context.flows_into[target.subject.id]:  # noqa: SIM110 (hot loop, as in _any)
            if inner(flow, context):
                return True
        return False

    return test


def _outbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for flow in context.flows_out_of[target.subject.id]:  # noqa: SIM110 (as in _any)
            if inner(flow, context):
                return True
        return False

    return test


def _every_inbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        flows = context.flows_into[target.subject.id]
        return bool(flows) and all(inner(flow, context) for flow in flows)

    return test


def _every_outbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        flows = context.flows_out_of[target.subject.id]
        return bool(flows) and all(inner(flow, context) for flow in flows)

    return test


def _route(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and (t.flow.kind == "route") == value


def _bidirectional(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.bidirectional == value


def _sole_store(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        me, primaries = target.subject.id, context.primaries
        if me in primaries:
            return not value  # a replica or backup copy: its primary is the data's home
        stored = context.stored_by
        sole = any(all(primaries.get(o) == me for o in stored[d] if o != me) for d in target.component.stores)
        return sole == value

    return test


def _linked(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for other in context.linked[target.subject.id]:  # noqa: SIM110 (as in _any)
            if inner(context.component(other), context):
                return True
        return False

    return test


def _model_has_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_services)


def _explain_model_has_service(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & context.model_services)
    owner = "has" if target.subject.kind == "model" else "is in a model with"
    if found:
        return f"{owner} a component of service '{found[0]}'"
    return f"{owner} no component of service {_quoted(value)}"


def _explain_authenticated(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    return (
        "is authenticated"
        if target.flow is not None and target.flow.authenticated
        else "is not authenticated"
    )


def _explain_trust_below(value: int, target: Target, _: EvalContext, positive: bool) -> str:
    return f"sits where trust is {target.component.trust if target.component else None}"


def _model_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_regulations)


def _model_classification(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)
    return lambda t, c: classification_rank(c.model_classification) >= floor


#: Every key of `trustmap.catalog.schema.Condition` (a test checks that none is missing).
CONDITION_KEYS: Mapping[str, ConditionKey] = {
    "all": ConditionKey(_all),
    "any": ConditionKey(_any),
    "not": ConditionKey(_negation),
    "service": ConditionKey(_service, _explain_service),
    "service_model": ConditionKey(_service_model, _explain_service_model),
    "kind": ConditionKey(_kind, _explain_kind),
    "dfd": ConditionKey(_dfd, _explain_dfd),
    "aws": ConditionKey(_aws),
    "property": ConditionKey(_property, _explain_property),
    "stores_data": ConditionKey(_stores_data),
    "classification_at_least": ConditionKey(_classification_at_least, _explain_classification),
    "regulation": ConditionKey(_regulation, _explain_regulation),
    "handles_regulation": ConditionKey(_handles_regulation, _explain_handles_regulation),
    "in_boundary_kind": ConditionKey(_in_boundary_kind, _explain_in_boundary_kind),
    "in_public_subnet": ConditionKey(_in_public_subnet),
    "trust_below": ConditionKey(_trust_below, _explain_trust_below),
    "declared": ConditionKey(_declared, _explain_declared),
    "protocol": ConditionKey(_protocol, _explain_protocol),
    "encrypted": ConditionKey(_encrypted, _explain_encrypted),
    "authenticated": ConditionKey(_authenticated, _explain_authenticated),
    "crosses_boundary": ConditionKey(_crosses, _explain_crosses),
    "crosses_boundary_kind": ConditionKey(_crosses_boundary_kind, _explain_crosses_kind),
    "trust_decreases": ConditionKey(_trust_decreases, _explain_trust_decreases),
    "port": ConditionKey(_port),
    "source": ConditionKey(_source),
    "target": ConditionKey(_target),
    "linked_service": ConditionKey(_linked_service, _explain_linked_service),
    # explained by walking into the flows or components they name (trustmap.engine.explain)
    "inbound": ConditionKey(_inbound),
    "outbound": ConditionKey(_outbound),
    "every_inbound": ConditionKey(_every_inbound),
    "every_outbound": ConditionKey(_every_outbound),
    "linked": ConditionKey(_linked),
    "route": ConditionKey(_route, lambda value, target, context, positive: ""),
    "bidirectional": ConditionKey(_bidirectional),
    "sole_store": ConditionKey(_sole_store),
    "model_has_service": ConditionKey(_model_has_service, _explain_model_has_service),
    "model_regulation": ConditionKey(_model_regulation),
    "model_classification_at_least": ConditionKey(_model_classification),
}
