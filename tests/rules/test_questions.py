"""Questions: what the model does not say, asked once, answered by decisions, failing on request."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.rules.conftest import Analyse
from trustmap.cli import app

runner = CliRunner()

SILENT = """
    trustmap: 1
    name: Says little
    data:
      orders: {classification: confidential}
    components:
      web: {service: ec2}
      api: {service: ec2}
      db: {service: rds, stores: [orders], encryption_at_rest: aws-managed}
    flows:
      - {from: web, to: db, protocol: postgres, encrypted: true, authenticated: true}
"""


def test_account_wide_questions_are_asked_once_and_per_component_ones_per_subject(analyse: Analyse) -> None:
    analysis = analyse(SILENT)
    keys = [q.key for q in analysis.report.questions]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    model = [q for q in analysis.report.questions if q.subject.kind == "model"]
    assert {q.control for q in model} >= {"cloudtrail", "mfa-for-console-users", "root-user-protected"}
    assert all(q.key == f"model/{q.control}" and q.location.line == 1 for q in model)
    # two EC2 hosts: the unsaid patch baseline is asked about each, not about the model
    patched = sorted(q.subject.id for q in analysis.report.questions if q.control == "patch-baseline")
    assert patched == ["api", "web"]
    # and nothing unsaid is a finding
    assert not [f for f in analysis.report.findings if f.rule == "cloudtrail-not-enabled"]


def test_a_decision_answers_a_question(analyse: Analyse) -> None:
    text = (
        SILENT
        + """
    accepted:
      - finding: model/mfa-for-console-users
        status: mitigated
        reason: IAM Identity Center with phishing-resistant MFA for everyone
        owner: security
"""
    )
    analysis = analyse(text)
    question = next(q for q in analysis.report.questions if q.key == "model/mfa-for-console-users")
    assert question.status == "mitigated" and question.decision is not None
    assert question.decision.reason.startswith("IAM Identity Center")
    others = [q for q in analysis.report.questions if q.key != question.key]
    assert others and all(q.status == "unknown" for q in others)
    assert analysis.report.summary()["questions"]["answered"] == 1


def _checklist(path: Path, *options: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(
        app, ["checklist", str(path), "--format", "json", "--today", "2026-12-01", *options]
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


QUIET = """\
trustmap: 1
name: Quiet
data:
  notes: {classification: internal}
components:
  bucket: {service: s3, stores: [notes]}
"""


def test_fail_on_questions_counts_unanswered_questions_and_fail_on_only_findings(tmp_path: Path) -> None:
    model = tmp_path / "quiet.yaml"
    model.write_text(QUIET, encoding="utf-8")
    code, document = _checklist(model)
    assert code == 0 and document["questions"] and not document["findings"]
    # --fail-on counts findings only: a model with questions and no finding passes it
    assert _checklist(model, "--fail-on", "low")[0] == 0
    assert _checklist(model, "--fail-on-questions")[0] == 1
    answered = model.with_name("answered.yaml")
    answered.write_text(
        model.read_text(encoding="utf-8")
        + 'accepted:\n  - {finding: "*", status: accepted, reason: "baseline owned by the platform team"}\n',
        encoding="utf-8",
    )
    code, document = _checklist(answered, "--fail-on-questions")
    assert code == 0 and document["summary"]["questions"]["unanswered"] == 0  # type: ignore[index]

    out = tmp_path / "out"
    build = runner.invoke(
        app, ["build", str(model), "-o", str(out), "--today", "2026-12-01", "--fail-on-questions"]
    )
    assert build.exit_code == 1, build.output
    assert "open questions" in build.output
