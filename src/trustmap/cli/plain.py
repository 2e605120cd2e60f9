"""The parts of the commands that need no typer: reading inputs, loading the catalog, printing
diagnostics and documents, exit statuses.

Kept apart from `common` (the typer options) so that `trustmap validate FILE...` can run
without importing typer (`cli.quick`): a pre-commit hook or an editor runs it on every save.
Errors end the command with `SystemExit`, which typer lets through unchanged.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from trustmap.line_breaks import source_lines

if TYPE_CHECKING:
    from trustmap.analysis import Analysis
    from trustmap.catalog import Catalog
    from trustmap.diagnostics import Diagnostic
    from trustmap.findings import Report
    from trustmap.interrupts import Interrupted

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2


def echo_error(text: str) -> None:
    """A line on standard error, as typer's `echo(text, err=True)` writes it: in the stream's
    encoding, or as UTF-8 when that encoding is ASCII (a C locale, PYTHONIOENCODING=ascii),
    which cannot hold the names a message quotes."""
    stream = sys.stderr
    if stream is None:
        return
    binary = getattr(stream, "buffer", None)
    if binary is not None and codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii":
        stream.flush()
        binary.write((text + "\n").encode("utf-8", "replace"))
        binary.flush()
        return
    stream.write(text + "\n")
    stream.flush()


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    from trustmap.diagnostics import printable

    # Messages quote paths and values as given: escaped, so that they cannot drive the terminal.
    echo_error(f"trustmap: {printable(message, limit=len(message))}")
    raise SystemExit(code)


def format_choice(value: str) -> str:
    """A `--format` value as the choices are spelled: `PNG`, `Json` and `png` are one format
    (messages that refuse a value still quote it as given)."""
    return value.strip().lower()


def display_path(path: Path) -> str:
    """The path as messages show it: as the user gave it (relative stays relative, absolute
    stays absolute, so that two files of one name are told apart and an editor can open
    either), POSIX separators, control characters escaped (a file name must not drive the
    terminal)."""
    from trustmap.diagnostics import printable

    shown = path.as_posix()
    return printable(shown, limit=len(shown))


def report_path(path: Path) -> str:
    """The path as the files a command writes show it (report.json, SARIF, an imported model's
    header): relative to the working directory, else the file's name, never absolute, so that
    the same input gives the same bytes on any machine (docs/outputs.md)."""
    from trustmap.diagnostics import printable

    if not path.is_absolute():
        shown = path.as_posix()
    else:
        try:
            shown = path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            shown = path.name
    return printable(shown, limit=len(shown))


def as_given(diagnostics: Iterable[Diagnostic], path: Path) -> list[Diagnostic]:
    """Diagnostics of the input `path`, made under its `report_path`, told with the path as
    the user gave it (`display_path`)."""
    from dataclasses import replace

    written, given = report_path(path), display_path(path)
    return [replace(d, path=given) if d.path == written else d for d in diagnostics]


def parse_today(value: str | None) -> dt.date:
    """--today (YYYY-MM-DD only), else SOURCE_DATE_EPOCH, else today."""
    if value is not None:
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        fail(f"--today expects a date as YYYY-MM-DD, not '{value}'")
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch:
        # reproducible-builds.org: an integer count of seconds; a malformed value is an error.
        try:
            if re.fullmatch(r"[0-9]{1,12}", epoch):
                return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            pass
        shown = epoch if len(epoch) <= 40 else epoch[:40] + "…"
        fail(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970 before the year 10000, not '{shown}'")
    return dt.date.today()


def load_catalog_or_exit(extra: Sequence[Path] | None) -> Catalog:
    from trustmap.catalog import CatalogError, load_catalog
    from trustmap.catalog.cache import default_cache_dir
    from trustmap.engine.rules import BUILTIN_RULES, check_registry

    try:
        catalog = load_catalog(extra or (), cache_dir=default_cache_dir())
    except CatalogError as error:
        echo_error(error.render())
        raise SystemExit(EXIT_INVALID) from None
    problems = check_registry(catalog, BUILTIN_RULES)
    if problems:
        print_diagnostics(problems)
        raise SystemExit(EXIT_INVALID)
    return catalog


def read_input(path: Path) -> tuple[str, bytes | None, list[Diagnostic]]:
    """The name reports give the file (`report_path`) and its bytes, or a positioned E000 or
    E007 diagnostic (at the path as given) when it cannot be read: a regular file of at most
    16 MiB (see `trustmap.input_file`)."""
    from trustmap.input_file import read_input_file

    raw, problems = read_input_file(path, display_path(path))
    return report_path(path), raw, problems


def print_diagnostics(
    diagnostics: Iterable[Diagnostic], lines: Sequence[str] = (), *, as_json: bool = False
) -> None:
    from trustmap.diagnostics import format_diagnostic

    for diagnostic in diagnostics:
        if as_json:
            import json

            stdout_write(json.dumps(diagnostic.to_json(), sort_keys=True) + "\n")
        else:
            echo_error(format_diagnostic(diagnostic, lines))


def analyze_file(
    path: Path,
    catalog: Catalog,
    today: dt.date,
    *,
    allow_unmatched: bool = False,
    quiet_warnings: bool = False,
) -> Analysis | None:
    """Analyze one model, printing its diagnostics; None when it is invalid."""
    from trustmap.analysis import analyze

    shown, raw, problems = read_input(path)
    if raw is None:
        print_diagnostics(problems)
        return None
    analysis, diagnostics = analyze(shown, raw, catalog, today=today, allow_unmatched=allow_unmatched)
    if analysis is None or not quiet_warnings:
        lines = source_lines(raw)
        print_diagnostics(as_given(diagnostics, path), lines)
    return analysis


def load_analyses(
    models: Sequence[Path], catalog_dirs: Sequence[Path] | None, today: str | None, allow_unmatched: bool
) -> list[Analysis]:
    """The prelude of the commands that read analysed models: the catalog, the date, each model
    analysed with its diagnostics printed; exit 2 (after every model was checked) when any is invalid."""
    catalog = load_catalog_or_exit(catalog_dirs)
    day = parse_today(today)
    analyses = [analyze_file(model, catalog, day, allow_unmatched=allow_unmatched) for model in models]
    valid = [analysis for analysis in analyses if analysis is not None]
    if len(valid) < len(analyses):
        raise SystemExit(EXIT_INVALID)
    return valid


def load_analysis(
    model: Path, catalog_dirs: Sequence[Path] | None, today: str | None, allow_unmatched: bool
) -> Analysis:
    """`load_analyses` for one model."""
    return load_analyses([model], catalog_dirs, today, allow_unmatched)[0]


def input_ids(
    inputs: Iterable[Path | None], catalog_dirs: Sequence[Path] | None
) -> frozenset[tuple[int, int]]:
    """The identities of a command's input files (its model or source, and every catalog file
    of --catalog): an output must never replace one of them, by any name or link."""
    from trustmap.write import file_id

    given = [path for path in inputs if path is not None]
    # a folder input (`--against infra/`, `import terraform infra/`): every file it holds
    held = [found for path in given if path.is_dir() for found in path.rglob("*") if found.is_file()]
    files = [*given, *held]
    for directory in catalog_dirs or ():
        files.extend(directory.rglob("*.yaml") if directory.is_dir() else ())
    return frozenset(found for path in files if (found := file_id(path)) is not None)


def refuse_input_as_output(output: Path | None, inputs: frozenset[tuple[int, int]]) -> None:
    """Exit 2 when `output` is one of the command's inputs (`diagram m.yaml -o m.yaml`)."""
    from trustmap.write import file_id

    if output is not None and str(output) != "-" and file_id(output) in inputs:
        fail(f"{display_path(output)} is an input of this command; write the output elsewhere")


