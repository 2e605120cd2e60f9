"""Read YAML safely, keeping a line and column for every key and value.

The loader drives libyaml's event parser (or PyYAML's pure-Python one) and builds plain Python
data itself, iteratively, so that:

- no tag can build an object (only the YAML core schema's scalars are constructed);
- duplicate keys are errors instead of silently keeping the last value;
- deep nesting cannot exhaust the Python stack;
- aliases are shared, never copied, and the size that a document *would* expand to is counted
  as it is read, so a "billion laughs" document is refused quickly with bounded memory.

Positions live in a side table (`SourceMap`) keyed by the path of each value, never in the
data itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from trustmap.diagnostics import Diagnostic, Span

__all__ = ["Document", "Limits", "Path", "SourceMap", "load_yaml"]

Path = tuple[str | int, ...]

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_TAG_PREFIX = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(
    _SAFE_TAG_PREFIX + t
    for t in ("null", "bool", "int", "float", "str", "timestamp", "binary", "seq", "map", "merge")
)
_MERGE_TAG = _SAFE_TAG_PREFIX + "merge"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds checked while reading, before anything is expanded."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    #: values the document would hold with every alias expanded
    max_expanded: int = 5_000_000


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


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


@dataclass(slots=True)
class _Frame:
    container: dict[Any, Any] | list[Any]
    path: Path
    span: Span
    anchor: str | None
    weight: int = 1
    pending_key: Any = None
    pending_key_span: Span | None = None
    has_key: bool = False
    merges: list[tuple[dict[Any, Any], Span]] = field(default_factory=list)
    key_spans: dict[Any, Span] = field(default_factory=dict)


class _Builder:
    """Turns a stream of parser events into data and a source map."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.source_map = SourceMap()
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.expanded = 0
        self.documents = 0
        self.root: Any = None
        self.root_seen = False
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.duplicates: list[Diagnostic] = []

    def run(self, events: Any) -> None:
        for event in events:
            handler = getattr(self, "_on_" + type(event).__name__, None)
            if handler is not None:
                handler(event)

    # -- document structure -------------------------------------------------------------

    def _on_DocumentStartEvent(self, event: Any) -> None:  # noqa: N802 (event class names)
        self.documents += 1
        if self.documents > 1:
            raise _RefusedError("E008", "the file holds more than one YAML document", _span(event))

    def _on_MappingStartEvent(self, event: Any) -> None:  # noqa: N802
        self._check_tag(event, "map")
        self._open(event, {})

    def _on_SequenceStartEvent(self, event: Any) -> None:  # noqa: N802
        self._check_tag(event, "seq")
        self._open(event, [])

    def _on_MappingEndEvent(self, event: Any) -> None:  # noqa: N802
        frame = self.stack.pop()
        assert isinstance(frame.container, dict)
        for merged, span in frame.merges:
            for key, value in merged.items():
                if key not in frame.container:
                    frame.container[key] = value
                    frame.key_spans[key] = span
        self._close(frame)

    def _on_SequenceEndEvent(self, event: Any) -> None:  # noqa: N802
        self._close(self.stack.pop())

    def _on_ScalarEvent(self, event: Any) -> None:  # noqa: N802
        value, tag = self._scalar(event)
        span = _span(event)
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.container, dict) and not parent.has_key:
            self._take_key(parent, value, tag, span)
            return
        path = self._child_path()
        self._add_weight(1)
        self._place(value, 1, path, span, event.anchor)

    def _on_AliasEvent(self, event: Any) -> None:  # noqa: N802
        span = _span(event)
        if event.anchor not in self.anchors:
            raise _RefusedError("E001", f"unknown alias '*{event.anchor}'", span)
        value, weight = self.anchors[event.anchor]
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.container, dict) and not parent.has_key:
            if isinstance(value, dict | list):
                raise _RefusedError("E003", "a mapping key must be a plain scalar", span)
            self._take_key(parent, value, None, span)
            return
        self._add_weight(weight)
        self._place(value, weight, self._child_path(), span, None)

    # -- helpers ----------------------------------------------------------------------

    def _check_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag not in (None, "!", _SAFE_TAG_PREFIX + kind):
            raise _RefusedError("E003", f"the YAML tag '{tag}' is not allowed here", _span(event))

    def _scalar(self, event: Any) -> tuple[Any, str]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag not in _SAFE_TAGS or tag in (_SAFE_TAG_PREFIX + "seq", _SAFE_TAG_PREFIX + "map"):
            raise _RefusedError(
                "E003",
                f"the YAML tag '{tag}' is not allowed: only plain data is read",
                _span(event),
            )
        if tag == _MERGE_TAG:
            return "<<", tag
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.constructor.construct_object(node), tag
        except (ConstructorError, ValueError, OverflowError) as error:
            raise _RefusedError(
                "E001", f"cannot read the value '{event.value}': {error}", _span(event)
            ) from None

    def _take_key(self, parent: _Frame, key: Any, tag: str | None, span: Span) -> None:
        if tag == _MERGE_TAG:
            parent.pending_key = _MERGE_TAG
        else:
            if isinstance(key, bytes):
                raise _RefusedError("E003", "a mapping key must be a plain scalar", span)
            if key in parent.key_spans:
                first = parent.key_spans[key]
                message = (
                    f"duplicate key '{key}' (first defined at line {first.line}); "
                    "YAML would silently keep only the last value"
                )
                self.duplicates.append(Diagnostic("E002", message, "", span))
            parent.pending_key = key
            parent.key_spans.setdefault(key, span)
            self.source_map.keys.setdefault((*parent.path, _key_segment(key)), span)
        parent.pending_key_span = span
        parent.has_key = True

    def _child_path(self) -> Path:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            return (*parent.path, len(parent.container))
        return (*parent.path, _key_segment(parent.pending_key))

    def _open(self, event: Any, container: dict[Any, Any] | list[Any]) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and isinstance(parent.container, dict) and not parent.has_key:
            raise _RefusedError("E003", "a mapping key must be a plain scalar", _span(event))
        if len(self.stack) >= self.limits.max_depth:
            raise _RefusedError(
                "E007",
                f"the document is nested more than {self.limits.max_depth} levels deep",
                _span(event),
            )
        self._add_weight(1)
        self.stack.append(_Frame(container, self._child_path(), _span(event), event.anchor))

    def _close(self, frame: _Frame) -> None:
        span = Span(frame.span.line, frame.span.column, frame.span.line, frame.span.column + 1)
        self._place(frame.container, frame.weight, frame.path, span, frame.anchor, counted=True)

    def _place(
        self,
        value: Any,
        weight: int,
        path: Path,
        span: Span,
        anchor: str | None,
        *,
        counted: bool = False,
    ) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, weight)
        self.source_map.values.setdefault(path, span)
        if not self.stack:
            self.root, self.root_seen = value, True
            return
        parent = self.stack[-1]
        parent.weight += weight
        if isinstance(parent.container, list):
            parent.container.append(value)
            return
        key = parent.pending_key
        parent.has_key = False
        if key == _MERGE_TAG:
            self._merge_into(parent, value, span)
        else:
            parent.container[key] = value

    def _merge_into(self, parent: _Frame, value: Any, span: Span) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise _RefusedError("E003", "a merge key '<<' must name a mapping", span)
            parent.merges.append((source, span))

    def _add_weight(self, weight: int) -> None:
        self.expanded += weight
        if self.expanded > self.limits.max_expanded:
            raise _RefusedError(
                "E007",
                f"the document expands to more than {self.limits.max_expanded:,} values "
                "(aliases expanding exponentially?)",
                None,
            )


