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


def _component_attr(name: str) -> _Builder:
    def build(value: list[str], _: EvalContext) -> Predicate:
        allowed = frozenset(value)
        return lambda t, c: t.subject.kind == "component" and t.attrs.get(name) in allowed

    return build


def _flag(kind: str, name: str) -> _Builder:
    def build(value: bool, _: EvalContext) -> Predicate:
        return lambda t, c: t.subject.kind == kind and bool(t.attrs.get(name)) == value

    return build


def _property(value: Any, _: EvalContext) -> Predicate:
    name, equals, in_ = value.name, value.equals, value.in_

    def test(target: Target, context: EvalContext) -> bool:
        if target.subject.kind != "component":
            return False
        actual = target.attrs.get(name)
        if equals is not None:
            return bool(actual == equals)
        return actual in in_

    return test


def _classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)

    def test(target: Target, context: EvalContext) -> bool:
        if target.subject.kind == "model":
            return classification_rank(context.model_classification) >= floor
        return classification_rank(target.attrs.get("classification")) >= floor

    return test


def _regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        if target.subject.kind == "model":
            return not wanted.isdisjoint(context.model_regulations)
        return not wanted.isdisjoint(target.attrs.get("regulations", ()))

    return test


def _any_of(kind: str, name: str) -> _Builder:
    """True when the target's list attribute `name` shares a value with the condition's."""

    def build(value: list[str], _: EvalContext) -> Predicate:
        wanted = frozenset(value)
        return lambda t, c: t.subject.kind == kind and not wanted.isdisjoint(t.attrs[name])

    return build


def _trust_below(value: int, _: EvalContext) -> Predicate:
    return lambda t, c: t.subject.kind == "component" and int(t.attrs["trust"]) < value


def _declared(value: str, context: EvalContext) -> Predicate:
    control = context.catalog.canonical_control(value) or value

    def test(target: Target, context: EvalContext) -> bool:
        if control in context.model_controls:
            return True
        return target.subject.kind == "component" and control in target.attrs.get("controls", ())

    return test


def _flow_value(name: str) -> _Builder:
    def build(value: list[Any], _: EvalContext) -> Predicate:
        allowed = frozenset(value)
        return lambda t, c: t.subject.kind == "flow" and t.attrs.get(name) in allowed

    return build


def _crosses(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.subject.kind == "flow" and bool(t.attrs["crosses"]) == value


def _end(which: str) -> _Builder:
    def build(value: Condition, context: EvalContext) -> Predicate:
        inner = predicate(value, context)
        return lambda t, c: t.subject.kind == "flow" and inner(c.component(t.attrs[which]), c)

    return build


def _linked_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.subject.kind == "component" and not wanted.isdisjoint(c.neighbours[t.subject.id])


def _model_has_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_services)


def _model_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_regulations)


def _model_classification(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)
    return lambda t, c: classification_rank(c.model_classification) >= floor


def _aws(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.subject.kind == "component" and bool(t.attrs["aws"]) == value


_ATTRIBUTE = {"not": "not_"}

_BUILDERS: dict[str, _Builder] = {
    "all": _all,
    "any": _any,
    "not": _not,
    "service": _component_attr("service"),
    "service_model": _component_attr("service_model"),
    "kind": _component_attr("service_kind"),
    "dfd": _component_attr("dfd"),
    "aws": _aws,
    "property": _property,
    "stores_data": _flag("component", "stores"),
    "classification_at_least": _classification_at_least,
    "regulation": _regulation,
    "in_boundary_kind": _any_of("component", "boundary_kinds"),
    "in_public_subnet": _flag("component", "in_public_subnet"),
    "trust_below": _trust_below,
    "declared": _declared,
    "protocol": _flow_value("protocol"),
    "encrypted": _flag("flow", "encrypted"),
    "authenticated": _flag("flow", "authenticated"),
    "crosses_boundary": _crosses,
    "crosses_boundary_kind": _any_of("flow", "crossed_kinds"),
    "trust_decreases": _flag("flow", "trust_decreases"),
    "port": _flow_value("port"),
    "source": _end("source"),
    "target": _end("target"),
    "linked_service": _linked_service,
    "model_has_service": _model_has_service,
    "model_regulation": _model_regulation,
    "model_classification_at_least": _model_classification,
}
