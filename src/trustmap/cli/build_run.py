"""The effects of `trustmap build`: plan the jobs, run them, report progress, write the index.

The work itself is `trustmap.batch.build_model`; this module only turns command-line values
into jobs, prints what comes back (a progress bar on a terminal, plain `[3/10] path: ...`
lines otherwise) and decides the exit status.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from trustmap.batch import BuildJob, BuildResult, run_builds
from trustmap.catalog import Catalog
from trustmap.cli.common import (
    EXIT_INVALID,
    display_path,
    exit_status,
    fail,
    refuse_file_as_folder,
    report_path,
)
from trustmap.cores import usable_cores
from trustmap.findings import SEVERITY_ORDER

__all__ = ["BuildRequest", "execute_build"]


@dataclass(frozen=True)
class BuildRequest:
    models: Sequence[Path]
    output: Path
    today: str
    fail_on: str | None = None
    fail_on_questions: bool = False
    allow_unmatched: bool = False
    graphviz_timeout: float = 120.0
    allow_missing_diagrams: bool = False
    jobs: int = 1
    force: bool = False


INDEX = "index.html"


def _inputs(request: BuildRequest) -> tuple[tuple[int, int], ...]:
    """The identities of the model files: no output may replace one (by any name or link)."""
    from trustmap.write import file_id

    return tuple(sorted({found for path in request.models if (found := file_id(path)) is not None}))


def _plan(request: BuildRequest, inputs: tuple[tuple[int, int], ...]) -> list[BuildJob]:
    from trustmap.write import file_id, safe_stem

    if file_id(request.output / INDEX) in inputs:
        fail(f"{request.output / INDEX} is one of the models and would be replaced by the batch index")
    stems: dict[str, Path] = {}
    for path in request.models:
        stem = safe_stem(path.stem)
        if stem.lower() == INDEX:
            where = request.output / stem
            fail(f"'{path}' would be written to {where}/, where the batch index goes; rename it")
        if stem in stems and file_id(stems[stem]) == file_id(path) is not None:
            continue  # one file named twice (`shop.yaml sub/../shop.yaml`, a link): built once
        if stem in stems and stems[stem] != path:
            fail(
                f"'{path}' and '{stems[stem]}' would both be written to {request.output / stem}; "
                "rename one of them"
            )
        stems[stem] = path
    return [
        BuildJob(
            path=str(path),
            shown=report_path(path),
            said=display_path(path),
            stem=stem,
            output=str(request.output),
            today=request.today,
            allow_unmatched=request.allow_unmatched,
            graphviz_timeout=request.graphviz_timeout,
            allow_missing_diagrams=request.allow_missing_diagrams,
            force=request.force,
            inputs=inputs,
        )
        for stem, path in stems.items()
    ]


def _describe(result: BuildResult, output: Path) -> str:
    counts = result.open_counts
    opened = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITY_ORDER) if counts.get(s, 0))
    asked = f"; {result.open_questions} open question{'s' if result.open_questions != 1 else ''}"
    total = sum(counts.values())
    noun = "open finding" if total == 1 else "open findings"
    findings = f"({opened or 'no'} {noun}{asked if result.open_questions else ''})"
    if result.status == "built":
        return f"wrote {len(result.files)} files to {output / result.stem} {findings}"
    if result.status == "unchanged":
        return f"unchanged since the last build, kept {output / result.stem} {findings}"
    if result.status == "invalid":
        return "invalid, nothing written"
    return f"failed: {result.error}"


@contextmanager
def _reporter(total: int, output: Path) -> Iterator[Callable[[BuildResult], None]]:
    """A callback that shows each result: a rich progress bar on a terminal, else plain lines."""
    done = 0

    def lines(result: BuildResult) -> list[str]:
        shown = [*result.messages]
        shown += [f"{result.shown}: note: {note}" for note in result.notes]
        return [*shown, f"[{done}/{total}] {result.shown}: {_describe(result, output)}"]

    if not sys.stderr.isatty():

        def plain(result: BuildResult) -> None:
            nonlocal done
            done += 1
            for line in lines(result):
                typer.echo(line, err=True)

        yield plain
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, highlight=False)
    columns = (TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("build", total=total)

        def bar(result: BuildResult) -> None:
            nonlocal done
            done += 1
            for line in lines(result):
                progress.console.print(line, markup=False)
            progress.advance(task)

        yield bar


def _write_index(output: Path, results: Sequence[BuildResult], inputs: tuple[tuple[int, int], ...]) -> None:
    from trustmap.render.index_html import IndexEntry, render_index
    from trustmap.write import UnsafeOutputPathError, write_atomic

    entries = [
        IndexEntry(
            stem=r.stem,
            source=r.shown,
            status=r.status,
            name=r.name,
            open_counts=r.open_counts,
            has_report=r.ok and "report.html" in r.files,
        )
        for r in results
    ]
    try:
        write_atomic(output / INDEX, render_index(entries).encode(), protected=inputs)
    except UnsafeOutputPathError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {output / INDEX}: {error}")


def execute_build(request: BuildRequest, catalog: Catalog) -> int:
    """Build every model; the exit status of the command."""
    refuse_file_as_folder(request.output)  # before any model is analysed
    inputs = _inputs(request)
    jobs = _plan(request, inputs)
    workers = request.jobs if request.jobs > 0 else usable_cores()
    with _reporter(len(jobs), request.output) as report:
        results = run_builds(jobs, catalog, workers, report)
    # An index of nothing but failures would be an output written for invalid input.
    if any(r.ok for r in results):
        _write_index(request.output, results, inputs)
    if any(not r.ok for r in results):
        return EXIT_INVALID
    return exit_status(
        (severity for r in results for _, severity in r.open_findings),
        request.fail_on,
        sum(r.open_questions for r in results),
        request.fail_on_questions,
    )
