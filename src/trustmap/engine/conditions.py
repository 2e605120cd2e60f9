"""Evaluate catalog conditions: a closed vocabulary, one small function per key.

Conditions are data checked by the catalog schema; nothing here evaluates strings. A key that
does not apply to the subject's kind (a flow test on a component) is simply false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustmap.catalog.schema import Condition
from trustmap.engine.context import EvalContext, Target
from trustmap.graph import classification_rank

__all__ = ["holds"]

_Test = Callable[[Any, Target, EvalContext], bool]


def holds(condition: Condition, target: Target, context: EvalContext) -> bool:
    """Whether `condition` is true for `target`."""
    key = condition.key()
    value = getattr(condition, _ATTRIBUTE.get(key, key))
    return _TESTS[key](value, target, context)


def _is(kind: str, target: Target) -> bool:
    return target.subject.kind == kind


def _component_attr(name: str) -> _Test:
    def test(value: Any, target: Target, _: EvalContext) -> bool:
        return _is("component", target) and target.attrs.get(name) in value

    return test


def _component_flag(name: str) -> _Test:
    def test(value: Any, target: Target, _: EvalContext) -> bool:
        return _is("component", target) and bool(target.attrs.get(name)) == value

    return test


def _flow_flag(name: str) -> _Test:
    def test(value: Any, target: Target, _: EvalContext) -> bool:
        return _is("flow", target) and bool(target.attrs.get(name)) == value

    return test


def _property(value: Any, target: Target, _: EvalContext) -> bool:
    if not _is("component", target):
        return False
    actual = target.attrs.get(value.name)
    if value.equals is not None:
        return bool(actual == value.equals)
    return actual in value.in_


def _data_classification(target: Target, context: EvalContext) -> str | None:
    if target.subject.kind == "model":
        return context.model_classification
    return target.attrs.get("classification")


def _classification_at_least(value: str, target: Target, context: EvalContext) -> bool:
    return classification_rank(_data_classification(target, context)) >= classification_rank(value)


def _regulation(value: tuple[str, ...], target: Target, context: EvalContext) -> bool:
    regulations = (
        context.model_regulations if _is("model", target) else target.attrs.get("regulations", ())
    )
    return bool(set(value).intersection(regulations))


def _stores_data(value: bool, target: Target, _: EvalContext) -> bool:
    return _is("component", target) and bool(target.attrs.get("stores")) == value


def _in_boundary_kind(value: tuple[str, ...], target: Target, _: EvalContext) -> bool:
    return _is("component", target) and bool(
        set(value).intersection(target.attrs["boundary_kinds"])
    )


def _trust_below(value: int, target: Target, _: EvalContext) -> bool:
    return _is("component", target) and int(target.attrs["trust"]) < value


def _declared(value: str, target: Target, context: EvalContext) -> bool:
    control = context.catalog.canonical_control(value) or value
    if control in context.model_controls:
        return True
    return _is("component", target) and control in target.attrs.get("controls", ())


def _protocol(value: tuple[str, ...], target: Target, _: EvalContext) -> bool:
    return _is("flow", target) and target.attrs["protocol"] in value


def _crosses_kind(value: tuple[str, ...], target: Target, _: EvalContext) -> bool:
    return _is("flow", target) and bool(set(value).intersection(target.attrs["crossed_kinds"]))


def _crosses(value: bool, target: Target, _: EvalContext) -> bool:
    return _is("flow", target) and bool(target.attrs["crosses"]) == value


def _port(value: tuple[int, ...], target: Target, _: EvalContext) -> bool:
    return _is("flow", target) and target.attrs.get("port") in value


def _end(which: str) -> _Test:
    def test(value: Condition, target: Target, context: EvalContext) -> bool:
        return _is("flow", target) and holds(value, context.component(target.attrs[which]), context)

    return test


def _linked_service(value: tuple[str, ...], target: Target, context: EvalContext) -> bool:
    if not _is("component", target):
        return False
    return bool(set(value).intersection(context.neighbours[target.subject.id]))


def _model_has_service(value: tuple[str, ...], _: Target, context: EvalContext) -> bool:
    return bool(set(value).intersection(context.model_services))


def _model_regulation(value: tuple[str, ...], _: Target, context: EvalContext) -> bool:
    return bool(set(value).intersection(context.model_regulations))


def _model_classification(value: str, _: Target, context: EvalContext) -> bool:
    return classification_rank(context.model_classification) >= classification_rank(value)


def _aws(value: bool, target: Target, _: EvalContext) -> bool:
    return _is("component", target) and bool(target.attrs["aws"]) == value


_ATTRIBUTE = {"not": "not_"}

_TESTS: dict[str, _Test] = {
    "all": lambda v, t, c: all(holds(x, t, c) for x in v),
    "any": lambda v, t, c: any(holds(x, t, c) for x in v),
    "not": lambda v, t, c: not holds(v, t, c),
    "service": _component_attr("service"),
    "service_model": _component_attr("service_model"),
    "kind": _component_attr("service_kind"),
    "dfd": _component_attr("dfd"),
    "aws": _aws,
    "property": _property,
    "stores_data": _stores_data,
    "classification_at_least": _classification_at_least,
    "regulation": _regulation,
    "in_boundary_kind": _in_boundary_kind,
    "in_public_subnet": _component_flag("in_public_subnet"),
    "trust_below": _trust_below,
    "declared": _declared,
    "protocol": _protocol,
    "encrypted": _flow_flag("encrypted"),
    "authenticated": _flow_flag("authenticated"),
    "crosses_boundary": _crosses,
    "crosses_boundary_kind": _crosses_kind,
    "trust_decreases": _flow_flag("trust_decreases"),
    "port": _port,
    "source": _end("source"),
    "target": _end("target"),
    "linked_service": _linked_service,
    "model_has_service": _model_has_service,
    "model_regulation": _model_regulation,
    "model_classification_at_least": _model_classification,
}
