"""Hostile model files: each one ends in exit 2 with a positioned error, or a correct model.

Every case goes through the library (every error must carry a line and column) and through
`trustmap validate` (exit 2, never a traceback). The cases whose cost grows with what the file
pretends to hold also run in a fresh process, whose CPU time and peak memory (the child's
maximum resident set size, from `os.wait4`) are bounded.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.source import Limits, load_yaml
from trustmap.validate import load_model

HEADER = "trustmap: 1\nname: hostile\ncomponents:\n  web: {service: ec2}\n"
POSITIONED = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[EW]\d{3}) ", re.M)
#: a fresh interpreter with the catalog loaded uses ~70 MB; hostile input may add this much
MEMORY_LIMIT_MB = 400
#: CPU seconds (user + system, so that a busy machine does not fail the test); the slowest
#: case takes about 2 s
CPU_LIMIT_S = 10.0


def _laughs(levels: int = 12) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return HEADER + "\n".join(lines) + "\n"


def _merge_chain(length: int = 3000) -> str:
    """Each mapping merges the previous one: quadratic growth through merge keys."""
    lines = ["m0: &m0 {k0: 0}"]
    lines += [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, length)]
    return HEADER + "\n".join(lines) + "\n"


def _merge_fanout() -> str:
    """One wide mapping merged into many: every merge copies every key."""
    wide = "wide: &w {" + ", ".join(f"k{i}: {i}" for i in range(2000)) + "}\n"
    return HEADER + wide + "".join(f"c{j}: {{<<: [*w, *w, *w, *w]}}\n" for j in range(2000))


def _huge_model(megabytes: int) -> bytes:
    """A plausible model padded with components up to the size asked for."""
    parts = [HEADER]
    size, index = len(HEADER), 0
    while size < megabytes * 1024 * 1024:
        entry = f"  c{index}:\n    service: ec2\n    name: Component {index} of a very large model\n"
        parts.append(entry)
        size += len(entry)
        index += 1
    return "".join(parts).encode()


def _many_values() -> bytes:
    """Small (a few MB) but more values than the loader will read."""
    return (HEADER + "tags: [" + "1," * 600_000 + "1]\n").encode()


def _garbage() -> bytes:
    return random.Random(7).randbytes(256 * 1024)


@dataclass(frozen=True)
class Case:
    name: str
    content: Callable[[], bytes]
    #: codes one of which must be reported; empty: the file must be valid
    codes: tuple[str, ...]


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


CASES = [
    Case("billion-laughs", _text(_laughs()), ("E007",)),
    Case("merge-key-chain", _text(_merge_chain()), ("E007",)),
    Case("merge-key-fanout", _text(_merge_fanout()), ("E007",)),
    # libyaml stops flow collections at 1,000 levels itself (E001), block ones reach our limit
    Case("deep-flow-nesting", _text("a: " + "[" * 50_000 + "]" * 50_000 + "\n"), ("E001", "E007")),
    Case("deep-block-nesting", _text("".join("  " * i + f"k{i}:\n" for i in range(2000))), ("E007",)),
    Case("deep-nesting-unclosed", _text("a: " + "{a: " * 100_000), ("E001", "E007")),
    Case("20-mb-model", lambda: _huge_model(20), ("E007",)),
    Case("too-many-values", _many_values, ("E007",)),
    Case("1-mb-name", _text(HEADER.replace("name: hostile", "name: " + "n" * 1024 * 1024)), ()),
    Case("100-kb-key-plain", _text(HEADER + "k" * 100 * 1024 + ": 1\n"), ("E001",)),
    Case("100-kb-key-explicit", _text(HEADER + "? " + "k" * 100 * 1024 + "\n: 1\n"), ("E102",)),
    Case("100-kb-component-id", _text(HEADER + "  " + "c" * 100 * 1024 + ": {service: ec2}\n"), ("E001",)),
    Case("10-mb-single-line", _text(HEADER + "description: " + "x" * 10 * 1024 * 1024 + "\n"), ()),
    Case("binary-garbage", _garbage, ("E001", "E004")),
    Case("latin-1", lambda: HEADER.encode() + b"description: caf\xe9\n", ("E004",)),
    Case("utf-16", lambda: HEADER.encode("utf-16"), ("E004",)),
    Case("nul-byte", lambda: HEADER.encode() + b"description: a\x00b\n", ("E001",)),
    Case("control-characters", _text(HEADER + "description: \x07\x1b[31mred\n"), ("E001",)),
    Case("escaped-control-characters", _text(HEADER + 'description: "\\x07\\x1b[31m \\0"\n'), ()),
    Case("lone-surrogate-escape", _text(HEADER + 'description: "\\ud800"\n'), ("E001",)),
    Case("python-object-apply", _text(HEADER + "x: !!python/object/apply:os.system ['id']\n"), ("E003",)),
    Case("python-object-new", _text(HEADER + "x: !!python/object/new:os.system ['id']\n"), ("E003",)),
    Case("python-name", _text(HEADER + "x: !!python/name:os.system\n"), ("E003",)),
    Case("python-module", _text(HEADER + "x: !!python/module:os\n"), ("E003",)),
    Case("tag-on-mapping", _text(HEADER + "x: !!python/object:os.PathLike {a: 1}\n"), ("E003",)),
    Case(
        "tag-directive",
        _text("%TAG !p! tag:yaml.org,2002:python/\n---\n" + HEADER + "x: !p!name:os.system\n"),
        ("E003",),
    ),
    Case("local-tag", _text(HEADER + "x: !Ref Bucket\n"), ("E003",)),
    Case("set-tag", _text(HEADER + "x: !!set {a, b}\n"), ("E003",)),
    Case("binary-name", _text(HEADER.replace("name: hostile", "name: !!binary aGk=")), ("E103",)),
    Case("explicit-int-on-nothing", _text(HEADER + "x: !!int\n"), ("E001",)),
    Case("explicit-bool-on-text", _text(HEADER + "x: !!bool maybe\n"), ("E001",)),
    Case("explicit-timestamp-on-text", _text(HEADER + "x: !!timestamp 2020-99\n"), ("E001",)),
    Case("unknown-alias", _text(HEADER + "x: *nowhere\n"), ("E001",)),
    Case("recursive-alias", _text(HEADER + "x: &a [*a]\n"), ("E001",)),
    Case("two-documents", _text(HEADER + "---\n" + HEADER), ("E008",)),
    Case("huge-integer", _text(HEADER.replace("trustmap: 1", "trustmap: " + "9" * 100_000)), ("E001",)),
    Case("huge-float", _text(HEADER.replace("trustmap: 1", "trustmap: 1e999999")), ("E107",)),
    Case(
        "bad-date",
        _text(HEADER + "accepted: [{finding: x, status: accepted, reason: r, expires: 2026-02-30}]\n"),
        ("E103",),  # text that only looks like a date: 'expires' must be a date
    ),
]


#: the cases whose cost grows with what the file holds: run alone, to measure memory and time
HEAVY = (
    "billion-laughs",
    "merge-key-chain",
    "merge-key-fanout",
    "deep-flow-nesting",
    "20-mb-model",
    "too-many-values",
    "1-mb-name",
    "10-mb-single-line",
)


#: run trustmap as `python -m trustmap` does, and write the process's own peak memory (VmHWM of
#: the image it runs, in kB) to the file named first when it ends. The child's `ru_maxrss` is no
#: measure on Linux: exec carries over the high-water mark of the forked copy of the parent, so a
#: pytest worker that has grown to 400 MB makes every child report at least that.
_MEASURED = """
import atexit, runpy, sys

