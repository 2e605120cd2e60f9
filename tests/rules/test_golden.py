"""Golden files: the JSON checklist of every example, as `trustmap checklist` prints it.

`TRUSTMAP_UPDATE_GOLDEN=1 pytest tests/rules/test_golden.py` rewrites them; review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE_NAMES, ROOT, check_golden
from trustmap.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"

runner = CliRunner()


def _checklist(name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)  # the report shows the model path as given, relative to here
    result = runner.invoke(
        app, ["checklist", f"examples/{name}.yaml", "--format", "json", "--today", "2026-11-28"]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_checklist_json_matches_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden(GOLDEN / f"{name}.checklist.json", _checklist(name, monkeypatch))


def test_every_example_has_a_golden_and_no_golden_is_stale() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.checklist.json")) == sorted(
        f"{name}.checklist.json" for name in EXAMPLE_NAMES
    )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_is_consistent(name: str) -> None:
    """Checks on the stored document itself, so that a regenerated golden cannot drift silently."""
    document = json.loads((GOLDEN / f"{name}.checklist.json").read_text(encoding="utf-8"))
    assert document["format"] == "trustmap-checklist/1"
    assert document["model"]["source"] == f"examples/{name}.yaml"
    items = [
        item
        for entry in [document["model"], *document["components"], *document["flows"], *document["principals"]]
        for item in entry["checklist"]
    ]
    for item in items:
        assert (item["status"] == "inherited") == (item["owner"] == "aws"), item["key"]
        assert item["reason"], item["key"]
        if item["status"] == "met":
            assert item["reason"].startswith(("declared", "evidenced")), item["key"]
        if item["status"] == "open":
            # open means the model states what leaves the duty unmet (judgement.md)
            assert item["reason"].startswith(("stated in the model", "the model declares")), item["key"]
        if item["status"] == "unknown":
            assert item["reason"].startswith("the model does not say"), item["key"]
    counted = dict.fromkeys(document["summary"]["checklist"], 0)
    for item in items:
        counted[item["status"]] += 1
    assert counted == document["summary"]["checklist"]
    opened = [f for f in document["findings"] if f["status"] == "open"]
    assert sum(document["summary"]["open"].values()) == len(opened)


def test_several_formats_are_printed_one_after_another_in_the_order_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """outputs.md: `--format md,json,csv`; each format as it prints alone, in the order given."""
    monkeypatch.chdir(ROOT)
    alone = {}
    for fmt in ("md", "json", "csv"):
        result = runner.invoke(
            app, ["checklist", "examples/shop.yaml", "--format", fmt, "--today", "2026-11-28"]
        )
        alone[fmt] = result.stdout
    both = runner.invoke(
        app, ["checklist", "examples/shop.yaml", "--format", "csv,md", "--today", "2026-11-28"]
    )
    assert both.exit_code == 0
    assert both.stdout == alone["csv"] + alone["md"]
