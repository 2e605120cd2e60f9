"""D3 of the 2026-12 attack: one `accepted:` pattern such as `*a*a*a*a*a*a*Z` hung `validate`,
`build`, `checklist` and `diff` (a regular expression of `.*` groups backtracks exponentially
against 64-character ids). Patterns are now matched in linear time."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from trustmap.cli import app
from trustmap.engine.decisions import Glob

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
REDOS = sorted(ATTACK.glob("redos-*.yaml"))


def _regex(pattern: str) -> re.Pattern[str]:
    """The meaning of a pattern, as the backtracking implementation had it."""
    return re.compile("".join(".*" if p == "*" else re.escape(p) for p in re.split(r"(\*)", pattern)), re.S)


@given(st.text("ab*/-", max_size=9), st.text("ab/-", max_size=12))
def test_glob_means_what_the_regular_expression_meant(pattern: str, key: str) -> None:
    assert Glob.parse(pattern).matches(key) == bool(_regex(pattern).fullmatch(key))


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("lb->web/*", "lb->web/unencrypted-flow", True),
        ("*", "", True),
        ("a*a", "a", False),
        ("a*a", "aa", True),
        ("*/imdsv2", "web/imdsv2", True),
        ("web/*", "web2/x", False),
        ("*a*b*", "ba", False),
        ("ab", "ab", True),
    ],
)
def test_glob_examples(pattern: str, key: str, expected: bool) -> None:
    assert Glob.parse(pattern).matches(key) is expected


def test_matching_takes_linear_time() -> None:
    glob = Glob.parse("*a" * 1000 + "*Z")
    key = "a" * 10_000
    start = time.perf_counter()
    assert not glob.matches(key)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("model", REDOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("command", ["validate", "checklist"])
def test_the_repro_models_finish_at_once(model: Path, command: str) -> None:
    start = time.perf_counter()
    result = CliRunner().invoke(app, [command, str(model), "--today", "2026-06-01"])
    elapsed = time.perf_counter() - start
    assert "Traceback" not in result.output
    # the pattern matches nothing: E210, exit 2, positioned at the decision
    assert result.exit_code == 2, result.output
    assert f"{model.name}:" in result.stderr and "E210" in result.stderr
    assert elapsed < 5, f"{model.name}: {elapsed:.1f} s"


def test_build_and_diff_of_the_worst_repro_finish_at_once(tmp_path: Path) -> None:
    model = ATTACK / "redos-accepted-pattern.yaml"
    start = time.perf_counter()
    build = CliRunner().invoke(app, ["build", str(model), "-o", str(tmp_path), "--today", "2026-06-01"])
    diff = CliRunner().invoke(app, ["diff", str(model), str(model), "--today", "2026-06-01"])
    assert build.exit_code == diff.exit_code == 2
    assert time.perf_counter() - start < 10
