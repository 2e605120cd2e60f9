"""Fixtures for the diagrams: the hostile model, SVG inspection."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import analysed
from trustmap.analysis import Analysis
from trustmap.catalog import Catalog

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
HOSTILE = HERE / "hostile.yaml"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


@pytest.fixture(scope="session")
def hostile(catalog: Catalog) -> Analysis:
    return analysed(catalog, "tests/diagrams/hostile.yaml", HOSTILE.read_bytes())


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
