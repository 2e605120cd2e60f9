"""Read YAML safely, keeping a line and column for every key and value.

The loader drives libyaml's event parser (or PyYAML's pure-Python one) and builds plain Python
data itself, iteratively, so that:

- no tag can build an object (only the YAML core schema's scalars are constructed);
- duplicate keys are errors instead of silently keeping the last value;
- deep nesting cannot exhaust the Python stack;
- aliases are shared, never copied, and the size that a document *would* expand to is counted
  as it is read (values, and characters of text: an alias of a long string counts its whole
  length each time), so a "billion laughs" document, or one that repeats a megabyte string
  in every name, is refused quickly with bounded memory.

Positions live in a side table (`SourceMap`) keyed by the path of each value, never in the
data itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from trustmap.diagnostics import Diagnostic, Span, printable
from trustmap.gc_pause import paused_gc
from trustmap.line_breaks import EditorPositions, editor_lines

__all__ = [
    "Document",
    "Limits",
    "Path",
    "SourceMap",
    "decode_text",
    "key_segment",
    "load_json",
    "load_yaml",
    "root_problem",
    "too_large",
    "yaml11_number",
    "yaml_error_diagnostic",
]

Path = tuple[str | int, ...]

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_TAG_PREFIX = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(
    _SAFE_TAG_PREFIX + t
    for t in ("null", "bool", "int", "float", "str", "timestamp", "binary", "seq", "map", "merge")
)
_MERGE_TAG = _SAFE_TAG_PREFIX + "merge"
_STR_TAG = _SAFE_TAG_PREFIX + "str"
_NULL_TAG = _SAFE_TAG_PREFIX + "null"
_BOOL_TAG = _SAFE_TAG_PREFIX + "bool"
_INT_TAG = _SAFE_TAG_PREFIX + "int"
_FLOAT_TAG = _SAFE_TAG_PREFIX + "float"
_TIMESTAMP_TAG = _SAFE_TAG_PREFIX + "timestamp"
#: numbers only YAML 1.1 reads as such: octal `0443`, binary `0b101`, base 60 `1:30`, digits
#: grouped with `_`. YAML 1.2 reads `0443` as 443 and the others as text; an author who wrote
#: `port: 0443` hardly meant 291, so they stay the text written (a number field refuses it).
_YAML11_NUMBER = re.compile(r"[-+]?(?:0[0-7_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|.*_.*)")


def yaml11_number(text: str) -> bool:
    """Whether `text` is a number only to YAML 1.1 (`_YAML11_NUMBER`)."""
    return _YAML11_NUMBER.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds checked while reading, before anything is expanded."""

    #: 10x the 10,000-component benchmark model (1.6 MB); a bigger file is refused unread
    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    #: values the document would hold with every alias expanded: 4x the 10,000-component
    #: benchmark model (119,000). Reading costs a few microseconds and ~300 bytes per value,
    #: so this bounds any file to seconds and a few hundred MB before a model is even built.
    max_expanded: int = 500_000
    #: characters of text (keys and values) with every alias expanded: an alias counts the
    #: whole length of what it repeats, each time. A file without aliases holds less text
    #: than its size, so only aliases can reach this.
    max_text: int = 16 * 1024 * 1024


