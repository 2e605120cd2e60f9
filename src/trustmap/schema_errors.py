"""Turn pydantic validation errors into positioned E1xx diagnostics.

pydantic reports each problem with a `loc` path; the YAML loader's `SourceMap` knows where
every path sits in the file. The message wording and the codes are ours, so that they stay
stable across pydantic releases:

- E101 a required key is missing        - E104 a value outside an enumeration
- E102 an unknown key ("did you mean")  - E105 an id with invalid characters
- E103 a value of the wrong type        - E106 a number out of range
- E107 an unsupported format version    - E108 an empty value where one is required
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from trustmap.diagnostics import Diagnostic, Span, did_you_mean, printable
from trustmap.source import Document, Path, key_segment, yaml11_number

__all__ = ["diagnostics_from_validation_error", "id_spelling", "invalid_id", "not_text_key"]

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "int_from_float": "an integer",
    "float_type": "a number",
    "none_required": "nothing",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        hint = " (YAML 1.1 reads it as a number in base 8, 2 or 60, or with '_'; write plain decimal digits)"
        return f"the string '{printable(value, 40)}'" + (hint if yaml11_number(value) else "")
    if isinstance(value, dt.date):  # a datetime too: as written, not as Python shows it
        return f"the date {value.isoformat()}"
    if isinstance(value, int | float):  # YAML's word, not Python's ('int')
        return f"the number {value!r}"
    return f"the {type(value).__name__} {value!r}"


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types that an annotation may hold (Optional and Annotated removed)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: info.annotation for name, info in model.model_fields.items()}


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the last segment of `loc`, if there is one."""
    candidates: list[Any] = [root]
    for segment in loc:
        following: list[Any] = []
        for current in candidates:
            if isinstance(current, type) and issubclass(current, BaseModel):
                annotation = _fields(current).get(str(segment))
                if annotation is not None:
                    following.extend(_unwrap(annotation))
                continue
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin is dict and args:
                following.extend(_unwrap(args[1]))
            elif origin in (list, tuple) and args:
                following.extend(_unwrap(args[0]))
        candidates = following
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if models else None


def _clean_loc(loc: tuple[int | str, ...]) -> tuple[tuple[int | str, ...], bool]:
    """Drop pydantic's synthetic segments; tell whether the error is about a mapping key."""
    is_key = "[key]" in loc
    cleaned = tuple(s for s in loc if s != "[key]" and not (isinstance(s, str) and s.startswith("function-")))
    return cleaned, is_key


def _field_name(loc: tuple[int | str, ...]) -> str:
    for segment in reversed(loc):
        if isinstance(segment, str):
            return segment
    return "value"


def _message(error: ErrorDetails, loc: Path, is_key: bool, root: type[BaseModel]) -> tuple[str, str]:
    kind = error["type"]
    value = error.get("input")
    name = _field_name(loc)
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "E101", f"missing required key '{name}'"
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        hint = did_you_mean(name, _fields(model)) if model else ""
        return "E102", f"unknown key '{printable(name)}'{hint}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in str(expected).replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), options) if isinstance(value, str) else ""
        return (
            "E104",
            f"{_describe(value)} is not a valid '{name}'{hint}; expected one of: {expected}",
        )
    if kind == "string_pattern_mismatch":
        what = "id" if is_key or name in ("parent", "boundary", "id", "from", "to") else f"'{name}'"
        return "E105", invalid_id(str(value), str(ctx.get("pattern", "^$")), what)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "E106", f"'{name}' is {value}, out of range ({error['msg'].lower()})"
    if kind in ("too_short", "string_too_short"):
        return "E108", f"'{name}' must not be empty"
    if kind == "string_too_long":
        return "E103", f"'{name}' must be at most {ctx.get('max_length')} characters long"
    expected_type = _TYPE_NAMES.get(kind)
    if (
        kind == "int_type"
        and isinstance(value, str)
        and value.isascii()
        and value.isdecimal()
        and value[0] != "0"
    ):
        return "E103", f"'{name}' must be a number, not the string '{value}': write {value} without quotes"
    if expected_type is not None:
        return "E103", f"'{name}' must be {expected_type}, not {_describe(value)}{_list_hint(kind, value)}"
    return "E103", f"'{name}': {error['msg']}"


def id_spelling(text: str) -> str:
    """`text` spelled as ids are ('Web Server' -> 'web-server'); not always a valid id."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-")


def invalid_id(value: str, pattern: str, what: str = "id") -> str:
    """The E105 message, with a spelling of a near-miss id ('Web Server' -> 'web-server') that
    matches the ids' `pattern`, when there is a plain one."""
    spelled = id_spelling(value)
    hint = f" (write '{spelled}')" if spelled != value and re.fullmatch(pattern, spelled) else ""
    return (
        f"invalid {what} '{printable(value)}': ids are 1 to 64 lower-case letters, digits, "
        f"'-' and '_', starting with a letter{hint}"
    )


