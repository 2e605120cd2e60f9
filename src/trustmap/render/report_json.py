"""report.json: everything, machine-readable (format `trustmap-report/1`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from json.encoder import encode_basestring
from typing import Any

from trustmap import __version__
from trustmap.analysis import Analysis
from trustmap.findings import ChecklistItem, Subject
from trustmap.free_text import json_text
from trustmap.gc_pause import paused_gc
from trustmap.graph import ComponentInfo, FlowInfo, Record, field_values, reported_fields

__all__ = [
    "REPORT_FORMAT",
    "EncodedList",
    "ItemEncoder",
    "controls_described",
    "dump_by_element",
    "encoded_line",
    "iter_by_element",
    "iter_report_json",
    "render_report_json",
    "report_document",
]

REPORT_FORMAT = "trustmap-report/1"


#: report.json's names for record fields that it spells differently
_JSON_NAMES = {"source": "from", "target": "to"}


def _entry(analysis: Analysis, subject: Subject, record: Record) -> dict[str, Any]:
    """A component or flow: every reported field of its record, and its checklist."""
    entry = {
        _JSON_NAMES.get(name, name): value
        for name, value in field_values(record, reported_fields(type(record))).items()
    }
    entry["checklist"] = [item.to_json() for item in analysis.report.checklists.get(subject, ())]
    return entry


def _boundaries(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "description": b.description,
            "id": b.id,
            "kind": b.kind,
            "name": b.name,
            "parent": b.parent,
            "path": list(b.path),
            "public": b.public,
            "trust": b.trust,
        }
        for b in sorted(analysis.graph.boundaries.values(), key=lambda b: b.id)
    ]


def _data(analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "classification": asset.classification,
            "description": asset.description,
            "id": data_id,
            "name": asset.name or data_id,
            "regulations": sorted(asset.regulations),
        }
        for data_id, asset in sorted(analysis.graph.model.data.items())
    ]


def _model(analysis: Analysis, checklist: Any) -> dict[str, Any]:
    graph = analysis.graph
    model = graph.model
    return {
        "checklist": checklist,
        "controls": list(graph.model_controls),
        "description": model.description,
        "name": model.name,
        "owner": model.owner,
        "region": model.region,
        "source": graph.path,
    }


def report_document(analysis: Analysis) -> dict[str, Any]:
    """The report as plain JSON-ready data (in memory: `iter_report_json` writes it as a stream)."""
    graph = analysis.graph
    model_items = analysis.report.checklists.get(Subject("model", "model"), ())
    return {
        "boundaries": _boundaries(analysis),
        "catalog": {"digest": analysis.catalog.digest},
        "components": [_entry(analysis, Subject("component", c.id), c) for c in graph.components()],
        "controls": controls_described(analysis),
        "data": _data(analysis),
        "diagnostics": [d.to_json() for d in analysis.diagnostics],
        "findings": [f.to_json() for f in analysis.report.findings],
        "questions": [q.to_json() for q in analysis.report.questions],
        "attack_paths": [p.to_json() for p in analysis.report.attack_paths],
        "flows": [
            _entry(analysis, Subject("flow", flow.id), flow)
            for flow in sorted(graph.flows(), key=lambda f: f.id)
        ],
        "format": REPORT_FORMAT,
        # format 1.2: the checklist of each principal (its record is the model's `principals`)
        "principals": [
            {
                "checklist": [
                    item.to_json() for item in analysis.report.checklists.get(Subject("principal", p.id), ())
                ],
                "id": p.id,
                "kind": p.kind,
                "name": p.name,
            }
            for p in sorted(graph.permissions.principals.values(), key=lambda p: p.id)
        ],
        "model": _model(analysis, [item.to_json() for item in model_items]),
        "summary": analysis.report.summary(),
        "tool": {"name": "trustmap", "version": __version__},
    }


class EncodedList:
    """A top-level list of a JSON document whose elements come encoded, one at a time (see
    `iter_by_element`): a component's entry is encoded, written and dropped before the next."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = lines


class Encoded:
    """A value already encoded as JSON text (the checklist inside an entry)."""

    def __init__(self, text: str) -> None:
        self.text = text


