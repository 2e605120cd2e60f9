"""`terraform show -json` output (a plan or a state) as resources in the common shape.

Resources come from `planned_values` (a plan) or `values` (a state), modules flattened under
their `module.<name>.` addresses; the instances of one resource (`count`, `for_each`) become
one resource with a number of replicas. A plan does not know the ids of what it creates, so the
references between resources come from the configuration's expressions (`references`,
followed through module variables and outputs); a state knows them, so a value equal to another
resource's `id` or `arn` is a reference to it too. Data sources are read, not deployed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from trustmap.interop.terraform.hcl import TfResources, merge_instances

__all__ = ["is_terraform_json", "read_plan"]

_INDEX = re.compile(r"\[[^\]]*\]")
#: types whose instances are kept apart rather than counted as replicas
_SPLIT = frozenset({"aws_subnet"})


def is_terraform_json(data: Any) -> bool:
    return isinstance(data, dict) and (
        "format_version" in data and ("planned_values" in data or "values" in data)
    )


def _modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []) or []:
        if isinstance(child, dict):
            yield from _modules(child)


def _base(address: str) -> str:
    """An address without its instance keys: `module.a["x"].aws_b.c[0]` -> `module.a.aws_b.c`."""
    return _INDEX.sub("", address)


class _Configuration:
    """The configuration's expressions: who refers to whom, through modules."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.modules: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, tuple[str, dict[str, Any]]] = {}  # module prefix -> (parent prefix, call)
        self._walk(root, "")

    def _walk(self, module: dict[str, Any], prefix: str) -> None:
        self.modules[prefix] = module
        for name, call in (module.get("module_calls") or {}).items():
            child = f"{prefix}module.{name}."
            self.calls[child] = (prefix, call)
            if isinstance(call.get("module"), dict):
                self._walk(call["module"], child)

    def resource(self, address: str) -> dict[str, Any] | None:
        """The configuration of a resource, by its address without instance keys."""
        parts = address.split(".")
        head = ".".join(parts[:-2]) + "." if len(parts) > 2 else ""
        local = ".".join(parts[-2:])
        for resource in self.modules.get(head, {}).get("resources", []) or []:
            if isinstance(resource, dict) and resource.get("address") == local:
                return resource
        return None

    def resolve(self, reference: str, prefix: str, depth: int = 0) -> list[str]:
        """Resource addresses a reference stands for (variables and outputs followed)."""
        if depth > 8:
            return []
        parts = _base(reference).split(".")
        if parts[0] == "var" and len(parts) > 1 and prefix in self.calls:
            parent, call = self.calls[prefix]
            expression = (call.get("expressions") or {}).get(parts[1]) or {}
            return self.references(expression, parent, depth + 1)
        if parts[0] == "module" and len(parts) > 2:
            child = f"{prefix}module.{parts[1]}."
            output = ((self.modules.get(child) or {}).get("outputs") or {}).get(parts[2]) or {}
            return self.references(output.get("expression") or {}, child, depth + 1)
        if parts[0] in ("local", "data", "each", "count", "path", "self", "terraform", "var", "module"):
            return []
        if len(parts) >= 2 and parts[0].startswith("aws_"):
            return [f"{prefix}{parts[0]}.{parts[1]}"]
        return []

    def references(self, expression: Any, prefix: str, depth: int) -> list[str]:
        found: list[str] = []
        for reference in _all_references(expression):
            found.extend(a for a in self.resolve(reference, prefix, depth) if a not in found)
        return found


def _all_references(expression: Any) -> list[str]:
    if isinstance(expression, dict):
        own = [str(r) for r in expression.get("references", []) or []]
        return own + [r for k, v in expression.items() if k != "references" for r in _all_references(v)]
    if isinstance(expression, list):
        return [r for item in expression for r in _all_references(item)]
    return []


