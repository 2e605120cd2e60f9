"""The resources an importer reads, and the questions it asks of them.

Every wing gives its resources in one shape, CloudFormation's: a mapping of name to
`{"Type": ..., "Properties": {...}}` where a reference to another resource is `{"Ref": name}`
(or `Fn::GetAtt`, or a `${name}` in `Fn::Sub`) and a value that cannot be known offline is an
intrinsic function. `Template` answers questions about references: which subnets, VPCs and
security groups a resource names (directly, or through a subnet group, a launch template or
another resource), all following the paths of the mapping table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from trustmap.diagnostics import Span
from trustmap.interop.mapping import Placement, ResourceTable, Test
from trustmap.interop.paths import UNRESOLVED, UNRESOLVED_KEY, literal, references, values_at
from trustmap.source import Document

__all__ = ["MAX_HOPS", "Template", "test_holds"]

#: how many resources a reference chain may pass through (instance -> cluster -> subnet group)
MAX_HOPS = 3


@dataclass(frozen=True)
class Template:
    document: Document
    resources: Mapping[str, Mapping[str, Any]]
    parameters: Mapping[str, Any]
    #: what the resources are written in, for comments: "CloudFormation", "Terraform"
    source: str = "CloudFormation"
    #: resource -> where it comes from when it is not written as such (a nested stack, a loop)
    origin: Mapping[str, str] = field(default_factory=dict)
    #: resource -> the condition it exists under
    conditional: Mapping[str, str] = field(default_factory=dict)
    #: the resources that may or may not exist: their condition has no value offline
    undecided: frozenset[str] = frozenset()
    #: resource -> property -> the conditions decided in it
    decided: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    #: resource -> property -> why its value is not known (an unresolved Terraform expression)
    unknown: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: resource -> how many instances it stands for (`count`, `for_each`), when more than one
    replicas: Mapping[str, int] = field(default_factory=dict)
    #: resource -> the text its component id is made from (default: its name)
    labels: Mapping[str, str] = field(default_factory=dict)
    #: resource -> the file it is written in (as shown) and the span of its declaration, for
    #: diagnostics: a nested stack's file, a Terraform module's folder (default: the document)
    places: Mapping[str, tuple[str, Span | None]] = field(default_factory=dict)

    # -- basic access ---------------------------------------------------------------------

    def type_of(self, name: str) -> str:
        return str(self.resources[name]["Type"])

    def props(self, name: str) -> Mapping[str, Any]:
        found = self.resources[name].get("Properties")
        return found if isinstance(found, dict) else {}

    @cached_property
    def _by_type(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, resource in self.resources.items():
            found.setdefault(str(resource["Type"]), []).append(name)
        return found

    def of_type(self, *types: str) -> list[str]:
        """Resources of these types, in template order."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], []))
        return [name for name, resource in self.resources.items() if resource["Type"] in types]

    def refs(self, name: str, paths: Iterable[str]) -> list[str]:
        """Logical ids of resources named at `paths` of `name`'s properties, in order, once each."""
        found: list[str] = []
        for path in paths:
            for value in values_at(self.props(name), path):
                found.extend(r for r in references(value, self.resources) if r not in found and r != name)
        return found

    def literals(self, name: str, path: str) -> list[Any]:
        """The values at `path`, with parameter defaults resolved (`UNRESOLVED` where impossible)."""
        found: list[Any] = []
        for value in values_at(self.props(name), path):
            items = value if isinstance(value, list) else [value]
            found.extend(literal(item, self.parameters) for item in items)
        return found

    def span_of(self, name: str, *more: str | int) -> Any:
        return self.document.source_map.value(("Resources", name, *more))

    def place_of(self, name: str) -> tuple[str, Span | None]:
        """Where a resource is written: its own file and declaration, for a diagnostic."""
        return self.places.get(name) or (self.document.path, self.span_of(name, "Type"))

    def key_span(self, name: str) -> Any:
        return self.document.source_map.key(("Resources", name))

    # -- placement -------------------------------------------------------------------------

    def _placement_paths(self, name: str, mapping: ResourceTable, kind: str) -> list[str]:
        type_name = self.type_of(name)
        entry: Placement | None = mapping.resources.get(type_name) or mapping.relations.get(type_name)
        own = list(getattr(entry, kind)) if entry is not None else []
        return [*getattr(mapping.defaults, kind), *own]

    def placed_in(self, name: str, mapping: ResourceTable, kind: str, target_type: str) -> list[str]:
        """Resources of `target_type` that `name` is placed in, through up to `MAX_HOPS` others."""
        return self._placement(name, mapping, kind, target_type)[0]

    def placed_through(self, name: str, mapping: ResourceTable, kind: str, target_type: str) -> list[str]:
        """`name` and the resources its placement in `target_type` passes through (an Auto
        Scaling group's launch template)."""
        return self._placement(name, mapping, kind, target_type)[1]

    def _placement(
        self, name: str, mapping: ResourceTable, kind: str, target_type: str
    ) -> tuple[list[str], list[str]]:
        found: list[str] = []
        seen = [name]
        frontier = [name]
        for _ in range(MAX_HOPS + 1):
            following = []
            for current in frontier:
                for ref in self.refs(current, self._placement_paths(current, mapping, kind)):
                    if self.type_of(ref) == target_type:
                        if ref not in found:
                            found.append(ref)
                    elif ref not in seen:
                        seen.append(ref)
                        following.append(ref)
            frontier = following
        return found, seen

    def unresolved_placement(self, name: str, mapping: ResourceTable, kind: str) -> bool:
        """True when a placement path holds a value that names no resource of the template."""
        for path in self._placement_paths(name, mapping, kind):
            for value in values_at(self.props(name), path):
                items = value if isinstance(value, list) else [value]
                for item in items:
                    if not references(item, self.resources) and item not in ("", None):
                        return True
        return False

    def states_placement(self, name: str, mapping: ResourceTable, kind: str) -> bool:
        """True when a placement path of `name` holds a value (it says where it is placed)."""
        return any(
            value not in ("", None, [])
            for path in self._placement_paths(name, mapping, kind)
            for value in values_at(self.props(name), path)
        )

    def conditional_at(self, name: str, mapping: ResourceTable, kind: str) -> bool:
        """True when a placement path holds an `Fn::If`: the alternatives are not all used at once."""
        return any(
            "Fn::If" in stable_key(value)
            for path in self._placement_paths(name, mapping, kind)
            for value in values_at(self.props(name), path)
        )

    def attached(self, name: str, attached_by: Mapping[str, str]) -> Iterator[str]:
        """Resources that attach to `name` (an EFS mount target names its file system)."""
        for type_name, path in attached_by.items():
            for other in self.of_type(type_name):
                if name in self.refs(other, [path]):
                    yield other


