"""D4 of the 2026-12 attack: a 1 MB model needed more than 6 GiB, because aliased strings were
counted as one value each, not by their size, and names repeat on every checklist row.

The loader now counts the text a document expands to (16 MiB), names are cut at 200
characters and decision reasons at 1,000 in the outputs, and a decision's pattern is at most
256 characters.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.cli import app
from trustmap.interop.cfn_yaml import load_template

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
DAY = ("--today", TODAY.isoformat())


@pytest.fixture(scope="module")
def amplified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """attack/alias-amplification.py: one 1 MB string aliased into 200 names and descriptions."""
    model = tmp_path_factory.mktemp("amp") / "amp.yaml"
    script = ATTACK / "alias-amplification.py"
    model.write_bytes(subprocess.run([sys.executable, str(script)], capture_output=True, check=True).stdout)
    assert 1_000_000 < model.stat().st_size < 1_100_000
    return model


@pytest.mark.parametrize("command", ["validate", "build", "checklist"])
def test_an_aliased_megabyte_string_is_refused_at_the_alias(
    amplified: Path, command: str, tmp_path: Path
) -> None:
    args = [command, str(amplified), *DAY] + (["-o", str(tmp_path / "out")] if command == "build" else [])
    start = time.perf_counter()
    result = CliRunner().invoke(app, args)
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2, result.output[-500:]
    assert "Traceback" not in result.output
    # the 16th alias crosses 16 MiB: line 12 (c7's description), at the alias
    assert "amp.yaml:12:35: E007 the document expands to more than 16 MiB of text" in result.stderr
    assert not (tmp_path / "out" / "amp").exists()


def test_aliases_in_a_cloudformation_template_are_counted_by_size() -> None:
    s = "x" * (1024 * 1024)
    template = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: &s " + s + "}\n"
    template += "".join(
        f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties: {{QueueName: *s}}\n" for i in range(20)
    )
    document, problems = load_template("t.yaml", template.encode())
    assert document is None
    assert [p.code for p in problems] == ["E007"] and "MiB of text" in problems[0].message


def _model(name: str, reason: str, pattern: str = "*") -> str:
    return (
        f"trustmap: 1\nname: {name}\ncomponents:\n  web: {{service: ec2, name: {name}}}\n"
        "  db: {service: rds}\nflows:\n  - {from: web, to: db, protocol: postgres}\n"
        f'accepted:\n  - finding: "{pattern}"\n    status: accepted\n    reason: {reason}\n'
        f"    owner: {name}\n    ticket: {name}\n"
    )


def test_names_and_reasons_cannot_multiply_the_outputs(tmp_path: Path) -> None:
    """A 100 kB name on every row and a 1 MB reason matched by every finding and checklist item
    made hundreds of megabytes of outputs; each is now cut where it is shown."""
    model = tmp_path / "big.yaml"
    model.write_text(_model("N" * 100_000, "R" * 1_000_000))
    result = CliRunner().invoke(app, ["build", str(model), "-o", str(tmp_path / "out"), *DAY])
    assert result.exit_code == 0, result.output[-500:]
    folder = tmp_path / "out" / "big"
    assert sum(p.stat().st_size for p in folder.iterdir()) < 2 * model.stat().st_size
    report = json.loads((folder / "report.json").read_text())
    assert report["model"]["name"] == "N" * 199 + "…"
    decisions = [f["decision"] for f in report["findings"] if f.get("decision")]
    assert decisions and {d["reason"] for d in decisions} == {"R" * 999 + "…"}
    assert {d["owner"] for d in decisions} == {"N" * 199 + "…"}


def test_a_pattern_longer_than_any_finding_key_is_an_error(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text(_model("m", "r", "*" * 300))
    result = CliRunner().invoke(app, ["validate", str(model), *DAY])
    assert result.exit_code == 2
    assert "m.yaml:9:14: E103 'finding' must be at most 256 characters long" in result.stderr


def test_a_long_regulation_is_cut_like_a_name(tmp_path: Path) -> None:
    """A regulation repeats wherever its data goes: a 4 MB one made 120 MB of report.json."""
    sizes = {}
    for stem, regulation in (("reg", "R" * 400_000), ("short", "R" * 200)):
        model = tmp_path / f"{stem}.yaml"
        data = f"  pii: {{classification: restricted, regulations: [{regulation}]}}"
        lines = ["trustmap: 1", "name: reg", "data:", data, "components:"]
        lines += [f"  c{i}: {{service: ec2, stores: [pii]}}" for i in range(10)]
        lines += [
            "flows:",
            *(f"  - {{from: c{i}, to: c{i + 1}, protocol: http, data: [pii]}}" for i in range(9)),
        ]
        model.write_text("\n".join(lines) + "\n")
        result = CliRunner().invoke(app, ["build", str(model), "-o", str(tmp_path / "out"), *DAY])
        assert result.exit_code == 0, result.output[-500:]
        sizes[stem] = sum(p.stat().st_size for p in (tmp_path / "out" / stem).iterdir())
    # the 400 kB regulation costs what 200 characters do
    assert abs(sizes["reg"] - sizes["short"]) < 50_000
    assert "R" * 199 + "…" in (tmp_path / "out" / "reg" / "report.json").read_text()
