"""Nested stacks read from local files and merged into their parent.

A `AWS::CloudFormation::Stack` whose `TemplateURL` is a relative path (as in a repository,
before `aws cloudformation package` uploads it) is read from the file next to the parent, its
parameters are passed down (a literal or a parent parameter's default becomes the child's
default; a reference to a parent resource replaces the child's `Ref`), and its resources join
the parent's under the stack's logical id as a prefix (`VPC` in stack `Network` becomes
`NetworkVPC`). `Fn::GetAtt [Stack, Outputs.X]` in the parent becomes the child's output value.
A stack whose template is remote (https://, s3://) or missing is left out and named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmap.diagnostics import Span

__all__ = ["NESTED_TYPES", "Child", "Inlined", "inline_stacks"]

NESTED_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
MAX_DEPTH = 4
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SUB = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)((?:\.[A-Za-z0-9_.]+)?)\}")


@dataclass
class Child:
    """A child template read from its file: its data, or why not; where its resources are."""

    data: dict[str, Any] | None
    why: str | None = None
    #: resource (as the child names it) -> the file as shown and the span of its `Type`
    places: dict[str, tuple[str, Span | None]] = field(default_factory=dict)


#: reads a child template from its path
ReadChild = Callable[[Path], Child]


@dataclass
class Inlined:
    #: resource (prefixed) -> the nested stack and file it comes from
    origin: dict[str, str] = field(default_factory=dict)
    #: resource (prefixed) -> where it is written, for the resources of child files
    places: dict[str, tuple[str, Span | None]] = field(default_factory=dict)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _location(resource: dict[str, Any]) -> Any:
    props = resource.get("Properties")
    if not isinstance(props, dict):
        return None
    return props.get("TemplateURL", props.get("Location"))


def _shown(location: Any) -> str:
    if isinstance(location, dict) and set(location) == {"Fn::Sub"}:
        body = location["Fn::Sub"]
        return str(body[0] if isinstance(body, list) and body else body)
    return str(location)


def _local_copy(location: Any, base: Path | None) -> Path | None:
    """The local file a location names: a relative path, or the longest tail of a URL (or of an
    `Fn::Sub` URL) that exists under the parent's folder (a repository's own templates, which
    its README tells to upload before deploying)."""
    if base is None:
        return None
    text = _shown(location)
    if not text or text.startswith("{"):
        return None
    if not _REMOTE.match(text) and "${" not in text:
        return Path(text) if (base / text).is_file() else None
    tail = text.split("?")[0].split("}")[-1]
    parts = [p for p in tail.split("/") if p and ":" not in p]
    for start in range(len(parts)):
        candidate = Path(*parts[start:])
        if (base / candidate).is_file():
            return candidate
    return None


def _rename(value: Any, names: dict[str, Any], passed: dict[str, Any]) -> Any:
    """References to the child's resources, conditions and parameters, in the parent's terms."""
    if isinstance(value, dict):
        if len(value) == 1:
            key, inner = next(iter(value.items()))
            if key == "Ref" and isinstance(inner, str):
                if inner in passed:
                    return passed[inner]
                return {"Ref": names.get(inner, inner)}
            if key == "Fn::GetAtt":
                parts = inner if isinstance(inner, list) else str(inner).split(".", 1)
                if parts and isinstance(parts[0], str):
                    return {"Fn::GetAtt": [names.get(parts[0], parts[0]), *parts[1:]]}
            if key == "Condition" and isinstance(inner, str):
                return {"Condition": names.get(inner, inner)}
            if key == "Fn::If" and isinstance(inner, list) and inner and isinstance(inner[0], str):
                return {
                    "Fn::If": [names.get(inner[0], inner[0]), *(_rename(v, names, passed) for v in inner[1:])]
                }
            if key == "Fn::Sub":
                body = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(body, str):
                    body = _SUB.sub(lambda m: _sub_name(m, names, passed), body)
                rest = [_rename(v, names, passed) for v in inner[1:]] if isinstance(inner, list) else []
                return {"Fn::Sub": [body, *rest] if isinstance(inner, list) else body}
        return {k: _rename(v, names, passed) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names, passed) for v in value]
    return value


def _sub_name(match: re.Match[str], names: dict[str, Any], passed: dict[str, Any]) -> str:
    name, attribute = match.group(1), match.group(2)
    replaced = passed.get(name)
    if isinstance(replaced, str):
        return replaced
    if isinstance(replaced, dict) and set(replaced) == {"Ref"}:
        return "${" + str(replaced["Ref"]) + "}"
    return "${" + str(names.get(name, name)) + attribute + "}"


def _static(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, dict) and set(value) == {"Ref"}:
        parameter = parameters.get(str(value["Ref"]))
        if isinstance(parameter, dict) and "Default" in parameter:
            return parameter["Default"]
    return None


def _child(
    stack: str, child: dict[str, Any], passed_raw: dict[str, Any], parent_parameters: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The child's resources, outputs, conditions and parameters, renamed into the parent."""
    parameters = child.get("Parameters") if isinstance(child.get("Parameters"), dict) else {}
    renamed_parameters: dict[str, Any] = {}
    passed: dict[str, Any] = {}
    for name, spec in (parameters or {}).items():
        spec = dict(spec) if isinstance(spec, dict) else {}
        if name in passed_raw:
            value = _static(passed_raw[name], parent_parameters)
            if value is not None:
                spec["Default"] = value
            else:
                passed[str(name)] = passed_raw[name]  # a parent resource: the Ref becomes it
                continue
        renamed_parameters[f"{stack}{name}"] = spec
    resources: dict[str, Any] = child["Resources"] if isinstance(child.get("Resources"), dict) else {}
    conditions: dict[str, Any] = child["Conditions"] if isinstance(child.get("Conditions"), dict) else {}
    names: dict[str, Any] = {str(n): f"{stack}{n}" for n in [*resources, *conditions, *(parameters or {})]}
    renamed = {
        f"{stack}{name}": _rename(resource, names, passed) for name, resource in (resources or {}).items()
    }
    for resource in renamed.values():
        if isinstance(resource, dict) and isinstance(resource.get("Condition"), str):
            resource["Condition"] = names.get(resource["Condition"], resource["Condition"])
    outputs = child.get("Outputs") if isinstance(child.get("Outputs"), dict) else {}
    values = {
        str(name): _rename(output.get("Value"), names, passed)
        for name, output in (outputs or {}).items()
        if isinstance(output, dict)
    }
    renamed_conditions = {f"{stack}{n}": _rename(c, names, passed) for n, c in (conditions or {}).items()}
    return renamed, values, renamed_conditions, renamed_parameters


