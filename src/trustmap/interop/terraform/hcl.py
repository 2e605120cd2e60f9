"""A folder of Terraform files (.tf), read with python-hcl2, as resources in the common shape.

Where no plan is at hand, the configuration itself is read: every `resource` block of the
folder, and of the local modules it calls (`source = "./x"` or `"../.."`), flattened under
`module.<name>.` addresses. Variables take what the calling module passes (the root module:
the folder's variable files, `tfvars`), else their defaults; locals and module outputs are
evaluated the same way (see `expressions`; null is unset); `count` and `for_each` that decide
with those values give the number of instances (zero: the resource or module is left out and
named), and `dynamic` blocks one block per item; what does not decide stays a question.
Remote modules (a registry or a Git source) are left out, named and warned about (W421, at
their block). Data sources are read, not deployed: they are not resources of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmap.diagnostics import Diagnostic
from trustmap.interop.terraform.configuration import Configuration, Place, parse_folder, relative
from trustmap.interop.terraform.expressions import UNKNOWN, UNRESOLVED_KEY, evaluate, unquote
from trustmap.interop.terraform.tfvars import read_variable_files
from trustmap.interop.terraform.types import conform, parse_type

__all__ = ["Configuration", "TfResources", "merge_instances", "read_configuration"]

MAX_MODULE_DEPTH = 5
#: the instances of a `for_each` read for references (the others count, unread)
MAX_INSTANCES = 50
#: `{for k, v in X : k => v if COND}`: a module's usual filter of a map it was given
_IDENTITY_FOR = re.compile(
    r"\$\{\{\s*for\s+(\w+)\s*,\s*(\w+)\s+in\s+([\w.\[\]\"-]+)\s*:\s*\1\s*=>\s*\2\b.*\}\}", re.DOTALL
)
#: meta-arguments: how Terraform manages a resource, not what the resource is
_META = frozenset(
    {"count", "for_each", "lifecycle", "provider", "depends_on", "timeouts", "provisioner", "connection"}
)
#: the arguments of a `module` block that are not the module's variables
_MODULE_META = frozenset(
    {"source", "version", "providers", "depends_on", "count", "for_each", "__is_block__"}
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
    #: resource address -> where its block is (a plan has none)
    places: dict[str, Place] = field(default_factory=dict)
    #: the modules left out unread (remote, or a folder that cannot be read)
    not_read: list[str] = field(default_factory=list)
    #: a module left out unread (its address) -> the arguments it is given: what it may change
    outside: dict[str, dict[str, Any]] = field(default_factory=dict)


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


def _dynamic_items(each: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) of a dynamic block's `for_each`, in Terraform's order, or None when it does not
    decide: a list's index and element, a map's keys in lexical order."""
    collection = _collection(each)
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)][:MAX_INSTANCES]
    if isinstance(collection, list):
        return list(enumerate(collection))[:MAX_INSTANCES]
    return None


def _without_nulls(value: Any) -> Any:
    """An argument set to null is unset (Terraform's meaning): gone, in nested blocks too."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _count(value: Any) -> int | None:
    """A `count` that decides: a whole number (Terraform accepts 2.0, not true)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None
    return int(value)