def is_stdout(output: Path) -> bool:
    """`-o -`: standard output."""
    return str(output) == "-"


def check_output(output: Path | None, inputs: frozenset[tuple[int, int]], *, force: bool | None) -> None:
    """The rules of every `-o FILE`, checked before any work, so that a run never analyses a
    model only to find it cannot write: never one of the command's inputs (even with --force);
    never a folder or a path under a file; an existing file replaced only with --force, for the
    commands that have one (`force` None: the command always replaces, as `diagram` does). A
    stream (`-`, `/dev/null`, a FIFO) is written into and needs no --force."""
    from trustmap.write import is_stream

    if output is None or is_stdout(output):
        return
    refuse_input_as_output(output, inputs)
    if is_stream(output):
        return
    shown = display_path(output)
    if output.is_dir():
        fail(f"{shown} is a directory; name a file")
    refuse_file_as_folder(output.parent)
    if force is False and (output.exists() or output.is_symlink()):
        fail(f"{shown} exists; pass --force to overwrite it")


def refuse_file_as_folder(folder: Path) -> None:
    """Exit 2 when `folder`, or the nearest of its parents that exists, is not a folder: the
    output could not be created under it (`-o notes.txt/report.json`)."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return
        if candidate.exists() or candidate.is_symlink():
            fail(f"{display_path(candidate)} is a file, not a folder")


def write_output(output: Path, content: bytes, inputs: frozenset[tuple[int, int]]) -> None:
    """Write a command's `-o FILE` (checked before with `check_output`): standard output for
    `-`, written into a stream, else atomically; a failure is a message and exit 2."""
    from trustmap.write import UnsafeOutputPathError, write_atomic

    if is_stdout(output):
        stdout_write_bytes(content)
        return
    if sys.stdout is not None:
        sys.stdout.flush()  # `-o /dev/stdout` lands after what was printed before
    try:
        write_atomic(output, content, protected=inputs)
    except UnsafeOutputPathError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {display_path(output)}: {error.strerror or error}")


def exit_status(
    open_findings: Iterable[str],
    fail_on: str | None,
    open_questions: int = 0,
    fail_on_questions: bool = False,
) -> int:
    """The exit status of a command with --fail-on (the severities of the open findings) and
    --fail-on-questions (the number of unanswered questions)."""
    from trustmap.findings import severity_rank

    if fail_on_questions and open_questions:
        return EXIT_FINDINGS
    if fail_on is None:
        return EXIT_OK
    floor = severity_rank(fail_on)
    return EXIT_FINDINGS if any(severity_rank(s) >= floor for s in open_findings) else EXIT_OK


def report_exit_status(report: Report, fail_on: str | None, fail_on_questions: bool) -> int:
    """`exit_status` of one analysed model."""
    return exit_status(
        (f.severity for f in report.open_findings()), fail_on, len(report.open_questions()), fail_on_questions
    )


def stdout_write(text: str) -> None:
    """Print a document (a checklist, a diagram, a model): UTF-8 whatever the locale, as in the
    files `build` writes. A reader that went away (`| head`) ends the command quietly; standard
    output closed or full is a message and exit 2, never a traceback."""
    _stdout_put(text)


def stdout_write_bytes(data: bytes) -> None:
    """`stdout_write` for bytes (a PNG diagram with `-o -`)."""
    _stdout_put(data)


def _stdout_put(document: str | bytes) -> None:
    stream = sys.stdout
    try:
        if stream is None:
            raise OSError(errno.EBADF, "standard output is closed")
        binary = getattr(stream, "buffer", None)
        if binary is None:
            stream.write(document if isinstance(document, str) else document.decode("utf-8", "replace"))
            stream.flush()
        else:
            stream.flush()
            binary.write(document.encode("utf-8") if isinstance(document, str) else document)
            binary.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(EXIT_OK) from None
    except OSError as error:
        _silence_stdout()
        fail(f"cannot write to standard output: {error.strerror or error}")


#: text gathered before each write of a stream to standard output
_STREAM_CHUNK = 1 << 20


def stdout_write_stream(chunks: Iterable[str]) -> None:
    """`stdout_write` for a document made piece by piece (the JSON checklist of a large model):
    written in pieces of about a megabyte, so that the whole text is never held at once."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= _STREAM_CHUNK:
            stdout_write("".join(pending))
            pending, size = [], 0
    if pending:
        stdout_write("".join(pending))


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        sys.stdout = None


