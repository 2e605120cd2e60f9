"""Read an OTM document (JSON or YAML) leniently into plain element records.

Published OTM documents do not always follow the schema (see docs/interop.md): parents given as
a bare string or with both keys, dataflows with `target` instead of `destination`, missing
names or trust ratings, explicit nulls everywhere, numbers as ids. This module accepts all of
that and reports only what makes an element unusable (W411, positioned), so that the importer
works on clean records.

Diagnostics of the OTM import:

- E410 the document is not an OTM document (no `otmVersion`, `project`, `trustZones` or `components`)
- E411 a section (`trustZones`, `components`, `dataflows`, `assets`) is not a list
- E412 no element of the document can become a component (a model needs at least one)
- W411 an element was skipped: not a mapping, or without an id
- W412 a dataflow was skipped: an end is unknown or is not a component, or it loops on itself
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustmap.diagnostics import Diagnostic, Span
from trustmap.line_breaks import editor_lines
from trustmap.source import Document, Path, SourceMap, decode_text, load_json, load_yaml

__all__ = ["Element", "OtmFlow", "OtmRecords", "load_otm", "read_records"]

SECTIONS = ("trustZones", "components", "dataflows", "assets")


@dataclass
class Element:
    """A trust zone, component or asset as the OTM document gives it."""

    otm_id: str
    name: str
    section: str
    type: str
    parent: tuple[str, str] | None  # ("trustZone" | "component" | "any", id)
    attributes: dict[str, str]
    tags: list[str]
    description: str | None
    raw: dict[str, Any]
    path: Path


@dataclass
class OtmFlow:
    otm_id: str
    name: str | None
    source: str
    destination: str
    bidirectional: bool
    attributes: dict[str, str]
    tags: list[str]
    assets: list[str]
    description: str | None
    path: Path


@dataclass
class OtmRecords:
    project: dict[str, Any]
    zones: list[Element] = field(default_factory=list)
    components: list[Element] = field(default_factory=list)
    assets: list[Element] = field(default_factory=list)
    flows: list[OtmFlow] = field(default_factory=list)
    threats: int = 0
    mitigations: int = 0
    #: risk decisions recorded on threats by `trustmap export otm` (attributes `decision_*`)
    decisions: list[dict[str, str]] = field(default_factory=list)


def load_otm(path: str, raw: bytes) -> tuple[Document | None, list[Diagnostic]]:
    """Parse the file with positions (YAML, which JSON mostly is); plain JSON as a fallback.

    The fallback reads JSON that the YAML reader refuses (tabs, odd escapes) with the same
    limits (`source.load_json`): a document that is too large, too deep or holds a number
    Python cannot read is refused either way, with the YAML reader's positioned diagnostic.
    """
    document, problems = load_yaml(path, raw)
    if document is not None:
        return document, problems
    if any(problem.code == "E007" for problem in problems):
        return None, problems  # beyond a limit: JSON would be too
    text, _ = decode_text(path, raw)
    if text is None:
        return None, problems  # the YAML reader's E004, at the first byte that is not UTF-8
    data, json_problem = load_json(path, text)
    if json_problem is not None and (json_problem.code == "E007" or text.lstrip().startswith(("{", "["))):
        return None, [json_problem]  # a JSON document's error is a JSON error, not YAML's
    if not isinstance(data, dict):
        return None, problems
    # no positions, but readable
    return Document(path, data, SourceMap(values={(): Span.point(1, 1)}), editor_lines(text)), []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _attributes(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): text for k, v in value.items() if (text := _text(v)) is not None}


def _tags(value: Any) -> list[str]:
    return [text for item in value if (text := _text(item))] if isinstance(value, list) else []


def _parent(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict):
        for key in ("component", "trustZone", "trustzone", "zone"):
            text = _text(value.get(key))
            if text:
                return ("component" if key == "component" else "trustZone", text)
        return None
    text = _text(value)
    return ("any", text) if text else None


_WHAT = {"trustZones": "trust zone", "components": "component", "assets": "asset"}


@dataclass
class _Reader:
    document: Document
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, path: Path, what: str) -> None:
        self.diagnostics.append(
            Diagnostic("W411", f"{what}; skipped", self.document.path, self.document.source_map.value(path))
        )

    def section(self, key: str) -> list[tuple[int, Any]]:
        value = self.document.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.diagnostics.append(
                Diagnostic(
                    "E411",
                    f"'{key}' must be a list, not a "
                    f"{'mapping' if isinstance(value, dict) else type(value).__name__}",
                    self.document.path,
                    self.document.source_map.value((key,)),
                )
            )
            return []
        return list(enumerate(value))

    def element(self, section: str, index: int, raw: Any) -> Element | None:
        path: Path = (section, index)
        if not isinstance(raw, dict):
            self.skip(path, f"{section} entry {index + 1} is not a mapping")
            return None
        otm_id = _text(raw.get("id"))
        if not otm_id:
            self.skip(path, f"{section} entry {index + 1} has no id")
            return None
        return Element(
            otm_id=otm_id,
            name=_text(raw.get("name")) or otm_id,
            section=section,
            type=_text(raw.get("type")) or "",
            parent=_parent(raw.get("parent")),
            attributes=_attributes(raw.get("attributes")),
            tags=_tags(raw.get("tags")),
            description=_text(raw.get("description")),
            raw=raw,
            path=path,
        )

    def tell_apart(self, elements: list[Element]) -> None:
        """Give each later element whose id an earlier one has a new one of its own (W413): both
        are imported, and references to the id (parents, flow ends) mean the first."""
        seen = {element.otm_id for element in elements}
        first: dict[str, Element] = {}
        for element in elements:
            holder = first.setdefault(element.otm_id, element)
            if holder is element:
                continue
            number = 2
            while f"{element.otm_id} ({number})" in seen:
                number += 1
            renamed = f"{element.otm_id} ({number})"
            seen.add(renamed)
            self.diagnostics.append(
                Diagnostic(
                    "W413",
                    f"{_WHAT[element.section]} '{element.name}' has the id '{element.otm_id}' of "
                    f"{_WHAT[holder.section]} '{holder.name}'; both are imported, and what names "
                    f"'{element.otm_id}' means '{holder.name}'",
                    self.document.path,
                    self.document.source_map.value((*element.path, "id")),
                )
            )
            element.otm_id = renamed

    def flow(self, index: int, raw: Any) -> OtmFlow | None:
        path: Path = ("dataflows", index)
        if not isinstance(raw, dict):
            self.skip(path, f"dataflow {index + 1} is not a mapping")
            return None
        source = _text(raw.get("source", raw.get("from")))
        destination = _text(raw.get("destination", raw.get("target", raw.get("to"))))
        if not source or not destination:
            self.skip(path, f"dataflow {index + 1} lacks a source or a destination")
            return None
        assets = raw.get("assets")
        return OtmFlow(
            otm_id=_text(raw.get("id")) or f"{source}->{destination}",
            name=_text(raw.get("name")),
            source=source,
            destination=destination,
            bidirectional=raw.get("bidirectional") is True,
            attributes=_attributes(raw.get("attributes")),
            tags=_tags(raw.get("tags")),
            assets=_tags(assets),
            description=_text(raw.get("description")),
            path=path,
        )


def read_records(document: Document) -> tuple[OtmRecords | None, list[Diagnostic]]:
    """The document's elements as records; None (E410) when it is not an OTM document."""
    data = document.data
    if "otmVersion" not in data:
        return None, [
            Diagnostic(
                "E410",
                "not an Open Threat Model document: it has no 'otmVersion' (expected 'otmVersion', "
                "'project' and 'components')",
                document.path,
                document.source_map.value(()),
            )
        ]
    reader = _Reader(document)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    records = OtmRecords(project=project)
    for key, target in (
        ("trustZones", records.zones),
        ("components", records.components),
        ("assets", records.assets),
    ):
        for index, raw in reader.section(key):
            element = reader.element(key, index, raw)
            if element is not None:
                target.append(element)
    # Zones and components share one set of ids (a parent or a flow end names either), the
    # components first: flows, the most references, end at components. Assets have their own.
    reader.tell_apart([*records.components, *records.zones])
    reader.tell_apart(records.assets)
    for index, raw in reader.section("dataflows"):
        flow = reader.flow(index, raw)
        if flow is not None:
            records.flows.append(flow)
    records.threats = len(data["threats"]) if isinstance(data.get("threats"), list) else 0
    for threat in data["threats"] if isinstance(data.get("threats"), list) else []:
        attributes = _attributes(threat.get("attributes")) if isinstance(threat, dict) else {}
        decision = {
            k.removeprefix("decision_"): v for k, v in attributes.items() if k.startswith("decision_")
        }
        if decision.get("finding") and decision not in records.decisions:
            records.decisions.append(decision)
    records.mitigations = len(data["mitigations"]) if isinstance(data.get("mitigations"), list) else 0
    return records, reader.diagnostics