def _overlay(values: Any, expressions: Any, resolve: Any) -> Any:
    """The values, where the configuration names resources: `{"Ref": address}` in their place."""
    if not isinstance(expressions, dict):
        return values
    result = dict(values) if isinstance(values, dict) else {}
    for key, expression in expressions.items():
        if isinstance(expression, dict) and "references" in expression:
            targets = resolve(expression)
            if targets:
                refs = [{"Ref": t} for t in targets]
                current = result.get(key)
                result[key] = refs if isinstance(current, list) or len(refs) > 1 else refs[0]
        elif isinstance(expression, list) and isinstance(result.get(key), list):
            blocks = result[key]
            if len(blocks) == len(expression):
                result[key] = [_overlay(b, e, resolve) for b, e in zip(blocks, expression, strict=True)]
        elif isinstance(expression, list) and key not in result:
            result[key] = [_overlay({}, e, resolve) for e in expression]
    return result


def _ids(values: dict[str, Any]) -> list[str]:
    return [str(values[k]) for k in ("id", "arn") if isinstance(values.get(k), str) and values[k]]


def _link_ids(value: Any, by_id: dict[str, str], own: str) -> Any:
    if isinstance(value, str) and value in by_id and by_id[value] != own:
        return {"Ref": by_id[value]}
    if isinstance(value, list):
        return [_link_ids(v, by_id, own) for v in value]
    if isinstance(value, dict) and set(value) != {"Ref"}:
        return {k: _link_ids(v, by_id, own) for k, v in value.items()}
    return value


def _split_refs(value: Any, split: dict[str, list[str]]) -> Any:
    """A reference to a resource whose instances were kept apart names every instance."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in split:
            return [{"Ref": address} for address in split[value["Ref"]]]
        return {k: _split_refs(v, split) for k, v in value.items()}
    if isinstance(value, list):
        found: list[Any] = []
        for item in value:
            replaced = _split_refs(item, split)
            if isinstance(item, dict) and set(item) == {"Ref"} and isinstance(replaced, list):
                found.extend(replaced)
            else:
                found.append(replaced)
        return found
    return value


def read_plan(data: dict[str, Any]) -> TfResources:
    """The resources of a plan or state (see the module's documentation)."""
    found = TfResources()
    root = (data.get("planned_values") or data.get("values") or {}).get("root_module") or {}
    config = _Configuration((data.get("configuration") or {}).get("root_module") or {})
    instances: dict[str, list[dict[str, Any]]] = {}
    for module in _modules(root):
        for resource in module.get("resources", []) or []:
            if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
                continue
            instances.setdefault(_base(str(resource.get("address", ""))), []).append(resource)
    by_id: dict[str, str] = {}
    for base, group in instances.items():
        for instance in group:
            for known in _ids(instance.get("values") or {}):
                by_id.setdefault(known, base)
    # each instance of a subnet is a boundary of its own (subnets of a count sit in different zones)
    split = {
        base: [str(i.get("address")) for i in group]
        for base, group in instances.items()
        if len(group) > 1 and group[0].get("type") in _SPLIT
    }
    for base, addresses in split.items():
        group = instances.pop(base)
        for address, instance in zip(addresses, group, strict=True):
            instances[address] = [instance]
    for base, group in sorted(instances.items()):
        first = group[0]
        type_name = str(first.get("type", ""))
        values = merge_instances([i["values"] for i in group if isinstance(i.get("values"), dict)])
        own = _base(base)
        prefix = own[: len(own) - len(f"{type_name}.{first.get('name')}")]
        configured = config.resource(own) or {}
        props = _overlay(
            values, configured.get("expressions") or {}, lambda e, p=prefix: config.references(e, p, 0)
        )
        props = _split_refs(_link_ids(props, by_id, base), split)
        found.resources[base] = {"Type": type_name, "Properties": props}
        if len(group) > 1:
            found.replicas[base] = len(group)
        if prefix:
            found.origin[base] = f"module {prefix.removesuffix('.')}"
    return found
