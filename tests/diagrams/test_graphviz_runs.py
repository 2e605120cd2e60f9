"""How Graphviz is run: missing, failing or slow `dot`, and what the build does then.

The program runs the `dot` that the graphviz package finds on PATH; these tests put a fake one
there (or none at all).
"""

from __future__ import annotations

import os
import shutil
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


def _fake_dot(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `dot` script, alone on PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    path = bin_dir / "dot"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


@pytest.mark.usefixtures("no_dot")
def test_without_graphviz_the_sources_are_still_written(example: Callable[[str], Analysis]) -> None:
    made = diagram_files(example("shop"), DiagramOptions())
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


@pytest.mark.usefixtures("no_dot")
def test_build_succeeds_without_graphviz(example: Callable[[str], Analysis]) -> None:
    produced = produce_all(example("shop"), BuildOptions())
    assert "architecture.dot" in produced.files and "diagram.mmd" in produced.files
    assert "report.json" in produced.files
    assert not any(name.endswith((".svg", ".png")) for name in produced.files if name != "report.html")
    assert any("apt-get install graphviz" in note for note in produced.notes)


@pytest.mark.usefixtures("no_dot")
def test_missing_dot_raises_with_the_install_hint() -> None:
    with pytest.raises(GraphvizMissingError, match="brew install graphviz"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions())


def test_a_slow_dot_is_stopped_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dot(tmp_path, f"exec {shutil.which('sleep')} 5", monkeypatch)
    with pytest.raises(GraphvizTimeoutError, match=r"longer than 0\.3 s"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions(timeout=0.3))


def test_a_failing_dot_reports_its_status_and_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dot(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 3", monkeypatch)
    with pytest.raises(GraphvizError, match=r"exit status 3\).*syntax error in line 1"):
        run_dot(SOURCE, ["svg"], {}, GraphvizOptions())


def test_a_failed_view_is_reported_as_a_failure_and_the_sources_are_kept(
    tmp_path: Path, example: Callable[[str], Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dot(tmp_path, "exit 1", monkeypatch)
    made = diagram_files(example("shop"), DiagramOptions())
    assert "architecture.dot" in made.files
    assert made.notes == [] and len(made.failures) == 3
    assert all("Graphviz failed" in failure for failure in made.failures)


def test_dot_runs_in_a_session_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C to the terminal's process group must not reach dot: its SIGINT handler renders
    a partial image from inside the handler and could deadlock there, and the build then
    waited for the time limit (the interrupt sweep caught one in sixty)."""
    log = tmp_path / "session"
    _fake_dot(
        tmp_path,
        # the session id is the sixth field of /proc/<pid>/stat (shell builtins only: PATH is
        # this folder alone)
        f'session() {{ set -- $1; echo "$6"; }}; read -r stat < /proc/$$/stat; session "$stat" > {log}\n'
        'while [ $# -gt 0 ]; do [ "$1" = -o ] && : > "$2"; shift; done',
        monkeypatch,
    )
    run_dot(SOURCE, ["svg"], {}, GraphvizOptions())
    assert int(log.read_text()) != os.getsid(0)


def test_dot_runs_once_for_all_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls"
    _fake_dot(
        tmp_path,
        f'echo "$@" >> {log}\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && : > "$2"; shift; done',
        monkeypatch,
    )
    out = run_dot(SOURCE, ["svg", "png", "pdf"], {"aws/x.png": b"icon"}, GraphvizOptions())
    assert set(out) == {"svg", "png", "pdf"}
    (call,) = log.read_text().splitlines()
    assert call == "-Tsvg -o view.svg -Tpng -o view.png -Tpdf -o view.pdf view.dot"


def test_views_rendered_side_by_side_come_back_in_plan_order(
    example: Callable[[str], Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dot runs in parallel; the files, notes and failures must not depend on which ends first.
    A stand-in dot that fails on every view, later views sooner: the failures keep plan order."""
    _fake_dot(
        tmp_path,
        'n=$(grep -c . "$(for last; do :; done; echo $last)"); sleep $((5000 / (n + 50)))e-3; '
        "echo 'Error: no layout' >&2; exit 1",
        monkeypatch,
    )
    analysis = example("hybrid")
    one_by_one = diagram_files(analysis, DiagramOptions(formats=("svg",), layouts_at_once=1))
    side_by_side = diagram_files(analysis, DiagramOptions(formats=("svg",), layouts_at_once=4))
    assert len(one_by_one.failures) >= 3
    assert side_by_side.failures == one_by_one.failures
    assert side_by_side.notes == one_by_one.notes and side_by_side.files == one_by_one.files


_WRITE_OUTPUTS = 'while [ $# -gt 0 ]; do [ "$1" = -o ] && : > "$2"; shift; done'


def test_the_largest_views_are_laid_out_first(
    example: Callable[[str], Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the last layout to finish is a small one, not a large one started last while
    the other cores idle. The stand-in dot logs the name of the view it lays out."""
    log = tmp_path / "started"
    _fake_dot(
        tmp_path,
        'while read -r word name rest; do [ "$word" = digraph ] && break; done < view.dot\n'
        f'echo "$name" >> {log}\n{_WRITE_OUTPUTS}',
        monkeypatch,
    )
    made = diagram_files(example("hybrid"), DiagramOptions(formats=("svg",), layouts_at_once=1))
    started = [name.strip('"') for name in log.read_text().split()]
    sources = {name[:-4]: text.decode() for name, text in made.files.items() if name.endswith(".dot")}
    assert len(started) == len(sources) >= 3
    assert started == sorted(sources, key=lambda name: (-len(sources[name]), list(sources).index(name)))
    assert [len(sources[name]) for name in started] != [len(sources[name]) for name in sources]


def test_an_interrupt_while_the_views_are_laid_out_starts_no_other_dot(
    example: Callable[[str], Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report, CSV and SARIF are rendered while dot runs; a Ctrl-C there lets the running
    layout finish, starts no other one and leaves no temporary folder behind. The stand-in dot
    holds its layout until the interrupt comes (at most 10 s: a broken test fails, not hangs)."""
    import tempfile
    import time

    import trustmap.outputs as outputs

    log, release = tmp_path / "started", tmp_path / "release"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    _fake_dot(
        tmp_path,
        f"echo started >> {log}\n"
        f"n=0; while [ ! -e {release} ] && [ $n -lt 500 ]; do /bin/sleep 0.02; n=$((n + 1)); done\n"
        + _WRITE_OUTPUTS,
        monkeypatch,
    )

    def interrupted(analysis: Analysis, options: BuildOptions, earlier: outputs.Produced) -> outputs.Produced:
        deadline = time.monotonic() + 10
        while not log.exists():  # until a layout is running
            assert time.monotonic() < deadline, "no layout started"
            time.sleep(0.01)
        release.touch()
        raise KeyboardInterrupt

    rows = tuple(
        (name, interrupted if name == "findings.sarif" else producer, after)
        for name, producer, after in outputs.PRODUCERS
    )
    monkeypatch.setattr(outputs, "PRODUCERS", rows)
    with pytest.raises(KeyboardInterrupt):
        produce_all(example("hybrid"), BuildOptions(formats=("svg",), layouts_at_once=1))
    assert log.read_text().split() == ["started"]
    assert list(scratch.iterdir()) == []
