"""D9, D14 and D15 of the 2026-12 attack: inputs that ended in a traceback (exit 1), wrong
positions for keys that are not text, and an object-building tag read as data.

attack/tracebacks.sh ran each of these; the ones about files and JSON are in
test_attack_inputs.py, the boundary chain in test_attack_nesting.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap.cli import app

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
SHOP = str(EXAMPLES / "shop.yaml")
DAY = ("--today", TODAY.isoformat())


def _run(
    *args: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "trustmap", *args],
        env={**os.environ, **(env or {})},
        capture_output="stdout" not in kwargs,
        timeout=60,
        check=False,
        **kwargs,
    )


@pytest.mark.parametrize("epoch", ["99999999999999999999", "253402300800", "9" * 5000, "abc", "-1", "1e9"])
def test_a_bad_source_date_epoch_is_a_message(epoch: str) -> None:
    result = CliRunner().invoke(app, ["validate", SHOP], env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH must be a number of seconds since 1970 before the year 10000" in result.stderr
    assert len(result.stderr) < 300


def test_a_good_source_date_epoch_is_the_date() -> None:
    # 2027-07-01: the shop example's decision (expires 2027-06-30) has expired (W302)
    result = CliRunner().invoke(app, ["validate", SHOP], env={"SOURCE_DATE_EPOCH": "1814400000"})
    assert result.exit_code == 0 and "W302" in result.stderr


@pytest.mark.parametrize("day", ["20260101", "2026-W01-1", "2026-13-01", "2026-1-1", "tomorrow"])
def test_today_takes_only_yyyy_mm_dd(day: str) -> None:
    result = CliRunner().invoke(app, ["validate", SHOP, "--today", day])
    assert result.exit_code == 2
    assert f"--today expects a date as YYYY-MM-DD, not '{day}'" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0", "-1", "86401"])
@pytest.mark.parametrize(
    "command",
    [
        ["build", SHOP, "-o", "{tmp}/out"],
        ["diagram", SHOP, "--format", "dot"],
        ["export", "otm", SHOP, "-o", "-"],
    ],
    ids=["build", "diagram", "export-otm"],
)
def test_a_graphviz_timeout_out_of_range_is_a_usage_error(
    command: list[str], value: str, tmp_path: Path
) -> None:
    args = [a.format(tmp=tmp_path) for a in command]
    result = CliRunner().invoke(app, [*args, "--graphviz-timeout", value, *DAY])
    assert result.exit_code == 2, result.output
    assert "--graphviz-timeout takes a number of seconds above 0 and at most 86400" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_closed_standard_output_is_a_message() -> None:
    result = _run("schema", stdout=None, preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert b"cannot write to standard output" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "services"],
        ["checklist", SHOP, *DAY],
        ["validate", "--format", "json", str(ATTACK / "nonstring-keys.yaml")],
    ],
)
def test_a_full_standard_output_is_a_message(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = _run(*args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert b"cannot write to standard output: No space left on device" in result.stderr


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "trustmap", "checklist", SHOP, "--format", "json", *DAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(1)
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr


NON_ASCII = (
    "trustmap: 1\nname: Café → 🔒\ncomponents:\n  web: {service: ec2, name: Wéb}\n  db: {service: rdś}\n"
)


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    ],
    ids=["PYTHONIOENCODING=ascii", "C-locale"],
)
def test_an_ascii_only_locale_gets_utf_8_documents_and_messages(env: dict[str, str], tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(NON_ASCII, encoding="utf-8")
    invalid = _run("validate", str(model), *DAY, env=env)
    assert invalid.returncode == 2
    assert b"Traceback" not in invalid.stderr and b"UnicodeEncodeError" not in invalid.stderr
    assert "E204 unknown service 'rdś'".encode() in invalid.stderr  # click writes UTF-8 to an ASCII stream
    model.write_text(NON_ASCII.replace("rdś", "rds"), encoding="utf-8")
    checklist = _run("checklist", str(model), "--format", "csv", *DAY, env=env)
    assert checklist.returncode == 0, checklist.stderr
    assert "Wéb".encode() in checklist.stdout  # documents are UTF-8, as the files of a build


def test_keys_that_are_not_text_are_reported_where_they_are_written() -> None:
    """attack/nonstring-keys.yaml: `~` and a date at 1:1, `1` as 'value', `1` and `true` as a
    duplicate 'True'."""
    result = CliRunner().invoke(app, ["validate", str(ATTACK / "nonstring-keys.yaml"), *DAY])
    assert result.exit_code == 2
    headlines = [
        line.split("nonstring-keys.yaml:")[1] for line in result.stderr.splitlines() if ": E" in line
    ]
    assert headlines == [
        "5:1: E103 a key must be text, not the number 1: quote it ('1') if it is text",
        "6:1: E002 the key 'true' is the key '1' of line 5 once read as a number; write keys as text",
        "7:1: E103 a key must be text, not null: quote it ('~') if it is text",
        "8:1: E103 a key must be text, not the number 1.5: quote it ('1.5') if it is text",
        "9:1: E103 a key must be text, not the date 2020-01-01: quote it ('2020-01-01') if it is text",
        "10:1: E103 a key must be text, not the number nan: quote it ('nan') if it is text",
    ]


def test_keys_that_are_not_text_inside_sections_are_positioned(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(
        "trustmap: 1\nname: x\ncomponents:\n  web: {service: ec2, tags: {1: a}}\n  2: {service: ec2}\n"
    )
    result = CliRunner().invoke(app, ["validate", str(model), *DAY])
    assert result.exit_code == 2
    assert "m.yaml:4:30: E103 a key must be text, not the number 1" in result.stderr
    assert "m.yaml:5:3: E103 a key must be text, not the number 2" in result.stderr
    assert "E105" not in result.stderr


def test_an_object_building_tag_on_a_sequence_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """attack/cfn-python-tag-on-sequence.yaml: read as plain data before; nothing was built."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["import", "cloudformation", str(ATTACK / "cfn-python-tag-on-sequence.yaml"), "-o", "-"]
    )
    assert result.exit_code == 2
    tag = "'!!python/object/apply:os.system'"
    assert f"cfn-python-tag-on-sequence.yaml:5:13: E003 the YAML tag {tag} is not allowed" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("delay", [0.03, 0.08, 0.15])