@dataclass(slots=True)
class SourceMap:
    """Where each value of a document sits in its file."""

    values: dict[Path, Span] = field(default_factory=dict)
    keys: dict[Path, Span] = field(default_factory=dict)

    def value(self, path: Path) -> Span | None:
        """The span of the value at `path`, or of its closest existing ancestor."""
        return self._lookup(self.values, path)

    def key(self, path: Path) -> Span | None:
        """The span of the key that names `path`, falling back to its value."""
        found = self.keys.get(path)
        return found if found is not None else self.value(path)

    @staticmethod
    def _lookup(table: dict[Path, Span], path: Path) -> Span | None:
        for end in range(len(path), -1, -1):
            span = table.get(path[:end])
            if span is not None:
                return span
        return None


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML document: plain data, positions and the source lines for excerpts."""

    path: str
    data: Any
    source_map: SourceMap
    lines: tuple[str, ...]


class _RefusedError(Exception):
    """Stops reading at the first problem that makes the rest meaningless."""

    def __init__(self, code: str, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span


#: builds a Span from a tuple without the keyword handling of `Span(...)` (the loader makes one
#: per key and per value)
_new_span: Any = tuple.__new__


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return _new_span(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1))  # type: ignore[no-any-return]


def _tag_as_written(tag: str) -> str:
    """`tag:yaml.org,2002:python/name` as the author wrote it: `!!python/name`."""
    return printable("!!" + tag.removeprefix(_SAFE_TAG_PREFIX) if tag.startswith(_SAFE_TAG_PREFIX) else tag)


class _Frame:
    """An open mapping or sequence (a plain slotted class: one is made per container)."""

    __slots__ = (
        "anchor",
        "container",
        "has_key",
        "key_spans",
        "merges",
        "path",
        "pending_key",
        "size",
        "span",
        "weight",
    )

    def __init__(
        self, container: dict[Any, Any] | list[Any], path: Path, span: Span, anchor: str | None
    ) -> None:
        self.container = container
        self.path = path
        self.span = span
        self.anchor = anchor
        self.weight = 1
        self.size = 0
        self.pending_key: Any = None
        self.has_key = False
        self.merges: list[tuple[dict[Any, Any], Span]] | None = None
        self.key_spans: dict[Any, Span] | None = {} if isinstance(container, dict) else None


#: Stands for a pending `<<` key; a sentinel, so that no user key can be taken for it.
_MERGE = object()


class _Builder:
    """Turns a stream of parser events into data and a source map.

    This runs once per scalar of the file, so it avoids PyYAML's node constructor (which keeps
    every node it builds alive) and dispatches on the event class with a table.
    """

    def __init__(self, limits: Limits, positions: EditorPositions | None = None) -> None:
        self.limits = limits
        #: set when PyYAML's line count differs from an editor's (`line_breaks`)
        self.positions = positions
        self.source_map = SourceMap()
        #: anchor -> (value, values it expands to, characters of text it expands to)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.stack: list[_Frame] = []
        self.expanded = 0
        self.text = 0
        self.documents = 0
        self.root: Any = None
        self.root_seen = False
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.duplicates: list[Diagnostic] = []
        self.plain: dict[str, tuple[Any, bool]] = {}

    def _line(self, span: Span) -> int:
        return self.positions.line(span.line) if self.positions else span.line

    def run(self, parser: Any) -> None:
        handlers: dict[type, Any] = {
            yaml.ScalarEvent: self._on_scalar,
            yaml.MappingStartEvent: self._on_mapping_start,
            yaml.MappingEndEvent: self._on_mapping_end,
            yaml.SequenceStartEvent: self._on_sequence_start,
            yaml.SequenceEndEvent: self._on_sequence_end,
            yaml.AliasEvent: self._on_alias,
            yaml.DocumentStartEvent: self._on_document_start,
        }
        get_event = parser.get_event
        while (event := get_event()) is not None:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    # -- document structure -------------------------------------------------------------

    def _on_document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            raise _RefusedError("E008", "the file holds more than one YAML document", _span(event))

    def _on_mapping_start(self, event: Any) -> None:
        self._check_tag(event, "map")
        self._open(event, {})

    def _on_sequence_start(self, event: Any) -> None:
        self._check_tag(event, "seq")
        self._open(event, [])

    def _on_mapping_end(self, event: Any) -> None:
        frame = self.stack.pop()
        container = frame.container
        assert isinstance(container, dict) and frame.key_spans is not None
        for merged, span in frame.merges or ():
            for key, value in merged.items():
                if key not in container:
                    container[key] = value
                    frame.key_spans[key] = span
        self._close(frame)

    def _on_sequence_end(self, event: Any) -> None:
        self._close(self.stack.pop())

    def _on_scalar(self, event: Any) -> None:
        # The hot path (once per scalar): placing a value is inlined here, see `_place`.
        start, end = event.start_mark, event.end_mark
        span: Span = _new_span(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1))
        value, is_merge = self._scalar(event, span)
        size = len(event.value)
        stack = self.stack
        parent = stack[-1] if stack else None
        merging = parent is not None and parent.has_key and parent.pending_key is _MERGE
        if parent is None or merging:
            self._add_weight(1, size, span)
            self._place(value, 1, size, self._child_path(), span, event.anchor)
            return
        container = parent.container
        parent.size += size
        if parent.key_spans is not None:
            if not parent.has_key:
                self._add_weight(0, size, span)
                self._take_key(parent, _MERGE if is_merge else value, span)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1, size)
                return
            key = parent.pending_key
            path = (*parent.path, key if type(key) is str else key_segment(key))
            container[key] = value
            parent.has_key = False
        else:
            path = (*parent.path, len(container))
            container.append(value)  # type: ignore[union-attr]
        parent.weight += 1
        self._add_weight(1, size, span)
        self.source_map.values.setdefault(path, span)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, size)

    def _on_alias(self, event: Any) -> None:
        span = _span(event)
        if event.anchor not in self.anchors:
            raise _RefusedError("E001", f"unknown alias '*{printable(event.anchor)}'", span)
        value, weight, size = self.anchors[event.anchor]
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.key_spans is not None and not parent.has_key:
            if isinstance(value, dict | list):
                raise _RefusedError("E003", "a mapping key must be a plain scalar", span)
            self._add_weight(0, size, span)
            parent.size += size
            self._take_key(parent, value, span)
            return
        self._add_weight(weight, size, span)
        self._place(value, weight, size, self._child_path(), span, None)

    # -- helpers ----------------------------------------------------------------------

    def _check_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag not in (None, "!", _SAFE_TAG_PREFIX + kind):
            raise _RefusedError(
                "E003", f"the YAML tag '{_tag_as_written(tag)}' is not allowed here", _span(event)
            )

    def _scalar(self, event: Any, span: Span) -> tuple[Any, bool]:
        """The value of a scalar, and whether it is the merge key `<<`."""
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return event.value, False  # quoted or "!": always a string
            # Plain scalars repeat (ids, services, true, ports): resolve each text once. The
            # values are immutable, so sharing them is safe, and saves memory too.
            found: tuple[Any, bool] | None = self.plain.get(event.value)
            if found is None:
                tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
                if tag in (_INT_TAG, _FLOAT_TAG) and yaml11_number(event.value):
                    tag = _STR_TAG
                found = self._implicit(event, tag, span)
                if len(event.value) <= 64:
                    self.plain[event.value] = found
            return found
        return self._construct(event, tag, span)

    def _implicit(self, event: Any, tag: str, span: Span) -> tuple[Any, bool]:
        """A plain scalar's value. One that only looks like a date (`2027-13-40`) stays text:
        the model's checks then say which key wanted a date, and check the rest of the file,
        where refusing the document here would hide every other problem in it."""
        if tag != _TIMESTAMP_TAG:
            return self._construct(event, tag, span)
        try:
            return self._construct(event, tag, span)
        except _RefusedError:
            return event.value, False

    def _construct(self, event: Any, tag: str, span: Span) -> tuple[Any, bool]:
        if tag == _STR_TAG:
            return event.value, False
        if tag not in _SAFE_TAGS or tag in (_SAFE_TAG_PREFIX + "seq", _SAFE_TAG_PREFIX + "map"):
            raise _RefusedError(
                "E003", f"the YAML tag '{_tag_as_written(tag)}' is not allowed: only plain data is read", span
            )
        if tag == _MERGE_TAG:
            return "<<", True
        value = event.value
        if tag == _NULL_TAG:
            return None, False
        if tag == _BOOL_TAG and value.lower() in SafeConstructor.bool_values:
            return SafeConstructor.bool_values[value.lower()], False
        if tag == _INT_TAG and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            # Plain decimals (most ints) without building a node; YAML 1.1 reads 010 as octal.
            return _decimal(value, span), False
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return SafeConstructor.yaml_constructors[tag](self.constructor, node), False
        except Exception as error:
            # PyYAML's constructors trust the resolver: an explicit tag on any text (`!!int ''`,
            # `!!timestamp 2020-99`) makes them fail in many ways (IndexError, AttributeError...).
            # They all mean the same to the author, and this is the boundary where text comes in.
            known = isinstance(error, ConstructorError | ValueError)
            reason = str(error) if known else f"not a valid {tag.removeprefix(_SAFE_TAG_PREFIX)}"
            message = f"cannot read the value '{printable(event.value)}': {printable(reason, 200)}"
            raise _RefusedError("E001", message, span) from None

    def _take_key(self, parent: _Frame, key: Any, span: Span) -> None:
        key_spans = parent.key_spans
        assert key_spans is not None
        if key is not _MERGE:
            if isinstance(key, bytes):
                raise _RefusedError("E003", "a mapping key must be a plain scalar", span)
            # YAML tells `1`, `1.0` and `true` apart; Python's dict does not.
            slot = key if type(key) is str else (type(key), key)
            first = key_spans.get(slot)
            if first is None and key in parent.container:
                # `1` then `true`: two keys to YAML, one to Python (1 == True == 1.0)
                other = next(s for s in key_spans if not isinstance(s, str) and s[1] == key)
                shown = [printable(str(key_segment(k))) for k in (key, other[1])]
                earlier = self._line(key_spans[other])
                message = (
                    f"the key '{shown[0]}' is the key '{shown[1]}' of line {earlier} once read "
                    "as a number; write keys as text"
                )
                self.duplicates.append(Diagnostic("E002", message, "", span))
            elif first is not None:
                message = (
                    f"duplicate key '{printable(str(key))}' (first defined at line {self._line(first)}); "
                    "YAML would silently keep only the last value"
                )
                self.duplicates.append(Diagnostic("E002", message, "", span))
            else:
                key_spans[slot] = span
            self.source_map.keys.setdefault((*parent.path, key_segment(key)), span)
        parent.pending_key = key
        parent.has_key = True

    def _child_path(self) -> Path:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if parent.key_spans is None:
            return (*parent.path, len(parent.container))
        key = parent.pending_key
        return (*parent.path, "<<" if key is _MERGE else key_segment(key))

    def _open(self, event: Any, container: dict[Any, Any] | list[Any]) -> None:
        span = _span(event)
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.key_spans is not None and not parent.has_key:
            raise _RefusedError("E003", "a mapping key must be a plain scalar", span)
        if len(self.stack) >= self.limits.max_depth:
            raise _RefusedError(
                "E007", f"the document is nested more than {self.limits.max_depth} levels deep", span
            )
        self._add_weight(1, 0, span)
        self.stack.append(_Frame(container, self._child_path(), span, event.anchor))

    def _close(self, frame: _Frame) -> None:
        start = frame.span
        span = Span(start.line, start.column, start.line, start.column + 1)
        self._place(frame.container, frame.weight, frame.size, frame.path, span, frame.anchor)

    def _place(self, value: Any, weight: int, size: int, path: Path, span: Span, anchor: str | None) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, weight, size)
        self.source_map.values.setdefault(path, span)
        if not self.stack:
            self.root, self.root_seen = value, True
            return
        parent = self.stack[-1]
        parent.weight += weight
        parent.size += size
        container = parent.container
        if parent.key_spans is None:
            container.append(value)  # type: ignore[union-attr]
            return
        key = parent.pending_key
        parent.has_key = False
        if key is _MERGE:
            self._merge_into(parent, value, span)
        else:
            container[key] = value

    def _merge_into(self, parent: _Frame, value: Any, span: Span) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise _RefusedError("E003", "a merge key '<<' must name a mapping", span)
            if parent.merges is None:
                parent.merges = []
            parent.merges.append((source, span))

    def _add_weight(self, weight: int, size: int, span: Span) -> None:
        self.expanded += weight
        self.text += size
        if self.expanded > self.limits.max_expanded:
            raise _RefusedError(
                "E007",
                f"the document expands to more than {self.limits.max_expanded:,} values "
                "(too large, or aliases expanding exponentially)",
                span,
            )
        if self.text > self.limits.max_text:
            raise _RefusedError(
                "E007",
                f"the document expands to more than {self.limits.max_text // 1024 // 1024} MiB of text "
                "(aliases repeating long strings)",
                span,
            )


def _decimal(text: str, span: Span) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.int_info)
        message = f"cannot read the number '{printable(text, 20)}': it has {len(text):,} digits"
        raise _RefusedError("E001", message, span) from None


def key_segment(key: Any) -> str | int:
    """The segment of a source-map path that stands for the mapping key `key`."""
    if isinstance(key, bool) or key is None:
        return str(key).lower() if key is not None else "null"
    if isinstance(key, int):
        return key
    return str(key)


def _decode(raw: bytes) -> tuple[str | None, Span | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Span.point(line, column)
    return text.removeprefix("\ufeff"), None


def _not_utf8(raw: bytes) -> str:
    """The E004 message, with what to do; editors on Windows may save UTF-16."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            "the file is not valid UTF-8: it is UTF-16 (it starts with a byte-order mark); save it as UTF-8"
        )
    return "the file is not valid UTF-8; save it as UTF-8"


