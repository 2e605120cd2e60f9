"""A folder of Terraform files (.tf), read with python-hcl2, as resources in the common shape.

Where no plan is at hand, the configuration itself is read: every `resource` block of the
folder, and of the local modules it calls (`source = "./x"` or `"../.."`), flattened under
`module.<name>.` addresses. Variables take what the calling module passes, else their
defaults; locals and module outputs are evaluated the same way; `count` and `for_each` that
decide with those values give the number of instances (zero: the resource is left out and
named); what does not decide stays a question. Remote modules (a registry or a Git source) are
left out and named. Data sources are read, not deployed: they are not resources of the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmap.diagnostics import Diagnostic, Span
from trustmap.input_file import read_input_file
from trustmap.interop.terraform.expressions import UNRESOLVED_KEY, evaluate, unquote

__all__ = ["Configuration", "TfResources", "merge_instances", "read_configuration"]

MAX_MODULE_DEPTH = 5
#: the instances of a `for_each` read for references (the others count, unread)
MAX_INSTANCES = 50
_IDENTITY_FOR = re.compile(r"\$\{\{\s*for\s+(\w+)\s*,\s*(\w+)\s+in\s+([\w.-]+)\s*:\s*\1\s*=>\s*\2\b.*\}\}")
#: meta-arguments: how Terraform manages a resource, not what the resource is
_META = frozenset(
    {"count", "for_each", "lifecycle", "provider", "depends_on", "timeouts", "provisioner", "connection"}
)


@dataclass
class TfResources:
    """What a Terraform input deploys, in the shape the shared build reads."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, dict[str, str]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Configuration:
    folder: Path
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


def _has_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "Ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


def merge_instances(instances: list[dict[str, Any]]) -> dict[str, Any]:
    """The properties of a resource's instances as one: the first instance's values, except that
    an argument naming other resources names those of every instance (each may name its own)."""
    if not instances:
        return {}
    merged = dict(instances[0])
    for key in dict.fromkeys(k for instance in instances for k in instance):
        values = [instance.get(key) for instance in instances if key in instance]
        distinct = list({repr(v): v for v in values}.values())
        if len(distinct) > 1 and any(_has_ref(v) for v in distinct):
            merged[key] = distinct
        elif key not in merged:
            merged[key] = values[0]
    return merged


def _blocks(parsed: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
    for block in parsed.get(kind, []) or []:
        if isinstance(block, dict):
            yield block


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.glob("*.tf") if p.is_file())


def parse_folder(path: Path, shown: str) -> tuple[Configuration | None, list[Diagnostic]]:
    """The blocks of every .tf file of a folder (or of one file)."""
    import hcl2

    files = _files(path)
    if not files:
        return None, [Diagnostic("E420", f"no .tf file in {shown}", shown, None)]
    config = Configuration(path if path.is_dir() else path.parent)
    problems: list[Diagnostic] = []
    for file in files:
        label = f"{shown}/{file.name}" if path.is_dir() else shown
        raw, unreadable = read_input_file(file, label)
        if raw is None:
            problems.extend(unreadable)
            continue
        try:
            parsed = hcl2.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Diagnostic("E004", "the file is not valid UTF-8", label, Span.point(1, 1)))
            continue
        except Exception as error:  # python-hcl2 raises lark's many error types
            line, column = getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            problems.append(
                Diagnostic(
                    "E421", f"cannot read the Terraform file: {first}", label, Span.point(line, column)
                )
            )
            continue
        for block in _blocks(parsed, "variable"):
            for name, body in block.items():
                config.variables[str(unquote(name))] = body if isinstance(body, dict) else {}
        for block in _blocks(parsed, "locals"):
            config.locals.update({k: v for k, v in block.items() if k != "__is_block__"})
        for block in _blocks(parsed, "resource"):
            for type_name, named in block.items():
                for name, body in (named or {}).items():
                    config.resources.append((str(unquote(type_name)), str(unquote(name)), body or {}))
        for block in _blocks(parsed, "module"):
            for name, body in block.items():
                config.modules[str(unquote(name))] = body or {}
        for block in _blocks(parsed, "output"):
            for name, body in block.items():
                config.outputs[str(unquote(name))] = (body or {}).get("value")
    return (config if not [p for p in problems if p.level == "error"] else None), problems


