"""A top-level key written with no value (`components:`, YAML null), QA 2027-01: `validate`
said valid while every other command exited 2 printing nothing.

Null is absent where the format lets the key be left out (`data`, `flows`, `controls`...), and a
positioned error where a value is required (`components`, `name`, `trustmap`); every command
says the same thing, and none exits 2 without saying why.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.cli import app

DAY = ("--today", TODAY.isoformat())


def _minimal(key: str) -> str:
    """A valid model but for `key:` null (the sections left out that would refer to it)."""
    kept = "trustmap: 1\nname: Shop\ncomponents:\n  web:\n    service: ec2\n"
    if key in ("trustmap", "name", "components"):
        return re.sub(rf"^{key}:.*(\n  .*)*", f"{key}:", kept, flags=re.M)
    return kept + f"{key}:\n"


OPTIONAL = [
    "description",
    "owner",
    "region",
    "data",
    "boundaries",
    "flows",
    "controls",
    "accepted",
    "principals",
    "grants",
    "security_groups",
    "route_domains",
]
#: where the error is, and what it says
REQUIRED = {
    "components": ("3:1: E108", "'components' must hold at least one component"),
    "name": ("2:6: E103", "'name' must be a string, not nothing"),
    "trustmap": ("1:10: E107", "the format version is missing: write 'trustmap: 1'"),
}


def _validate(tmp_path: Path, text: str) -> tuple[int, str, str]:
    (tmp_path / "model.yaml").write_text(text)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "model.yaml"), *DAY])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("key", OPTIONAL)
def test_an_optional_key_with_no_value_is_absent(tmp_path: Path, key: str) -> None:
    code, _, errors = _validate(tmp_path, _minimal(key))
    assert code == 0, errors
    assert errors.strip().endswith("model.yaml: valid")


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_a_required_key_with_no_value_is_a_positioned_error(tmp_path: Path, key: str) -> None:
    code, _, errors = _validate(tmp_path, _minimal(key))
    where, message = REQUIRED[key]
    assert code == 2
    assert f"model.yaml:{where} {message}" in errors, errors
    assert "None" not in errors


COMMANDS = [
    ["validate"],
    ["validate", "--format", "json"],
    ["checklist", *DAY],
    ["build", "-o", "out", *DAY],
    ["diagram", "--format", "dot", *DAY],
    ["export", "otm", "-o", "x.json", *DAY],
    ["diff", "model.yaml", *DAY],
    ["verify", "--against", "template.json"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_every_command_reports_null_components(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.yaml").write_text(_minimal("components"))
    (tmp_path / "template.json").write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')
    args = [command[0], *(["otm"] if command[:2] == ["export", "otm"] else []), "model.yaml"]
    args += command[2:] if command[:2] == ["export", "otm"] else command[1:]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    shown = result.stdout if "json" in command else result.stderr
    assert "E108" in shown and "'components' must hold at least one component" in shown, shown
    if "json" not in command:
        assert "model.yaml:3:1: E108" in shown
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.json").exists()