def _peak(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        line = next((l for l in status if l.startswith("VmHWM:")), "VmHWM: -1 kB")
    with open(path, "w") as out:
        out.write(line.split()[1])

atexit.register(_peak)
sys.argv = ["trustmap", *sys.argv[2:]]
runpy.run_module("trustmap", run_name="__main__", alter_sys=True)
"""


def _run_cli(model: Path, out: Path) -> tuple[int, str, float, float]:
    """Run `trustmap validate` in a fresh process: exit code, stderr, CPU seconds, peak RSS in MB."""
    stderr_file, peak_file = out / "stderr.txt", out / "peak.txt"
    command = ["validate", "--today", TODAY.isoformat(), model.name]
    measured = Path("/proc/self/status").exists()
    argv = (
        [sys.executable, "-c", _MEASURED, str(peak_file), *command]
        if measured
        else [sys.executable, "-m", "trustmap", *command]
    )
    with stderr_file.open("wb") as stderr, (out / "stdout.txt").open("wb") as stdout:
        process = subprocess.Popen(argv, cwd=model.parent, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = usage.ru_utime + usage.ru_stime
    process.returncode = os.waitstatus_to_exitcode(status)
    # where /proc is missing (macOS), ru_maxrss is the best there is (bytes there, kB on Linux)
    peak_mb = int(peak_file.read_text()) / 1024 if measured else usage.ru_maxrss / 1024 / 1024
    return process.returncode, stderr_file.read_text("utf-8", "replace"), elapsed, peak_mb


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_file_is_refused_with_a_position_or_read(
    case: Case, catalog: Catalog, tmp_path: Path
) -> None:
    """The library and the command line agree; every error has a real line and column."""
    content = case.content()
    loaded, problems = load_model("model.yaml", content, catalog, today=TODAY)
    errors = [p for p in problems if p.level == "error"]
    if not case.codes:
        assert loaded is not None and not errors
    else:
        assert loaded is None
        assert {p.code for p in errors} & set(case.codes), [p.headline()[:200] for p in errors]
        for problem in errors:
            assert problem.span is not None, problem.headline()
            assert problem.span.line >= 1 and problem.span.column >= 1
    if case.name in HEAVY:
        return  # the command line runs these in a fresh process, below
    model = tmp_path / "model.yaml"
    model.write_bytes(content)
    result = CliRunner().invoke(app, ["validate", "--today", TODAY.isoformat(), str(model)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if not case.codes:
        assert result.exit_code == 0, result.stderr[:2000]
        return
    assert result.exit_code == 2
    assert {m["code"] for m in POSITIONED.finditer(result.stderr)} & set(case.codes)
    # Messages and excerpts are cut short: a hostile line never floods the terminal.
    assert max(len(line) for line in result.stderr.splitlines()) < 1000


@pytest.mark.parametrize("case", [c for c in CASES if c.name in HEAVY], ids=lambda c: c.name)
def test_hostile_file_in_a_fresh_process_is_bounded(case: Case, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_bytes(case.content())
    code, stderr, elapsed, peak_mb = _run_cli(model, tmp_path)
    assert "Traceback" not in stderr
    assert elapsed < CPU_LIMIT_S, f"{case.name} took {elapsed:.1f} s"
    assert peak_mb < MEMORY_LIMIT_MB, f"{case.name} peaked at {peak_mb:.0f} MB"
    assert code == (2 if case.codes else 0), stderr[:2000]


def test_size_limit_is_checked_before_decoding() -> None:
    """The 20 MB file is refused without being parsed: immediately and at line 1."""
    raw = _huge_model(20)
    started = time.perf_counter()
    document, problems = load_yaml("big.yaml", raw)
    assert time.perf_counter() - started < 0.5
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [("E007", 1, 1)]
    assert "16 MiB" in problems[0].message


def test_file_just_under_the_size_limit_loads_with_bounded_memory(tmp_path: Path) -> None:
    """A 15 MB file of long text (few values) is read; its cost is in the bytes, not the parse."""
    text = HEADER + "".join(f"  c{i}: {{service: ec2, description: {'d' * 500_000}}}\n" for i in range(30))
    model = tmp_path / "model.yaml"
    model.write_text(text)
    assert len(text) > 15_000_000
    code, stderr, elapsed, peak_mb = _run_cli(model, tmp_path)
    assert code == 0, stderr[:2000]
    assert elapsed < CPU_LIMIT_S
    assert peak_mb < MEMORY_LIMIT_MB


def test_expansion_limit_counts_aliases_before_expanding() -> None:
    """A value shared through aliases counts once per use, so the refusal comes early."""
    limits = Limits(max_expanded=1_000)
    document, problems = load_yaml("m.yaml", _laughs(4).encode(), limits)
    assert document is None and [p.code for p in problems] == ["E007"]
    # The refusal points at the alias that crossed the limit, not at the top of the file.
    assert problems[0].line > 4


def test_legitimate_aliases_are_shared_not_copied() -> None:
    """Aliases in a valid model are read once (the limit counts, the data is shared)."""
    document, problems = load_yaml("m.yaml", b"base: &b [1, 2, 3]\nuses: [*b, *b, *b]\n")
    assert problems == [] and document is not None
    uses = document.data["uses"]
    assert uses == [[1, 2, 3]] * 3
    assert all(item is document.data["base"] for item in uses)


TERMINAL_HOSTILE = [
    'web: {service: "\\e[2J\\e[31mevil\\u202e"}',  # unknown service
    'db: {service: rds, encryption_at_rest: "\\e]0;title\\a"}',  # value outside an enumeration
    '"\\e[5mkey": {service: ec2}',  # invalid id
    'web: {service: ec2, "\\x9b31m": 1}',  # unknown key (C1 control)
    "web: {service: ec2, name: \x1b[31mred}",  # raw control character: a YAML error
    "web: {service: ec2, boundary: \u202enwod}",  # bidi override in a reference
]


@pytest.mark.parametrize("line", TERMINAL_HOSTILE)
def test_messages_cannot_drive_the_terminal(tmp_path: Path, line: str) -> None:
    """Escape sequences and bidi overrides in a model are shown escaped, never sent as they are."""
    model = tmp_path / "model.yaml"
    model.write_text(f"trustmap: 1\nname: x\ncomponents:\n  {line}\n")
    # color=True: click would otherwise strip ANSI codes itself, because the runner is no terminal
    result = CliRunner().invoke(app, ["validate", str(model)], color=True)
    assert result.exit_code == 2, result.stderr
    hostile = [c for c in result.stderr if not c.isprintable() and c != "\n"]
    assert not hostile, (hostile, result.stderr)


def _long_names(length: int) -> str:
    return (
        f"trustmap: 1\nname: {'N' * length}\ncomponents:\n  web: {{service: ec2, name: {'w' * length}}}\n"
        "  db: {service: rds}\nflows:\n"
        f"  - {{from: web, to: db, protocol: postgres, name: {'f' * length}}}\n"
    )


def test_long_names_build_with_every_text_output(tmp_path: Path) -> None:
    """100 kB names: a build, with each name cut to 200 characters in every output, so that a
    name repeated in every checklist row cannot multiply the size of the outputs."""
    model = tmp_path / "long.yaml"
    model.write_text(_long_names(100 * 1024))
    result = CliRunner().invoke(
        app, ["build", str(model), "-o", str(tmp_path / "out"), "--today", "2026-11-28"]
    )
    assert result.exit_code == 0, result.output[-2000:]
    folder = tmp_path / "out" / "long"
    report = json.loads((folder / "report.json").read_text())
    assert report["model"]["name"] == "N" * 199 + "…"
    assert {c["name"] for c in report["components"]} == {"w" * 199 + "…", "db"}
    assert report["flows"][0]["name"] == "f" * 199 + "…"
    assert sum(p.stat().st_size for p in folder.iterdir()) < 5 * model.stat().st_size
    for name in (
        "report.html",
        "checklist.md",
        "checklist.csv",
        "findings.sarif",
        "diagram.mmd",
        "architecture.dot",
    ):
        assert (folder / name).is_file(), name


@pytest.mark.graphviz
def test_long_names_still_get_diagrams(tmp_path: Path) -> None:
    model = tmp_path / "long.yaml"
    model.write_text(_long_names(100 * 1024))
    result = CliRunner().invoke(
        app, ["build", str(model), "-o", str(tmp_path / "out"), "--today", "2026-11-28"]
    )
    assert result.exit_code == 0
    assert all((tmp_path / "out" / "long" / f"{view}.svg").is_file() for view in ("architecture", "dataflow"))


@pytest.mark.parametrize(
    ("written", "yaml11"),
    [("0443", 291), ("1:30", 90), ("0b1011", 11), ("1_000", 1000), ("+0443", 291), ("1:30.5", 90.5)],
)
def test_numbers_only_yaml_1_1_reads_are_refused_at_their_position(
    tmp_path: Path, written: str, yaml11: object
) -> None:
    """QA 2027-01: `port: 0443` was the port 291 (octal) and `port: 1:30` the port 90 (base 60):
    YAML 1.1 forms that YAML 1.2 and most readers take otherwise. They are text, so the port
    is refused where it is written, as `08080` already was."""
    model = tmp_path / "model.yaml"
    model.write_text(
        "trustmap: 1\nname: x\ncomponents:\n  a: {service: ec2}\n  b: {service: rds}\n"
        f"flows:\n  - {{from: a, to: b, protocol: postgres, port: {written}}}\n"
    )
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 2, (result.stderr, yaml11)
    assert f"model.yaml:7:48: E103 'port' must be an integer, not the string '{written}'" in result.stderr
    assert "leading zero" in result.stderr or "YAML 1.1" in result.stderr


def test_a_name_written_like_an_octal_number_stays_the_text_written(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("trustmap: 1\nname: 0755\ncomponents:\n  a: {service: ec2, tags: {time: 12:30}}\n")
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 0, result.stderr
