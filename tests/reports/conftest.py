"""Fixtures for the review outputs: analysed examples, the hostile model, golden files."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, TODAY, example_paths
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
HOSTILE = HERE / "hostile.yaml"
#: /work/shared (the vendored schemas), found from this file as the brief places it.
SHARED = Path(__file__).resolve().parents[3] / "shared"
EXAMPLE_NAMES = [path.stem for path in example_paths()]
UPDATE = os.environ.get("TRUSTMAP_UPDATE_GOLDEN") == "1"


def analyse(catalog: Catalog, path: Path, shown: str) -> Analysis:
    analysis, diagnostics = analyze(shown, path.read_bytes(), catalog, today=TODAY)
    assert analysis is not None, [d.headline() for d in diagnostics]
    return analysis


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> Callable[[str], Analysis]:
    """The analysis of examples/<name>.yaml, shown as the CLI shows it from the repository root."""
    cache: dict[str, Analysis] = {}

    def get(name: str) -> Analysis:
        if name not in cache:
            cache[name] = analyse(catalog, EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
        return cache[name]

    return get


@pytest.fixture(scope="session")
def hostile(catalog: Catalog) -> Analysis:
    return analyse(catalog, HOSTILE, "tests/reports/hostile.yaml")


def check_golden(path: Path, actual: str) -> None:
    """Compare with the golden file; TRUSTMAP_UPDATE_GOLDEN=1 rewrites it instead."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode())
        return
    if not path.is_file():
        pytest.fail(f"no golden file {path}; create it with TRUSTMAP_UPDATE_GOLDEN=1 and review it")
    expected = path.read_bytes().decode()
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="", n=1
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(f"{path.relative_to(HERE)} differs (TRUSTMAP_UPDATE_GOLDEN=1 rewrites it):\n{shown}")
