"""Build many models: one model per job, in this process or in worker processes.

`build_model` takes plain arguments and returns a plain `BuildResult`, so it runs the same in
a `ProcessPoolExecutor` as in a loop, and the CLI only prints what comes back. A build writes a
small manifest, `DIR/<stem>/.trustmap-build.json`, that records what the outputs were made from
(model bytes, catalog digest, tool version, options and date); when nothing of that changed and
every file it lists is still there, the next build skips the model. The manifest is written in
the same transaction as the outputs (`write.write_files`): set aside before any output is
replaced, written after all of them, so a folder with a manifest always holds the outputs it
describes, and an interrupted or failed build leaves the earlier outputs with their manifest.

Interrupts: SIGTERM is handled like Ctrl-C (`trustmap.interrupts`). Worker processes ignore
Ctrl-C, which the terminal sends to them too; the parent stops them with SIGTERM, on which a
worker unwinds the build it is running (its temporaries and its Graphviz folder are removed,
no output is half-swapped) and ends without a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import signal
import stat
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trustmap import __version__
from trustmap.catalog import Catalog
from trustmap.cores import usable_cores
from trustmap.diagnostics import format_diagnostic
from trustmap.interrupts import Interrupted, interrupts_deferred, interrupts_raise
from trustmap.line_breaks import source_lines
from trustmap.source import Limits

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "BuildJob",
    "BuildResult",
    "build_model",
    "run_builds",
    "say_failures",
]

MANIFEST_NAME = ".trustmap-build.json"
MANIFEST_FORMAT = "trustmap-build/1"


@dataclass(frozen=True)
class BuildJob:
    """One model to build, in plain values (it crosses a process boundary)."""

    path: str  # the file to read
    shown: str  # the path as reports show it (relative, POSIX)
    stem: str  # the folder under `output`
    output: str
    today: str  # ISO date that decisions expire against
    allow_unmatched: bool = False
    graphviz_timeout: float = 120.0
    #: write the other outputs when Graphviz fails on a view (otherwise the build fails)
    allow_missing_diagrams: bool = False
    #: identities (device, inode) of the run's input files: never replaced by an output
    inputs: tuple[tuple[int, int], ...] = ()
    force: bool = False
    #: `dot` processes this build runs at once; 0: one per core (see `run_builds`)
    layouts_at_once: int = 0
    #: the path as messages show it (as the user gave it); `shown` when empty
    said: str = ""


@dataclass(frozen=True)
class BuildResult:
    shown: str
    stem: str
    status: str  # built | unchanged | invalid | failed
    name: str | None = None
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: diagnostics as printed (headline, source line, caret), for the CLI to show on stderr
    messages: tuple[str, ...] = ()
    #: (key, severity) of every open finding
    open_findings: tuple[tuple[str, str], ...] = ()
    #: questions no decision answers
    open_questions: int = 0
    error: str | None = None
    open_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("built", "unchanged")


@functools.cache
def _code_digest() -> str:
    """A hash of trustmap's own code and templates: a changed renderer must rebuild outputs."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*")):
        if file.suffix in (".py", ".j2", ".css") and "__pycache__" not in file.parts:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _manifest(job: BuildJob, raw: bytes, catalog: Catalog) -> dict[str, Any]:
    from trustmap.diagrams.graphviz import graphviz_version
    from trustmap.outputs import BuildOptions

    options = BuildOptions(graphviz_timeout=job.graphviz_timeout)
    return {
        "catalog": catalog.digest,
        "format": MANIFEST_FORMAT,
        "model": {"path": job.shown, "sha256": hashlib.sha256(raw).hexdigest()},
        "options": {
            "allow_missing_diagrams": job.allow_missing_diagrams,
            "allow_unmatched": job.allow_unmatched,
            "formats": list(options.formats),
            # Outputs made without Graphviz lack the diagrams: installing it must rebuild them.
            "graphviz": graphviz_version(),
        },
        "today": job.today,
        "tool": {"code": _code_digest(), "version": __version__},
    }


def _read_own(path: Path, limit: int = Limits().max_bytes) -> Any:
    """JSON that an earlier build wrote into the output folder, or None. Read as an input: a
    regular file, no link, at most `limit` bytes (a repository can plant a link to /dev/zero
    or a FIFO at `.trustmap-build.json`)."""
    from trustmap.input_file import read_input_file

    raw, _ = read_input_file(path, path.name, Limits(max_bytes=limit), follow_links=False)
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError:
        return None


