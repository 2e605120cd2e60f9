"""How Graphviz is run: missing, failing or slow `dot`, and what the build does then."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from trustmap.analysis import Analysis
from trustmap.diagrams import DiagramOptions, diagram_files
from trustmap.diagrams.graphviz import (
    GraphvizError,
    GraphvizMissingError,
    GraphvizOptions,
    GraphvizTimeoutError,
    run_dot,
)
from trustmap.outputs import BuildOptions, produce_all

SOURCE = "digraph g { a -> b; }\n"


def _script(folder: Path, body: str) -> str:
    path = folder / "fake-dot"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_without_graphviz_the_sources_are_still_written(example: Callable[[str], Analysis]) -> None:
    made = diagram_files(example("shop"), DiagramOptions(dot_binary="/nonexistent/dot"))
    assert set(made.files) == {
        "architecture.dot",
        "dataflow.dot",
        "responsibility.dot",
        "diagram.mmd",
        "dataflow.mmd",
    }
    (note,) = made.notes
    assert "apt-get install graphviz" in note and "brew install graphviz" in note
    assert "https://graphviz.org/download/" in note


def test_build_succeeds_without_graphviz(example: Callable[[str], Analysis]) -> None:
    produced = produce_all(example("shop"), BuildOptions(dot_binary="/nonexistent/dot"))
    assert "architecture.dot" in produced.files and "diagram.mmd" in produced.files
    assert "report.json" in produced.files
    assert not any(name.endswith((".svg", ".png")) for name in produced.files if name != "report.html")
    assert any("apt-get install graphviz" in note for note in produced.notes)


def test_missing_dot_raises_with_the_install_hint() -> None:
    with pytest.raises(GraphvizMissingError, match="brew install graphviz"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions(dot_binary="/nonexistent/dot"))


def test_a_slow_dot_is_stopped_with_a_clear_message(tmp_path: Path) -> None:
    slow = _script(tmp_path, "sleep 5")
    with pytest.raises(GraphvizTimeoutError, match=r"longer than 0\.3 s"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions(dot_binary=slow, timeout=0.3))


def test_a_failing_dot_reports_its_status_and_message(tmp_path: Path) -> None:
    failing = _script(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 3")
    with pytest.raises(GraphvizError, match=r"exit status 3\).*syntax error in line 1"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions(dot_binary=failing))


def test_a_failed_view_becomes_a_note_and_the_rest_goes_on(
    tmp_path: Path, example: Callable[[str], Analysis]
) -> None:
    failing = _script(tmp_path, "exit 1")
    made = diagram_files(example("shop"), DiagramOptions(dot_binary=failing))
    assert "architecture.dot" in made.files
    assert len(made.notes) == 3
    assert all("Graphviz failed" in note for note in made.notes)


def test_dot_runs_once_for_all_formats(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    recorder = _script(
        tmp_path,
        f'echo "$@" >> {log}\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && : > "$2"; shift; done',
    )
    out = run_dot(SOURCE, ["svg", "png", "pdf"], {"aws/x.png": b"icon"}, GraphvizOptions(recorder))
    assert set(out) == {"svg", "png", "pdf"}
    (call,) = log.read_text().splitlines()
    assert call == "-Tsvg -o view.svg -Tpng -o view.png -Tpdf -o view.pdf view.dot"
