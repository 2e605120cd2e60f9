"""Shared fixtures and helpers: the built-in catalog, the analysed examples, a fixed date for
reproducible runs, and the one golden-file comparison every folder uses."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TODAY = dt.date(2026, 11, 28)
#: TRUSTMAP_UPDATE_GOLDEN=1 rewrites golden files instead of comparing them
UPDATE_GOLDEN = os.environ.get("TRUSTMAP_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True, scope="session")
def _private_catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands run by the tests keep their compiled catalog in a temporary directory, never in
    the user's cache (`trustmap.catalog.cache`)."""
    os.environ["TRUSTMAP_CACHE_DIR"] = str(tmp_path_factory.mktemp("trustmap-cache"))


@pytest.fixture(autouse=True)
def _graphviz_asked_afresh() -> Iterator[None]:
    """The version of `dot` is asked once per process (`graphviz_version`); a test that puts a
    stand-in dot, or none, on PATH must not leave its answer to the tests after it (a build's
    manifest records the version: a serial build saw a stale `null` beside its workers'
    "2.43.0")."""
    from trustmap.diagrams.graphviz import graphviz_version

    yield
    graphviz_version.cache_clear()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


#: the examples' names (file stems), for parametrising
EXAMPLE_NAMES = [path.stem for path in example_paths()]


def analysed(catalog: Catalog, shown: str, raw: bytes) -> Analysis:
    """The analysis of a model that must be valid (the test fails with its diagnostics otherwise)."""
    analysis, diagnostics = analyze(shown, raw, catalog, today=TODAY)
    assert analysis is not None, [d.headline() for d in diagnostics]
    return analysis


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> Callable[[str], Analysis]:
    """`example(name)`: examples/<name>.yaml analysed once per session, its path shown as the CLI
    shows it from the repository root."""
    cache: dict[str, Analysis] = {}

    def get(name: str) -> Analysis:
        if name not in cache:
            cache[name] = analysed(catalog, f"examples/{name}.yaml", (EXAMPLES / f"{name}.yaml").read_bytes())
        return cache[name]

    return get


def check_golden(path: Path, actual: str) -> None:
    """Compare `actual` with the golden file at `path` (UTF-8, byte for byte).

    With TRUSTMAP_UPDATE_GOLDEN=1 the file is rewritten instead and nothing is compared; review
    the diff before committing.
    """
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    if not path.is_file():
        pytest.fail(f"no golden file {shown}; TRUSTMAP_UPDATE_GOLDEN=1 writes it (then review it)")
    expected = path.read_bytes().decode("utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="", n=2
        )
        pytest.fail(f"{shown} differs (TRUSTMAP_UPDATE_GOLDEN=1 rewrites it):\n" + "\n".join(list(diff)[:80]))
