"""The DOT and Mermaid text of every example, compared with reviewed golden files.

Regenerate with TRUSTMAP_UPDATE_GOLDEN=1 and review the diff. DOT and Mermaid are our own
output, so they are compared byte for byte; images are not (they depend on Graphviz and fonts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import diagrams
from tests.conftest import EXAMPLE_NAMES, check_golden
from tests.diagrams.conftest import GOLDEN
from trustmap.analysis import Analysis
from trustmap.diagrams import DiagramOptions, diagram_files

SOURCES = ("architecture.dot", "dataflow.dot", "responsibility.dot", "diagram.mmd", "dataflow.mmd")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sources_match_golden(example: Callable[[str], Analysis], name: str) -> None:
    made = diagram_files(example(name), DiagramOptions(formats=()))
    assert set(SOURCES) <= set(made.files)
    for file in SOURCES:
        check_golden(GOLDEN / name / file, made.files[file].decode("utf-8"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sources_hold_no_absolute_paths(example: Callable[[str], Analysis], name: str) -> None:
    made = diagram_files(example(name), DiagramOptions(formats=()))
    installed = str(Path(diagrams.__file__).resolve().parent.parent)
    for file in SOURCES:
        text = made.files[file].decode("utf-8")
        assert installed not in text
        assert not re.search(r"(?<![\w<])/(usr|home|tmp|work|opt|root|var|Users)/", text)
        for icon in re.findall(r'SRC="([^"]*)"', text):
            assert not icon.startswith(("/", "\\")) and ":" not in icon, icon
            assert re.fullmatch(r"[a-z0-9_-]+(/[A-Za-z0-9_.-]+)+\.png", icon), icon


def test_every_example_has_a_golden_folder() -> None:
    assert sorted(path.name for path in GOLDEN.iterdir() if path.is_dir()) == sorted(EXAMPLE_NAMES)
