"""A variable's declared `type`, applied to its value as Terraform does before the module sees it.

`type = map(object({forward = optional(object({...})), port = optional(number, 80)}))`: an
attribute of an object type that the caller leaves out (or sets to null) is null, or the
`optional(...)` default; so `each.value.forward != null` decides offline where the caller wrote
no `forward` (the terraform-aws-modules' listeners, rules and target groups are such maps). Only
what the type says is added: a value the importer does not know stays unknown, primitive types
convert nothing, and a type this reader cannot parse leaves the value as given.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from trustmap.interop.paths import UNRESOLVED_KEY
from trustmap.interop.terraform.expressions import UNKNOWN, evaluate

__all__ = ["TfType", "conform", "parse_type"]

#: a string, a name, a number, punctuation; any other character alone (a default's `-`, `:`)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][\w-]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[(){}\[\],=]|\S)')
_DEPTH = 24
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


@dataclass(frozen=True)
class TfType:
    """`kind` is `any` (a primitive or `any`: nothing to apply), `map`, `list` (list and set),
    `object` or `tuple`."""

    kind: str
    element: TfType | None = None
    #: an object's attributes: (type, optional, default) by name
    attributes: dict[str, tuple[TfType, bool, Any]] = field(default_factory=dict)
    elements: tuple[TfType, ...] = ()


_ANY = TfType("any")


class _UnparsedError(Exception):
    """The type uses syntax this reader does not know."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def peek(self) -> str | None:
        match = _TOKEN.match(self.text, self.position)
        return match.group(1) if match else None

    def take(self, expected: str | None = None) -> str:
        match = _TOKEN.match(self.text, self.position)
        if match is None or (expected is not None and match.group(1) != expected):
            raise _UnparsedError
        self.position = match.end()
        return match.group(1)

    def type(self, depth: int = 0) -> TfType:
        if depth > _DEPTH:
            raise _UnparsedError
        word = self.take()
        if word in ("string", "number", "bool", "any"):
            return _ANY
        if word in ("map", "list", "set"):
            self.take("(")
            element = self.type(depth + 1)
            self.take(")")
            return TfType("map" if word == "map" else "list", element=element)
        if word == "tuple":
            self.take("(")
            self.take("[")
            elements = []
            while self.peek() != "]":
                elements.append(self.type(depth + 1))
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            self.take(")")
            return TfType("tuple", elements=tuple(elements))
        if word == "object":
            self.take("(")
            self.take("{")
            attributes: dict[str, tuple[TfType, bool, Any]] = {}
            while self.peek() != "}":
                name = self.take().strip('"')
                self.take("=")
                attributes[name] = self.attribute(depth + 1)
                if self.peek() == ",":
                    self.take(",")
            self.take("}")
            self.take(")")
            return TfType("object", attributes=attributes)
        raise _UnparsedError

    def attribute(self, depth: int) -> tuple[TfType, bool, Any]:
        if self.peek() != "optional":
            return self.type(depth), False, None
        self.take("optional")
        self.take("(")
        kind = self.type(depth)
        default = None
        if self.peek() == ",":
            self.take(",")
            default = self.default()
        self.take(")")
        return kind, True, default

    def default(self) -> Any:
        """The text up to the `)` that closes `optional(`, evaluated as a constant."""
        start, depth = self.position, 0
        while True:
            token = self.peek()
            if token is None:
                raise _UnparsedError
            if token in _OPENING:
                depth += 1
            elif token in _CLOSING:
                if depth == 0:
                    break
                depth -= 1
            self.take()
        value = evaluate("${" + self.text[start : self.position].strip() + "}", lambda _: UNKNOWN, "")
        return None if _unknown(value) else value


def parse_type(raw: Any) -> TfType | None:
    """The type of a python-hcl2 `type = ...` (`"${map(object({...}))}"`), or None when it is
    not one this reader knows."""
    return _parsed(raw) if isinstance(raw, str) else None


@functools.lru_cache(maxsize=1024)
def _parsed(raw: str) -> TfType | None:
    text = raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw
    reader = _Reader(text)
    try:
        parsed = reader.type()
    except _UnparsedError:
        return None
    return parsed if reader.peek() is None else None


def _unknown(value: Any) -> bool:
    return value is UNKNOWN or (
        isinstance(value, dict) and (UNRESOLVED_KEY in value or set(value) == {"Ref"})
    )


def conform(value: Any, kind: TfType | None) -> Any:
    """`value` converted to `kind` as far as attributes go: missing optional attributes of objects
    are null or their default, within maps, lists and tuples; anything unknown stays as it is."""
    if kind is None or kind.kind == "any" or value is None or _unknown(value):
        return value
    if kind.kind == "map" and isinstance(value, dict):
        return {key: conform(item, kind.element) for key, item in value.items()}
    if kind.kind == "list" and isinstance(value, list):
        return [conform(item, kind.element) for item in value]
    if kind.kind == "tuple" and isinstance(value, list):
        return [
            conform(item, kind.elements[i]) if i < len(kind.elements) else item
            for i, item in enumerate(value)
        ]
    if kind.kind == "object" and isinstance(value, dict):
        converted = dict(value)
        for name, (attribute, optional, default) in kind.attributes.items():
            given = value.get(name)
            if given is None and optional:
                converted[name] = conform(default, attribute)
            elif name in value:
                converted[name] = conform(given, attribute)
        return converted
    return value