def decode_text(path: str, raw: bytes) -> tuple[str | None, list[Diagnostic]]:
    """The text of an input file's bytes (a leading byte-order mark dropped), or None and the
    E004 diagnostic every reader gives: at the line and column of the first byte that is not
    UTF-8, naming a UTF-16 file as such."""
    text, bad = _decode(raw)
    if text is None:
        return None, [Diagnostic("E004", _not_utf8(raw), path, bad)]
    return text, []


def load_yaml(path: str, raw: bytes, limits: Limits = Limits()) -> tuple[Document | None, list[Diagnostic]]:
    """Parse `raw` (the bytes of the file shown as `path`) into a `Document`.

    Returns the document, or None and the diagnostics that explain why there is none.
    Duplicate keys are reported as errors but the document is still returned, so that the
    rest of the file can be checked in the same run.
    """
    if len(raw) > limits.max_bytes:
        return None, [Diagnostic("E007", too_large(len(raw), limits), path, Span.point(1, 1))]
    text, undecodable = decode_text(path, raw)
    if text is None:
        return None, undecodable
    lines = editor_lines(text)
    positions = EditorPositions.needed(text)
    builder = _Builder(limits, positions)
    parser = _Parser(text)
    # The builder makes millions of small acyclic objects on large files; the cyclic
    # collector would rescan them all again and again (half the load time), to free nothing.
    try:
        with paused_gc():
            builder.run(parser)
    except _RefusedError as refused:
        span = positions.optional(refused.span) if positions else refused.span
        return None, [Diagnostic(refused.code, refused.message, path, span)]
    except yaml.YAMLError as error:
        return None, [yaml_error_diagnostic(error, text, path, positions)]
    except RecursionError:
        return None, [Diagnostic("E007", "the document is nested too deeply", path, Span.point(1, 1))]
    finally:
        parser.dispose()
    if positions:
        positions.spans(builder.source_map.values)
        positions.spans(builder.source_map.keys)
    at = positions.optional if positions else _same
    duplicates = [Diagnostic(d.code, d.message, path, at(d.span)) for d in builder.duplicates]
    root = builder.root if builder.root_seen else None
    problem = root_problem(root, path, builder.source_map)
    if problem is not None:
        return None, [problem]
    return Document(path, root, builder.source_map, lines), duplicates


