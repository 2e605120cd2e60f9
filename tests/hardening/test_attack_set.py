"""Every repro of the 2026-12 attack, in a child process limited to 500 MB and 10 s of CPU:
no traceback, hang, escape, injection or data loss, and exit statuses as the contract says.
The cases are in `attack_set.py`; `make attack` runs them (and the other attack tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.attack_set import CASES, Case, run_case

pytestmark = [pytest.mark.attack, pytest.mark.graphviz]


def test_the_cases_have_distinct_names() -> None:
    names = [case.id for case in CASES]
    assert len(names) == len(set(names))
    defects = {name.split("-")[0] for name in names}
    assert defects >= {f"D{n}" for n in range(1, 16)} - {"D6"}  # D6: test_attack_builds.py (signals)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_attack(case: Case, tmp_path: Path) -> None:
    run_case(case, tmp_path)
