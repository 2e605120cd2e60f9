"""D8 of the 2026-12 attack: N instances in one security group that allows itself made N*(N-1)
flows (400 instances: a 35 KB template, a 23 MiB model that the importer then refused as
"a trustmap bug"; 2,000 ran past 300 s). Such a group now gives one two-way flow that stands
for the traffic among its members, and the import is linear in the template.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.hardening.attack_set import mesh
from trustmap.cli import app

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"


def _import(template: Path, tmp_path: Path) -> tuple[dict[str, object], str]:
    out = tmp_path / "model.yaml"
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["import", "cloudformation", str(template), "-o", str(out)])
    assert time.perf_counter() - start < 10
    assert result.exit_code == 0, result.output[-1000:]
    assert "trustmap bug" not in result.output and "Traceback" not in result.output
    return yaml.safe_load(out.read_text()), result.stderr


@pytest.mark.parametrize("instances", [50, 400, 800])
def test_a_group_that_allows_itself_gives_one_flow(instances: int, tmp_path: Path) -> None:
    model, stderr = _import(ATTACK / f"sg-mesh-{instances}.yaml", tmp_path)
    assert len(model["components"]) == instances  # type: ignore[arg-type]
    assert model["flows"] == [
        {"from": "i0", "to": "i1", "protocol": "https", "port": 443, "bidirectional": True}
    ]
    assert f"security group SG allows itself: its {instances} members (i0, i1, i2, i3, i4 and" in stderr


def test_two_thousand_members_import_in_seconds(tmp_path: Path) -> None:
    template = tmp_path / "mesh.yaml"
    template.write_text(mesh(2000))
    model, _ = _import(template, tmp_path)
    assert len(model["flows"]) == 1  # type: ignore[arg-type]


def test_a_group_of_two_that_allows_itself_gives_one_two_way_flow(tmp_path: Path) -> None:
    template = tmp_path / "pair.yaml"
    template.write_text(mesh(2))
    model, stderr = _import(template, tmp_path)
    assert "its 2 members (i0, i1)" in stderr
    assert model["flows"] == [
        {"from": "i0", "to": "i1", "protocol": "https", "port": 443, "bidirectional": True}
    ]
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "model.yaml")])
    assert result.exit_code == 0, result.output


def test_a_template_with_too_many_values_is_refused_before_it_is_composed(tmp_path: Path) -> None:
    """attack/cfn-big-slow.sh: 7 MB of plain YAML took 46 s and 1 GB before its E007."""
    head = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
    body = "".join(
        f"  R{i}:\n    Type: AWS::SQS::Queue\n"
        f"    Properties: {{QueueName: q{i}, DelaySeconds: 0, Tags: [{{Key: k, Value: v}}]}}\n"
        for i in range(60000)
    )
    template = tmp_path / "big.cfn.yaml"
    template.write_text(head + body)
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["import", "cloudformation", str(template), "-o", "-"])
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    assert "E007 the template holds more than 500,000 values" in result.stderr
