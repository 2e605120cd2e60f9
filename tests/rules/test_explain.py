"""A finding's "why" states the facts that make its rule apply: each end of a flow once, and
not the exemptions that leave other subjects out (`trustmap.engine.explain`)."""

from __future__ import annotations

from tests.rules.conftest import Analyse

MODEL = """
    trustmap: 1
    name: Reasons
    data:
      docs: {classification: confidential}
    boundaries:
      vpc: {kind: vpc, trust: 80}
      corp: {kind: corporate, trust: 60}
      partner: {kind: third-party}
    components:
      worker: {service: ec2, boundary: vpc}
      bucket: {service: s3, stores: [docs]}
      queue: {service: sqs, encryption_at_rest: none, stores: [docs]}
      files: {service: ec2, boundary: vpc}
      office: {service: on-premises, boundary: corp}
      supplier: {service: external-system, boundary: partner}
    flows:
      - from: worker
        to: bucket
        protocol: https
        data: [docs]
      - from: supplier
        to: files
        protocol: https
      - from: office
        to: files
        protocol: https
        authenticated: false
        data: [docs]
"""


def _reasons(analyse: Analyse) -> dict[str, str]:
    analysis = analyse(MODEL)
    return {finding.key: finding.why.split(" Not mitigated")[0] for finding in analysis.report.findings}


def test_each_end_of_a_flow_is_described_once(analyse: Analyse) -> None:
    why = _reasons(analyse)["worker->bucket/public-endpoint-path-for-sensitive-data"]
    assert why == (
        "Flow 'worker->bucket' carries confidential data, comes from 'worker', which sits in a vpc "
        "boundary and is a compute component, and goes to 'bucket', which is an abstracted service "
        "and sits in no vpc boundary."
    )


def test_exemptions_are_not_recited_but_stated_values_are(analyse: Analyse) -> None:
    reasons = _reasons(analyse)
    flow = reasons["office->files/unauthenticated-flow-crosses-boundary"]
    # the rule leaves out flows to Cognito, from load balancers, to public buckets...: not said
    assert "none of the services" not in flow and "says nothing of" not in flow
    assert flow == (
        "Flow 'office->files' crosses the trust boundaries 'corp', 'vpc', goes from trust 60 to 80, "
        "uses https and carries confidential data."
    )
    # `not: {property: encryption_at_rest = not-applicable}` on a stated value: the value is the reason
    assert reasons["queue/message-payload-unencrypted-at-rest"] == (
        "'queue' is a messaging component and has encryption_at_rest: none."
    )


def test_people_and_outside_systems_are_named_as_such(analyse: Analyse) -> None:
    why = _reasons(analyse)["supplier->files/unauthenticated-flow-crosses-boundary"]
    assert why.endswith("and comes from 'supplier', which is a third-party system."), why


JUMP_HOST = """
    trustmap: 1
    name: A database reached by its application and through a jump host
    data:
      payroll: {classification: restricted}
    boundaries:
      internet: {kind: internet}
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
      app: {kind: subnet, parent: vpc}
    components:
      admins: {service: actor, boundary: internet}
      bastion: {service: ec2, boundary: public}
      erp: {service: ec2, boundary: app}
      db: {service: rds, boundary: app, stores: [payroll]}
    flows:
      - {from: admins, to: bastion, protocol: rdp, authenticated: true}
      - {from: bastion, to: db, protocol: other, port: 1433, authenticated: true}
      - {from: erp, to: db, protocol: other, port: 1433, authenticated: true}
"""


def test_a_reason_names_the_applications_flow_before_a_jump_hosts(analyse: Analyse) -> None:
    """Of two flows that decide, the one from a workload is named, not people's sessions through
    the jump host, although the jump host's flow id sorts first (blind review, defect 31)."""
    analysis = analyse(JUMP_HOST)
    why = next(f.why for f in analysis.report.findings if f.key == "db/datastore-default-credentials")
    assert "receives flow 'erp->db'" in why and "bastion->db" not in why
