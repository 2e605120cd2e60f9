"""Reading values out of CloudFormation resource properties.

The mapping table names properties with small paths: `A.B` (keys), `A[*].B` (every list item),
`A[0]` (one item) and `A[Key=Value].B` (the list items whose `Key` equals `Value`, as in Elastic
Beanstalk's `OptionSettings[OptionName=Subnets].Value`). `values_at` returns every value a path
reaches; intrinsic functions are left as they are, and `literal` resolves the few that have a
static answer (a `Ref` to a parameter with a `Default`).

`references` finds the logical ids a value points at: `Ref`, `Fn::GetAtt` and the `${Name}` /
`${Name.Attribute}` placeholders of `Fn::Sub`, wherever they are nested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "UNRESOLVED",
    "UNRESOLVED_KEY",
    "PathError",
    "is_intrinsic",
    "literal",
    "literal_port",
    "parse_path",
    "references",
    "values_at",
]

_SEGMENT = re.compile(r"([A-Za-z0-9_:@.-]+?)?(\[(\*|\d+|[A-Za-z0-9_]+=[^\]]*)\])?$")
_SUB_NAME = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)(?:\.[A-Za-z0-9_.]+)?\}")


class PathError(ValueError):
    """A mapping path that does not follow the syntax."""


@dataclass(frozen=True, slots=True)
class _Step:
    key: str | None
    selector: str | None  # "*", an index, or "Key=Value"


class _Unresolved:
    """The value depends on an expression that has no static answer."""

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Any = _Unresolved()
#: the function a wing writes for an expression it cannot evaluate offline (a Terraform
#: variable without default): `{"Fn::Unresolved": [text, {"Ref": name}...]}`
UNRESOLVED_KEY = "Fn::Unresolved"


@lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple[_Step, ...]:
    if not path or path.startswith(".") or path.endswith(".") or ".." in path:
        raise PathError(f"invalid path '{path}'")
    steps = []
    # Split on dots outside brackets, so that `A[Key=a.b]` keeps its value whole.
    for part in re.split(r"\.(?![^\[]*\])", path):
        match = _SEGMENT.fullmatch(part)
        if match is None or (match.group(1) is None and match.group(3) is None):
            raise PathError(f"invalid path segment '{part}' in '{path}'")
        steps.append(_Step(match.group(1), match.group(3)))
    return tuple(steps)


def is_intrinsic(value: Any) -> bool:
    """True for a long-form intrinsic function such as `{"Ref": ...}` or `{"Fn::If": [...]}`."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _select(items: list[Any], selector: str) -> Iterator[Any]:
    if selector == "*":
        for item in items:
            # the alternatives of a Terraform resource's instances, read as one (`merge_instances`):
            # each instance's list of blocks
            if isinstance(item, list):
                yield from item
            else:
                yield item
    elif selector.isdigit():
        if int(selector) < len(items):
            yield items[int(selector)]
    else:
        key, _, wanted = selector.partition("=")
        for item in items:
            if isinstance(item, dict) and str(item.get(key)) == wanted:
                yield item


def values_at(data: Any, path: str) -> list[Any]:
    """Every value that `path` reaches in `data` (missing keys reach nothing)."""
    current = [data]
    for step in parse_path(path):
        following: list[Any] = []
        for value in current:
            if step.key is not None:
                if not isinstance(value, dict) or step.key not in value:
                    continue
                value = value[step.key]
            if step.selector is None:
                following.append(value)
            elif isinstance(value, list):
                following.extend(_select(value, step.selector))
        current = following
    return [v for v in current if v is not None]


def literal(value: Any, parameters: Mapping[str, Any]) -> Any:
    """The static value of `value`: itself, a parameter's default, or `UNRESOLVED`."""
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        parameter = parameters.get(value["Ref"])
        if isinstance(parameter, dict) and "Default" in parameter:
            return parameter["Default"]
        return UNRESOLVED
    if is_intrinsic(value):
        return UNRESOLVED
    return value


def literal_port(value: Any, parameters: Mapping[str, Any]) -> int | None:
    """The static port number of `value`, or None when it has none (unresolved, not a number)."""
    resolved = literal(value, parameters)
    if isinstance(resolved, bool) or resolved is UNRESOLVED or resolved is None:
        return None
    try:
        return int(resolved)
    except (TypeError, ValueError):
        return None


def references(value: Any, names: Mapping[str, Any] | set[str] | frozenset[str]) -> list[str]:
    """The logical ids among `names` that `value` refers to, in order of appearance, once each."""
    found: list[str] = []
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if set(current) == {"Ref"} and isinstance(current["Ref"], str):
                found.append(current["Ref"])
            elif set(current) == {"Fn::GetAtt"}:
                target = current["Fn::GetAtt"]
                if isinstance(target, list) and target and isinstance(target[0], str):
                    found.append(target[0])
                elif isinstance(target, str):
                    found.append(target.partition(".")[0])
            elif set(current) == {"Fn::Sub"}:
                body = current["Fn::Sub"]
                template = body[0] if isinstance(body, list) and body else body
                if isinstance(template, str):
                    found.extend(_SUB_NAME.findall(template))
                if isinstance(body, list):
                    stack.extend(reversed(body[1:]))
            else:
                stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))
    unique: list[str] = []
    for name in found:
        if name in names and name not in unique:
            unique.append(name)
    return unique
