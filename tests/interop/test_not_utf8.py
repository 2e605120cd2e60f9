"""Every command that reads a file refuses bytes that are not UTF-8 the same way: E004 at the
line and column of the first bad byte, `path:line:column: CODE message`, exit 2 (issue:
importers printed a bare "not valid UTF-8" at 1:1, without what to do)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from trustmap.cli import app
from trustmap.input_file import read_input_text

runner = CliRunner()
SHOP = str(EXAMPLES / "shop.yaml")
LATIN1 = b"caf\xe9"
UTF16 = "{}".encode("utf-16")


def _write(path: Path, content: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return str(path)


def _e004(output: str) -> list[tuple[str, int, int, str]]:
    found = re.findall(r"^(\S+):(\d+):(\d+): E004 (.*)$", output, re.MULTILINE)
    return [(Path(name).name, int(line), int(column), message) for name, line, column, message in found]


SAVE = "the file is not valid UTF-8; save it as UTF-8"


@pytest.mark.parametrize(
    ("command", "name", "content", "expected"),
    [
        (["import", "otm"], "t.otm.yaml", b"otmVersion: 0.2.0\nproject:\n  name: " + LATIN1 + b"\n", (3, 12)),
        (["import", "otm"], "t.otm.json", b'{"otmVersion": "0.2.0",\n "x": "' + LATIN1 + b'"}', (2, 11)),
        (["import", "cloudformation"], "t.yaml", b"Resources:\n  B: # " + LATIN1 + b"\n", (2, 11)),
        (["import", "cloudformation"], "t.json", b'{"Resources":\n {"B": "' + LATIN1 + b'"}}', (2, 12)),
        (
            ["import", "terraform"],
            "main.tf",
            b'resource "aws_s3_bucket" "b" {\n  bucket = "' + LATIN1 + b'"\n}\n',
            (2, 16),
        ),
        (
            ["import", "terraform"],
            "plan.json",
            b'{"format_version": "1.0",\n "x": "' + LATIN1 + b'"}',
            (2, 11),
        ),
        (["validate"], "m.yaml", b"version: 1\nname: " + LATIN1 + b"\n", (2, 10)),
        (["checklist"], "m.yaml", b"version: 1\nname: " + LATIN1 + b"\n", (2, 10)),
        (["diff", SHOP], "m.yaml", b"version: 1\nname: " + LATIN1 + b"\n", (2, 10)),
    ],
)
def test_each_reader_positions_the_first_bad_byte(
    tmp_path: Path, command: list[str], name: str, content: bytes, expected: tuple[int, int]
) -> None:
    source = _write(tmp_path / name, content)
    extra = ["-o", str(tmp_path / "out.yaml")] if command[0] == "import" else []
    result = runner.invoke(app, [*command, source, *extra])
    assert result.exit_code == 2, result.output
    assert _e004(result.output) == [(name, *expected, SAVE)]
    assert "Traceback" not in result.output and not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize(
    "command", [["import", "otm"], ["import", "cloudformation"], ["import", "terraform"]]
)
def test_a_utf16_file_is_named_as_such(tmp_path: Path, command: list[str]) -> None:
    source = _write(tmp_path / "t.json", UTF16)
    result = runner.invoke(app, [*command, source, "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2, result.output
    [(_, line, column, message)] = _e004(result.output)
    assert (line, column) == (1, 1) and "it is UTF-16" in message


def test_a_terraform_folder_names_each_bad_file_and_variable_file(tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    _write(folder / "main.tf", b'variable "a" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.a\n}\n')
    _write(folder / "terraform.tfvars", b'a = "ok"\nb = "' + LATIN1 + b'"\n')
    _write(folder / "x.auto.tfvars.json", b'{"a": "' + LATIN1 + b'"}')
    result = runner.invoke(app, ["import", "terraform", str(folder), "-o", str(tmp_path / "out.yaml")])
    assert result.exit_code == 2, result.output
    assert sorted(_e004(result.output)) == [
        ("terraform.tfvars", 2, 9, SAVE),
        ("x.auto.tfvars.json", 1, 11, SAVE),
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("t.yaml", b"Resources:\n  B: # " + LATIN1 + b"\n", (2, 11)),
        ("stack/main.tf", b'resource "aws_s3_bucket" "b" {\n  bucket = "' + LATIN1 + b'"\n}\n', (2, 16)),
    ],
)
def test_verify_positions_the_bad_byte_of_the_code(
    tmp_path: Path, name: str, content: bytes, expected: tuple[int, int]
) -> None:
    source = _write(tmp_path / name, content)
    against = str(Path(source).parent) if name.endswith(".tf") else source
    result = runner.invoke(app, ["verify", SHOP, "--against", against])
    assert result.exit_code == 2, result.output
    assert _e004(result.output) == [(Path(name).name, *expected, SAVE)]


def test_read_input_text_drops_a_byte_order_mark(tmp_path: Path) -> None:
    assert read_input_text(tmp_path / "missing", "missing")[1][0].code == "E000"
    path = tmp_path / "bom.tf"
    path.write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert read_input_text(path, "bom.tf") == ("a = 1\n", [])
