"""Turn a template as written into the resources CloudFormation would deploy with the defaults.

In order: `Fn::ForEach` loops are expanded, local nested stacks merged in, SAM's transform
applied (events, implicit APIs, globals), conditions evaluated with the parameters' defaults
(a resource whose condition is false is left out and named; one whose condition is unknown is
kept with a note), and decided `Fn::If`s, `AWS::NoValue` and `Fn::FindInMap` resolved. Rain
tags (`!Rain::Embed`, `!Rain::Module`) are reported per resource: a resource whose type is a
Rain module is left out and named, a property holding a Rain value is a question.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from trustmap.diagnostics import Diagnostic, Span
from trustmap.interop.cloudformation.conditions import Decided, evaluate_conditions, resolve_static
from trustmap.interop.cloudformation.expand import Expansion, expand_for_each, expand_sam, is_sam
from trustmap.interop.cloudformation.nested import Child, Inlined, ReadChild, inline_stacks
from trustmap.source import Document, Limits

__all__ = ["Prepared", "prepare"]


@dataclass
class Prepared:
    document: Document
    #: per resource, the `Fn::If`s decided in each property
    decided: dict[str, Decided] = field(default_factory=dict)
    #: resource -> where it comes from, when not written as such (nested stack, SAM event, loop)
    origin: dict[str, str] = field(default_factory=dict)
    #: resource -> where it is written, when not in the document (a nested stack's file)
    places: dict[str, tuple[str, Span | None]] = field(default_factory=dict)
    #: resource -> the condition it exists under and whether it holds with the defaults
    conditional: dict[str, str] = field(default_factory=dict)
    #: the conditional resources whose condition has no value with the parameter defaults
    undecided: set[str] = field(default_factory=set)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _rain(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, tag) of every Rain value inside `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).startswith("Rain::"):
                yield path or "(the resource)", f"!{key}"
            else:
                yield from _rain(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _rain(inner, f"{path}[{index}]")


def _shown_child(path: Path, base: Path | None, shown: str) -> str:
    """A child file as the user would name it: beside the parent as the parent was named."""
    if base is None:
        return path.as_posix()
    return os.path.normpath(PurePath(shown).parent / os.path.relpath(path, base)).replace(os.sep, "/")


def _read_child(limits: Limits, base: Path | None, shown: str) -> ReadChild:
    from trustmap.input_file import read_input_file
    from trustmap.interop.cloudformation.reader import load_template

    def read(path: Path) -> Child:
        raw, unreadable = read_input_file(path, path.name, limits)
        if raw is None:
            return Child(None, unreadable[0].message if unreadable else f"cannot read {path.name}")
        document, problems = load_template(path.name, raw, limits)
        if document is None or not isinstance(document.data, dict):
            first = problems[0].message if problems else "not a template"
            return Child(None, f"{path.name} cannot be read ({first})")
        data = copy.deepcopy(document.data)
        places: dict[str, tuple[str, Span | None]] = {}
        if isinstance(data.get("Resources"), dict):
            where = _shown_child(path, base, shown)
            at = document.source_map
            places = {str(n): (where, at.value(("Resources", str(n), "Type"))) for n in data["Resources"]}
            expansion = Expansion()
            params = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
            data["Resources"] = expand_for_each(data["Resources"], params or {}, expansion)
            if is_sam(data):
                expand_sam(data, expansion)
        return Child(data, None, places)

    return read


def prepare(document: Document, base: Path | None, limits: Limits = Limits()) -> Prepared:
    """The deployable form of the template (see the module's documentation)."""
    data: dict[str, Any] = copy.deepcopy(document.data) if isinstance(document.data, dict) else {}
    prepared = Prepared(document)
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return prepared
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
    expansion = Expansion()
    data["Resources"] = expand_for_each(resources, parameters or {}, expansion)
    inlined = Inlined()
    data = inline_stacks(data, base, _read_child(limits, base, document.path), inlined)
    if is_sam(data):
        expand_sam(data, expansion)
    prepared.origin.update(expansion.origin)
    prepared.origin.update(inlined.origin)
    prepared.places.update(inlined.places)
    prepared.left_out.extend([*expansion.left_out, *inlined.left_out])
    prepared.notes.extend([*expansion.notes, *inlined.notes])
    for name, _, why in inlined.left_out:
        prepared.diagnostics.append(
            Diagnostic(
                "W401",
                f"nested stack '{name}' was not imported: {why}",
                document.path,
                document.source_map.key(("Resources", name)),
            )
        )
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
    mappings = data.get("Mappings") if isinstance(data.get("Mappings"), dict) else {}
    conditions = data.get("Conditions") if isinstance(data.get("Conditions"), dict) else {}
    truths = evaluate_conditions(conditions or {}, parameters or {}, mappings or {})
    kept: dict[str, Any] = {}
    for name, resource in data["Resources"].items():
        if not isinstance(resource, dict):
            kept[name] = resource
            continue
        type_name = resource.get("Type")
        if isinstance(type_name, dict) and any(str(k).startswith("Rain::") for k in type_name):
            prepared.left_out.append(
                (str(name), "Rain module", "a Rain module: run `rain pkg` and import the result")
            )
            prepared.diagnostics.append(
                Diagnostic(
                    "W403",
                    f"resource '{name}' is a Rain module; it was left out (run `rain pkg` first)",
                    document.path,
                    document.source_map.value(("Resources", str(name), "Type")),
                )
            )
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str):
            truth = truths.get(condition)
            if truth is False:
                prepared.left_out.append(
                    (str(name), str(type_name), f"condition {condition} is false with the parameter defaults")
                )
                continue
            prepared.conditional[str(name)] = f"exists only when condition {condition} holds " + (
                "(it does with the parameter defaults)" if truth else "(unknown with the parameter defaults)"
            )
            if truth is None:
                prepared.undecided.add(str(name))
        for where, tag in _rain(resource.get("Properties")):
            prepared.notes.append(f"{name}: {where} is a Rain value ({tag}) that was not read")
            prepared.diagnostics.append(
                Diagnostic(
                    "W403",
                    f"resource '{name}' holds {tag} at {where}; that value was not read",
                    document.path,
                    document.source_map.key(("Resources", str(name))),
                )
            )
        decided = Decided()
        if "Properties" in resource:
            resource = dict(resource)
            resource["Properties"] = resolve_static(
                resource["Properties"], truths, parameters or {}, mappings or {}, decided
            )
            if resource["Properties"] is None:
                resource["Properties"] = {}
        if decided.by_property:
            prepared.decided[str(name)] = decided
        kept[name] = resource
    data["Resources"] = kept
    prepared.document = Document(document.path, data, document.source_map, document.lines)
    return prepared
