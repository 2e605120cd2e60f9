"""Shared fixtures: the built-in catalog, example paths, a fixed date for reproducible runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustmap.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))
