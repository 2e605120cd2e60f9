"""The variable files Terraform loads by itself, read as `terraform plan` reads them in a folder.

`terraform.tfvars`, then `terraform.tfvars.json`, then every `*.auto.tfvars` and
`*.auto.tfvars.json` in the order of their names; a later file's value wins. Files named on
Terraform's command line (`-var-file`) and `TF_VAR_` environment variables are not read: the
import depends on the folder alone, not on how one shell was set up.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmap.diagnostics import Diagnostic, Span
from trustmap.input_file import read_input_text
from trustmap.interop.terraform.configuration import Place, read_hcl_file
from trustmap.interop.terraform.expressions import UNKNOWN, evaluate, unquote
from trustmap.source import load_json

__all__ = ["VariableFiles", "read_variable_files"]


@dataclass
class VariableFiles:
    """The root module's variables as the folder's variable files set them."""

    values: dict[str, Any] = field(default_factory=dict)
    #: the names of the files read, in the order they were applied
    read: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _loaded_by_terraform(folder: Path) -> list[Path]:
    first = [folder / "terraform.tfvars", folder / "terraform.tfvars.json"]
    auto = sorted(
        (p for p in folder.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))),
        key=lambda p: p.name,
    )
    return [p for p in (*first, *auto) if p.is_file()]


def _nothing_in_scope(_: str) -> Any:
    return UNKNOWN  # a variable file holds values, never references


def _values(
    file: Path, shown: str
) -> tuple[dict[str, Any] | None, dict[tuple[str, ...], Place], list[Diagnostic]]:
    if file.name.endswith(".json"):
        text, unreadable = read_input_text(file, shown)
        if text is None:
            return None, {}, unreadable
        data, problem = load_json(shown, text)
        if problem is not None:
            return None, {}, [problem]
        if not isinstance(data, dict):
            message = "a variable file must hold an object of values"
            return None, {}, [Diagnostic("E421", message, shown, Span.point(1, 1))]
        return data, {}, []
    parsed, places, problems = read_hcl_file(file, shown)
    if parsed is None:
        return None, places, problems
    return {str(unquote(k)): evaluate(v, _nothing_in_scope, "") for k, v in parsed.items()}, places, problems


def read_variable_files(folder: Path, shown: str, declared: set[str]) -> VariableFiles:
    """The values of the variable files Terraform loads from `folder` (shown as `shown`).

    A value for a variable the configuration does not declare is a warning (W422), as Terraform
    warns; it sets nothing."""
    found = VariableFiles()
    for file in _loaded_by_terraform(folder):
        label = posixpath.join(shown, file.name)
        values, places, problems = _values(file, label)
        found.diagnostics.extend(problems)
        if values is None:
            continue
        found.read.append(file.name)
        for name, value in values.items():
            if name.startswith("__"):
                continue  # python-hcl2's own keys (`__comments__`), not values
            if name in declared:
                found.values[name] = value
            else:
                message = f"the variable file sets '{name}', which no variable block declares: ignored"
                place = places.get(("attribute", name))
                at = place.span if place else Span.point(1, 1)
                found.diagnostics.append(Diagnostic("W422", message, label, at))
    return found
