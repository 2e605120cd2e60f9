"""Terraform expressions, as python-hcl2 gives them, in the importers' common shape.

python-hcl2 writes a quoted string as `"\\"text\\""` and an expression as `"${...}"`. Offline,
an expression has a value only when it is a literal, or a variable or local whose value is a
literal (a default, or what the calling module passes). A reference to a resource becomes
`{"Ref": address}` (the shared build follows it as CloudFormation's `Ref`); anything else stays
`{"Fn::Unresolved": [text, refs...]}`, which the build treats as a value it cannot know (a
question) while still seeing the resources it names. Small conditions on variables
(`var.create ? 1 : 0`, `!var.x && local.y`, `a == "b"`) are evaluated, so that the usual
`count = local.create ? 1 : 0` of a module decides with the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["UNRESOLVED_KEY", "Scope", "evaluate", "refs_in", "unquote"]

UNRESOLVED_KEY = "Fn::Unresolved"
_RESOURCE = re.compile(r"(?<![\w.])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)")
_TOKEN = re.compile(
    r'\s*(\?|:|&&|\|\||==|!=|!|\(|\)|"(?:[^"\\]|\\.)*"|[A-Za-z_][\w.\-\[\]"*]*|-?\d+(?:\.\d+)?)'
)
_SIMPLE = re.compile(r"((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)(\[[^\]]*\]|\.\*)?(\.[\w.*\[\]]+)?")
_OPEN, _NOT = "(", "!"

#: resolves a name such as `var.x`, `local.y` or `module.m.out` (None: unknown)
Scope = Callable[[str], Any]


def unquote(value: Any) -> Any:
    """A python-hcl2 scalar as a plain value: quoted strings lose their quotes."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def refs_in(text: str, prefix: str) -> list[str]:
    """The resource addresses an expression names (`aws_x.name`), under the module's prefix."""
    found = []
    for match in _RESOURCE.finditer(text):
        address = match.group(1)
        if address.startswith("data."):
            continue
        if prefix + address not in found:
            found.append(prefix + address)
    return found


class _Unknown:
    pass


UNKNOWN: Any = _Unknown()


def _condition(text: str, scope: Scope) -> Any:
    """A small condition language: literals, names, !, &&, ||, ==, !=, ?:, parentheses."""
    tokens = _TOKEN.findall(text)
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        return UNKNOWN
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return str(tokens[position - 1])

    def atom() -> Any:
        word = take()
        if word == _OPEN:
            value = ternary()
            if peek() == ")":
                take()
            return value
        if word == _NOT:
            value = atom()
            return UNKNOWN if value is UNKNOWN else not value
        if word.startswith('"'):
            return word[1:-1]
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if re.fullmatch(r"-?\d+(?:\.\d+)?", word):
            return float(word) if "." in word else int(word)
        found = scope(word)
        return UNKNOWN if found is None or isinstance(found, dict) else found

    def comparison() -> Any:
        left = atom()
        while peek() in ("==", "!="):
            operator, right = take(), atom()
            if UNKNOWN in (left, right):
                left = UNKNOWN
            else:
                left = (left == right) if operator == "==" else (left != right)
        return left

    def conjunction() -> Any:
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = False if False in (left, right) else (UNKNOWN if UNKNOWN in (left, right) else True)
        return left

    def disjunction() -> Any:
        left = conjunction()
        while peek() == "||":
            take()
            right = conjunction()
            left = True if True in (left, right) else (UNKNOWN if UNKNOWN in (left, right) else False)
        return left

    def ternary() -> Any:
        condition = disjunction()
        if peek() != "?":
            return condition
        take()
        yes = ternary()
        if peek() == ":":
            take()
        no = ternary()
        if condition is UNKNOWN or not isinstance(condition, bool):
            return UNKNOWN
        return yes if condition else no

    try:
        value = ternary()
    except IndexError:
        return UNKNOWN
    return value if position == len(tokens) else UNKNOWN


def evaluate(raw: Any, scope: Scope, prefix: str) -> Any:
    """The value of a python-hcl2 value in the common shape (see the module's documentation)."""
    if isinstance(raw, list):
        return [evaluate(item, scope, prefix) for item in raw]
    if isinstance(raw, dict):
        return {str(unquote(k)): evaluate(v, scope, prefix) for k, v in raw.items() if k != "__is_block__"}
    if not isinstance(raw, str):
        return raw
    if raw.startswith("${") and raw.endswith("}") and raw.count("${") == 1:
        return _expression(raw[2:-1].strip(), scope, prefix)
    text = unquote(raw)
    if isinstance(text, str) and "${" in text:
        parts = re.split(r"(\$\{[^}]*\})", text)
        values = [
            _expression(p[2:-1].strip(), scope, prefix) if p.startswith("${") and p.endswith("}") else p
            for p in parts
        ]
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            return "".join(str(v) for v in values)
        refs = refs_in(text, prefix)
        return {UNRESOLVED_KEY: [text, *({"Ref": r} for r in refs)]}
    return text


def _expression(text: str, scope: Scope, prefix: str) -> Any:
    refs = refs_in(text, prefix)
    simple = _SIMPLE.fullmatch(text)
    if simple is not None and not text.startswith("data."):
        return {"Ref": prefix + simple.group(1)}
    name = re.fullmatch(r"(var|local|module\.[\w-]+)\.[\w-]+|each\.key|each\.value(\.[\w-]+)*", text)
    if name is not None:
        found = scope(text)
        return found if found is not None else {UNRESOLVED_KEY: [text]}
    if not refs:
        value = _condition(text, scope)
        if value is not UNKNOWN:
            return value
    # names (variables, locals, module outputs) inside a larger expression lend their references
    for inner in re.findall(r"(?:var|local|module\.[\w-]+)\.[\w-]+|each\.value(?:\.[\w-]+)*", text):
        found = scope(inner)
        refs.extend(r for r in _references(found) if r not in refs)
    return {UNRESOLVED_KEY: [text, *({"Ref": r} for r in refs)]}


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return [str(value["Ref"])]
        return [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []
