"""The blocks of a folder of .tf files (or of one file), read with python-hcl2, and where they are.

python-hcl2's dictionaries carry no positions, so each file is parsed once into its tree, the
line and column of every top-level `resource` and `module` block taken from it, and the tree
then serialised to the usual dictionaries. A diagnostic about a resource or a module can then
name `file:line:column` of its block.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from trustmap.diagnostics import Diagnostic, Span
from trustmap.input_file import read_input_text
from trustmap.interop.terraform.expressions import unquote

__all__ = ["Configuration", "Place", "parse_folder", "read_hcl_file", "relative"]


class Place(NamedTuple):
    """Where a block starts: the file as shown to the user, and its first line and column."""

    path: str
    span: Span


@dataclass
class Configuration:
    """The blocks of one module (a folder): python-hcl2's values, unevaluated."""

    folder: Path
    #: the folder as shown to the user (the files' diagnostics are under it)
    shown: str
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    #: ("resource", type, name) or ("module", name) -> where the block is
    places: dict[tuple[str, ...], Place] = field(default_factory=dict)


def relative(shown: str, source: str, folder: Path) -> str:
    """A module's folder as shown to the user: `examples/x` + `../..` -> `.`, when that is where
    it is from here; else `x/../..` (the input is shown by its name only: outside this folder)."""
    joined = posixpath.join(shown, source)
    normal = posixpath.normpath(joined)
    return normal if Path(normal).resolve() == folder.resolve() else joined


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.glob("*.tf") if p.is_file())


def _blocks(parsed: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
    for block in parsed.get(kind, []) or []:
        if isinstance(block, dict):
            yield block


def _label(node: Any) -> str:
    """A block label of the parse tree as text: `"aws_vpc"` or `aws_vpc` -> aws_vpc."""
    return str(unquote("".join(str(token) for token in node.scan_values(lambda _: True))))


def _positions(tree: Any, label: str) -> dict[tuple[str, ...], Place]:
    """Where each top-level `resource` and `module` block of a parse tree starts, and each
    top-level attribute (the values of a variable file): ("attribute", name)."""
    found: dict[tuple[str, ...], Place] = {}
    for body in tree.children:
        for block in getattr(body, "children", []):
            kind = getattr(block, "data", None)
            if kind not in ("block", "attribute") or not block.children:
                continue
            labels = [_label(node) for node in block.children if getattr(node, "data", None) in _LABELS]
            if kind == "attribute":
                labels = ["attribute", *labels[:1]]
            if labels[:1] in (["resource"], ["module"], ["attribute"]):
                found[tuple(labels)] = Place(label, Span.point(block.meta.line, block.meta.column))
    return found


#: the parse-tree nodes of a block's type and labels
_LABELS = frozenset({"identifier", "string"})


def read_hcl_file(
    file: Path, label: str
) -> tuple[dict[str, Any] | None, dict[tuple[str, ...], Place], list[Diagnostic]]:
    """python-hcl2's dictionaries of one file (.tf or .tfvars) and where its blocks and
    attributes are, or why it cannot be read."""
    import hcl2

    text, unreadable = read_input_text(file, label)
    if text is None:
        return None, {}, unreadable
    try:
        tree = hcl2.parses_to_tree(text)
        places = _positions(tree, label)
        parsed = hcl2.serialize(hcl2.transform(tree))
    except Exception as error:  # python-hcl2 raises lark's many error types
        line, column = getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        message = f"cannot read the Terraform file: {first}"
        return None, {}, [Diagnostic("E421", message, label, Span.point(line, column))]
    return parsed, places, []


def parse_folder(path: Path, shown: str) -> tuple[Configuration | None, list[Diagnostic]]:
    """The blocks of every .tf file of a folder (or of one file)."""
    files = _files(path)
    if not files:
        return None, [Diagnostic("E420", f"no .tf file in {shown}", shown, None)]
    folder_shown = shown if path.is_dir() else posixpath.dirname(shown) or "."
    config = Configuration(path if path.is_dir() else path.parent, folder_shown)
    problems: list[Diagnostic] = []
    for file in files:
        label = posixpath.join(shown, file.name) if path.is_dir() else shown
        parsed, places, unreadable = read_hcl_file(file, label)
        problems.extend(unreadable)
        if parsed is not None:
            _add(config, parsed)
            config.places.update(places)
    return (config if not [p for p in problems if p.level == "error"] else None), problems


def _add(config: Configuration, parsed: dict[str, Any]) -> None:
    """The blocks of one file, added to its module's."""
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
