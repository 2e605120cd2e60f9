"""The few Terraform functions that decide `count` and `for_each` offline, on values already known.

Each takes its evaluated arguments and returns a value, `UNKNOWN` (an argument has no value
offline: a resource attribute, a data source, a variable without default) or `ERROR` (Terraform
would refuse it: an attribute of null, an index out of range; `try()` moves on to the next
argument). A function not in `FUNCTIONS` is unknown. Arguments never contain the sentinels
themselves: `call` answers for them before a function runs, except for `try`, `can` and
`coalesce`, which look at their arguments one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ERROR", "FUNCTIONS", "UNKNOWN", "call", "is_opaque"]


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: a value with no static answer offline
UNKNOWN: Any = _Sentinel("UNKNOWN")
#: a value Terraform would refuse (`try()` skips it)
ERROR: Any = _Sentinel("ERROR")


def is_opaque(value: Any) -> bool:
    """True for what cannot be looked into: the sentinels, a resource (`Ref`) or an expression."""
    if value is UNKNOWN or value is ERROR:
        return True
    return isinstance(value, dict) and len(value) == 1 and ("Ref" in value or "Fn::Unresolved" in value)


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, list | dict | str) else ERROR


def _numbers(*values: Any) -> list[float | int] | None:
    found = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return found if len(found) == len(values) and found else None


def _max(*values: Any) -> Any:
    numbers = _numbers(*values)
    return max(numbers) if numbers is not None else ERROR


def _min(*values: Any) -> Any:
    numbers = _numbers(*values)
    return min(numbers) if numbers is not None else ERROR


def _keys(value: Any) -> Any:
    return sorted(value) if isinstance(value, dict) else ERROR


def _values(value: Any) -> Any:
    return [value[k] for k in sorted(value)] if isinstance(value, dict) else ERROR


def _concat(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return ERROR
    return [v for item in lists for v in item]


def _merge(*maps: Any) -> Any:
    merged: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            return ERROR
        merged.update(item)
    return merged


def _coalesce(arguments: list[Any]) -> Any:
    """The first argument that is neither null nor "" (a resource's attribute is one)."""
    for value in arguments:
        if value is ERROR:
            return ERROR
        if is_opaque(value) and not (isinstance(value, dict) and "Ref" in value):
            return UNKNOWN  # it may be null: the answer depends on it
        if value is not None and value != "":
            return value
    return ERROR


def _coalescelist(*lists: Any) -> Any:
    for item in lists:
        if not isinstance(item, list):
            return ERROR
        if item:
            return item
    return ERROR


def _compact(items: Any) -> Any:
    return [v for v in items if v is not None and v != ""] if isinstance(items, list) else ERROR


def _toset(items: Any) -> Any:
    if not isinstance(items, list):
        return ERROR
    found: list[Any] = []
    for item in items:
        if item not in found:
            found.append(item)
    return found


def _same_collection(value: Any) -> Any:
    return value if isinstance(value, list | dict) or value is None else ERROR


def _lookup(table: Any, key: Any, *default: Any) -> Any:
    if not isinstance(table, dict) or not isinstance(key, str):
        return ERROR
    if key in table:
        return table[key]
    return default[0] if default else ERROR


def _contains(items: Any, value: Any) -> Any:
    return value in items if isinstance(items, list) else ERROR


def _one(items: Any) -> Any:
    if not isinstance(items, list) or len(items) > 1:
        return ERROR
    return items[0] if items else None


def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return ERROR
    flat: list[Any] = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])
    return flat


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "length": _length,
    "max": _max,
    "min": _min,
    "keys": _keys,
    "values": _values,
    "concat": _concat,
    "merge": _merge,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "toset": _toset,
    "tolist": _same_collection,
    "tomap": _same_collection,
    "lookup": _lookup,
    "contains": _contains,
    "one": _one,
    "flatten": _flatten,
}


def _try(arguments: list[Any]) -> Any:
    for value in arguments:
        if value is UNKNOWN:
            return UNKNOWN  # it might fail, or not: the answer depends on it
        if value is not ERROR:
            return value
    return ERROR


def call(name: str, arguments: list[Any]) -> Any:
    """The value of `name(arguments...)`, or a sentinel (see the module's documentation)."""
    if name == "try":
        return _try(arguments)
    if name == "coalesce":
        return _coalesce(arguments)
    if name == "can":
        value = _try(arguments[:1])
        return value if value is UNKNOWN else value is not ERROR
    if name not in FUNCTIONS:
        return UNKNOWN
    if any(value is ERROR for value in arguments):
        return ERROR
    if any(is_opaque(value) for value in arguments):
        # `length([aws_x.y.id])` is known, `length(aws_x.y.ids)` is not
        return UNKNOWN
    try:
        return FUNCTIONS[name](*arguments)
    except TypeError:  # the wrong number of arguments: Terraform would refuse it
        return ERROR
