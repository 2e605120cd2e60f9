"""The checklist as printed by `trustmap checklist` (json here; md and csv in their modules)."""

from __future__ import annotations

from collections.abc import Callable

from trustmap.analysis import Analysis
from trustmap.render.checklist_csv import render_checklist_csv
from trustmap.render.checklist_md import render_checklist_md
from trustmap.render.report_json import dump_by_element, report_document

__all__ = ["CHECKLIST_RENDERERS", "render_checklist_json"]


def render_checklist_json(analysis: Analysis) -> str:
    document = report_document(analysis)
    keep = {
        "controls": document["controls"],
        "components": [
            {"checklist": c["checklist"], "id": c["id"], "name": c["name"]} for c in document["components"]
        ],
        "findings": document["findings"],
        "questions": document["questions"],
        "attack_paths": document["attack_paths"],
        "flows": [{"checklist": f["checklist"], "id": f["id"]} for f in document["flows"]],
        "format": "trustmap-checklist/1",
        "model": {
            "checklist": document["model"]["checklist"],
            "name": document["model"]["name"],
            "source": document["model"]["source"],
        },
        "principals": [{"checklist": p["checklist"], "id": p["id"]} for p in document["principals"]],
        "summary": document["summary"],
    }
    return dump_by_element(keep)


#: md first: it is the default format of `trustmap checklist`.
CHECKLIST_RENDERERS: dict[str, Callable[[Analysis], str]] = {
    "md": render_checklist_md,
    "json": render_checklist_json,
    "csv": render_checklist_csv,
}
