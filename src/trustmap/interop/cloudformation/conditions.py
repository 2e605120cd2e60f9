"""Static evaluation of a template's expressions: Conditions, `Fn::If`, `AWS::NoValue`, `Fn::FindInMap`.

CloudFormation decides these at deploy time from the parameters. Offline, the parameters'
`Default`s are the only values there are, so conditions are evaluated with them, in three-valued
logic: a condition that depends on a parameter without a default, a pseudo parameter
(`AWS::Region`) or an import is unknown, and an `Fn::If` on it stays as it is (the property it
sets becomes a question). Every `Fn::If` that was decided is recorded per resource and property,
so that the model can say "conditional" next to the value it took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Decided", "evaluate_conditions", "resolve_static"]

NO_VALUE = {"Ref": "AWS::NoValue"}
_REMOVED = object()


def _static(value: Any, parameters: Mapping[str, Any], mappings: Mapping[str, Any]) -> Any:
    """A literal, a parameter's default or a resolvable `Fn::FindInMap`; None when unknown."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "Ref" and isinstance(inner, str):
            parameter = parameters.get(inner)
            if isinstance(parameter, dict) and "Default" in parameter:
                default = parameter["Default"]
                return default if isinstance(default, str | int | float | bool) else None
            return None
        if key == "Fn::FindInMap":
            return _find_in_map(inner, parameters, mappings)
    return None


def _find_in_map(args: Any, parameters: Mapping[str, Any], mappings: Mapping[str, Any]) -> Any:
    if not isinstance(args, list) or len(args) < 3:
        return None
    keys = [_static(a, parameters, mappings) for a in args[:3]]
    if any(k is None for k in keys):
        return None
    table = mappings.get(str(keys[0]))
    row = table.get(str(keys[1])) if isinstance(table, dict) else None
    return row.get(str(keys[2])) if isinstance(row, dict) else None


def evaluate_conditions(
    conditions: Mapping[str, Any], parameters: Mapping[str, Any], mappings: Mapping[str, Any]
) -> dict[str, bool | None]:
    """Each condition's truth with the parameters' defaults; None where it cannot be known."""
    results: dict[str, bool | None] = {}
    visiting: set[str] = set()

    def condition(name: str) -> bool | None:
        if name in results:
            return results[name]
        if name in visiting or name not in conditions:
            return None
        visiting.add(name)
        results[name] = truth(conditions[name])
        visiting.discard(name)
        return results[name]

    def truth(expression: Any) -> bool | None:
        if not isinstance(expression, dict) or len(expression) != 1:
            return None
        key, args = next(iter(expression.items()))
        if key == "Condition" and isinstance(args, str):
            return condition(args)
        if not isinstance(args, list):
            return None
        if key == "Fn::Equals" and len(args) == 2:
            left, right = (_static(a, parameters, mappings) for a in args)
            if left is None or right is None:
                return None
            return _text(left) == _text(right)
        values = [truth(a) for a in args]
        if key == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if key == "Fn::And":
            return False if False in values else (None if None in values else True)
        if key == "Fn::Or":
            return True if True in values else (None if None in values else False)
        return None

    for name in conditions:
        condition(str(name))
    return results


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class Decided:
    """What the static pass decided in one resource: property (top key) -> the conditions."""

    by_property: dict[str, list[str]] = field(default_factory=dict)

    def note(self, prop: str, text: str) -> None:
        found = self.by_property.setdefault(prop, [])
        if text not in found:
            found.append(text)


def resolve_static(
    value: Any,
    truths: Mapping[str, bool | None],
    parameters: Mapping[str, Any],
    mappings: Mapping[str, Any],
    decided: Decided | None = None,
    prop: str | None = None,
) -> Any:
    """`value` with decided `Fn::If`s replaced by their branch, `AWS::NoValue` removed and
    resolvable `Fn::FindInMap`s replaced by their value."""

    def walk(current: Any, top: str | None) -> Any:
        if isinstance(current, dict):
            if len(current) == 1:
                key, args = next(iter(current.items()))
                if key == "Fn::If" and isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
                    truth = truths.get(args[0])
                    if truth is not None:
                        if decided is not None and top is not None:
                            state = "true" if truth else "false"
                            decided.note(top, f"condition {args[0]} is {state} with the parameter defaults")
                        return walk(args[1] if truth else args[2], top)
                    return {key: [args[0], walk(args[1], top), walk(args[2], top)]}
                if current == NO_VALUE:
                    return _REMOVED
                if key == "Fn::FindInMap":
                    found = _find_in_map(args, parameters, mappings)
                    if found is not None:
                        return found
            result = {}
            for k, v in current.items():
                walked = walk(v, top if top is not None else str(k))
                if walked is not _REMOVED:
                    result[k] = walked
            return result
        if isinstance(current, list):
            return [w for w in (walk(item, top) for item in current) if w is not _REMOVED]
        return current

    walked = walk(value, prop)
    return None if walked is _REMOVED else walked
