"""D7 of the 2026-12 attack: boundary `parent:` chains of about 490 levels crashed `build` and
`diagram` with a RecursionError, and below that grew quadratically (depth 400: 74 s).

Boundaries now nest at most 32 levels through their parents (E212, positioned), and every
walk up the parents is iterative and stops at the first boundary already measured.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY
from trustmap.cli import app

pytestmark = pytest.mark.attack

ATTACK = Path(__file__).parent / "attack"
DAY = ("--today", TODAY.isoformat())


def _chain(length: int, cycle: bool = False) -> str:
    lines = ["trustmap: 1", "name: chain", "boundaries:"]
    lines.append(f"  b0: {{kind: account, parent: b{length - 1}}}" if cycle else "  b0: {kind: account}")
    lines += [f"  b{i}: {{kind: custom, parent: b{i - 1}}}" for i in range(1, length)]
    lines += [
        "components:",
        f"  web: {{service: ec2, boundary: b{length - 1}}}",
        "  db: {service: rds, boundary: b0}",
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["build", "-o", "{tmp}/out"],
        ["diagram", "--format", "dot"],
        ["diagram", "--format", "mermaid"],
        ["checklist"],
        ["export otm", "-o", "{tmp}/m.otm.json"],
    ],
    ids=lambda a: a[0].replace(" ", "-") + "-".join(a[1:2]),
)
def test_a_600_deep_chain_is_a_positioned_error(args: list[str], tmp_path: Path) -> None:
    """attack/chain-600.yaml: RecursionError in build and diagram before."""
    command = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(
        app, [*command[0].split(), str(ATTACK / "chain-600.yaml"), *command[1:], *DAY]
    )
    assert result.exit_code == 2, result.output[-500:]
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    assert "chain-600.yaml:36:31: E212 boundary 'b32' is nested 33 levels deep" in result.stderr
    assert result.stderr.count("E212") == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / "m.otm.json").exists()


def test_the_deepest_allowed_chain_builds(tmp_path: Path) -> None:
    model = tmp_path / "deep.yaml"
    model.write_text(_chain(32))
    result = CliRunner().invoke(app, ["build", str(model), "-o", str(tmp_path / "out"), *DAY])
    assert result.exit_code == 0, result.output[-500:]


@pytest.mark.parametrize("cycle", [False, True])
def test_nesting_checks_take_linear_time(cycle: bool, tmp_path: Path) -> None:
    """20,000 boundaries in one chain (or one cycle): one diagnostic, at once."""
    model = tmp_path / "long.yaml"
    model.write_text(_chain(20_000, cycle))
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["validate", str(model), *DAY])
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    code = "E206" if cycle else "E212"
    assert result.stderr.count(f": {code} ") == 1, result.stderr[:1000]


def test_importing_a_deep_otm_zone_chain_is_refused_as_beyond_the_limits(tmp_path: Path) -> None:
    """The importer wrote such models; now the command says why it writes nothing."""
    import json

    zones = [
        {"id": f"z{i}", "name": f"z{i}"} | ({"parent": {"trustZone": f"z{i - 1}"}} if i else {})
        for i in range(600)
    ]
    document = {
        "otmVersion": "0.2.0",
        "project": {"name": "p", "id": "p"},
        "trustZones": zones,
        "components": [{"id": "a", "name": "a", "type": "ec2", "parent": {"trustZone": "z599"}}],
    }
    source = tmp_path / "zones.otm.json"
    source.write_text(json.dumps(document))
    result = CliRunner().invoke(app, ["import", "otm", str(source), "-o", str(tmp_path / "m.yaml")])
    assert result.exit_code == 2
    assert "E212 boundary" in result.stderr and "beyond trustmap's limits" in result.stderr
    assert "trustmap bug" not in result.stderr
    assert not (tmp_path / "m.yaml").exists()
