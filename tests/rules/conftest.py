"""Helpers for the catalog and engine tests: analyse a model given as text."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, TODAY, example_paths
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic

Analyse = Callable[..., Analysis]


def model_text(text: str) -> str:
    """A model written as an indented string in a test, as the file would hold it."""
    return textwrap.dedent(text).lstrip("\n")


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of the model text that contains `needle`."""
    lines = model_text(text).splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def analyse_text(
    catalog: Catalog,
    text: str,
    *,
    path: str = "model.yaml",
    today: dt.date = TODAY,
    allow_unmatched: bool = False,
) -> tuple[Analysis | None, list[Diagnostic]]:
    """Analyse a model written as an indented string in a test (dedented first)."""
    raw = model_text(text).encode()
    return analyze(path, raw, catalog, today=today, allow_unmatched=allow_unmatched)


@pytest.fixture
def analyse(catalog: Catalog) -> Analyse:
    """`analyse(text, **options)`: the analysis of a valid model (fails the test otherwise)."""

    def run(text: str, **options: object) -> Analysis:
        analysis, diagnostics = analyse_text(catalog, text, **options)  # type: ignore[arg-type]
        assert analysis is not None, "\n".join(d.headline() for d in diagnostics)
        return analysis

    return run


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_paths() -> list[Path]:
    """Every example and rule fixture: the models the corpus-wide checks run over."""
    return [*example_paths(), *sorted(FIXTURES.glob("*.yaml"))]


@pytest.fixture(scope="session")
def corpus(catalog: Catalog) -> dict[str, Analysis]:
    """The analysis of every example and fixture, keyed by its path from the repository root."""
    found: dict[str, Analysis] = {}
    for path in corpus_paths():
        shown = path.relative_to(ROOT).as_posix()
        analysis, diagnostics = analyze(shown, path.read_bytes(), catalog, today=TODAY, allow_unmatched=True)
        assert analysis is not None, "\n".join(d.headline() for d in diagnostics)
        found[shown] = analysis
    return found
