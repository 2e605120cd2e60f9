"""Fixtures for the interoperability tests: tables, analysed examples, import helpers."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trustmap.catalog import Catalog
from trustmap.diagnostics import format_diagnostics
from trustmap.interop.cloudformation.importer import CfnImport, import_template
from trustmap.interop.cloudformation.reader import load_template
from trustmap.interop.mapping import ResourceTable, load_mapping
from trustmap.interop.model_writer import render_model
from trustmap.interop.otm.table import OtmTable, load_otm_table
from trustmap.interop.terraform.importer import TfImport, import_terraform
from trustmap.model import Model
from trustmap.validate import load_model

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
OTM_FILES = HERE / "otm"
SCHEMA = OTM_FILES / "otm-0.2.0.schema.json"


@pytest.fixture(scope="session")
def mapping(catalog: Catalog) -> ResourceTable:
    found, problems = load_mapping(catalog)
    assert found is not None, format_diagnostics(problems)
    return found


@pytest.fixture(scope="session")
def tf_table(catalog: Catalog) -> ResourceTable:
    """The Terraform wing of the mapping table."""
    found, problems = load_mapping(catalog, wing="terraform")
    assert found is not None, format_diagnostics(problems)
    return found


@pytest.fixture(scope="session")
def otm_table(catalog: Catalog) -> OtmTable:
    found, problems = load_otm_table(catalog)
    assert found is not None, format_diagnostics(problems)
    return found


@pytest.fixture(scope="session")
def otm_schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())


@dataclass
class Imported:
    result: CfnImport
    text: str
    model: Model

    def component(self, logical_id: str) -> Any:
        return self.model.components[self.result.components[logical_id]]


def validated(text: str, catalog: Catalog, name: str = "imported.yaml") -> Model:
    """The model the text holds; fails the test with the diagnostics when it does not validate."""
    loaded, problems = load_model(name, text.encode(), catalog, today=dt.date(2026, 11, 28))
    assert loaded is not None, format_diagnostics(problems, text.splitlines()) + "\n\n" + text
    return loaded.model


def import_cfn(path: Path, mapping: ResourceTable, catalog: Catalog) -> Imported:
    document, problems = load_template(path.name, path.read_bytes())
    assert document is not None, format_diagnostics(problems)
    result = import_template(document, mapping, catalog, name=path.stem)
    assert result.draft is not None, format_diagnostics(result.diagnostics)
    text = render_model(result.draft)
    return Imported(result, text, validated(text, catalog))


def import_tf(path: Path, table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    """A Terraform folder imported: the result, the model it validates to, and its text."""
    result = import_terraform(path, path.name, table, catalog, name=path.stem)
    assert result.draft is not None, result.diagnostics
    text = render_model(result.draft)
    return result, validated(text, catalog), text
