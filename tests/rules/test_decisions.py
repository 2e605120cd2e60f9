"""Risk decisions (`accepted`): patterns, statuses, expiry, unmatched decisions, checklist items."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.rules.conftest import Analyse, analyse_text, line_of, model_text
from trustmap.analysis import Analysis
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.findings import Finding, Subject

runner = CliRunner()

MODEL = """
    trustmap: 1
    name: Decisions
    boundaries:
      vpc: {{kind: vpc}}
      public: {{kind: subnet, parent: vpc, public: true}}
      app: {{kind: subnet, parent: vpc}}
      data: {{kind: subnet, parent: vpc}}
    components:
      lb: {{service: elb, boundary: public}}
      web: {{service: ec2, boundary: app}}
      db: {{service: rds, boundary: data}}
      cache: {{service: elasticache, boundary: app}}
    flows:
      - from: lb
        to: web
        protocol: http
      - from: web
        to: db
        protocol: postgres
    accepted:
{decisions}
"""


def _model(*decisions: str) -> str:
    return MODEL.format(decisions="\n".join(decisions))


def _decision(pattern: str, status: str = "accepted", expires: str | None = None) -> str:
    lines = [f'      - finding: "{pattern}"', f"        status: {status}", "        reason: Reviewed."]
    if expires:
        lines.append(f"        expires: {expires}")
    return "\n".join(lines)


def _findings(analysis: Analysis) -> dict[str, Finding]:
    return {f.key: f for f in analysis.report.findings}


def _decided(analysis: Analysis) -> set[str]:
    return {f.key for f in analysis.report.findings if f.decision is not None}


@pytest.fixture
def undecided(analyse: Analyse) -> dict[str, Finding]:
    found = _findings(analyse(_model(_decision("nothing-to-match", "accepted")), allow_unmatched=True))
    # the model must give the patterns below something to match
    flows = {f"{flow}/unencrypted-flow-crosses-boundary" for flow in ("lb->web", "web->db")}
    stores = {f"{store}/single-az-datastore" for store in ("db", "cache")}
    assert flows | stores <= set(found)
    return found


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("lb->web/*", lambda key: key.startswith("lb->web/")),
        ("*/single-az-datastore", lambda key: key.endswith("/single-az-datastore")),
        ("db/single-az-datastore", lambda key: key == "db/single-az-datastore"),
        (
            "*->*/unencrypted-flow-crosses-boundary",
            lambda key: key.endswith("/unencrypted-flow-crosses-boundary"),
        ),
        ("db/*single-az-datastore", lambda key: key == "db/single-az-datastore"),  # `*` may be empty
        ("w*", lambda key: key.startswith("w")),
    ],
)
def test_patterns(analyse: Analyse, undecided: dict[str, Finding], pattern: str, expected: object) -> None:
    analysis = analyse(_model(_decision(pattern)))
    matches = {key for key in undecided if expected(key)}  # type: ignore[operator]
    assert matches, "the pattern should match something in this model"
    assert _decided(analysis) == matches
    for key in matches:
        assert _findings(analysis)[key].status == "accepted"


@pytest.mark.parametrize(
    "pattern",
    [
        "lb->web/unencrypted.flow-crosses-boundary",  # `.` is literal
        "lb->web/unencrypted-flow-crosses-boundary.*",  # so is the `.` before a star
        "[l]b->web/*",
        "lb->web/(unencrypted)-flow-crosses-boundary",
        "lb->web/unencrypted-flow-crosses-boundary?",
        "lb->web/unencrypted-flow-crosses-boundar",  # no prefix match: the whole key
        "b->web/*",  # nor suffix match
        "^lb->web/*",
        "lb->web|db/*",
    ],
)
def test_only_star_is_special(catalog: Catalog, pattern: str) -> None:
    analysis, diagnostics = analyse_text(catalog, _model(_decision(pattern)))
    assert analysis is None
    assert [d.code for d in diagnostics if d.level == "error"] == ["E210"]


@pytest.mark.parametrize("status", ["accepted", "mitigated", "false-positive", "in-progress"])
def test_each_status_is_carried_to_the_finding(analyse: Analyse, status: str) -> None:
    text = _model(
        '      - finding: "lb->web/*"',
        f"        status: {status}",
        "        reason: TLS terminates at the load balancer.",
        "        owner: jane.doe",
        "        expires: 2027-06-30",
        "        ticket: SEC-42",
    )
    finding = _findings(analyse(text))["lb->web/unencrypted-flow-crosses-boundary"]
    assert finding.status == status
    assert finding.decision is not None
    assert finding.decision.to_json() == {
        "expires": "2027-06-30",
        "finding": "lb->web/*",
        "owner": "jane.doe",
        "reason": "TLS terminates at the load balancer.",
        "status": status,
        "ticket": "SEC-42",
    }
    assert finding not in analyse(text).report.open_findings()


def test_first_matching_decision_wins(analyse: Analyse) -> None:
    analysis = analyse(
        _model(_decision("db/single-az-datastore", "mitigated"), _decision("*/single-az-datastore"))
    )
    found = _findings(analysis)
    assert found["db/single-az-datastore"].status == "mitigated"
    assert found["cache/single-az-datastore"].status == "accepted"


def test_expired_decision_no_longer_applies(catalog: Catalog) -> None:
    text = _model(_decision("lb->web/*", expires="2027-06-30"))
    key = "lb->web/unencrypted-flow-crosses-boundary"
    for day, status, warned in [
        ("2027-06-29", "accepted", False),
        ("2027-06-30", "accepted", False),  # the last day it applies
        ("2027-07-01", "open", True),
    ]:
        analysis, diagnostics = analyse_text(catalog, text, today=dt.date.fromisoformat(day))
        assert analysis is not None
        assert _findings(analysis)[key].status == status, day
        w302 = [d for d in diagnostics if d.code == "W302"]
        assert bool(w302) == warned, day
        if warned:
            assert w302[0].line == line_of(text, "expires: 2027-06-30")
            assert "2027-06-30" in w302[0].message


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(model_text(text), encoding="utf-8")
    return str(path)


def test_today_option_controls_expiry(tmp_path: Path) -> None:
    path = _write(tmp_path, _model(_decision("lb->web/*", expires="2027-06-30")))
    statuses = {}
    for day in ("2027-06-30", "2027-07-01"):
        result = runner.invoke(app, ["checklist", path, "--format", "json", "--today", day])
        assert result.exit_code == 0, result.stderr
        findings = json.loads(result.stdout)["findings"]
        statuses[day] = {f["key"]: f["status"] for f in findings}["lb->web/unencrypted-flow-crosses-boundary"]
        assert ("W302" in result.stderr) == (day == "2027-07-01")
    assert statuses == {"2027-06-30": "accepted", "2027-07-01": "open"}


def test_unmatched_decision_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = _model(_decision("lb->web/*"), _decision("old-web/*"))
    path = _write(tmp_path, text)
    line = line_of(text, '"old-web/*"')
    for command in (["validate", path], ["build", path, "-o", str(tmp_path / "out")]):
        result = runner.invoke(app, [*command, "--today", "2026-11-28"])
        assert result.exit_code == 2, result.output
        assert f"model.yaml:{line}:14: E210 the decision 'old-web/*' matches no finding" in result.stderr
    assert not (tmp_path / "out" / "model").exists()

    for command in (
        ["validate", path],
        ["checklist", path, "--format", "json"],
        ["build", path, "-o", str(tmp_path / "out")],
    ):
        result = runner.invoke(app, [*command, "--today", "2026-11-28", "--allow-unmatched"])
        assert result.exit_code == 0, result.output
        assert f"model.yaml:{line}:14: W306 the decision 'old-web/*'" in result.stderr
        assert "E210" not in result.stderr
    assert (tmp_path / "out" / "model" / "report.json").is_file()


def test_expired_decision_counts_as_unmatched_only_while_it_applies(catalog: Catalog) -> None:
    """An expired decision is warned about (W302), not reported as matching nothing."""
    analysis, diagnostics = analyse_text(
        catalog, _model(_decision("gone/*", expires="2026-01-01")), today=dt.date(2026, 11, 28)
    )
    assert analysis is not None
    assert [d.code for d in diagnostics] == ["W302"]


def test_decision_on_a_checklist_item_changes_its_status(analyse: Analyse) -> None:
    db = Subject("component", "db")
    before = {i.id: i for i in analyse(_model(_decision("web/*"))).report.checklists[db]}
    assert before["multi-az"].status == "open"
    analysis = analyse(_model(_decision("db/multi-az", "in-progress")))
    items = {i.id: i for i in analysis.report.checklists[db]}
    assert items["multi-az"].status == "in-progress"
    assert items["multi-az"].decision is not None and items["multi-az"].decision.pattern == "db/multi-az"
    # other subjects' items of the same control are untouched
    cache = {i.id: i for i in analysis.report.checklists[Subject("component", "cache")]}
    assert cache["multi-az"].status == "open"
