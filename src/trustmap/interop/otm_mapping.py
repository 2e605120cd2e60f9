"""The OTM import table (`models/otm.yaml`): component types, zone kinds, classifications."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trustmap.catalog import Catalog, builtin_catalog_dir
from trustmap.diagnostics import Diagnostic, did_you_mean
from trustmap.input_file import read_input_file
from trustmap.model import BoundaryKind, Classification
from trustmap.schema_errors import diagnostics_from_validation_error
from trustmap.source import load_yaml

__all__ = ["OtmTable", "ZoneKind", "load_otm_table"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ZoneKind(_Entry):
    match: Annotated[list[str], Field(min_length=1)]
    kind: BoundaryKind
    public: bool = False


class ClassificationRule(_Entry):
    at_least: Annotated[float, Field(ge=0, le=100)]
    classification: Classification


class OtmTable(_Entry):
    component_types: dict[str, str] = Field(default_factory=dict)
    container_types: list[str] = Field(default_factory=list)
    zone_kinds: list[ZoneKind] = Field(default_factory=list)
    classification: list[ClassificationRule] = Field(default_factory=list)

    def guess_kind(self, *texts: str) -> tuple[str, bool]:
        """The boundary kind (and whether public) that the texts suggest; `custom` by default."""
        haystack = " ".join(t.lower() for t in texts if t)
        for rule in self.zone_kinds:
            if any(word in haystack for word in rule.match):
                return rule.kind, rule.public
        return "custom", False

    def classify(self, confidentiality: float) -> Literal["public", "internal", "confidential", "restricted"]:
        for rule in self.classification:
            if confidentiality >= rule.at_least:
                return rule.classification
        return "internal"


class OtmFile(_Entry):
    otm: OtmTable


def load_otm_table(catalog: Catalog, path: Path | None = None) -> tuple[OtmTable | None, list[Diagnostic]]:
    """Read and check the table (the built-in `models/otm.yaml` by default)."""
    file = path or builtin_catalog_dir() / "otm.yaml"
    label = "models/otm.yaml" if path is None else file.as_posix()
    raw, unreadable = read_input_file(file, label)
    if raw is None:
        return None, unreadable
    document, problems = load_yaml(label, raw)
    if document is None:
        return None, problems
    try:
        table = OtmFile.model_validate(document.data).otm
    except ValidationError as error:
        return None, [*problems, *diagnostics_from_validation_error(error, document, OtmFile)]
    for type_name, service in table.component_types.items():
        if catalog.canonical_service(service) is None:
            problems.append(
                Diagnostic(
                    "E204",
                    f"unknown service '{service}'{did_you_mean(service, catalog.services)}",
                    label,
                    document.source_map.value(("otm", "component_types", type_name)),
                )
            )
    return (None if problems else table), problems