def _collection(value: Any) -> list[Any] | dict[str, Any] | None:
    """A `for_each` that decides: a known map or set (null is Terraform's error; not decided)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and UNRESOLVED_KEY not in value and set(value) != {"Ref"}:
        return value
    return None


@dataclass
class _Module:
    config: Configuration
    prefix: str
    inputs: dict[str, Any]
    found: TfResources
    depth: int
    children: dict[str, _Module | None] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    #: the dynamic blocks of the resource being read whose `for_each` did not decide: over what
    undecided: dict[str, str] = field(default_factory=dict)
    #: the value of each variable read so far, converted to its type
    variables: dict[str, Any] = field(default_factory=dict)
    #: (each.key, each.value) while the body of a `for_each` resource is evaluated
    each: tuple[Any, Any] | None = None
    #: the folders read so far, shared by every module (`../..` called ten times is read once)
    parsed: dict[Path, Configuration | None] = field(default_factory=dict)

    def scope(self, name: str) -> Any:
        if name in self.evaluating:
            return UNKNOWN
        self.evaluating.add(name)
        try:
            return self._lookup(name)
        finally:
            self.evaluating.discard(name)

    def _lookup(self, name: str) -> Any:
        kind, _, rest = name.partition(".")
        if kind == "each":
            if self.each is None or rest not in ("key", "value"):
                return UNKNOWN
            return self.each[0] if rest == "key" else self.each[1]
        if kind == "var":
            return self._variable(rest)
        if kind == "local" and rest in self.config.locals:
            return evaluate(self.config.locals[rest], self.scope, self.prefix)
        if kind == "module":
            module, _, output = rest.partition(".")
            child = self.child(module)
            if child is not None and output in child.config.outputs:
                return evaluate(child.config.outputs[output], child.scope, child.prefix)
        return UNKNOWN

    def _variable(self, name: str) -> Any:
        """What the caller passes, else the default; null passed to `nullable = false` is the default.
        Either is converted to the declared type (`types.conform`: an object's optional attributes
        left out are null or their default), once per module."""
        if name in self.variables:
            return self.variables[name]
        declared = self.config.variables.get(name, {})
        given = self.inputs.get(name)
        if given is not None or (name in self.inputs and declared.get("nullable") is not False):
            value = given
        elif "default" not in declared:
            return UNKNOWN  # a required variable: its value is given when the plan is made
        else:
            value = evaluate(declared["default"], self.scope, self.prefix)
        value = conform(value, parse_type(declared.get("type")))
        self.variables[name] = value
        return value

    def child(self, name: str) -> _Module | None:
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        body = self.config.modules.get(name, {})
        if self._count(body) == 0:
            return None  # read in `read`, which names it as left out
        source = unquote(body.get("source"))
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            self._not_read(name, f"its source {source} is remote (not read offline); import it separately")
            return None
        folder = (self.config.folder / source).resolve()
        if self.depth >= MAX_MODULE_DEPTH or not folder.is_dir():
            self._not_read(name, f"its folder {source} cannot be read")
            return None
        if folder not in self.parsed:
            config, problems = parse_folder(folder, relative(self.config.shown, source, folder))
            self.found.diagnostics.extend(problems)
            self.parsed[folder] = config
        config = self.parsed[folder]
        if config is None:
            return None
        inputs = {
            str(k): evaluate(v, self.scope, self.prefix) for k, v in body.items() if k not in _MODULE_META
        }
        child = _Module(
            config, f"{self.prefix}module.{name}.", inputs, self.found, self.depth + 1, parsed=self.parsed
        )
        self.children[name] = child
        return child

    def _not_read(self, name: str, why: str) -> None:
        """A module left out: named in the model, and a warning at its block (W421)."""
        address = f"{self.prefix}module.{name}"
        body = self.config.modules.get(name, {})
        self.found.outside[address] = {
            str(k): evaluate(v, self.scope, self.prefix) for k, v in body.items() if k not in _MODULE_META
        }
        self.found.left_out.append((address, "module", why))
        self.found.not_read.append(f"{self.prefix}{name}")
        self.found.notes.append(f"module {self.prefix}{name} was not read: {why}")
        place = self.config.places.get(("module", name))
        self.found.diagnostics.append(
            Diagnostic(
                "W421",
                f"module {self.prefix}{name} was not read: {why}",
                place.path if place else self.config.shown,
                place.span if place else None,
            )
        )

    def _for_each(self, raw: Any) -> tuple[list[Any] | dict[str, Any] | None, bool]:
        """The collection a `for_each` runs over, and whether its size is the number of instances.

        When it does not decide, `{for k, v in X : k => v if COND}` (a module's usual filter of
        a map it was given, on something with no value offline) still gives X's items, for
        what they name.
        """
        each = _collection(evaluate(raw, self.scope, self.prefix))
        if each is not None:
            return each, True
        filtered = _IDENTITY_FOR.fullmatch(raw) if isinstance(raw, str) else None
        if filtered is None:
            return None, False
        return _collection(evaluate("${" + filtered.group(3) + "}", self.scope, self.prefix)), False

    def each_items(self, body: dict[str, Any]) -> list[tuple[Any, Any]]:
        """(each.key, each.value) of a `for_each` that decides, else nothing."""
        if "for_each" not in body:
            return []
        each, _ = self._for_each(body["for_each"])
        if isinstance(each, dict):
            return list(each.items())[:MAX_INSTANCES]
        if isinstance(each, list):
            return [(item, item) for item in each[:MAX_INSTANCES]]
        return []

    def _dynamic(
        self, blocks: Any, arguments: dict[str, Any], address: str, bindings: dict[str, Any]
    ) -> None:
        """`dynamic "x" { for_each = ...; content {...} }`: one `x` block per item, after the
        written `x` blocks, where the `for_each` decides (nested blocks and their own dynamic
        blocks too); else the blocks are a question, named in `undecided` (W423), and nothing
        of their content is drawn."""
        for dynamic in blocks or []:
            for label, spec in dynamic.items():
                if label == "__is_block__" or not isinstance(spec, dict):
                    continue
                block = str(unquote(label))
                items = _dynamic_items(evaluate(spec.get("for_each"), self.scope, self.prefix, bindings))
                if items is None:
                    arguments[block] = {UNRESOLVED_KEY: [f"dynamic {block} blocks"]}
                    self.found.unknown.setdefault(address, {})[block] = (
                        f"the {block} blocks are dynamic, over {spec.get('for_each')}"
                    )
                    self.undecided.setdefault(block, str(spec.get("for_each")))
                    continue
                iterator = str(unquote(spec.get("iterator", block)))
                made = []
                for key, value in items:
                    inner = {**bindings, iterator: {"key": key, "value": value}}
                    for content in spec.get("content", []) or []:
                        made.append(self._block(content, address, inner))
                written = arguments.get(block)
                if isinstance(written, dict) and UNRESOLVED_KEY in written:
                    continue  # another dynamic block of that name did not decide: still a question
                arguments[block] = [
                    *(written if isinstance(written, list) else [written] if written else []),
                    *made,
                ]

    def _block(self, body: dict[str, Any], address: str, bindings: dict[str, Any]) -> dict[str, Any]:
        """The arguments of a nested block, its own nested blocks and dynamic blocks read too."""
        made = {
            str(k): self._argument(v, address, bindings)
            for k, v in body.items()
            if k not in ("dynamic", "__is_block__")
        }
        self._dynamic(body.get("dynamic"), made, address, bindings)
        return made

    def _argument(self, value: Any, address: str, bindings: dict[str, Any]) -> Any:
        """An argument's value; a nested block (`forward { dynamic "target_group" {...} }`) as a block."""
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
        ):
            return [self._block(v, address, bindings) for v in value]
        return evaluate(value, self.scope, self.prefix, bindings)

    def _undecided_dynamic(self, type_name: str, name: str, address: str) -> None:
        """W423 at the resource: its dynamic blocks whose `for_each` has no value offline."""
        if not self.undecided:
            return
        blocks = ", ".join(f"{block} (over {over})" for block, over in sorted(self.undecided.items()))
        self.undecided = {}
        message = (
            f"{address}: the dynamic blocks {blocks} have no value offline; no flow or control is read"
            " from them: add what they make by hand"
        )
        self.found.notes.append(message)
        place = self.config.places.get(("resource", type_name, name))
        self.found.diagnostics.append(
            Diagnostic(
                "W423",
                message,
                place.path if place else self.config.shown,
                place.span if place else None,
            )
        )

    def _count(self, body: dict[str, Any]) -> int | None:
        """How many instances `count` / `for_each` make; None when it does not decide."""
        if "count" in body:
            return _count(evaluate(body["count"], self.scope, self.prefix))
        if "for_each" in body:
            each, decided = self._for_each(body["for_each"])
            return len(each) if each is not None and decided else None
        return 1

    def instances(self, body: dict[str, Any], address: str) -> int | None:
        """`_count`, with a question where it does not decide."""
        count = self._count(body)
        if count is None:
            argument = "count" if "count" in body else "for_each"
            self.found.unknown.setdefault(address, {})[argument] = f"{argument} is {body[argument]}"
        return count

    def read(self) -> None:
        for type_name, name, body in self.config.resources:
            self._resource(type_name, name, body)
        for name, body in self.config.modules.items():
            count = self.instances(body, f"{self.prefix}module.{name}")
            if count == 0:
                self.found.left_out.append(
                    (f"{self.prefix}module.{name}", "module", "count or for_each is 0 with the defaults")
                )
                continue
            child = self.child(name)
            if child is not None:
                child.read()

    def _resource(self, type_name: str, name: str, body: dict[str, Any]) -> None:
        address = f"{self.prefix}{type_name}.{name}"
        count = self.instances(body, address)
        if count == 0:
            self.found.left_out.append((address, type_name, "count or for_each is 0 with the defaults"))
            return
        items: list[tuple[Any, Any] | None] = [*self.each_items(body)] or [None]
        instances = []
        for item in items:
            self.each = item
            arguments = {
                str(k): self._argument(v, address, {})
                for k, v in body.items()
                if k not in _META and k != "dynamic" and k != "__is_block__"
            }
            self._dynamic(body.get("dynamic"), arguments, address, {})
            instances.append(_without_nulls(arguments))
        self.each = None
        self._undecided_dynamic(type_name, name, address)
        props = merge_instances(instances)
        self.found.resources[address] = {"Type": type_name, "Properties": props}
        place = self.config.places.get(("resource", type_name, name))
        if place is not None:
            self.found.places[address] = place
        if count is not None and count > 1:
            self.found.replicas[address] = count
        if self.prefix:
            self.found.origin[address] = f"module {self.prefix.removesuffix('.')}"


def read_configuration(path: Path, shown: str) -> TfResources:
    """Every resource a configuration deploys with its defaults (see the module's documentation)."""
    found = TfResources()
    config, problems = parse_folder(path, shown)
    found.diagnostics.extend(problems)
    if config is None:
        return found
    inputs: dict[str, Any] = {}
    if path.is_dir():
        variable_files = read_variable_files(path, config.shown, set(config.variables))
        found.diagnostics.extend(variable_files.diagnostics)
        inputs = variable_files.values
        if variable_files.read:
            files = ", ".join(variable_files.read)
            found.notes.append(
                f"variables take the values of {files} (read as `terraform plan` reads them in this "
                "folder): check that they are the environment you mean to model"
            )
    _Module(config, "", inputs, found, 0).read()
    return found
