"""Terraform expressions, as python-hcl2 gives them, in the importers' common shape.

python-hcl2 writes a quoted string as `"\\"text\\""` and an expression as `"${...}"`. Offline,
an expression has a value when it computes from literals, variable values (what the calling
module passes, else the default), locals and module outputs: conditions (`?:`, `&&`, `||`,
`!`, `==`, `<`...), tuples and objects, `null`, and the functions of `functions` (`length`,
`try`, `coalesce`...), so that the usual `count = local.create ? 1 : 0` or
`for_each = var.x != null ? var.x : {}` of a module decides. `null` is Python's None: an
argument set to null is unset. A reference to a resource becomes `{"Ref": address}` (the
shared build follows it as CloudFormation's `Ref`); anything else stays
`{"Fn::Unresolved": [text, refs...]}`, which the build treats as a value it cannot know (a
question) while still seeing the resources it names. Nothing is executed: the parser below
reads the expression's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from trustmap.interop.paths import UNRESOLVED_KEY
from trustmap.interop.terraform.functions import ERROR, UNKNOWN, call, is_opaque

__all__ = ["UNKNOWN", "UNRESOLVED_KEY", "Scope", "evaluate", "refs_in", "unquote"]

_RESOURCE = re.compile(r"(?<![\w.])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)")
_TOKEN = re.compile(
    r'\s*(&&|\|\||==|!=|<=|>=|=>|[?:!()\[\]{},<>=]|"(?:[^"\\]|\\.)*"|\d+(?:\.\d+)?'
    r"|[A-Za-z_][\w-]*(?:\.[\w-]+|\.\*|\[[^\]]*\])*)"
)
_STEP = re.compile(r"\.([\w-]+|\*)|\[([^\]]*)\]")
#: `[*]` or `.*`: a splat, whose value is not read
_SPLAT: Any = object()
_INTERPOLATION = re.compile(r"(\$\{[^}]*\})")
_NAMES = re.compile(r"(?:var|local|module\.[\w-]+)\.[\w-]+|each\.value(?:\.[\w-]+)*")

#: the value of a root name (`var.x`, `local.y`, `module.m.out`, `each.key`, `each.value`):
#: None for null, `UNKNOWN` when it has none offline
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


def _split(word: str) -> tuple[str, list[Any]]:
    """`var.a[0].b` -> ("var", ["a", 0, "b"]): the first name, then attributes and indexes."""
    head = re.match(r"[A-Za-z_][\w-]*", word)
    assert head is not None  # the tokenizer only gives names that start so
    steps: list[Any] = []
    for attribute, index in _STEP.findall(word[head.end() :]):
        if attribute:
            steps.append(_SPLAT if attribute == "*" else attribute)
        elif index == "*":
            steps.append(_SPLAT)
        elif index.startswith('"'):
            steps.append(unquote(index))
        else:
            steps.append(int(index) if index.isdigit() else _SPLAT)
    return head.group(0), steps


def _step(value: Any, step: Any) -> Any:
    """One attribute or index of a known value (Terraform refuses a missing one: ERROR)."""
    if value is None:
        return ERROR
    if is_opaque(value) or step is _SPLAT:
        return UNKNOWN if value is not ERROR else ERROR
    if isinstance(value, dict) and isinstance(step, str):
        return value.get(step, ERROR)
    if isinstance(value, list) and isinstance(step, int):
        return value[step] if step < len(value) else ERROR
    return ERROR


def _either(left: Any, right: Any) -> Any:
    """The sentinel an operation on these operands gives, or None when both are known."""
    if left is ERROR or right is ERROR:
        return ERROR
    if _hidden(left) or _hidden(right):
        return UNKNOWN
    return None


def _hidden(value: Any) -> bool:
    """True when a value is, or holds, something with no value offline."""
    if is_opaque(value):
        return True
    if isinstance(value, dict):
        return any(_hidden(v) for v in value.values())
    if isinstance(value, list):
        return any(_hidden(v) for v in value)
    return False


def _null_test(left: Any, right: Any) -> bool:
    """`x != null` where x is an object or a tuple whose parts may have no value offline: still
    decided, as in Terraform (a known collection with unknown members is not null)."""
    for one, other in ((left, right), (right, left)):
        if one is None and isinstance(other, dict | list) and not is_opaque(other):
            return True
    return False


def _boolean(value: Any) -> Any:
    if isinstance(value, bool) or value is UNKNOWN or value is ERROR:
        return value
    if is_opaque(value):
        return UNKNOWN
    return {"true": True, "false": False}.get(value, ERROR) if isinstance(value, str) else ERROR


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _UnparsedError(Exception):
    """The expression uses syntax the small parser does not read (a `for`, arithmetic...)."""


class _Parser:
    """A recursive-descent reader of one expression, computing its value as it goes.

    Precedence, lowest first: `?:`, `||`, `&&`, `==` `!=`, `<` `>` `<=` `>=`, `!`, then
    literals, names, calls, `( )`, `[ ]` and `{ }`.
    """

    def __init__(
        self, text: str, scope: Scope, prefix: str, bindings: Mapping[str, Any] | None = None
    ) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.scope = scope
        self.prefix = prefix
        #: the names a `for` expression binds (`k`, `v`) to the current item, and the iterator
        #: of a `dynamic` block being expanded (`ingress.value`)
        self.bindings: dict[str, Any] = dict(bindings or {})

    def value(self) -> Any:
        if self.tokens is None:
            return UNKNOWN
        try:
            found = self.ternary()
        except (_UnparsedError, IndexError):
            return UNKNOWN
        return found if self.position == len(self.tokens) else UNKNOWN

    # -- tokens ----------------------------------------------------------------------------

    def peek(self) -> str | None:
        assert self.tokens is not None
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        assert self.tokens is not None
        token = self.tokens[self.position]
        if expected is not None and token != expected:
            raise _UnparsedError(token)
        self.position += 1
        return token

    # -- operators -------------------------------------------------------------------------

    def ternary(self) -> Any:
        condition = self.disjunction()
        if self.peek() != "?":
            return condition
        self.take()
        yes = self.ternary()
        self.take(":")
        no = self.ternary()
        decided = _boolean(condition)
        if decided is UNKNOWN or decided is ERROR:
            return decided
        return yes if decided else no

    def disjunction(self) -> Any:
        left = self.conjunction()
        while self.peek() == "||":
            self.take()
            left = self._logic(left, self.conjunction(), dominant=True)
        return left

    def conjunction(self) -> Any:
        left = self.equality()
        while self.peek() == "&&":
            self.take()
            left = self._logic(left, self.equality(), dominant=False)
        return left

    @staticmethod
    def _logic(left: Any, right: Any, *, dominant: bool) -> Any:
        """`||` (True dominates) or `&&` (False dominates), with unknown operands."""
        values = (_boolean(left), _boolean(right))
        if dominant in values:
            return dominant
        if ERROR in values:
            return ERROR
        return UNKNOWN if UNKNOWN in values else not dominant

    def equality(self) -> Any:
        left = self.comparison()
        while self.peek() in ("==", "!="):
            equal = self.take() == "=="
            right = self.comparison()
            problem = None if _null_test(left, right) else _either(left, right)
            left = problem if problem is not None else (left == right) == equal
        return left

    def comparison(self) -> Any:
        left = self.unary()
        while self.peek() in ("<", ">", "<=", ">="):
            operator, right = self.take(), self.unary()
            problem = _either(left, right)
            if problem is not None:
                left = problem
            else:
                left = _COMPARE[operator](left, right) if _number(left) and _number(right) else ERROR
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            value = _boolean(self.unary())
            return value if value is UNKNOWN or value is ERROR else not value
        return self.primary()

    # -- operands --------------------------------------------------------------------------

    def primary(self) -> Any:
        word = self.take()
        if word == "(":
            value = self.ternary()
            self.take(")")
            return value
        if word == "[":
            return self.collection("]", self._item)
        if word == "{":
            return self.collection("}", self._member)
        if word.startswith('"'):
            return self.string(word)
        if word[0].isdigit():
            return float(word) if "." in word else int(word)
        if not (word[0].isalpha() or word[0] == "_"):
            raise _UnparsedError(word)
        if self.peek() == "(":
            return self.call(word)
        return self.name(word)

    def collection(self, closing: str, read: Callable[[], tuple[Any, Any]]) -> Any:
        """A tuple `[a, b]` or an object `{k = v}` (its members may go without commas):
        unknown when one of its parts is."""
        if self.peek() == "for":
            return self.for_expression(closing)
        pairs: list[tuple[Any, Any]] = []
        while self.peek() != closing:
            pairs.append(read())
            if self.peek() == ",":
                self.take()
            elif closing == "]" and self.peek() != closing:
                raise _UnparsedError("a tuple's items are separated by commas")
        self.take(closing)
        for _, value in pairs:
            if value is ERROR or value is UNKNOWN:
                return value
        return [v for _, v in pairs] if closing == "]" else dict(pairs)

    def for_expression(self, closing: str) -> Any:
        """`[for v in X : V if C]` or `{for k, v in X : K => V if C}`, item by item: the body is
        read again for each item of X (once, unbound, when X has no value offline; a C that is
        false whatever the item gives an empty collection)."""
        self.take("for")
        names = [self.take()]
        if self.peek() == ",":
            self.take()
            names.append(self.take())
        self.take("in")
        items = _items(self.ternary())
        self.take(":")
        start, outer = self.position, dict(self.bindings)
        kept: list[tuple[Any, Any, Any]] = []
        for key, value in items if isinstance(items, list) and items else [(UNKNOWN, UNKNOWN)]:
            self.position = start
            self.bindings = {**outer, **dict(zip(names[::-1], (value, key), strict=False))}
            kept.append(self._for_body(closing))
        self.bindings = outer
        self.take(closing)
        return _for_result(items, kept, closing)

    def _for_body(self, closing: str) -> tuple[Any, Any, Any]:
        """(key, value, whether the `if` keeps it) of one item."""
        key = None
        if closing == "}":
            key = self.ternary()
            self.take("=>")
        value = self.ternary()
        keep: Any = True
        if self.peek() == "if":
            self.take()
            keep = _boolean(self.ternary())
        return key, value, keep

    def _item(self) -> tuple[Any, Any]:
        return None, self.ternary()

    def _member(self) -> tuple[Any, Any]:
        key = self.take()
        if key.startswith('"'):
            key = str(unquote(key))
        elif not (key[0].isalpha() or key[0] == "_") or "." in key or "[" in key:
            raise _UnparsedError(key)  # a computed key `(var.k) = v`
        if self.peek() not in ("=", ":"):
            raise _UnparsedError(key)
        self.take()
        return key, self.ternary()

    def string(self, token: str) -> Any:
        """A quoted string; its `${...}` parts read with this parser's bindings (`${k}-x`)."""
        text = token[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if "%{" in text:
            return UNKNOWN  # a template directive
        parts = []
        for part in _INTERPOLATION.split(text):
            if part.startswith("${") and part.endswith("}"):
                inner = _Parser(part[2:-1], self.scope, self.prefix)
                inner.bindings = self.bindings
                value = inner.value()
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    return ERROR if value is ERROR else UNKNOWN
                part = str(value)
            parts.append(part)
        return "".join(parts)

    def call(self, function: str) -> Any:
        self.take("(")
        arguments: list[Any] = []
        while self.peek() != ")":
            arguments.append(self.ternary())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return call(function, arguments)

    def name(self, word: str) -> Any:
        """A variable, local, module output, `each` value or resource, and its attributes."""
        head, steps = _split(word)
        if word in _LITERALS:
            return _LITERALS[word]
        if head in self.bindings:
            value = self.bindings[head]
            for step in steps:
                value = _step(value, step)
            return value
        if head.startswith("aws_") and steps and isinstance(steps[0], str):
            return {"Ref": f"{self.prefix}{head}.{steps[0]}"}
        if head == "module":
            steps = [s for i, s in enumerate(steps) if not (i == 1 and not isinstance(s, str))]
            if len(steps) < 2 or not isinstance(steps[1], str):
                return UNKNOWN  # the whole module, or a splat of its instances
            root, steps = f"module.{steps[0]}.{steps[1]}", steps[2:]
        elif head in ("var", "local", "each") and steps and isinstance(steps[0], str):
            root, steps = f"{head}.{steps[0]}", steps[1:]
        else:
            return UNKNOWN  # count.index, path.module, data sources, other providers' resources
        value = self.scope(root)
        for step in steps:
            value = _step(value, step)
        return value


def _items(source: Any) -> list[tuple[Any, Any]] | Any:
    """(key, value) of what a `for` runs over, in Terraform's order; a sentinel if it cannot."""
    if isinstance(source, list) and not is_opaque(source):
        return list(enumerate(source))
    if isinstance(source, dict) and not is_opaque(source):
        return [(k, source[k]) for k in sorted(source)]
    return ERROR if source is None else UNKNOWN


def _for_result(items: Any, kept: list[tuple[Any, Any, Any]], closing: str) -> Any:
    """The collection a `for` makes of its items' (key, value, kept)."""
    if not isinstance(items, list):
        # the items are not known: empty only when the `if` drops whatever they are
        return ({} if closing == "}" else []) if kept[0][2] is False else items
    if not items:
        return {} if closing == "}" else []
    found: list[tuple[Any, Any]] = []
    for key, value, keep in kept:
        if keep is UNKNOWN or keep is ERROR:
            return keep
        if keep:
            found.append((key, value))
    sentinel = next((v for pair in found for v in pair if v is UNKNOWN or v is ERROR), None)
    if sentinel is not None:
        return sentinel
    if closing == "]":
        return [value for _, value in found]
    if not all(isinstance(key, str) for key, _ in found) or len({k for k, _ in found}) < len(found):
        return UNKNOWN  # a computed or repeated key (`...` grouping is not read)
    return dict(found)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    ">": lambda a, b: bool(a > b),
    "<=": lambda a, b: bool(a <= b),
    ">=": lambda a, b: bool(a >= b),
}
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _tokens(text: str) -> list[str] | None:
    """The tokens of an expression; None when a part of it is not one (`=>`, `+`, a heredoc)."""
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None if text[position:].strip() else tokens
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def evaluate(raw: Any, scope: Scope, prefix: str, bindings: Mapping[str, Any] | None = None) -> Any:
    """The value of a python-hcl2 value in the common shape (see the module's documentation).

    `bindings` name values beside the scope's: a `dynamic` block's iterator (`{"key", "value"}`)."""
    if isinstance(raw, list):
        return [evaluate(item, scope, prefix, bindings) for item in raw]
    if isinstance(raw, dict):
        return {
            str(unquote(k)): evaluate(v, scope, prefix, bindings)
            for k, v in raw.items()
            if k != "__is_block__"
        }
    if not isinstance(raw, str):
        return raw
    if _whole(raw):
        return _expression(raw[2:-1].strip(), scope, prefix, bindings)
    text = unquote(raw)
    if isinstance(text, str) and "${" in text:
        parts = _INTERPOLATION.split(text)
        values = [
            _expression(p[2:-1].strip(), scope, prefix, bindings)
            if p.startswith("${") and p.endswith("}")
            else p
            for p in parts
        ]
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            return "".join(str(v) for v in values)
        refs = refs_in(text, prefix)
        return {UNRESOLVED_KEY: [text, *({"Ref": r} for r in refs)]}
    return text


def _whole(raw: str) -> bool:
    """True when the text is one `${...}` (python-hcl2's expression), not a template with text."""
    if not (raw.startswith("${") and raw.endswith("}")):
        return False
    depth = 0
    for position, character in enumerate(raw):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth == 0 and position > 1:
            return position == len(raw) - 1
    return False


def _expression(text: str, scope: Scope, prefix: str, bindings: Mapping[str, Any] | None = None) -> Any:
    value = _Parser(text, scope, prefix, bindings).value()
    if value is not UNKNOWN and value is not ERROR:
        return value
    refs = refs_in(text, prefix)
    # names (variables, locals, module outputs) inside the expression lend their references
    for inner in _NAMES.findall(text):
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
