"""The checklist as printed by `trustmap checklist` (json here; md and csv in their modules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from trustmap.analysis import Analysis
from trustmap.findings import Subject
from trustmap.render.checklist_csv import render_checklist_csv
from trustmap.render.checklist_md import render_checklist_md
from trustmap.render.report_json import (
    EncodedList,
    ItemEncoder,
    controls_described,
    encoded_line,
    iter_by_element,
)

__all__ = ["CHECKLIST_RENDERERS", "CHECKLIST_STREAMS", "iter_checklist_json", "render_checklist_json"]


def iter_checklist_json(analysis: Analysis) -> Iterator[str]:
    """The checklist, findings, questions and attack paths of report.json (format
    `trustmap-checklist/1`), as a stream of text, one component or flow at a time."""
    graph, report = analysis.graph, analysis.report
    encoder = ItemEncoder()

    def entry(subject: Subject, **values: object) -> str:
        return encoder.entry({**values, "checklist": encoder.checklist(report.checklists.get(subject, ()))})

    document = {
        "controls": controls_described(analysis),
        "components": EncodedList(
            entry(Subject("component", c.id), id=c.id, name=c.name) for c in graph.components()
        ),
        "findings": EncodedList(encoded_line(f.to_json()) for f in report.findings),
        "questions": EncodedList(encoded_line(q.to_json()) for q in report.questions),
        "attack_paths": EncodedList(encoded_line(p.to_json()) for p in report.attack_paths),
        "flows": EncodedList(
            entry(Subject("flow", flow.id), id=flow.id) for flow in sorted(graph.flows(), key=lambda f: f.id)
        ),
        "format": "trustmap-checklist/1",
        "model": {
            "checklist": encoder.checklist(report.checklists.get(Subject("model", "model"), ())),
            "name": graph.model.name,
            "source": graph.path,
        },
        "principals": EncodedList(
            entry(Subject("principal", p.id), id=p.id)
            for p in sorted(graph.permissions.principals.values(), key=lambda p: p.id)
        ),
        "summary": report.summary(),
    }
    return iter_by_element(document, encoder)


def render_checklist_json(analysis: Analysis) -> str:
    return "".join(iter_checklist_json(analysis))


#: md first: it is the default format of `trustmap checklist`.
CHECKLIST_RENDERERS: dict[str, Callable[[Analysis], str]] = {
    "md": render_checklist_md,
    "json": render_checklist_json,
    "csv": render_checklist_csv,
}

#: each format as a stream of text, for `trustmap checklist` to write as it is made
CHECKLIST_STREAMS: dict[str, Callable[[Analysis], Iterator[str]]] = {
    "md": lambda analysis: iter((render_checklist_md(analysis),)),
    "json": iter_checklist_json,
    "csv": lambda analysis: iter((render_checklist_csv(analysis),)),
}