def too_large(size: int, limits: Limits) -> str:
    """The E007 message for a file of `size` bytes."""
    limit = limits.max_bytes // 1024 // 1024
    return f"the file is {size / 1024 / 1024:.1f} MiB, more than the {limit} MiB limit"


class _BigNumberError(ValueError):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def _json_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # more digits than Python converts (sys.int_info)
        raise _BigNumberError(digits) from None


def load_json(path: str, text: str, limits: Limits = Limits()) -> tuple[Any, Diagnostic | None]:
    """JSON data with the loader's limits (nesting, values), or a positioned diagnostic.

    For the readers that take JSON as such (CloudFormation and OTM documents): a syntax error
    or an integer of more digits than Python converts is E001 at its place, a document nested
    too deeply or holding too many values E007.
    """
    if len(text) > limits.max_bytes:
        return None, Diagnostic("E007", too_large(len(text.encode("utf-8")), limits), path, Span.point(1, 1))
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        at = Span.point(error.lineno, error.colno)
        return None, Diagnostic("E001", f"JSON syntax error: {error.msg}", path, at)
    except _BigNumberError as error:
        offset = max(text.find(error.digits), 0)
        shown = printable(error.digits, 20)
        message = f"cannot read the number '{shown}': it has {len(error.digits):,} digits"
        return None, Diagnostic("E001", message, path, _offset_span(text, offset))
    except RecursionError:
        return None, Diagnostic("E007", "the document is nested too deeply", path, Span.point(1, 1))
    problem = _json_limits(data, limits)
    return (None, Diagnostic("E007", problem, path, Span.point(1, 1))) if problem else (data, None)