def _unchanged(folder: Path, expected: dict[str, Any]) -> list[str] | None:
    """The files of the last build when it was made from the same inputs, else None."""
    recorded = _read_own(folder / MANIFEST_NAME)
    if not isinstance(recorded, dict) or {k: v for k, v in recorded.items() if k != "files"} != expected:
        return None
    files = recorded.get("files")
    if not isinstance(files, list) or "report.json" not in files:
        return None
    if not all(isinstance(name, str) and _is_regular_file(folder / name) for name in files):
        return None
    return files


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _from_report(job: BuildJob, folder: Path, files: list[str]) -> BuildResult:
    """The result of a skipped model, from the report.json of its last build."""
    try:
        # report.json grows with the model (250 MB at 10,000 components): a larger bound
        report = _read_own(folder / "report.json", limit=4 * 1024**3)
        if report is None:
            raise ValueError("not a readable JSON file")
        findings = [(f["key"], f["severity"]) for f in report["findings"] if f["status"] == "open"]
        name = str(report["model"]["name"])
        counts = {str(k): int(v) for k, v in report["summary"]["open"].items()}
        questions = int(report["summary"].get("questions", {}).get("unanswered", 0))
    except (OSError, ValueError, KeyError, TypeError) as error:
        return BuildResult(
            job.shown, job.stem, "failed", error=f"cannot read the earlier report.json: {error}"
        )
    return BuildResult(
        job.shown,
        job.stem,
        "unchanged",
        name=name,
        files=tuple(files),
        open_findings=tuple(findings),
        open_questions=questions,
        open_counts=counts,
    )


def _recorded_files(folder: Path) -> list[str]:
    """The files that the folder's manifest lists (none when it has no readable manifest)."""
    recorded = _read_own(folder / MANIFEST_NAME)
    files = recorded.get("files") if isinstance(recorded, dict) else None
    return [name for name in files if isinstance(name, str)] if isinstance(files, list) else []


def say_failures(failures: Sequence[str]) -> str:
    """The failures of one build in a sentence, each piece of advice once: twenty views that
    time out are twenty facts, and one "raise --graphviz-timeout" (a failure's advice is what
    follows its first "; ")."""
    by_advice: dict[str, list[str]] = {}
    for failure in failures:
        fact, _, advice = failure.partition("; ")
        by_advice.setdefault(advice, []).append(fact)
    parts = [", ".join(facts) + (f"; {advice}" if advice else "") for advice, facts in by_advice.items()]
    return "; ".join(parts)


def build_model(job: BuildJob, catalog: Catalog) -> BuildResult:
    """Analyse one model and write its outputs (or skip it when its inputs did not change)."""
    from trustmap.analysis import analyze
    from trustmap.input_file import read_input_file
    from trustmap.outputs import BuildOptions, produce_all
    from trustmap.write import UnsafeOutputPathError, is_plain_name, write_files

    raw, unreadable = read_input_file(Path(job.path), job.said or job.shown)
    if raw is None:
        return BuildResult(job.shown, job.stem, "invalid", messages=tuple(map(format_diagnostic, unreadable)))
    folder = Path(job.output) / job.stem
    manifest = _manifest(job, raw, catalog)
    if not job.force and (files := _unchanged(folder, manifest)) is not None:
        return _from_report(job, folder, files)
    analysis, diagnostics = analyze(
        job.shown, raw, catalog, today=dt.date.fromisoformat(job.today), allow_unmatched=job.allow_unmatched
    )
    lines = source_lines(raw)
    said = job.said or job.shown  # messages name the file as the user did, reports as `shown`
    messages = tuple(
        format_diagnostic(replace(d, path=said) if d.path == job.shown else d, lines) for d in diagnostics
    )
    if analysis is None:
        return BuildResult(job.shown, job.stem, "invalid", messages=messages)
    produced = produce_all(
        analysis, BuildOptions(graphviz_timeout=job.graphviz_timeout, layouts_at_once=job.layouts_at_once)
    )
    if produced.failures and not job.allow_missing_diagrams:
        # Never a build that says it succeeded without its diagrams: the earlier outputs stay.
        error = say_failures(produced.failures) + (
            ". Nothing was written; --allow-missing-diagrams writes the other outputs without these images"
        )
        return BuildResult(job.shown, job.stem, "failed", messages=messages, error=error)
    record = {**manifest, "files": sorted(produced.files)}
    try:
        # Files of the last build that this one does not make (images, once Graphviz is gone)
        # would otherwise stay beside outputs they no longer match.
        stale = [name for name in _recorded_files(folder) if name not in produced.files]
        write_files(
            folder,
            produced.files,
            marker=(MANIFEST_NAME, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()),
            remove=[name for name in stale if name != MANIFEST_NAME and is_plain_name(name)],
            protected=job.inputs,
        )
    except UnsafeOutputPathError as error:
        return BuildResult(job.shown, job.stem, "failed", messages=messages, error=str(error))
    except OSError as error:
        return BuildResult(
            job.shown, job.stem, "failed", messages=messages, error=f"cannot write {folder}: {error}"
        )
    summary = analysis.report.summary()
    return BuildResult(
        job.shown,
        job.stem,
        "built",
        name=analysis.graph.model.name,
        files=tuple(sorted(produced.files)),
        notes=(*produced.notes, *produced.failures),
        messages=messages,
        open_findings=tuple((f.key, f.severity) for f in analysis.report.open_findings()),
        open_questions=len(analysis.report.open_questions()),
        open_counts=dict(summary["open"]),
    )


