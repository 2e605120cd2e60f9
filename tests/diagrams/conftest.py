"""Fixtures for the diagrams: analysed models, golden-file comparison, SVG inspection."""

from __future__ import annotations

import difflib
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, TODAY
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
HOSTILE = HERE / "hostile.yaml"
UPDATE = os.environ.get("TRUSTMAP_UPDATE_GOLDEN") == "1"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def analyse_text(catalog: Catalog, text: str, shown: str = "model.yaml") -> Analysis:
    analysis, diagnostics = analyze(shown, text.encode(), catalog, today=TODAY)
    assert analysis is not None, [d.headline() for d in diagnostics]
    return analysis


def analyse_file(catalog: Catalog, path: Path, shown: str) -> Analysis:
    return analyse_text(catalog, path.read_text(encoding="utf-8"), shown)


@pytest.fixture(scope="session")
def example(catalog: Catalog) -> Callable[[str], Analysis]:
    cache: dict[str, Analysis] = {}

    def get(name: str) -> Analysis:
        if name not in cache:
            cache[name] = analyse_file(catalog, EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
        return cache[name]

    return get


@pytest.fixture(scope="session")
def hostile(catalog: Catalog) -> Analysis:
    return analyse_file(catalog, HOSTILE, "tests/diagrams/hostile.yaml")


def check_golden(path: Path, actual: str) -> None:
    """Compare with the golden file; TRUSTMAP_UPDATE_GOLDEN=1 rewrites it instead."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    if not path.is_file():
        pytest.fail(f"no golden file {path}; create it with TRUSTMAP_UPDATE_GOLDEN=1 and review it")
    expected = path.read_bytes().decode("utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm="", n=1
        )
        pytest.fail(f"{path.name} differs from its golden file:\n" + "\n".join(list(diff)[:60]))


def parse_svg(content: bytes) -> ET.Element:
    """The SVG document, checked to be well-formed XML."""
    return ET.fromstring(content)


def svg_hrefs(root: ET.Element) -> list[str]:
    return [
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if name in (XLINK_HREF, "href", "src")
    ]


def cluster_titles(root: ET.Element) -> set[str]:
    found = set()
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "cluster":
            title = group.find(f"{SVG}title")
            if title is not None and title.text:
                found.add(title.text)
    return found


def svg_text(root: ET.Element) -> str:
    """All text drawn, line by line."""
    return "\n".join("".join(text.itertext()) for text in root.iter(f"{SVG}text"))