def _json_limits(data: Any, limits: Limits) -> str | None:
    """Why `data` breaks the loader's limits, or None; walked without recursion."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    values = 0
    while stack:
        value, depth = stack.pop()
        values += 1
        if values > limits.max_expanded:
            return f"the document holds more than {limits.max_expanded:,} values"
        if isinstance(value, dict | list):
            if depth >= limits.max_depth:
                return f"the document is nested more than {limits.max_depth} levels deep"
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return None


def _same(span: Span | None) -> Span | None:
    return span


def yaml_error_diagnostic(
    error: yaml.YAMLError, text: str, path: str, positions: EditorPositions | None = None
) -> Diagnostic:
    """E001 at the parser's mark, for every YAML dialect trustmap reads (models, catalogs,
    CloudFormation templates)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        start = error.context_mark
        if mark is not None and start is not None and error.context and not text[mark.index :].strip():
            # The file ended inside a bracket or a quote: the end has no line to show, the
            # place where the unclosed construct starts does.
            ending = "" if "end of stream" in problem else " before the end of the file"
            mark, problem = start, f"{problem}{ending} ({error.context} that starts here)"
        problem += _syntax_hint(problem, _character_at(text, mark))
        span = Span.point(mark.line + 1, mark.column + 1) if mark else None
        if span is not None and positions is None:
            positions = EditorPositions.needed(text)
        if span is not None and positions is not None:
            span = positions.span(span)
        return Diagnostic("E001", f"YAML syntax error: {problem}", path, span)
    # Reader errors (control characters) carry a position but no problem mark.
    # The first line of the message is the problem; the rest is PyYAML's own position.
    position = getattr(error, "position", None)
    span = _offset_span(text, position) if isinstance(position, int) else Span.point(1, 1)
    problem = (str(error).splitlines() or ["invalid YAML"])[0]
    return Diagnostic("E001", f"YAML syntax error: {problem}", path, span)


