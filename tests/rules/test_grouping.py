"""Findings that one fix covers are one finding naming the others (`group_by`, docs/catalog.md)."""

from __future__ import annotations

from tests.conftest import ROOT
from tests.rules.conftest import Analyse
from trustmap.analysis import Analysis
from trustmap.findings import Finding

FIXTURES = ROOT / "tests" / "rules" / "fixtures"

#: two jobs share one execution role that reads identified loans and writes the features: the
#: role spans the classifications and each job reaches data it has no flow to; a third job runs
#: as a role of its own, which no grouping may hide
SHARED_ROLE = """
    trustmap: 1
    name: Shared execution role
    data:
      loans: {classification: restricted, regulations: [gdpr]}
      features: {classification: confidential}
    boundaries:
      prod: {kind: account}
    principals:
      exec-role: {kind: role, boundary: prod}
      own-role: {kind: role, boundary: prod}
    grants:
      - {principal: exec-role, access: read, to: raw}
      - {principal: exec-role, access: write, to: [curated, capture]}
      - {principal: own-role, access: read, to: [raw, capture]}
    components:
      training: {service: lambda, boundary: prod, runs_as: exec-role}
      scoring: {service: lambda, boundary: prod, runs_as: exec-role}
      reports: {service: lambda, boundary: prod, runs_as: own-role}
      raw: {service: s3, boundary: prod, stores: [loans]}
      curated: {service: s3, boundary: prod, stores: [features]}
      capture: {service: s3, boundary: prod, stores: [features]}
    flows:
      - {from: training, to: raw, protocol: aws-api, data: [loans]}
      - {from: training, to: curated, protocol: aws-api, data: [features]}
      - {from: scoring, to: curated, protocol: aws-api, data: [features]}
      - {from: reports, to: raw, protocol: aws-api, data: [loans]}
"""


def _by_rule(analysis: Analysis, rule: str) -> list[Finding]:
    return [f for f in analysis.report.findings if f.rule == rule]


def test_findings_on_one_shared_role_are_one_finding(analyse: Analyse) -> None:
    """The role's span and the workloads' reach are fixed by one change, scoping the shared role:
    one finding stands for them and names them; the job with a role of its own keeps its own."""
    analysis = analyse(SHARED_ROLE)
    keys = {f.key for f in analysis.report.findings}
    grouped = {
        "exec-role/role-spans-data-classifications",
        "scoring/workload-reaches-beyond-its-flows",
        "training/workload-reaches-beyond-its-flows",
    }
    standing = grouped & keys
    assert len(standing) == 1, keys
    finding = next(f for f in analysis.report.findings if f.key in standing)
    assert set(finding.covers) == grouped - standing
    assert "The same fix (scoping the grants of 'exec-role') covers" in finding.why
    assert "reports/workload-reaches-beyond-its-flows" in keys
    own = next(f for f in analysis.report.findings if f.key == "reports/workload-reaches-beyond-its-flows")
    assert not own.covers


def test_members_of_one_security_group_are_one_finding(analyse: Analyse) -> None:
    """The rule no flow needs is in the group: one finding on the member with the most at stake
    names the other, and the member of another group keeps its own."""
    text = (FIXTURES / "security-group-wider-than-flows.shared.yaml").read_text(encoding="utf-8")
    found = {f.subject.id: f for f in _by_rule(analyse(text), "security-group-wider-than-flows")}
    assert sorted(found) == ["processing", "scoring"]
    assert found["processing"].covers == ("training/security-group-wider-than-flows",)
    assert "The same fix (in 'sg-jobs') covers 'training'." in found["processing"].why
    assert not found["scoring"].covers


#: the shared execution role again, which a data scientist may pass to a notebook she can start,
#: an operator may rewrite, and a builder may pass with an administrator to a function it writes
PASSED_ROLE = """
    trustmap: 1
    name: A shared role that people pass
    data:
      loans: {classification: restricted, regulations: [gdpr]}
      features: {classification: confidential}
    boundaries:
      prod: {kind: account}
    principals:
      exec-role: {kind: role, boundary: prod}
      ds-role: {kind: role, boundary: prod}
      operator: {kind: user, boundary: prod}
      admin-role: {kind: role, boundary: prod}
      builder: {kind: user, boundary: prod}
      fn-role: {kind: role, boundary: prod}
    grants:
      - {principal: exec-role, access: read, to: raw}
      - {principal: exec-role, access: write, to: curated}
      - {principal: ds-role, access: write, to: notebook}
      - {principal: ds-role, access: pass-role, to: exec-role}
      - {principal: operator, access: write, to: exec-role}
      - {principal: admin-role, access: admin, to: "*"}
      - {principal: builder, access: write, to: fn}
      - {principal: builder, access: pass-role, to: admin-role}
    components:
      training: {service: lambda, boundary: prod, runs_as: exec-role}
      notebook: {service: fargate, boundary: prod, runs_as: fn-role}
      fn: {service: lambda, boundary: prod, runs_as: fn-role}
      raw: {service: s3, boundary: prod, stores: [loans]}
      curated: {service: s3, boundary: prod, stores: [features]}
    flows:
      - {from: training, to: curated, protocol: aws-api, data: [features]}
"""


def test_passing_a_shared_role_is_fixed_with_the_role(analyse: Analyse) -> None:
    """Scoping the execution role fixes what passing it gives, so the escalation that ends at
    it is one finding with the role's; rewriting its policies, or passing an administrator,
    is fixed in the escalating principal's own grants and stays a finding of its own."""
    found = {f.key: f for f in analyse(PASSED_ROLE).report.findings}
    standing = found["exec-role/role-spans-data-classifications"]
    assert set(standing.covers) == {
        "ds-role/privilege-escalation-path",
        "training/workload-reaches-beyond-its-flows",
    }, standing.why
    assert "ds-role/privilege-escalation-path" not in found
    assert (
        "The same fix (scoping the grants of 'exec-role') covers 'ds-role' (privilege-escalation-path)"
        in (standing.why)
    )
    assert found["operator/privilege-escalation-path"].covers == ()
    assert found["builder/privilege-escalation-path"].covers == ()
