"""D1 and D13 of the 2026-12 attack: no CSV row or formula can be forged, no terminal control
reaches a terminal or a text file.

The repros are vendored in `attack/` (see its SOURCE.md): a name holding a lone carriage return
followed by a formula, and a name holding terminal escapes (title, clear screen, colour).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.cli import app

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
#: C0 controls except tab and LF, DEL, C1 controls, and every other line separator
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
FORMULA = ("=", "+", "-", "@")
DAY = ("--today", TODAY.isoformat())

#: one name per kind of line break (as a YAML escape), each followed by a formula
LINE_BREAKS = {
    "cr": "\\r",
    "crlf": "\\r\\n",
    "lf": "\\n",
    "vt": "\\v",
    "ff": "\\f",
    "fs": "\\x1c",
    "nel": "\\N",
    "ls": "\\L",
    "ps": "\\P",
    "tab": "\\t",
}
BREAKS_MODEL = 'trustmap: 1\nname: "breaks \\x9b31m \\x85 \\u2028"\ncomponents:\n' + "".join(
    f'  {key}: {{service: ec2, name: "safe{escape}=1+1 {key}", description: "d{escape}@SUM(1)"}}\n'
    for key, escape in LINE_BREAKS.items()
)


def _build(model: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["build", str(model), "-o", str(out), *DAY])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def _check_csv(text: str, expected_rows: int | None = None) -> list[list[str]]:
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert {len(row) for row in rows} == {len(rows[0])}, "a row was forged or cut"
    if expected_rows is not None:
        assert len(rows) == expected_rows
    for row in rows:
        for cell in row:
            for line in re.split(r"[\n\t]", cell):
                assert not line.lstrip().startswith(FORMULA), cell
    # a reader that splits on every kind of line break (str.splitlines) sees no formula either
    for line in text.splitlines():
        assert not line.lstrip().startswith(FORMULA), line
    return rows


@pytest.fixture
def breaks_model(tmp_path: Path) -> Path:
    model = tmp_path / "breaks.yaml"
    model.write_text(BREAKS_MODEL, encoding="utf-8")
    return model


def test_the_repro_model_parses_as_intended(breaks_model: Path) -> None:
    import yaml

    data = yaml.safe_load(breaks_model.read_bytes().decode("utf-8"))
    assert data["components"]["cr"]["name"] == "safe\r=1+1 cr"
    assert data["components"]["ls"]["name"] == "safe\u2028=1+1 ls"
    assert "\x9b" in data["name"]


def test_a_carriage_return_forges_no_csv_row(tmp_path: Path) -> None:
    """D1: `name: "Web tier\\r=cmd|' /C calc'!A0"` gave 128 rows, 49 of them starting a formula."""
    _build(ATTACK / "csv-cr-injection.yaml", tmp_path / "out")
    text = (tmp_path / "out" / "csv-cr-injection" / "checklist.csv").read_bytes().decode("utf-8")
    rows = _check_csv(text)
    plain = tmp_path / "plain.yaml"
    plain.write_text((ATTACK / "csv-cr-injection.yaml").read_text().replace("\\r=cmd", " cmd"))
    _build(plain, tmp_path / "out")
    assert len(rows) == len(_check_csv((tmp_path / "out" / "plain" / "checklist.csv").read_bytes().decode()))
    names = {row[2] for row in rows[1:] if row[1] == "web"}
    assert names == {"Web tier\n'=cmd|' /C calc'!A0"}


def test_no_line_break_of_any_kind_forges_a_csv_row(breaks_model: Path, tmp_path: Path) -> None:
    _build(breaks_model, tmp_path / "out")
    rows = _check_csv((tmp_path / "out" / "breaks" / "checklist.csv").read_bytes().decode("utf-8"))
    names = {row[1]: row[2] for row in rows[1:] if row[0] == "component"}
    for key in LINE_BREAKS:
        expected = f"safe =1+1 {key}" if key == "tab" else f"safe\n'=1+1 {key}"
        assert names[key] == expected


def test_checklist_csv_on_standard_output_is_as_safe(breaks_model: Path) -> None:
    result = CliRunner().invoke(app, ["checklist", str(breaks_model), "--format", "csv", *DAY])
    assert result.exit_code == 0
    _check_csv(result.stdout)
    assert not UNSAFE.search(result.stdout)


@pytest.mark.parametrize("model", ["terminal-escape.yaml", "csv-cr-injection.yaml", "breaks"])
def test_no_text_output_carries_a_terminal_control(model: str, breaks_model: Path, tmp_path: Path) -> None:
    """D13: `name: "\\e]0;pwned-title\\a\\e[2J\\e[31mRED"` reached checklist.csv and report.html raw."""
    source = breaks_model if model == "breaks" else ATTACK / model
    _build(source, tmp_path / "out")
    folder = tmp_path / "out" / source.stem
    checked = 0
    for path in sorted(folder.iterdir()):
        if path.suffix in (".png", ".pdf"):
            continue
        text = path.read_bytes().decode("utf-8")
        found = UNSAFE.search(text)
        assert found is None, f"{path.name}: {found.group()!r} at {found.start()}"
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("output_format", ["md", "csv", "json"])
def test_checklist_prints_no_terminal_control(output_format: str) -> None:
    model = ATTACK / "terminal-escape.yaml"
    result = CliRunner().invoke(app, ["checklist", str(model), "--format", output_format, *DAY])
    assert result.exit_code == 0
    assert not UNSAFE.search(result.stdout)
    assert "pwned-title" in result.stdout  # the text stays, only the controls go


def test_a_file_name_with_terminal_escapes_is_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "m\x1b]0;title\x07\x1b[31m.yaml"
    Path(name).write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: nope}\n")
    result = CliRunner().invoke(app, ["validate", name, *DAY], color=True)
    assert result.exit_code == 2
    assert "m\\x1b]0;title\\x07\\x1b[31m.yaml:4:" in result.stderr
    assert not UNSAFE.search(result.stderr)
    Path(name).write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: ec2}\n")
    result = CliRunner().invoke(app, ["build", name, name + "x", "-o", "out", *DAY], color=True)
    assert not UNSAFE.search(result.stderr)
    assert "\\x1b" in result.stderr


@pytest.mark.parametrize("value", ["a\ufffeb\uffffc", "x\U0001fffey", "c\x9b[31m", "l\u2028s", "plain é 🔒"])
def test_json_outputs_escape_what_they_would_carry_raw_and_keep_the_value(value: str) -> None:
    import json

    from trustmap.free_text import json_text

    text = json_text(json.dumps({"name": value}, ensure_ascii=False))
    assert json.loads(text) == {"name": value}
    assert not UNSAFE.search(text)
    assert ("é" in text) == ("é" in value)  # other characters stay as they are