class ItemEncoder:
    """Checklist items and the entries that hold them, encoded as `_line` would encode their
    `to_json()`, byte for byte.

    Most items of a large model differ only in their key and reason: the same control with the
    same status on many components. The text around them is encoded once per (control, status,
    ...) and reused, each reason once; items with a decision are encoded whole.
    """

    def __init__(self) -> None:
        self.parts: dict[tuple[str | None, ...], tuple[str, str, str]] = {}
        #: each reason's JSON text (many name their subject, so they are encoded apart)
        self.reasons: dict[str, str] = {}
        #: the last subject id seen, and its text inside a JSON string (its items follow it)
        self.subject: tuple[str, str] = ("", "")

    def item(self, item: ChecklistItem) -> str:
        if item.decision is not None:
            return encoded_line(item.to_json())
        signature = (item.id, item.code, item.title, item.category, item.owner, item.status, item.severity)
        found = self.parts.get(signature)
        if found is None:
            # The key is `subject/id`: JSON escapes character by character, so its text is the
            # subject's escaped text, then "/" and the id's, and only the subject's varies.
            head = (
                f'{{"category": {encoded_line(item.category)}, "code": {encoded_line(item.code)}, '
                f'"controls": [{encoded_line(item.id)}], "id": {encoded_line(item.id)}, "key": "'
            )
            middle = f'/{_inside(item.id)}", "owner": {encoded_line(item.owner)}, "reason": '
            tail = (
                f', "severity": {encoded_line(item.severity)}, "status": {encoded_line(item.status)}, '
                f'"title": {encoded_line(item.title)}}}'
            )
            found = self.parts[signature] = (head, middle, tail)
        reason = self.reasons.get(item.reason)
        if reason is None:
            reason = self.reasons[item.reason] = encoded_line(item.reason)
        subject_id = item.subject.id
        if self.subject[0] != subject_id:
            self.subject = (subject_id, _inside(subject_id))
        return found[0] + self.subject[1] + found[1] + reason + found[2]

    def checklist(self, items: Iterable[ChecklistItem]) -> Encoded:
        return Encoded("[" + ", ".join([self.item(item) for item in items]) + "]")

    def entry(self, values: Mapping[str, Any]) -> str:
        """A JSON object with sorted keys, as `json.dumps(..., sort_keys=True)` writes it; an
        `Encoded` value is written as it is."""
        # Runs of plain values go to the C encoder whole (a component has some 80 fields),
        # split around each encoded value; its text is `{` + fields joined by ", " + `}`.
        parts: list[str] = []
        plain: dict[str, Any] = {}
        for name in sorted(values):
            value = values[name]
            if isinstance(value, Encoded):
                if plain:
                    parts.append(encoded_line(plain)[1:-1])
                    plain = {}
                parts.append(f"{encoded_line(name)}: {value.text}")
            else:
                plain[name] = value
        if plain:
            parts.append(encoded_line(plain)[1:-1])
        return "{" + ", ".join(parts) + "}"


