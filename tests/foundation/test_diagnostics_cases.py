"""One bad model per diagnostic code, with the exact text `trustmap validate` prints.

Each `cases/<CODE>-<what>.yaml` has a sibling `.txt` holding the expected standard error.
Regenerate with TRUSTMAP_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import check_golden
from trustmap.cli import app

CASES = Path(__file__).resolve().parent / "cases"


def _cases() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.stem)
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = case.stem.split("-")[0]
    monkeypatch.chdir(CASES)
    result = CliRunner().invoke(app, ["validate", "--today", "2026-11-28", case.name])
    check_golden(case.with_suffix(".txt"), result.stderr)
    assert "Traceback" not in result.output
    assert f": {code} " in result.stderr
    assert result.exit_code == (2 if code.startswith("E") else 0)


def test_every_error_code_of_the_format_has_a_case() -> None:
    codes = {p.stem.split("-")[0] for p in _cases()}
    required = {f"E00{i}" for i in range(1, 9)} | {f"E10{i}" for i in range(1, 9)}
    required |= {f"E20{i}" for i in range(1, 10)} | {"E210", "E212", "W301", "W302", "W303", "W304", "W305"}
    required |= {f"E22{i}" for i in range(8)} | {"W310"}  # format 1.2
    assert required <= codes
