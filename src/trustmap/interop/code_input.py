"""Infrastructure code of any kind this project reads, imported as a draft model.

`trustmap verify` takes CloudFormation templates, Terraform plans or states, and .tf folders
alike; the kind is told from the input: a folder or a .tf file is Terraform configuration, a
JSON file with Terraform's `format_version` is a plan or state, anything else a template.
"""

from __future__ import annotations

from pathlib import Path

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic
from trustmap.input_file import read_input_file, read_input_text
from trustmap.interop.cloudformation.importer import import_template
from trustmap.interop.cloudformation.reader import load_template
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import Draft
from trustmap.interop.terraform.importer import import_terraform
from trustmap.interop.terraform.plan import is_terraform_json
from trustmap.source import load_json

__all__ = ["code_kind", "import_code"]


def code_kind(path: Path) -> str:
    """`terraform` or `cloudformation`."""
    if path.is_dir() or path.suffix.lower() == ".tf":
        return "terraform"
    if path.suffix.lower() == ".json":
        text, _ = read_input_text(path, path.name)  # when it is None, its import says why
        data, problem = load_json(path.name, text) if text is not None else (None, None)
        return "terraform" if problem is None and is_terraform_json(data) else "cloudformation"
    return "cloudformation"


def import_code(
    path: Path, shown: str, catalog: Catalog, tables: dict[str, ResourceTable]
) -> tuple[Draft | None, list[Diagnostic]]:
    """The draft model of one input (None, with the diagnostics that say why, when it has none)."""
    if code_kind(path) == "terraform":
        result = import_terraform(path, shown, tables["terraform"], catalog, name=path.stem)
        return result.draft, result.diagnostics
    raw, unreadable = read_input_file(path, shown)
    if raw is None:
        return None, unreadable
    document, problems = load_template(shown, raw)
    if document is None:
        return None, problems
    imported = import_template(document, tables["cloudformation"], catalog, name=path.stem, base=path.parent)
    return imported.draft, [*problems, *imported.diagnostics]