def _normalise(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _stated(value: Any, template: Template) -> bool | None:
    """Whether one value at a path is there once deployed; None when nothing offline says.

    A parameter without default (`!Ref KeyParam`), a Terraform expression with no value
    offline (`Fn::Unresolved`) or a resource that is not deployed may stand for a value or for
    none: a `KmsKeyId` of that kind is not a customer key until someone says so. A reference to
    a resource of the template, a pseudo parameter or any other function gives a value.
    """
    resolved = literal(value, template.parameters)
    if resolved is not UNRESOLVED:
        return resolved not in ("", [], {})
    if isinstance(value, dict) and UNRESOLVED_KEY in value:
        return None
    if isinstance(value, dict) and set(value) == {"Ref"}:
        named = value["Ref"]
        if named == "AWS::NoValue":
            return False
        return True if named in template.resources or str(named).startswith("AWS::") else None
    return True


def _present(test: Test, template: Template, name: str) -> bool | None:
    """Whether a `present` test holds: any value there; None when none is but one may be."""
    found: list[bool | None] = []
    for value in values_at(template.props(name), test.path):
        items = value if isinstance(value, list) and value else [value]
        found.extend(_stated(item, template) for item in items)
    if True in found:
        return test.present is True
    if None in found:
        return None
    return test.present is False


def _single(test: Test, values: list[Any]) -> bool | None:
    """Whether one value test holds; None when it depends on an expression with no static value."""
    known = [v for v in values if v is not UNRESOLVED]
    if not known:
        return None if values else False
    for value in map(_normalise, known):
        if (
            test.equals is not None
            and value == _normalise(test.equals)
            and type(value) is type(_normalise(test.equals))
        ):
            return True
        if test.equals is not None and _number(value) is not None and _number(value) == _number(test.equals):
            return True
        if test.in_ is not None and value in [_normalise(v) for v in test.in_]:
            return True
        if (
            test.greater_than is not None
            and (number := _number(value)) is not None
            and number > test.greater_than
        ):
            return True
        if test.starts_with is not None and isinstance(value, str) and value.startswith(test.starts_with):
            return True
    return None if len(known) < len(values) else False


def _undecided_choice(values: list[Any]) -> bool:
    """True when a value is an `Fn::If` whose condition could not be decided."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "Fn::If" in value:
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _choice_on_path(props: Mapping[str, Any], path: str) -> bool:
    """True when the way to `path` passes through an `Fn::If` that could not be decided (the
    value below it depends on the condition)."""
    segments = re.split(r"\.(?![^\[]*\])", path)
    prefixes = []
    for depth, segment in enumerate(segments):
        head = ".".join(segments[:depth])
        key = segment.split("[")[0]
        if key:
            prefixes.append(f"{head}.{key}" if head else key)
        if "[" in segment and depth < len(segments) - 1:
            prefixes.append(f"{head}.{segment}" if head else segment)
    return any(isinstance(v, dict) and "Fn::If" in v for prefix in prefixes for v in values_at(props, prefix))


def test_holds(template: Template, name: str, tests: Iterable[Test]) -> bool | None:
    """Whether every test holds for the resource; None when one cannot be decided."""
    undecided = False
    for test in tests:
        props = template.props(name)
        if _choice_on_path(props, test.path) or (
            test.present is not None and _undecided_choice(values_at(props, test.path))
        ):
            undecided = True
            continue
        if test.present is not None:
            result = _present(test, template, name)
        else:
            result = _single(test, template.literals(name, test.path))
        if result is False:
            return False
        undecided = undecided or result is None
    return None if undecided else True


def stable_key(value: Any) -> str:
    """A text form of any template value, for comparing expressions (availability zones)."""
    return json.dumps(value, sort_keys=True, default=str)