def _key_segment(key: Any) -> str | int:
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


def load_yaml(
    path: str, raw: bytes, limits: Limits = Limits()
) -> tuple[Document | None, list[Diagnostic]]:
    """Parse `raw` (the bytes of the file shown as `path`) into a `Document`.

    Returns the document, or None and the diagnostics that explain why there is none.
    Duplicate keys are reported as errors but the document is still returned, so that the
    rest of the file can be checked in the same run.
    """
    if len(raw) > limits.max_bytes:
        size = f"{len(raw) / 1024 / 1024:.1f} MiB"
        message = f"the file is {size}, more than the {limits.max_bytes // 1024 // 1024} MiB limit"
        return None, [Diagnostic("E007", message, path, Span.point(1, 1))]
    text, bad = _decode(raw)
    if text is None:
        return None, [Diagnostic("E004", "the file is not valid UTF-8", path, bad)]
    lines = tuple(text.splitlines())
    builder = _Builder(limits)
    try:
        builder.run(yaml.parse(text, Loader=_Parser))
    except _RefusedError as refused:
        return None, [Diagnostic(refused.code, refused.message, path, refused.span)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = Span.point(mark.line + 1, mark.column + 1) if mark else None
        problem = error.problem or error.context or "invalid YAML"
        return None, [Diagnostic("E001", f"YAML syntax error: {problem}", path, span)]
    except yaml.YAMLError as error:
        # Reader errors (control characters) carry a position but no problem mark.
        position = getattr(error, "position", None)
        span = _offset_span(text, position) if isinstance(position, int) else None
        return None, [Diagnostic("E001", f"YAML syntax error: {error}", path, span)]
    except RecursionError:
        return None, [Diagnostic("E007", "the document is nested too deeply", path, None)]
    duplicates = [Diagnostic(d.code, d.message, path, d.span) for d in builder.duplicates]
    if not builder.root_seen or builder.root is None:
        return None, [
            Diagnostic("E005", "the file is empty: expected a mapping", path, Span.point(1, 1))
        ]
    if not isinstance(builder.root, dict):
        kind = "a list" if isinstance(builder.root, list) else f"a {type(builder.root).__name__}"
        span = builder.source_map.value(())
        return None, [Diagnostic("E006", f"the document is {kind}, not a mapping", path, span)]
    return Document(path, builder.root, builder.source_map, lines), duplicates


def _offset_span(text: str, offset: int) -> Span:
    before = text[:offset]
    line = before.count("\n") + 1
    return Span.point(line, offset - (before.rfind("\n") + 1) + 1)
