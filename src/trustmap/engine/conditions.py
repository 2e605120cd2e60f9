"""Evaluate catalog conditions: a closed vocabulary, one small function per key.

Conditions are data checked by the catalog schema; nothing here evaluates strings. A key that
does not apply to the subject's kind (a flow test on a component) is simply false.

Each condition is turned once into a predicate (a closure over its value, with lists made
into sets) and kept in the evaluation context: a run asks the same few hundred conditions
about every component and flow, and finding a condition's key walks all its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustmap.catalog.schema import Condition
from trustmap.engine.context import EvalContext, Target
from trustmap.graph import classification_rank

__all__ = ["Predicate", "holds", "predicate"]

Predicate = Callable[[Target, EvalContext], bool]
_Builder = Callable[[Any, EvalContext], Predicate]


def holds(condition: Condition, target: Target, context: EvalContext) -> bool:
    """Whether `condition` is true for `target`."""
    return predicate(condition, context)(target, context)


def predicate(condition: Condition, context: EvalContext) -> Predicate:
    """The condition as a function of a target, made once per context."""
    # The entry keeps the condition alive, so its id cannot be reused while it is cached.
    found = context.conditions.get(id(condition))
    if found is None or found[0] is not condition:
        key = condition.key()
        test = _BUILDERS[key](getattr(condition, _ATTRIBUTE.get(key, key)), context)
        found = (condition, test)
        context.conditions[id(condition)] = found
    return found[1]


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


def _not(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: not inner(t, c)


def _service(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service in allowed


def _service_model(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_model in allowed


def _kind(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_kind in allowed


def _dfd(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.dfd in allowed


def _aws(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.aws == value


def _property(value: Any, _: EvalContext) -> Predicate:
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
        return actual in in_

    return test


def _stores_data(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and bool(t.component.stores) == value


def _classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return classification_rank(context.model_classification) >= floor
        return classification_rank(record.classification) >= floor

    return test


def _regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return not wanted.isdisjoint(context.model_regulations)
        return not wanted.isdisjoint(record.regulations)

    return test


def _in_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.boundary_kinds)


def _in_public_subnet(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.in_public_subnet == value


def _trust_below(value: int, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.trust < value


def _declared(value: str, context: EvalContext) -> Predicate:
    control = context.catalog.canonical_control(value) or value

    def test(target: Target, context: EvalContext) -> bool:
        if control in context.model_controls:
            return True
        return target.component is not None and control in target.component.controls

    return test


def _protocol(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.protocol in allowed


def _port(value: list[int], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.port in allowed


def _encrypted(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.encrypted == value


def _authenticated(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.authenticated == value


def _crosses(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and bool(t.flow.crosses) == value


def _crosses_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.flow is not None and not wanted.isdisjoint(t.flow.crossed_kinds)


def _trust_decreases(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.trust_decreases == value


def _source(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.source), c)


def _target(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.target), c)


def _linked_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(c.neighbours[t.subject.id])


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
        stored = context.stored_by
        sole = any(stored[d] == (target.subject.id,) for d in target.component.stores)
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


def _model_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_regulations)


def _model_classification(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)
    return lambda t, c: classification_rank(c.model_classification) >= floor


_ATTRIBUTE = {"not": "not_"}

_BUILDERS: dict[str, _Builder] = {
    "all": _all,
    "any": _any,
    "not": _not,
    "service": _service,
    "service_model": _service_model,
    "kind": _kind,
    "dfd": _dfd,
    "aws": _aws,
    "property": _property,
    "stores_data": _stores_data,
    "classification_at_least": _classification_at_least,
    "regulation": _regulation,
    "in_boundary_kind": _in_boundary_kind,
    "in_public_subnet": _in_public_subnet,
    "trust_below": _trust_below,
    "declared": _declared,
    "protocol": _protocol,
    "encrypted": _encrypted,
    "authenticated": _authenticated,
    "crosses_boundary": _crosses,
    "crosses_boundary_kind": _crosses_boundary_kind,
    "trust_decreases": _trust_decreases,
    "port": _port,
    "source": _source,
    "target": _target,
    "linked_service": _linked_service,
    "inbound": _inbound,
    "outbound": _outbound,
    "every_inbound": _every_inbound,
    "every_outbound": _every_outbound,
    "route": _route,
    "bidirectional": _bidirectional,
    "sole_store": _sole_store,
    "linked": _linked,
    "model_has_service": _model_has_service,
    "model_regulation": _model_regulation,
    "model_classification_at_least": _model_classification,
}
