"""Fuzzing the loader, the validator and the engine: no exception ever escapes.

Whatever the bytes, `analyze` returns an analysis, or diagnostics in which every error has a
line and a column, quickly. Three generators: random bytes, YAML-ish text assembled from the
tokens that matter (anchors, merge keys, tags, flow collections, ids, services), and random
mutations of the bundled examples (which stay close to valid, and so reach the engine).
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, example_paths
from trustmap.analysis import analyze, check
from trustmap.catalog import Catalog, load_catalog
from trustmap.diagnostics import format_diagnostic

CATALOG: Catalog = load_catalog()
EXAMPLES: list[bytes] = [p.read_bytes() for p in example_paths()]
#: seconds for one input; the slowest example analyses in well under a second
TIME_LIMIT = 5.0

FUZZ = settings(
    max_examples=60,
    deadline=None,  # the time bound is asserted below, with a margin for busy machines
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # reproducible in CI; run with --hypothesis-seed to explore
)

TOKENS = [
    "trustmap: 1\n", "name: x\n", "components:\n", "boundaries:\n", "flows:\n", "data:\n",
    "accepted:\n", "controls:\n", "  web:\n", "    service: ec2\n", "    service: rds\n",
    "    boundary: vpc\n", "  vpc: {kind: vpc}\n", "  - {from: web, to: db, protocol: https}\n",
    "  - from: web\n", "    to: web\n", "    protocol: http\n", "    stores: [pii]\n",
    "  pii: {classification: restricted}\n", "  - finding: 'web/*'\n", "    status: accepted\n",
    "    reason: r\n", "    expires: 2020-01-01\n",
    "- ", ": ", ", ", "{", "}", "[", "]", "&a ", "*a", "<<: ", "<<: *a\n", "!!python/name:os.system ",
    "!!binary ", "!Ref ", "!!str ", "!!int ", "? ", "|\n", ">\n", "~", "null", "true", "no", "0x1F",
    "0o17", "1e999", "-.inf", ".nan", "2026-13-01", "1_000", "'", '"', "\\", "#", "---\n", "...\n",
    "%YAML 1.1\n", "\t", "  ", "\n", "\r\n", "\x85", "\u2028", "\ufeff", "é", "\x00", "\x1b",
]  # fmt: skip


def _check(raw: bytes) -> None:
    started = time.perf_counter()
    analysis, problems = analyze("m.yaml", raw, CATALOG, today=TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT, f"{elapsed:.1f} s for {raw[:200]!r}"
    errors = [p for p in problems if p.level == "error"]
    if analysis is None:
        assert errors, [p.headline() for p in problems]
    else:
        assert not errors
    lines = raw.decode("utf-8", errors="replace").splitlines()
    for problem in errors:
        assert problem.span is not None, problem.headline()
        assert problem.span.line >= 1 and problem.span.column >= 1, problem.headline()
        assert problem.span.line <= max(1, len(lines) + 1), problem.headline()
        format_diagnostic(problem, lines)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(raw: bytes) -> None:
    _check(raw)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=80))
def test_yaml_ish_text(tokens: list[str]) -> None:
    _check("".join(tokens).encode("utf-8", errors="surrogatepass"))


@st.composite
def _mutated_example(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["delete", "insert", "duplicate-line", "swap-lines", "flip"]))
        position = draw(st.integers(min_value=0, max_value=max(0, len(raw) - 1)))
        if kind == "delete":
            del raw[position : position + draw(st.integers(min_value=1, max_value=40))]
        elif kind == "insert":
            raw[position:position] = draw(st.sampled_from(TOKENS)).encode("utf-8", errors="surrogatepass")
        elif kind == "flip":
            if raw:
                raw[position] = draw(st.integers(min_value=0, max_value=255))
        else:
            lines = bytes(raw).split(b"\n")
            a = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            b = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if kind == "duplicate-line":
                lines.insert(b, lines[a])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            raw = bytearray(b"\n".join(lines))
    return bytes(raw)


@FUZZ
@given(_mutated_example())
def test_mutated_examples(raw: bytes) -> None:
    _check(raw)


@FUZZ
@given(_mutated_example())
def test_validate_reports_what_a_build_reports(raw: bytes) -> None:
    """`check` (behind `trustmap validate`) skips evaluating models without risk decisions;
    that must never change the diagnostics."""
    assert check("m.yaml", raw, CATALOG, today=TODAY) == analyze("m.yaml", raw, CATALOG, today=TODAY)[1]


def test_the_examples_themselves_analyse() -> None:
    """The mutation base is sound: every example is valid to start with."""
    assert EXAMPLES
    for raw, path in zip(EXAMPLES, example_paths(), strict=True):
        analysis, problems = analyze(Path(path).name, raw, CATALOG, today=TODAY)
        assert analysis is not None, [p.headline() for p in problems]