_INDENTATION_PROBLEMS = ("did not find expected key", "expected <block end>", "did not find expected '-'")


def _character_at(text: str, mark: Any) -> str:
    """The character under a parser mark, or '' where the mark is past its line."""
    if mark is None:
        return ""
    lines = text.split("\n")
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    return line[mark.column] if 0 <= mark.column < len(line) else ""


def _syntax_hint(problem: str, character: str) -> str:
    """What a newcomer should change, for the YAML mistakes people make most: a tab in the
    indentation, an entry indented unlike its siblings, a plain value holding ': '."""
    if character == "\t" or "tab character" in problem:
        return "; a tab: YAML indents with spaces only, so replace the tab with spaces"
    if any(p in problem for p in _INDENTATION_PROBLEMS):
        return (
            "; check this line's indentation: the keys of one mapping start in the same column,"
            " and each item of a list starts with '- '"
        )
    if "mapping values are not allowed" in problem:
        return "; quote a value that holds ': ', or check this line's indentation"
    return ""


def root_problem(root: Any, path: str, source_map: SourceMap) -> Diagnostic | None:
    """E005 for an empty document, E006 for one that is not a mapping, else None."""
    if root is None:
        return Diagnostic("E005", "the file is empty: expected a mapping", path, Span.point(1, 1))
    if not isinstance(root, dict):
        kind = "a list" if isinstance(root, list) else f"a {type(root).__name__}"
        return Diagnostic("E006", f"the document is {kind}, not a mapping", path, source_map.value(()))
    return None


def _offset_span(text: str, offset: int) -> Span:
    before = text[:offset]
    line = before.count("\n") + 1
    return Span.point(line, offset - (before.rfind("\n") + 1) + 1)