def test_ctrl_c_while_the_command_starts_is_no_traceback(delay: float) -> None:
    """A SIGINT while the interpreter imports typer and pydantic (before `main` takes the
    signals over) used to print a KeyboardInterrupt traceback (the interrupt sweep at 0.2 of a
    fast build, on a fresh clone whose imports compile their bytecode).

    The delay counts from the moment the `trustmap` package is imported (-X importtime says
    so): a signal that lands while the interpreter itself is still starting (a loaded machine)
    gets Python's own "Could not import runpy module", before any code of trustmap runs."""
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "trustmap", "validate", str(EXAMPLES / "shop.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.rstrip().endswith(b"| trustmap"):
            break
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    output = (stdout + stderr).decode("utf-8", "replace")
    assert "Traceback" not in output, output
    # 130: stopped (early or by `main`); 0: it had finished
    assert process.returncode in (0, 130), output


def test_an_interrupt_inside_a_weakref_callback_is_raised_once_it_is_over(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A fresh clone's CI (2026-12-04): a SIGINT that landed in a weakref callback of the import
    system raised `Interrupted` where Python cannot let an exception out, so it printed
    "Exception ignored in ..." with a traceback and the command went on to the end. It is now
    sent again and raised in the code the callback interrupted."""
    from trustmap.interrupts import Interrupted, interrupts_raise

    class Held:
        pass

    def callback(_: object) -> None:
        signal.raise_signal(signal.SIGINT)
        for _ in range(1000):  # bytecode after the signal: its handler runs in the callback
            pass

    refs: list[weakref.ref[Held]] = []

    def work_whose_reference_dies() -> None:
        held = Held()
        refs.append(weakref.ref(held, callback))
        del held  # the last reference: the callback runs here
        for _ in range(300):
            time.sleep(0.01)  # the signal sent again arrives

    with pytest.raises(Interrupted), interrupts_raise():
        work_whose_reference_dies()
    assert refs[0]() is None
    assert "Exception ignored" not in capsys.readouterr().err


def test_an_interrupt_while_a_class_is_created_is_an_interrupt(capsys: pytest.CaptureFixture[str]) -> None:
    """A signal while a command imports a module runs its handler inside whatever Python is
    doing; inside `__set_name__` (pydantic's models are created so) Python reports it as a
    RuntimeError caused by the Interrupted. Found by the interrupt sweep at 0.6 of a build:
    it printed that traceback and exited 1."""
    from trustmap.cli.plain import run_command
    from trustmap.interrupts import Interrupted

    def interrupted_while_creating_a_class() -> None:
        try:
            raise Interrupted(signal.SIGINT)
        except Interrupted as stop:
            raise RuntimeError("Error calling __set_name__ on 'PydanticDescriptorProxy'") from stop

    with pytest.raises(SystemExit) as stopped:
        run_command(interrupted_while_creating_a_class)
    assert stopped.value.code == 130
    assert "interrupted (SIGINT)" in capsys.readouterr().err

    def a_real_error() -> None:
        raise RuntimeError("not an interrupt")

    with pytest.raises(RuntimeError, match="not an interrupt"):
        run_command(a_real_error)
