"""Privilege escalation compares reach: a path through an administrator stops there, and a role
no more powerful than another the principal can become is not listed (ADJUDICATION.md, 39)."""

from __future__ import annotations

from tests.rules.conftest import Analyse
from trustmap.findings import Finding

#: the CI role assumes the deploy role, an administrator of the account whose policies it can
#: change (the workload roles'); the builder can pass a wide and a narrow role to a function
MODEL = """
    trustmap: 1
    name: Escalation through an administrator
    data:
      orders: {classification: confidential}
    boundaries:
      prod: {kind: account}
    principals:
      ci-role: {kind: role, boundary: prod}
      deploy-role:
        kind: role
        boundary: prod
        trust:
          - {principal: ci-role, conditions: {}}
      wide-role: {kind: role, boundary: prod}
      narrow-role: {kind: role, boundary: prod}
      builder: {kind: user, boundary: prod}
      fn-role: {kind: role, boundary: prod}
    grants:
      - {principal: deploy-role, access: admin, to: "*"}
      - {principal: wide-role, access: write, to: [db, archive]}
      - {principal: narrow-role, access: read, to: db}
      - {principal: builder, access: write, to: fn}
      - {principal: builder, access: pass-role, to: [wide-role, narrow-role]}
    components:
      fn: {service: lambda, boundary: prod, runs_as: fn-role}
      db: {service: dynamodb, boundary: prod, stores: [orders]}
      archive: {service: s3, boundary: prod, stores: [orders]}
"""


def _escalations(analyse: Analyse) -> dict[str, Finding]:
    findings = analyse(MODEL).report.findings
    return {f.subject.id: f for f in findings if f.rule == "privilege-escalation-path"}


def test_a_path_through_an_administrator_stops_at_it(analyse: Analyse) -> None:
    """The step that matters is the trust that admits the CI role, not the administrator's
    power over narrower roles. The severity weighs what the path reaches, whatever the words:
    confidential orders (impact medium) at the catalog's medium likelihood."""
    found = _escalations(analyse)
    ci = found["ci-role"]
    assert (
        "can become 'deploy-role', which administers its account ('prod'): 'ci-role' can assume"
        " 'deploy-role' (its trust policy admits it)." in ci.why
    ), ci.why
    assert "wide-role" not in ci.why and "narrow-role" not in ci.why
    assert ci.severity == "medium", ci.severity_reasons
    assert "deploy-role" not in found  # an administrator escalates to nothing


def test_a_role_no_more_powerful_than_another_is_not_listed(analyse: Analyse) -> None:
    """The builder can become both roles; the narrow one reads only what the wide one writes."""
    builder = _escalations(analyse)["builder"]
    assert (
        "can become 1 more powerful role ('wide-role'): 'builder' can make itself 'wide-role' (it can"
        " pass 'wide-role' to compute it can create or change ('fn')); then 'wide-role' can write"
    ) in builder.why, builder.why
    assert "narrow-role" not in builder.why.split(";")[0]


def test_one_record_says_who_administers_everything(analyse: Analyse) -> None:
    """The escalation rule and the `runs_as_admin` condition ask the same permission graph."""
    identities = analyse(MODEL).graph.permissions
    assert identities.administrators == {"deploy-role"}
    assert [g.access for g in identities.grants_by_principal["builder"]] == ["write", "pass-role"]
    assert not any(g.administers_everything for g in identities.grants_by_principal["narrow-role"])
