"""D5, D12 and part of D9/D15 of the 2026-12 attack: every input is a regular file read to at
most its limit plus one byte, and JSON inputs get the limits of YAML ones.

Before: `/dev/zero`, `/dev/urandom`, a catalog file linked to `/dev/zero` or `--mapping
/dev/zero` were read until memory ran out (MemoryError tracebacks); a FIFO without a writer
blocked forever; a directory named `services/x.yaml` in a catalog was an IsADirectoryError
traceback; a 40 MB OTM JSON document and 900-deep JSON were imported; a 4,300-digit integer
in OTM or CloudFormation JSON was a ValueError traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap.cli import app
from trustmap.input_file import read_input_file
from trustmap.interop.cfn_yaml import load_template
from trustmap.interop.otm_read import load_otm

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
SHOP = str(EXAMPLES / "shop.yaml")
TEMPLATE = str(Path(__file__).parents[1] / "interop" / "templates" / "three-tier.yaml")
DAY = ("--today", TODAY.isoformat())


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own: a hang or a runaway read cannot take the test run with it."""
    return subprocess.run(
        [sys.executable, "-m", "trustmap", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize(("device", "kind"), [("/dev/zero", "a device"), ("/dev/urandom", "a device")])
def test_a_device_is_refused_unread(device: str, kind: str) -> None:
    _refused(_run("validate", device, *DAY), f"E000 cannot read the file: it is {kind}, not a regular file")


def test_a_fifo_without_a_writer_neither_blocks_nor_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "model.yaml"
    os.mkfifo(fifo)
    _refused(_run("validate", str(fifo), *DAY, timeout=20), "it is a pipe, not a regular file")
    _refused(_run("build", str(fifo), "-o", str(tmp_path / "out"), *DAY, timeout=20), "it is a pipe")
    catalog = tmp_path / "catalog" / "services"
    catalog.mkdir(parents=True)
    os.mkfifo(catalog / "fifo.yaml")
    _refused(_run("validate", SHOP, "--catalog", str(tmp_path / "catalog"), *DAY, timeout=20), "it is a pipe")


def test_a_catalog_file_linked_to_a_device_is_refused(tmp_path: Path) -> None:
    """attack/special-files.sh: `cat-zero/services/zero.yaml -> /dev/zero`."""
    services = tmp_path / "cat-zero" / "services"
    services.mkdir(parents=True)
    (services / "zero.yaml").symlink_to("/dev/zero")
    _refused(
        _run("validate", SHOP, "--catalog", str(tmp_path / "cat-zero"), *DAY),
        "cat-zero/services/zero.yaml:1:1: E000 cannot read the file: it is a device",
    )


def test_a_mapping_table_that_is_a_device_is_refused(tmp_path: Path) -> None:
    _refused(
        _run("import", "cloudformation", TEMPLATE, "-o", "-", "--mapping", "/dev/zero"),
        "E000 cannot read the file: it is a device",
    )


def test_a_directory_in_a_catalog_is_a_positioned_error(tmp_path: Path) -> None:
    (tmp_path / "cat-dir" / "services" / "dir.yaml").mkdir(parents=True)
    result = CliRunner().invoke(app, ["validate", SHOP, "--catalog", str(tmp_path / "cat-dir"), *DAY])
    assert result.exit_code == 2
    assert "services/dir.yaml:1:1: E000 cannot read the file: it is a directory" in result.stderr


def test_a_file_given_as_a_catalog_directory_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", SHOP, "--catalog", SHOP, *DAY])
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


def test_a_file_is_read_to_its_limit_plus_one_byte(tmp_path: Path) -> None:
    from trustmap.source import Limits

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2048)
    raw, problems = read_input_file(big, "big.yaml", Limits(max_bytes=1024))
    assert raw is None and [p.code for p in problems] == ["E007"]
    raw, problems = read_input_file(big, "big.yaml", Limits(max_bytes=4096))
    assert raw == b"#" * 2048 and problems == []


@pytest.mark.parametrize("command", ["otm", "cloudformation"])
def test_a_json_integer_beyond_python_limits_is_a_positioned_error(command: str) -> None:
    """attack/bignum.otm.json and bignum.cfn.json: 5,000 digits."""
    source = ATTACK / f"bignum.{'otm' if command == 'otm' else 'cfn'}.json"
    result = CliRunner().invoke(app, ["import", command, str(source), "-o", "-"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{source.name}:1:" in result.stderr
    assert "E001 cannot read the number '99999999999999999999…': it has 5,000 digits" in result.stderr


def test_an_otm_document_over_16_mib_is_refused(tmp_path: Path) -> None:
    """attack/otm-over-limit.sh (40 MB there; 17 MiB is enough here)."""
    document = {
        "otmVersion": "0.2.0",
        "project": {"name": "p", "id": "p"},
        "trustZones": [{"id": "z", "name": "z"}],
        "components": [{"id": "a", "name": "a", "type": "ec2", "parent": {"trustZone": "z"}}],
        "pad": "x" * (17 * 1024 * 1024),
    }
    huge = tmp_path / "huge.otm.json"
    huge.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["import", "otm", str(huge), "-o", "-"])
    assert result.exit_code == 2
    assert "E007 the file is 17.0 MiB, more than the 16 MiB limit" in result.stderr
    # the library entry point refuses it as well, even without the file reader's check
    document_read, problems = load_otm("huge.otm.json", huge.read_bytes())
    assert document_read is None and [p.code for p in problems] == ["E007"]


def _deep(depth: int, tabs: bool) -> str:
    """An OTM document holding a `depth`-deep list; with a tab, which YAML refuses and JSON reads."""
    inner = "[" * depth + "]" * depth
    indent = "\t" if tabs else " "
    return f'{{\n{indent}"otmVersion": "0.2.0", "project": {{"name": "p", "id": "p"}}, "deep": {inner},\n'


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("depth", [100, 900, 5000])
def test_deep_json_is_refused_like_deep_yaml(depth: int, tabs: bool) -> None:
    document, problems = load_otm("deep.otm.json", _deep(depth, tabs).encode() + b'"components": []}')
    assert document is None
    assert [p.code for p in problems] == ["E007"], problems
    template = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": ' + "[" * depth
    template += "]" * depth + "}}}}"
    document, problems = load_template("deep.json", template.encode())
    assert document is None and [p.code for p in problems] == ["E007"], problems


def test_json_that_yaml_refuses_is_still_read_within_the_limits() -> None:
    text = '{\n\t"otmVersion": "0.2.0",\n\t"project": {"name": "p", "id": "p"},\n\t"components": []\n}\n'
    document, problems = load_otm("tabs.otm.json", text.encode())
    assert document is not None and problems == []
    assert document.data["otmVersion"] == "0.2.0"
