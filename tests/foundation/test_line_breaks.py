"""Positions count lines as an editor does, also where YAML 1.1 sees more line ends.

PyYAML ends a line at NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029);
editors, `grep -n` and YAML 1.2 do not. A message must point where the author's editor shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustmap.cli import app
from trustmap.diagnostics import Span
from trustmap.interop.cloudformation.reader import load_template
from trustmap.line_breaks import EditorPositions, editor_lines, source_lines
from trustmap.source import load_yaml

SEPARATORS = ["\x85", "\u2028", "\u2029"]


def editor_position(text: str, needle: str) -> tuple[int, int]:
    """(line, column) of `needle` as an editor shows it: lines end only at LF, CR LF, CR."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


@pytest.mark.parametrize("separator", SEPARATORS)
def test_positions_after_a_yaml11_line_end_are_the_editors(separator: str) -> None:
    text = f'name: "one{separator}two"\nnote: "a{separator}b{separator}c"\nlast:\n  key: value\n'
    document, problems = load_yaml("m.yaml", text.encode())
    assert problems == [] and document is not None
    line, column = editor_position(text, "key")
    assert document.source_map.keys[("last", "key")] == Span(line, column, line, column + 3)
    assert document.source_map.values[("last", "key")][:2] == editor_position(text, "value")
    assert document.lines[line - 1] == "  key: value"


def test_a_duplicate_key_names_the_editors_line() -> None:
    text = 'a: "x\u2028y\u2028z"\nb: 1\nb: 2\n'
    _, problems = load_yaml("m.yaml", text.encode())
    assert [(p.code, p.span and p.span[:2]) for p in problems] == [("E002", (3, 1))]
    assert "first defined at line 2" in problems[0].message


def test_a_syntax_error_points_at_the_editors_line() -> None:
    text = 'a: "x\u2029y"\nb: [1,\n'
    document, problems = load_yaml("m.yaml", text.encode())
    assert document is None and problems[0].code == "E001"
    assert problems[0].span is not None and problems[0].span.line == 3


def test_a_cloudformation_template_points_at_the_editors_line() -> None:
    text = (
        "Description: 'one\u2028two'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        "    Type: AWS::S3::Bucket\n"
    )
    document, problems = load_template("t.yaml", text.encode())
    assert document is not None
    assert document.source_map.keys[("Resources", "Bucket")][:2] == editor_position(text, "Bucket")
    assert [(p.code, p.span and p.span.line) for p in problems] == [("E002", 5)]
    assert "first defined at line 4" in problems[0].message


def test_editor_lines_split_only_at_lf_crlf_and_cr() -> None:
    assert editor_lines("a\u2028b\x85c\r\nd\re\n") == ("a\u2028b\x85c", "d", "e")
    assert editor_lines("") == ()
    assert editor_lines("a\n\n") == ("a", "")
    assert source_lines(b"x\xff\ny") == ("x\ufffd", "y")


def test_files_without_yaml11_line_ends_need_no_mapping() -> None:
    assert EditorPositions.needed("a: 1\r\nb: 2\n") is None
    assert EditorPositions.needed("a: '\u2028'") is not None


def test_the_command_line_names_the_editors_line(tmp_path: Path) -> None:
    """As a user sees it: the message and its excerpt are the line the editor shows."""
    model = tmp_path / "m.yaml"
    text = (
        'trustmap: 1\nname: "demo\u2028x"\ndescription: "a\x85b"\nboundaries:\n  internet:\n'
        "    kind: internet\ncomponents:\n  web:\n    service: ec2\n    boundary: b9\n"
    )
    model.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    line, column = editor_position(text, "b9")
    assert f"m.yaml:{line}:{column}: E202" in result.output
    assert f" {line} |     boundary: b9" in result.output
