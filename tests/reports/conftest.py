"""Fixtures for the review outputs: the hostile model, where the golden files are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import analysed
from trustmap.analysis import Analysis
from trustmap.catalog import Catalog

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
HOSTILE = HERE / "hostile.yaml"


@pytest.fixture(scope="session")
def hostile(catalog: Catalog) -> Analysis:
    return analysed(catalog, "tests/reports/hostile.yaml", HOSTILE.read_bytes())