def validate_models(
    models: Sequence[Path],
    catalog_dirs: Sequence[Path] | None = None,
    output_format: str = "text",
    today: str | None = None,
    allow_unmatched: bool = False,
) -> int:
    """`trustmap validate`: every problem of every model printed; the exit status (0 when every
    model is valid, warnings allowed; 2 otherwise). The defaults are the typer command's
    (`cli.quick` runs the command line without options through them; a test keeps them equal)."""
    from trustmap.analysis import check
    from trustmap.diagnostics import has_errors

    given, output_format = output_format, format_choice(output_format)
    if output_format not in ("text", "json"):
        fail(f"--format must be text or json, not '{given}'")
    catalog = load_catalog_or_exit(catalog_dirs)
    day = parse_today(today)
    invalid = False
    for path in models:
        shown, raw, problems = read_input(path)
        lines: tuple[str, ...] = ()
        if raw is not None:
            problems = as_given(check(shown, raw, catalog, today=day, allow_unmatched=allow_unmatched), path)
            lines = source_lines(raw)
        print_diagnostics(problems, lines, as_json=output_format == "json")
        invalid = invalid or has_errors(problems)
        if not has_errors(problems) and output_format == "text":
            echo_error(f"{display_path(path)}: valid")
    return EXIT_INVALID if invalid else EXIT_OK


def run_command(command: Callable[[], object]) -> None:
    """Run a command line. Ctrl-C and SIGTERM (from `timeout`, `docker stop`, a cancelled CI
    job) stop it the same way: every cleanup runs, outputs not yet swapped in are left as they
    were, and it exits with 128 + the signal number, as a shell reports a signal."""
    from trustmap.interrupts import Interrupted, interrupts_raise

    # Messages quote names as written: in an ASCII-only locale they are escaped, not a
    # UnicodeEncodeError (documents on standard output are written as UTF-8, see stdout_write).
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        with interrupts_raise():
            command()
    except (Interrupted, RuntimeError) as error:
        # Python reports an exception raised while a class is created (`__set_name__`, as
        # pydantic's models run while a command imports them) as a RuntimeError caused by it
        stop = _interruption(error)
        if stop is None:
            raise
        echo_error(f"trustmap: interrupted ({stop}); outputs not written yet were left as they were")
        sys.exit(128 + stop.signum)


def _interruption(error: BaseException) -> Interrupted | None:
    """The interrupt that `error` is, or was raised from."""
    from trustmap.interrupts import Interrupted

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, Interrupted):
            return seen
        seen = seen.__cause__
    return None
