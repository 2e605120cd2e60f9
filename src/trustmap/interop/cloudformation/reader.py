"""Read CloudFormation templates (YAML or JSON) with positions, short-form intrinsics included.

The shared model loader refuses every YAML tag. CloudFormation YAML relies on tags for its
short-form intrinsic functions (`!Ref X`, `!GetAtt A.B`, `!Sub ...`), so templates are read
here instead: the document is composed into PyYAML nodes (aliases stay shared, nothing is
constructed), then walked into plain data, turning each short form into the long form that
the JSON syntax uses (`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`). Positions go into the
same `SourceMap` side table as models, so diagnostics point at the template's lines.

The walk enforces the loader's limits (depth, expanded size) and reports duplicate keys,
unknown tags and object-building tags as positioned diagnostics, never exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from trustmap.diagnostics import Diagnostic, Span
from trustmap.line_breaks import EditorPositions, editor_lines
from trustmap.source import (
    Document,
    Limits,
    Path,
    SourceMap,
    decode_text,
    load_json,
    root_problem,
    too_large,
    yaml_error_diagnostic,
)

__all__ = ["RAIN_PREFIX", "SHORT_FORMS", "load_template"]

#: the tags of the Rain CLI (`!Rain::Embed`, `!Rain::Module`, ...), which `rain pkg` expands before
#: deployment: read as `{"Rain::Embed": value}` and reported per resource, not refused
RAIN_PREFIX = "!Rain::"

#: Short-form tag -> long-form key. `!GetAtt` also splits its scalar form on the first dot.
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!GetAZs": "Fn::GetAZs",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!ImportValue": "Fn::ImportValue",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}

_CORE = "tag:yaml.org,2002:"
_SAFE_SCALARS = frozenset(_CORE + t for t in ("null", "bool", "int", "float", "str", "timestamp"))
_MERGE = _CORE + "merge"
_COLLECTIONS = frozenset({_CORE + "map", _CORE + "seq"})


class _RefusedError(Exception):
    def __init__(self, code: str, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.code, self.message, self.span = code, message, span


def _span(node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


@dataclass
class _Walker:
    limits: Limits
    source_map: SourceMap = field(default_factory=SourceMap)
    duplicates: list[tuple[str, Span]] = field(default_factory=list)
    expanded: int = 0
    text: int = 0  # characters of scalars walked, an alias's counted each time it is walked
    constructor: SafeConstructor = field(default_factory=SafeConstructor)
    #: set when PyYAML's line count differs from an editor's (`line_breaks`)
    positions: EditorPositions | None = None

    def _line(self, span: Span) -> int:
        return self.positions.line(span.line) if self.positions else span.line

    def value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        if depth > self.limits.max_depth:
            raise _RefusedError(
                "E007", f"the template is nested more than {self.limits.max_depth} levels deep", _span(node)
            )
        self.expanded += 1
        if self.expanded > self.limits.max_expanded:
            raise _RefusedError(
                "E007",
                f"the template expands to more than {self.limits.max_expanded:,} values "
                "(aliases expanding exponentially?)",
                None,
            )
        if isinstance(node, yaml.ScalarNode):
            self.text += len(node.value)
            if self.text > self.limits.max_text:
                raise _RefusedError(
                    "E007",
                    f"the template expands to more than {self.limits.max_text // 1024 // 1024} MiB of text "
                    "(aliases repeating long strings)",
                    _span(node),
                )
        self.source_map.values.setdefault(path, _span(node))
        tag = node.tag
        if tag.startswith("!"):
            return self._short_form(node, path, depth)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and tag not in _COLLECTIONS:
            # `Tags: !!python/object/apply:os.system [...]`: nothing is ever built from a tag,
            # and a tag that would build an object is refused, on a collection as on a scalar.
            written = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
            raise _RefusedError(
                "E003", f"the YAML tag '{written}' is not allowed: only plain data is read", _span(node)
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag not in _SAFE_SCALARS:
            raise _RefusedError(
                "E003", f"the YAML tag '{node.tag}' is not allowed: only plain data is read", _span(node)
            )
        try:
            return self.constructor.construct_object(node)
        except (ConstructorError, ValueError, OverflowError) as error:
            raise _RefusedError(
                "E001", f"cannot read the value '{node.value}': {error}", _span(node)
            ) from None

    def _short_form(self, node: yaml.Node, path: Path, depth: int) -> dict[str, Any]:
        long_form = SHORT_FORMS.get(node.tag)
        if long_form is None and node.tag.startswith(RAIN_PREFIX):
            long_form = node.tag.removeprefix("!")  # kept as {"Rain::X": value}: reported per resource
        if long_form is None:
            known = ", ".join(sorted(SHORT_FORMS))
            raise _RefusedError(
                "E403", f"unknown CloudFormation tag '{node.tag}'; known short forms: {known}", _span(node)
            )
        inner: Path = (*path, long_form)
        self.source_map.values.setdefault(inner, _span(node))
        if isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            if long_form == "Fn::GetAtt":
                resource, _, attribute = text.partition(".")
                return {long_form: [resource, attribute]}
            return {long_form: text}
        if isinstance(node, yaml.MappingNode):
            return {long_form: self._mapping(node, inner, depth + 1)}
        return {long_form: [self.value(item, (*inner, i), depth + 1) for i, item in enumerate(node.value)]}

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, Span] = {}
        merged: list[dict[Any, Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                source = self.value(value_node, (*path, "<<"), depth + 1)
                merged.extend(source if isinstance(source, list) else [source])
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.startswith("!"):
                raise _RefusedError("E003", "a mapping key must be a plain scalar", _span(key_node))
            key = self._scalar(key_node)
            key_span = _span(key_node)
            if key in seen:
                self.duplicates.append(
                    (
                        f"duplicate key '{key}' (first defined at line {self._line(seen[key])}); "
                        "YAML would silently keep only the last value",
                        key_span,
                    )
                )
            seen.setdefault(key, key_span)
            segment = key if isinstance(key, int) and not isinstance(key, bool) else str(key)
            self.source_map.keys.setdefault((*path, segment), key_span)
            result[key] = self.value(value_node, (*path, segment), depth + 1)
        for source in merged:
            if not isinstance(source, dict):
                raise _RefusedError("E003", "a merge key '<<' must name a mapping", _span(node))
            for key, value in source.items():
                result.setdefault(key, value)
        return result


#: libyaml when PyYAML has it: composing a large template in pure Python took 46 s and 1 GB.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _compose(text: str, limits: Limits) -> yaml.Node | None:
    """The template's node tree. A first pass counts the nodes in the parser's events (no node
    is built, an alias counts once: a lower bound of what the walk counts), so a template over
    the value limit is refused before a tree of a million nodes takes seconds and a gigabyte."""
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > limits.max_expanded:
                message = f"the template holds more than {limits.max_expanded:,} values"
                mark = event.start_mark
                at = Span.point(mark.line + 1, mark.column + 1) if mark is not None else None
                raise _RefusedError("E007", message, at)
    loader = _Loader(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def load_template(
    path: str, raw: bytes, limits: Limits = Limits()
) -> tuple[Document | None, list[Diagnostic]]:
    """Parse a template (YAML with short forms, or JSON) into a `Document` of plain data.

    Returns the document, or None with the diagnostics that say why there is none. Duplicate
    keys are reported but the document is still returned.
    """
    if len(raw) > limits.max_bytes:
        return None, [Diagnostic("E007", too_large(len(raw), limits), path, Span.point(1, 1))]
    text, problems = decode_text(path, raw)
    if text is None:
        return None, problems
    positions = EditorPositions.needed(text)
    if text.lstrip().startswith(("{", "[")):
        # JSON is read as JSON (CloudFormation refuses the YAML-only leniencies, such as a
        # trailing comma), with the loader's limits; the YAML pass below only adds positions
        # (duplicate keys come from it).
        json_data, json_problem = load_json(path, text, limits)
        if json_problem is not None:
            return None, [json_problem]
        walker = _Walker(limits, positions=positions)
        try:
            node = _compose(text, limits)
            data = walker.value(node, (), 0) if node is not None else json_data
        except (_RefusedError, yaml.YAMLError, RecursionError):
            walker, data = _Walker(limits), json_data
            walker.source_map.values[()] = Span.point(1, 1)
    else:
        walker = _Walker(limits, positions=positions)
        try:
            node = _compose(text, limits)
            data = walker.value(node, (), 0) if node is not None else None
        except _RefusedError as refused:
            span = positions.optional(refused.span) if positions else refused.span
            return None, [Diagnostic(refused.code, refused.message, path, span)]
        except yaml.YAMLError as error:
            return None, [yaml_error_diagnostic(error, text, path, positions)]
        except RecursionError:
            return None, [Diagnostic("E007", "the document is nested too deeply", path, None)]
    if positions:
        positions.spans(walker.source_map.values)
        positions.spans(walker.source_map.keys)
        walker.duplicates = [(message, positions.span(span)) for message, span in walker.duplicates]
    lines = editor_lines(text)
    duplicates = [Diagnostic("E002", message, path, span) for message, span in walker.duplicates]
    problem = root_problem(data, path, walker.source_map)
    if problem is not None:
        return None, [problem]
    return Document(path, data, walker.source_map, lines), duplicates