@dataclass
class _Module:
    config: Configuration
    prefix: str
    inputs: dict[str, Any]
    found: TfResources
    depth: int
    children: dict[str, _Module | None] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    #: (each.key, each.value) while the body of a `for_each` resource is evaluated
    each: tuple[Any, Any] | None = None

    def scope(self, name: str) -> Any:
        if name in self.evaluating:
            return None
        self.evaluating.add(name)
        try:
            return self._lookup(name)
        finally:
            self.evaluating.discard(name)

    def _lookup(self, name: str) -> Any:
        kind, _, rest = name.partition(".")
        if kind == "each" and self.each is not None:
            key, value = self.each
            if rest == "key":
                return key
            found: Any = value
            for part in rest.split(".")[1:] if rest.startswith("value") else [None]:
                if part is None or not isinstance(found, dict):
                    return None
                found = found.get(part)
            return found
        if kind == "var":
            if rest in self.inputs:
                return self.inputs[rest]
            default = self.config.variables.get(rest, {}).get("default")
            return None if default is None else evaluate(default, self.scope, self.prefix)
        if kind == "local" and rest in self.config.locals:
            return evaluate(self.config.locals[rest], self.scope, self.prefix)
        if kind == "module":
            module, _, output = rest.partition(".")
            child = self.child(module)
            if child is not None and output in child.config.outputs:
                return evaluate(child.config.outputs[output], child.scope, child.prefix)
        return None

    def child(self, name: str) -> _Module | None:
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        body = self.config.modules.get(name, {})
        source = unquote(body.get("source"))
        where = f"module {self.prefix}{name}"
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            self.found.left_out.append(
                (f"{self.prefix}module.{name}", "module", f"its source is remote ({source})")
            )
            self.found.notes.append(
                f"{where} was not read: its source {source} is remote; import it separately"
            )
            return None
        folder = (self.config.folder / source).resolve()
        if self.depth >= MAX_MODULE_DEPTH or not folder.is_dir():
            self.found.left_out.append((f"{self.prefix}module.{name}", "module", f"{source} cannot be read"))
            return None
        config, problems = parse_folder(folder, source)
        self.found.diagnostics.extend(problems)
        if config is None:
            return None
        inputs = {
            str(k): evaluate(v, self.scope, self.prefix)
            for k, v in body.items()
            if k not in ("source", "version", "providers", "depends_on", "count", "for_each", "__is_block__")
        }
        child = _Module(config, f"{self.prefix}module.{name}.", inputs, self.found, self.depth + 1)
        self.children[name] = child
        return child

    def each_items(self, body: dict[str, Any]) -> list[tuple[Any, Any]]:
        """(each.key, each.value) of a `for_each` that decides, else nothing."""
        if "for_each" not in body:
            return []
        each = evaluate(body["for_each"], self.scope, self.prefix)
        raw = body["for_each"]
        filtered = _IDENTITY_FOR.fullmatch(raw) if isinstance(raw, str) else None
        if filtered is not None:
            # `{for k, v in X : k => v if COND}`: X's items, the filter read as holding (a module's
            # usual `if local.create`); the instances say what they name, the count stays a question
            each = self.scope(filtered.group(3))
        if isinstance(each, dict) and UNRESOLVED_KEY not in each:
            return list(each.items())[:MAX_INSTANCES]
        if isinstance(each, list):
            return [(item, item) for item in each[:MAX_INSTANCES]]
        return []

    def instances(self, body: dict[str, Any], address: str) -> int | None:
        """How many instances `count` / `for_each` make; None when it does not decide."""
        if "count" in body:
            count = evaluate(body["count"], self.scope, self.prefix)
            if isinstance(count, bool) or not isinstance(count, int):
                self.found.unknown.setdefault(address, {})["count"] = f"count is {body['count']}"
                return None
            return count
        if "for_each" in body:
            each = evaluate(body["for_each"], self.scope, self.prefix)
            if isinstance(each, list | dict) and not (isinstance(each, dict) and UNRESOLVED_KEY in each):
                return len(each)
            self.found.unknown.setdefault(address, {})["for_each"] = f"for_each is {body['for_each']}"
            return None
        return 1

    def read(self) -> None:
        for type_name, name, body in self.config.resources:
            address = f"{self.prefix}{type_name}.{name}"
            count = self.instances(body, address)
            if count == 0:
                self.found.left_out.append((address, type_name, "count or for_each is 0 with the defaults"))
                continue
            items: list[tuple[Any, Any] | None] = [*self.each_items(body)] or [None]
            instances = []
            for item in items:
                self.each = item
                instances.append(
                    {
                        str(k): evaluate(v, self.scope, self.prefix)
                        for k, v in body.items()
                        if k not in _META and k != "dynamic" and k != "__is_block__"
                    }
                )
            self.each = None
            props = merge_instances(instances)
            for dynamic in body.get("dynamic", []) or []:
                for block_name in dynamic:
                    if block_name == "__is_block__":
                        continue
                    block = str(unquote(block_name))
                    props[block] = {UNRESOLVED_KEY: [f"dynamic {block} blocks"]}
                    self.found.unknown.setdefault(address, {})[block] = f"the {block} blocks are dynamic"
            self.found.resources[address] = {"Type": type_name, "Properties": props}
            if count is not None and count > 1:
                self.found.replicas[address] = count
            if self.prefix:
                self.found.origin[address] = f"module {self.prefix.removesuffix('.')}"
        for name, body in self.config.modules.items():
            count = self.instances(body, f"{self.prefix}module.{name}")
            if count == 0:
                self.found.left_out.append(
                    (f"{self.prefix}module.{name}", "module", "count is 0 with the defaults")
                )
                continue
            child = self.child(name)
            if child is not None:
                child.read()


def read_configuration(path: Path, shown: str) -> TfResources:
    """Every resource a configuration deploys with its defaults (see the module's documentation)."""
    found = TfResources()
    config, problems = parse_folder(path, shown)
    found.diagnostics.extend(problems)
    if config is None:
        return found
    _Module(config, "", {}, found, 0).read()
    return found
