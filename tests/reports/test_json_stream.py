"""report.json and the JSON checklist are written as a stream; the bytes are those of the
whole document encoded at once (`dump_by_element(report_document(...))`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_NAMES
from trustmap.analysis import Analysis
from trustmap.findings import ChecklistItem, Decision, Subject
from trustmap.render.checklist import iter_checklist_json, render_checklist_json
from trustmap.render.report_json import (
    ItemEncoder,
    dump_by_element,
    encoded_line,
    iter_report_json,
    render_report_json,
    report_document,
)


def whole_checklist(analysis: Analysis) -> str:
    """The JSON checklist as it was made before it was streamed: from the whole report document."""
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


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_streamed_report_is_the_whole_document(name: str, example: Callable[[str], Analysis]) -> None:
    analysis = example(name)
    assert render_report_json(analysis) == dump_by_element(report_document(analysis))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_streamed_checklist_is_the_whole_document(name: str, example: Callable[[str], Analysis]) -> None:
    analysis = example(name)
    assert render_checklist_json(analysis) == whole_checklist(analysis)


def test_the_stream_comes_one_element_at_a_time(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    for chunks in (list(iter_report_json(analysis)), list(iter_checklist_json(analysis))):
        components = len(analysis.graph.model.components)
        assert len(chunks) > components  # at least one piece per component


def test_empty_lists_are_written_as_the_whole_document_writes_them(
    example: Callable[[str], Analysis],
) -> None:
    import dataclasses

    analysis = example("shop")
    bare = dataclasses.replace(
        analysis, report=dataclasses.replace(analysis.report, findings=(), questions=(), attack_paths=())
    )
    assert render_report_json(bare) == dump_by_element(report_document(bare))
    assert render_checklist_json(bare) == whole_checklist(bare)


text = st.text(st.characters(codec="utf-8"), max_size=12)


@st.composite
def items(draw: st.DrawFn) -> ChecklistItem:
    decision = draw(
        st.none()
        | st.builds(
            Decision,
            pattern=text,
            status=text,
            reason=text,
            owner=st.none() | text,
            expires=st.none(),
            ticket=st.none(),
        )
    )
    return ChecklistItem(
        id=draw(text),
        code=draw(st.none() | text),
        title=draw(text),
        category=draw(text),
        owner=draw(text),
        status=draw(text),
        severity=draw(text),
        reason=draw(text),
        subject=Subject(draw(st.sampled_from(["component", "flow", "model"])), draw(text)),
        decision=decision,
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(items(), max_size=6))
def test_an_item_is_encoded_as_its_json(found: list[ChecklistItem]) -> None:
    """Whatever the text (quotes, control characters, other scripts), and when items share all
    but their key, the reused parts give the encoding of the item itself."""
    encoder = ItemEncoder()
    twice: list[Any] = [*found, *found]
    assert [encoder.item(item) for item in twice] == [encoded_line(item.to_json()) for item in twice]
    entry = {"id": "x", "checklist": encoder.checklist(found)}
    assert encoder.entry(entry) == encoded_line({"id": "x", "checklist": [i.to_json() for i in found]})