def _nesting_hint(path: Path, value: Any) -> str:
    """Where an entry goes that a newcomer nested by indentation: boundaries nest through
    `parent`, and components and flows are top-level sections that name their boundary."""
    if len(path) != 3 or path[0] not in ("boundaries", "components"):
        return ""
    section, owner, name = path
    if name in ("components", "flows", "data"):
        in_boundary = section == "boundaries" and name == "components"
        naming = f", each with 'boundary: {owner}'" if in_boundary else ""
        return f"; '{name}' is a top-level key: list them under the file's own '{name}'{naming}"
    if section == "boundaries" and isinstance(value, dict):
        return (
            f"; boundaries do not nest by indentation: make '{printable(str(name))}' an entry of"
            f" 'boundaries' with 'parent: {owner}'"
        )
    return ""


def _list_hint(kind: str, value: Any) -> str:
    """How to write a list where a newcomer wrote one value or a mapping."""
    if kind not in ("list_type", "tuple_type"):
        return ""
    if isinstance(value, dict):
        return "; write each item on its own line starting with '- '"
    if isinstance(value, str) and value and "\n" not in value and len(value) <= 64:
        return f"; write [{printable(value)}] for a list of one"
    return ""


def _quoting_hint(written: str, value: Any) -> str:
    """For text that YAML read as a boolean, a number or a date (`no`, `on`, `1`, `2026-01-01`):
    the quotes that keep it text, with the spelling the user wrote."""
    if not written or written[0] in "\"'":
        return ""
    kind = "a boolean" if isinstance(value, bool) else "a date" if isinstance(value, dt.date) else "a number"
    text = printable(written, 40)
    return f'; YAML reads an unquoted {text} as {kind}, so write "{text}" in quotes'


def not_text_key(key: Any) -> str:
    """The E103 message for a mapping key that YAML did not read as text."""
    if key is None:
        kind, written = "null", "~"
    elif isinstance(key, bool):
        kind, written = f"the boolean {str(key).lower()}", str(key).lower()
    elif isinstance(key, int | float):
        kind, written = f"the number {key}", str(key)
    elif isinstance(key, dt.date):
        kind, written = f"the date {key.isoformat()}", key.isoformat()
    else:
        kind, written = f"a {type(key).__name__}", printable(str(key))
    return f"a key must be text, not {kind}: quote it ('{written}') if it is text"


def diagnostics_from_validation_error(
    error: ValidationError, document: Document, root: type[BaseModel], prefix: Path = ()
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, positioned through the document's source map."""
    found: list[Diagnostic] = []
    for item in error.errors(include_url=False):
        loc, is_key = _clean_loc(tuple(item["loc"]))
        key = item.get("input")
        if item["type"] == "invalid_key" or (is_key and not isinstance(key, str)):
            # A key that YAML read as a number, boolean, null or date: pydantic's `loc` holds
            # some text for it; the key itself says where it is written.
            span = document.source_map.key((*prefix, *loc[:-1], key_segment(key)))
            found.append(Diagnostic("E103", not_text_key(key), document.path, span))
            continue
        path: Path = (*prefix, *loc)
        code, message = _message(item, loc, is_key, root)
        if code == "E101":
            span = document.source_map.key(path[:-1])
        elif code == "E102" or is_key:
            span = document.source_map.key(path)
        else:
            span = document.source_map.value(path)
        nesting = _nesting_hint(path, key) if code == "E102" else ""
        if nesting:  # before "did you mean": `flows` nested in a component is no `forwards`
            message = f"unknown key '{printable(str(path[-1]))}'{nesting}"
        if item["type"] == "string_type" and isinstance(key, bool | int | float | dt.date):
            message += _quoting_hint(_written(document, span), key)
        found.append(Diagnostic(code, message, document.path, span))
    return _dedupe(found)


def _written(document: Document, span: Span | None) -> str:
    """The text of a one-line span as the file spells it, or '' when it cannot be cut out."""
    if span is None or span.line != span.end_line or not 1 <= span.line <= len(document.lines):
        return ""
    return document.lines[span.line - 1][span.column - 1 : span.end_column - 1].strip()


def _dedupe(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[object, ...]] = set()
    unique: list[Diagnostic] = []
    for item in items:
        key = (item.code, item.message, item.span)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
