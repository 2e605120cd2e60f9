"""The YAML loader: plain data, positions, and refusal of unsafe or broken input."""

from __future__ import annotations

import datetime as dt
import gc
import time
import tracemalloc

import pytest

from trustmap.diagnostics import Span
from trustmap.gc_pause import paused_gc
from trustmap.source import Limits, load_yaml


def load(text: str | bytes, limits: Limits = Limits()):  # type: ignore[no-untyped-def]
    raw = text.encode() if isinstance(text, str) else text
    return load_yaml("m.yaml", raw, limits)


def test_plain_data_with_core_schema_scalars() -> None:
    """Scalars follow the YAML core schema: ints, bools, dates, strings."""
    document, problems = load("a: 1\nb: true\nc: 2027-06-30\nd: text\ne: [x, 'y']\n")
    assert problems == []
    assert document is not None
    assert document.data == {
        "a": 1,
        "b": True,
        "c": dt.date(2027, 6, 30),
        "d": "text",
        "e": ["x", "y"],
    }


def test_positions_of_keys_and_values() -> None:
    """Every key and value has a 1-based line and column."""
    document, _ = load("top:\n  inner: [1, {deep: 3}]\n")
    assert document is not None
    assert document.source_map.keys[("top", "inner")] == Span(2, 3, 2, 8)
    assert document.source_map.value(("top", "inner", 1, "deep")) == Span(2, 21, 2, 22)


def test_missing_path_falls_back_to_closest_ancestor() -> None:
    document, _ = load("top:\n  inner: 1\n")
    assert document is not None
    assert document.source_map.value(("top", "inner", "absent")) == document.source_map.value(
        ("top", "inner")
    )


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    document, problems = load("a: 1\nb: 2\na: 3\n")
    assert [p.headline() for p in problems] == [
        "m.yaml:3:1: E002 duplicate key 'a' (first defined at line 1); "
        "YAML would silently keep only the last value"
    ]
    assert document is not None  # the rest of the file is still checked


def test_a_plain_scalar_that_only_looks_like_a_date_stays_text() -> None:
    """`2027-13-40` is no date: it is read as text, so the model's checks say which key wanted
    a date and still check the rest of the file; an explicit `!!timestamp` is still refused."""
    document, problems = load("a: 2027-13-40\nb: 2027-02-30\nc: 2027-06-30\n")
    assert problems == []
    assert document is not None
    assert document.data == {"a": "2027-13-40", "b": "2027-02-30", "c": dt.date(2027, 6, 30)}
    document, problems = load("a: !!timestamp 2027-13-40\n")
    assert document is None
    assert [p.code for p in problems] == ["E001"]


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !Ref Bucket\n",
        "a: !!set {x, y}\n",
    ],
)
def test_object_building_and_custom_tags_are_refused(text: str) -> None:
    document, problems = load(text)
    assert document is None
    assert [p.code for p in problems] == ["E003"]
    assert problems[0].span is not None and problems[0].span.line == 1


def test_non_utf8_is_refused_at_the_bad_byte() -> None:
    document, problems = load(b"name: ok\nbad: caf\xe9\n")
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [("E004", 2, 9)]


def test_utf8_bom_is_accepted() -> None:
    document, problems = load("\ufeffa: 1\n".encode())
    assert problems == [] and document is not None and document.data == {"a": 1}


@pytest.mark.parametrize("text", ["", "   \n# only a comment\n", "~\n", "null\n"])
def test_empty_documents_are_refused(text: str) -> None:
    document, problems = load(text)
    assert document is None
    assert [p.code for p in problems] == ["E005"]


@pytest.mark.parametrize(
    ("text", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a str"), ("42\n", "a int")]
)
def test_non_mapping_documents_are_refused(text: str, kind: str) -> None:
    document, problems = load(text)
    assert document is None
    assert problems[0].code == "E006"
    assert f"the document is {kind}, not a mapping" in problems[0].message


def test_syntax_error_is_positioned() -> None:
    _, problems = load("a: [1, 2\nb: 3\n")
    assert problems[0].code == "E001"
    assert problems[0].line == 2


@pytest.mark.parametrize(
    ("text", "line", "column", "opened"),
    [
        ("a: 1\nb: [1, 2\n", 2, 4, "flow sequence"),
        ("a: 1\nb: {c: 2\n\n", 2, 4, "flow mapping"),
        ('a: 1\nb: "text', 2, 4, "quoted scalar"),
    ],
)
def test_a_file_that_ends_inside_a_bracket_or_quote_points_at_its_start(
    text: str, line: int, column: int, opened: str
) -> None:
    """The end of the file has no line to show under the message; the unclosed construct has."""
    _, problems = load(text)
    assert [(p.code, p.line, p.column) for p in problems] == [("E001", line, column)]
    assert f"{opened} that starts here" in problems[0].message


def test_more_than_one_document_is_refused() -> None:
    _, problems = load("a: 1\n---\nb: 2\n")
    assert [(p.code, p.line) for p in problems] == [("E008", 2)]


def test_aliases_and_merge_keys() -> None:
    document, problems = load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: &l [1]\ncopy: *l\n")
    assert problems == []
    assert document is not None
    assert document.data["other"] == {"x": 1, "y": 3}
    assert document.data["copy"] == [1]


def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly_with_bounded_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    document, problems = load(_laughs(12))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert document is None
    assert [p.code for p in problems] == ["E007"]
    assert elapsed < 10.0  # a guard against hanging, not a speed target (see benchmarks/)
    assert peak < 50 * 1024 * 1024


def test_deep_nesting_is_refused() -> None:
    _, problems = load("a: " + "[" * 200 + "]" * 200 + "\n")
    assert [(p.code, p.line) for p in problems] == [("E007", 1)]


def test_size_limit_is_checked_before_parsing() -> None:
    _, problems = load("a: 1\n" * 100, Limits(max_bytes=100))
    assert [p.code for p in problems] == ["E007"]


def test_complex_keys_are_refused() -> None:
    _, problems = load("? [a, b]\n: 1\n")
    assert [p.code for p in problems] == ["E003"]


def _paused_then_failing() -> None:
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer one's pause alone
        raise ValueError("boom")


def test_the_collector_is_paused_inside_and_restored_after_even_on_errors() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        _paused_then_failing()
    assert gc.isenabled()
    load_yaml("m.yaml", b"a: [1, 2]\n")
    assert gc.isenabled()