def _entry_layout(
    record_type: type[Record],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The reported fields of a record type as (JSON name, field), in the order of their JSON
    names, split around "checklist": an entry's keys are written sorted."""
    named = sorted((_JSON_NAMES.get(name, name), name) for name in reported_fields(record_type))
    return (
        tuple(pair for pair in named if pair[0] < "checklist"),
        tuple(pair for pair in named if pair[0] > "checklist"),
    )


_ENTRY_LAYOUTS = {record_type: _entry_layout(record_type) for record_type in (ComponentInfo, FlowInfo)}


def _entry_stream(analysis: Analysis, encoder: ItemEncoder, subject: Subject, record: Record) -> str:
    """`_entry`, encoded: the same text as `encoded_line(_entry(...))`, the fields on either side
    of the checklist each encoded by one call of the C encoder."""
    before, after = _ENTRY_LAYOUTS[type(record)]
    parts = []
    if before:
        parts.append(encoded_line({key: getattr(record, name) for key, name in before})[1:-1])
    parts.append('"checklist": ' + encoder.checklist(analysis.report.checklists.get(subject, ())).text)
    if after:
        parts.append(encoded_line({key: getattr(record, name) for key, name in after})[1:-1])
    return "{" + ", ".join(parts) + "}"


def iter_report_json(analysis: Analysis) -> Iterator[str]:
    """report.json as a stream of text, one component, flow or finding at a time: the same
    bytes as `dump_by_element(report_document(analysis))`, without the whole report in memory."""
    graph = analysis.graph
    encoder = ItemEncoder()
    model_items = analysis.report.checklists.get(Subject("model", "model"), ())
    document: dict[str, Any] = {
        "boundaries": _boundaries(analysis),
        "catalog": {"digest": analysis.catalog.digest},
        "components": EncodedList(
            _entry_stream(analysis, encoder, Subject("component", c.id), c) for c in graph.components()
        ),
        "controls": controls_described(analysis),
        "data": _data(analysis),
        "diagnostics": [d.to_json() for d in analysis.diagnostics],
        "findings": EncodedList(encoded_line(f.to_json()) for f in analysis.report.findings),
        "questions": EncodedList(encoded_line(q.to_json()) for q in analysis.report.questions),
        "attack_paths": EncodedList(encoded_line(p.to_json()) for p in analysis.report.attack_paths),
        "flows": EncodedList(
            _entry_stream(analysis, encoder, Subject("flow", flow.id), flow)
            for flow in sorted(graph.flows(), key=lambda f: f.id)
        ),
        "format": REPORT_FORMAT,
        "principals": EncodedList(
            encoder.entry(
                {
                    "checklist": encoder.checklist(
                        analysis.report.checklists.get(Subject("principal", p.id), ())
                    ),
                    "id": p.id,
                    "kind": p.kind,
                    "name": p.name,
                }
            )
            for p in sorted(graph.permissions.principals.values(), key=lambda p: p.id)
        ),
        "model": _model(analysis, encoder.checklist(model_items)),
        "summary": analysis.report.summary(),
        "tool": {"name": "trustmap", "version": __version__},
    }
    return iter_by_element(document, encoder)


def controls_described(analysis: Analysis) -> dict[str, Any]:
    """Every control that some checklist lists, described once."""
    used = sorted({item.id for items in analysis.report.checklists.values() for item in items})
    catalog = analysis.catalog
    described: dict[str, Any] = {}
    for control_id in used:
        control = catalog.controls[control_id]
        described[control_id] = {
            "category": control.category,
            "code": control.code,
            "compliance": control.compliance.as_dict(),
            "evidence": control.evidence_text,
            "owner": control.owner,
            "remediation": control.remediation,
            "threats": list(catalog.threats_mitigated_by(control_id)),
            "title": control.title,
        }
    return described


#: `json.dumps(..., sort_keys=True, ensure_ascii=False)` without making an encoder per call
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def encoded_line(value: Any) -> str:
    """`value` as one line of JSON: sorted keys, UTF-8 text with control characters escaped."""
    if type(value) is str:  # most values: the encoder's own string step, without its set-up
        return json_text(encode_basestring(value))
    return json_text(_ENCODER.encode(value))


def _inside(text: str) -> str:
    """`text` as `encoded_line` writes it inside a JSON string (without the quotes)."""
    return encoded_line(text)[1:-1]


def render_report_json(analysis: Analysis) -> str:
    return "".join(iter_report_json(analysis))


def dump_by_element(document: dict[str, Any]) -> str:
    """JSON with sorted keys and each element of a top-level list or mapping (a component, a
    flow, a finding) on a line of its own: reviews diff per element, and large models encode
    with the C encoder (an indented dump runs CPython's slow pure-Python one)."""
    parts = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, list) and value:
            body = ",\n".join("    " + encoded_line(item) for item in value)
            parts.append(f"  {encoded_line(key)}: [\n{body}\n  ]")
        elif isinstance(value, dict) and value:
            body = ",\n".join(f"    {encoded_line(k)}: {encoded_line(value[k])}" for k in sorted(value))
            parts.append(f"  {encoded_line(key)}: {{\n{body}\n  }}")
        else:
            parts.append(f"  {encoded_line(key)}: {encoded_line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def iter_by_element(document: Mapping[str, Any], encoder: ItemEncoder | None = None) -> Iterator[str]:
    """`dump_by_element`, as a stream of text: an `EncodedList` is written element by element
    as it is produced, and a mapping holding `Encoded` values through `encoder`."""
    encoder = encoder or ItemEncoder()
    # The pieces are short-lived and hold no cycles, while the analysis they are made from is
    # millions of objects the cyclic collector would rescan again and again (gc_pause.py).
    with paused_gc():
        yield from _by_element(document, encoder)


def _by_element(document: Mapping[str, Any], encoder: ItemEncoder) -> Iterator[str]:
    yield "{\n"
    for index, key in enumerate(sorted(document)):
        if index:
            yield ",\n"
        value = document[key]
        if isinstance(value, EncodedList):
            lines = iter(value.lines)
            first = next(lines, None)
            if first is None:
                yield f"  {encoded_line(key)}: []"
                continue
            yield f"  {encoded_line(key)}: [\n    {first}"
            for line in lines:
                yield f",\n    {line}"
            yield "\n  ]"
        elif isinstance(value, list) and value:
            yield (
                f"  {encoded_line(key)}: [\n"
                + ",\n".join("    " + encoded_line(item) for item in value)
                + "\n  ]"
            )
        elif isinstance(value, dict) and value:
            body = ",\n".join(f"    {encoded_line(k)}: {_value(encoder, value[k])}" for k in sorted(value))
            yield f"  {encoded_line(key)}: {{\n{body}\n  }}"
        else:
            yield f"  {encoded_line(key)}: {encoded_line(value)}"
    yield "\n}\n"


def _value(encoder: ItemEncoder, value: Any) -> str:
    if isinstance(value, Encoded):
        return value.text
    if isinstance(value, dict) and any(isinstance(v, Encoded) for v in value.values()):
        return encoder.entry(value)
    return encoded_line(value)