def _outputs_in(value: Any, outputs: dict[str, dict[str, Any]]) -> Any:
    """`Fn::GetAtt [Stack, Outputs.X]` replaced by the child's output value."""
    if isinstance(value, dict):
        if set(value) == {"Fn::GetAtt"}:
            inner = value["Fn::GetAtt"]
            parts = inner if isinstance(inner, list) else str(inner).split(".", 1)
            if (
                len(parts) == 2
                and isinstance(parts[0], str)
                and parts[0] in outputs
                and str(parts[1]).startswith("Outputs.")
            ):
                found = outputs[parts[0]].get(str(parts[1]).removeprefix("Outputs."))
                if found is not None:
                    return found
        return {k: _outputs_in(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [_outputs_in(v, outputs) for v in value]
    return value


def inline_stacks(
    data: dict[str, Any], base: Path | None, read: ReadChild, inlined: Inlined, depth: int = 0
) -> dict[str, Any]:
    """`data` with its local nested stacks merged in (the caller's dict is not changed)."""
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return data
    parameters = dict(data.get("Parameters") or {}) if isinstance(data.get("Parameters"), dict) else {}
    conditions = dict(data.get("Conditions") or {}) if isinstance(data.get("Conditions"), dict) else {}
    merged: dict[str, Any] = {}
    outputs: dict[str, dict[str, Any]] = {}
    for name, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in NESTED_TYPES:
            merged[name] = resource
            continue
        location = _location(resource)
        why = None
        child: dict[str, Any] | None = None
        places: dict[str, tuple[str, Span | None]] = {}
        local = _local_copy(location, base)
        if base is None or depth >= MAX_DEPTH:
            why = "nested too deep" if base is not None else "no folder to read its template from"
        elif local is not None:
            if local.as_posix() != str(location):
                inlined.notes.append(
                    f"nested stack {name}: read the local file {local.as_posix()} for its template "
                    f"{_shown(location)}; check that it is the one deployed"
                )
            read_child = read(base / local)
            child, why = read_child.data, read_child.why
            places = read_child.places
            location = local.as_posix()
        elif not isinstance(location, str | dict):
            why = "its template location is not a path or URL"
        else:
            why = f"its template is remote ({_shown(location)}) and no local copy was found"
        if child is None:
            inlined.left_out.append(
                (str(name), str(resource.get("Type")), f"nested stack not imported: {why}")
            )
            inlined.notes.append(
                f"nested stack {name} was not imported ({why}): import its template separately"
            )
            continue
        child_base = (base / str(location)).parent if base is not None else None
        deeper = Inlined()
        child = inline_stacks(child, child_base, read, deeper, depth + 1)
        inlined.origin.update(deeper.origin)
        inlined.left_out.extend(deeper.left_out)
        inlined.notes.extend(deeper.notes)
        places.update(deeper.places)  # a grandchild's, named as the child names it
        props: dict[str, Any] = resource["Properties"] if isinstance(resource.get("Properties"), dict) else {}
        passed = props["Parameters"] if isinstance(props.get("Parameters"), dict) else {}
        child_resources, outputs[str(name)], child_conditions, child_parameters = _child(
            str(name), child, passed or {}, parameters
        )
        condition = resource.get("Condition")
        for child_name, child_resource in child_resources.items():
            if isinstance(condition, str) and isinstance(child_resource, dict):
                child_resource.setdefault("Condition", condition)
            merged[child_name] = child_resource
            inlined.origin.setdefault(child_name, f"nested stack {name} ({location})")
            own_name = child_name.removeprefix(str(name))
            if own_name in places:
                inlined.places[child_name] = places[own_name]
        conditions.update(child_conditions)
        parameters.update(child_parameters)
    result = dict(data)
    result["Resources"] = _outputs_in(merged, outputs)
    result["Parameters"] = parameters
    result["Conditions"] = _outputs_in(conditions, outputs)
    if "Outputs" in data:
        result["Outputs"] = _outputs_in(data["Outputs"], outputs)
    return result