def run_builds(
    jobs: Sequence[BuildJob],
    catalog: Catalog,
    workers: int,
    on_result: Callable[[BuildResult], None] = lambda _: None,
) -> list[BuildResult]:
    """Build every job, `workers` at a time; `on_result` sees each result as it arrives.

    Returns the results sorted by stem, whatever order they finished in.
    """
    results: list[BuildResult] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(build_model(job, catalog))
            on_result(results[-1])
    else:
        workers = min(workers, len(jobs))
        jobs = with_layout_share(jobs, workers, usable_cores())
        results = _in_workers(jobs, catalog, workers, on_result)
    return sorted(results, key=lambda r: r.stem)


def with_layout_share(jobs: Sequence[BuildJob], workers: int, cores: int) -> list[BuildJob]:
    """The jobs of `workers` processes, each laying its views out on its share of the `cores`:
    N workers that each ran one `dot` per core would run N times too many for the machine."""
    share = max(1, cores // workers)
    return [replace(job, layouts_at_once=job.layouts_at_once or share) for job in jobs]


def _in_workers(
    jobs: Sequence[BuildJob], catalog: Catalog, workers: int, on_result: Callable[[BuildResult], None]
) -> list[BuildResult]:
    results: list[BuildResult] = []
    # spawn: the same behaviour on every platform, and no fork of a threaded parent.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_signals)
    futures = []
    try:
        # submit spawns the workers and writes each its start-up data through a pipe: a signal
        # must not cut that short (the worker would die on a truncated pickle, with a
        # traceback), so it waits until they are all started, then stops them as usual
        with interrupts_deferred(), _ignoring_ctrl_c():  # SIG_IGN is inherited by the workers
            futures = [pool.submit(_build_in_worker, job, catalog) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            on_result(results[-1])
    except BaseException:
        for future in futures:
            future.cancel()
        for child in multiprocessing.active_children():
            child.terminate()  # SIGTERM: each unwinds its build, see _worker_signals
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


@contextlib.contextmanager
def _ignoring_ctrl_c() -> Iterator[None]:
    """SIGINT ignored while worker processes start: an ignored signal stays ignored across exec,
    so the terminal's Ctrl-C reaches only the parent, which decides (no worker traceback)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _end_idle_worker(signum: int, frame: object) -> None:
    os._exit(128 + signum)  # between builds: nothing to unwind


def _worker_signals() -> None:
    """In a worker, SIGTERM ends it at once between builds (see `_build_in_worker` for during)."""
    signal.signal(signal.SIGTERM, _end_idle_worker)


def _build_in_worker(job: BuildJob, catalog: Catalog) -> BuildResult:
    """`build_model` in a worker: SIGTERM unwinds the build (temporaries and the Graphviz folder
    removed, the outputs all old or all new), then ends the worker without a traceback."""
    with interrupts_raise():
        try:
            return build_model(job, catalog)
        except Interrupted as stop:
            os._exit(128 + stop.signum)
