"""Fields of findings: raised severity, fingerprints, `why`, STRIDE and subjects."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES
from tests.rules.conftest import FIXTURES, Analyse
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.catalog.schema import STRIDE
from trustmap.findings import LEVELS, SEVERITY_ORDER, Finding, Subject

#: a public bucket: its finding's impact is its own data, its likelihood is the anonymous access
BUCKET = """
    trustmap: 1
    name: Severity
    data:
      records: {{classification: {classification}, regulations: [{regulations}]}}
      elsewhere: {{classification: restricted, regulations: [pci-dss, hipaa]}}
    components:
      bucket:
        service: s3
        stores: [records]
        public_access: true
      vault:
        service: dynamodb
        stores: [elsewhere]
"""


def _finding(analysis: Analysis, key: str) -> Finding:
    return next(f for f in analysis.report.findings if f.key == key)


def test_the_matrix_is_complete_and_monotonic(catalog: Catalog) -> None:
    """docs/judgement.md: more impact or more likelihood never lowers the severity; critical
    needs both high, and the lowest corner is low (info stays for notes)."""
    matrix = catalog.severity.matrix
    levels = ("low", "medium", "high")
    for i, impact in enumerate(levels):
        for j, likelihood in enumerate(levels):
            rank = SEVERITY_ORDER.index(matrix[impact][likelihood])  # type: ignore[index]
            if i:
                assert rank >= SEVERITY_ORDER.index(matrix[levels[i - 1]][likelihood])  # type: ignore[index]
            if j:
                assert rank >= SEVERITY_ORDER.index(matrix[impact][levels[j - 1]])  # type: ignore[index]
    assert matrix["high"]["high"] == "critical" and matrix["low"]["low"] == "low"
    assert [matrix[a][b] for a in levels for b in levels].count("critical") == 1


@pytest.mark.parametrize(
    ("classification", "regulations", "impact"),
    [
        ("internal", "", "low"),
        ("confidential", "", "medium"),
        ("restricted", "", "high"),
        # a regulation the finding's controls map to raises what is at stake by one step
        ("confidential", "pci-dss", "high"),
        # GDPR and SOX: no control maps to them, so they raise nothing
        ("confidential", "gdpr", "medium"),
        ("internal", "sox", "low"),
    ],
)
def test_impact_is_the_data_on_the_subject_not_elsewhere(
    analyse: Analyse, catalog: Catalog, classification: str, regulations: str, impact: str
) -> None:
    text = BUCKET.format(classification=classification, regulations=regulations)
    finding = _finding(analyse(text), "bucket/public-datastore")
    assert finding.impact == impact, finding.severity_reasons
    assert finding.likelihood == "high"  # anonymous access
    assert finding.severity == catalog.severity.matrix[impact]["high"]  # type: ignore[index]
    assert finding.severity_reasons[0].startswith(f"impact {impact}: {classification} data at stake")
    assert "elsewhere" not in finding.why  # restricted data in another store weighs nothing here


LEDGER = """
    trustmap: 1
    name: Integrity
    data:
      ledger: {classification: internal, integrity: high}
      notes: {classification: internal}
    components:
      table:
        service: dynamodb
        stores: [ledger, notes]
        backup: false
        encryption_at_rest: none
"""


def test_integrity_weighs_what_changes_or_destroys_data_not_what_reads_it(analyse: Analyse) -> None:
    """docs/judgement.md: a data asset's `integrity` rates what altering or losing it costs; it
    weighs threats that change or destroy data (STRIDE tampering), not disclosures."""
    analysis = analyse(LEDGER)
    lost = _finding(analysis, "table/datastore-without-backup")
    assert lost.impact == "high"
    assert lost.severity_reasons[0] == (
        "impact high: data whose integrity weighs high at stake ('ledger'); weighing less: 'notes'"
    )
    read = _finding(analysis, "table/datastore-unencrypted-at-rest")  # information disclosure only
    assert read.impact == "low" and read.severity_reasons[0].startswith("impact low: internal data")
    # stated below what the classification gives, it changes nothing
    quiet = analyse(
        LEDGER.replace(
            "classification: internal, integrity: high", "classification: restricted, integrity: low"
        )
    )
    assert (
        _finding(quiet, "table/datastore-without-backup")
        .severity_reasons[0]
        .startswith("impact high: restricted data at stake ('ledger')")
    )


JUMP_HOST = """
    trustmap: 1
    name: Jump host
    data:
      payroll: {classification: restricted}
    boundaries:
      internet: {kind: internet}
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
    components:
      admins: {service: actor, boundary: internet}
      bastion: {service: ec2, boundary: public, internet_facing: true, controls: [patch-baseline]}
      # a host that states imdsv2 makes its absence on the bastion a statement (contrast)
      app: {service: ec2, boundary: public, controls: [patch-baseline, imdsv2]}
      db: {service: rds, boundary: public, stores: [payroll]}
    flows:
      - {from: admins, to: bastion, protocol: rdp, port: 3389, authenticated: true, encrypted: true}
      - {from: bastion, to: db, protocol: postgres, authenticated: true, encrypted: true, data: [payroll]}
"""


@pytest.mark.parametrize(("protocol", "port", "likelihood"), [("rdp", 3389, "low"), ("https", 443, "medium")])
def test_a_catalog_likelihood_case_sets_the_likelihood_where_it_holds(
    analyse: Analyse, protocol: str, port: int, likelihood: str
) -> None:
    """`likelihood_when`: IMDSv1 theft needs a request to forge; a host that people reach only
    over RDP or SSH serves none, and the reason says so. Served over HTTPS, the exposure rules
    (capped at medium: the forged request is a step of its own)."""
    analysis = analyse(JUMP_HOST.replace("protocol: rdp, port: 3389", f"protocol: {protocol}, port: {port}"))
    finding = _finding(analysis, "bastion/imdsv1-credential-theft")
    assert finding.likelihood == likelihood, finding.severity_reasons
    people_only = (
        "likelihood low: people reach it only in RDP or SSH sessions, so it serves no request to forge"
    )
    assert (finding.severity_reasons[1] == people_only) == (likelihood == "low")


def test_unused_routes_weigh_the_stores_they_open_to_the_less_trusted_side(analyse: Analyse) -> None:
    """`impact_from: joined`: a stale peering weighs what the less trusted network reaches
    through it, and names it; a store the security groups keep out weighs nothing."""
    text = (FIXTURES / "route-domain-carries-no-flow.yaml").read_text()
    analysis = analyse(text)
    finding = _finding(analysis, "peering/route-domain-carries-no-flow")
    assert finding.severity_reasons[0] == (
        "impact medium: confidential data at stake ('orders'), "
        "which its routes open to a less trusted network"
    )
    assert "yet 'dev-box' can reach 'db'" in finding.why
    keys = {f.key for f in analysis.report.findings}
    assert "billing-peering/route-domain-carries-no-flow" not in keys  # its group admits the app only
    opened = text.replace("ports: [5432]}]", "ports: [5432]}, {cidr: 10.0.0.0/8, ports: [5432]}]")
    assert "billing-peering/route-domain-carries-no-flow" in {f.key for f in analyse(opened).report.findings}


@pytest.mark.parametrize(
    ("role", "likelihood", "because"),
    [
        ("any-repo", "high", "the catalog's rating for this threat"),
        ("wildcard", "high", "the catalog's rating for this threat"),
        ("organisation", "medium", "only a workload of 'acme' (a repository or project someone there"),
    ],
)
def test_an_oidc_trust_that_pins_an_organisation_is_less_likely_than_one_open_to_all(
    analyse: Analyse, role: str, likelihood: str, because: str
) -> None:
    """A rule's own likelihood (`Target.likelihood`): a `sub` of `repo:acme/*` admits the
    organisation's repositories, so the attacker is someone who can push there; no `sub`, or
    `repo:*`, admits anyone on the service."""
    analysis = analyse((FIXTURES / "oidc-trust-without-subject.yaml").read_text())
    finding = _finding(analysis, f"{role}/oidc-trust-without-subject")
    assert finding.likelihood == likelihood
    assert finding.severity_reasons[1].startswith(f"likelihood {likelihood}: {because}")


EXPOSED_HOST = """
    trustmap: 1
    name: Exposed host
    data:
      payroll: {classification: restricted}
    boundaries:
      internet: {kind: internet}
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
    components:
      visitors: {service: actor, boundary: internet}
      web: {service: ec2, boundary: public, internet_facing: true, controls: [imdsv2]}
      app: {service: ec2, boundary: public, controls: [patch-baseline]}
      db: {service: rds, boundary: public, stores: [payroll], encryption_at_rest: customer-kms}
    flows:
      - {from: visitors, to: web, protocol: https, encrypted: true}
      - {from: web, to: db, protocol: postgres, encrypted: true, authenticated: true, data: [payroll]}
"""


def test_a_likelihood_cap_keeps_exposure_from_making_a_conditional_attack_critical(analyse: Analyse) -> None:
    """`likelihood_cap`: an internet-facing host with nothing to compromise on the way is high
    likelihood, but an unpatched host still needs an exploitable flaw: medium, said so, and the
    finding is high, not critical (the 2026-12 review and the blind reviews)."""
    finding = _finding(analyse(EXPOSED_HOST), "web/unpatched-guest-os")
    assert (finding.impact, finding.likelihood, finding.severity) == ("high", "medium", "high")
    assert finding.severity_reasons[1] == (
        "likelihood medium: reachable from an entry without compromising anything first, "
        "but an unpatched host still needs a flaw that can be exploited from there"
    )


STORE_BEHIND_WEB = """
    trustmap: 1
    name: Likelihood
    data:
      cards: {classification: restricted, regulations: [pci-dss]}
    boundaries:
      internet: {kind: internet}
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
      app: {kind: subnet, parent: vpc}
      data: {kind: subnet, parent: vpc}
    components:
      shopper: {service: actor, boundary: internet}
      lb: {service: elb, boundary: public}
      web: {service: ec2, boundary: app, controls: [patch-baseline, imdsv2]}
      db: {service: rds, boundary: data, stores: [cards], encryption_at_rest: customer-kms, logging: false}
      batch: {service: rds, boundary: data, stores: [cards], encryption_at_rest: customer-kms, logging: false}
    flows:
      - {from: shopper, to: lb, protocol: https, data: [cards]}
      - {from: lb, to: web, protocol: http}
      - {from: web, to: db, protocol: postgres, authenticated: true, encrypted: true}
"""


def test_likelihood_counts_the_components_an_attacker_must_compromise(analyse: Analyse) -> None:
    analysis = analyse(STORE_BEHIND_WEB)
    exposure = {p.target: p for p in analysis.report.attack_paths}
    # the database is one compromise (the web tier) away from the internet: medium
    assert exposure["db"].likelihood == "medium" and exposure["db"].hops[-2:] == ("web", "db")
    assert "batch" not in exposure  # no flow reaches it
    # the clear-text hop inherits the likelihood of the path it lies on, and carries the card
    # data that the load balancer forwards
    hop = _finding(analysis, "lb->web/unencrypted-flow-crosses-boundary")
    assert hop.impact == "high" and hop.likelihood == "medium" and hop.severity == "high"
    assert "cards" in analysis.graph.flows()[1].data_forwarded


def test_availability_findings_weigh_the_role_not_the_data(analyse: Analyse) -> None:
    analysis = analyse(STORE_BEHIND_WEB)
    used, unused = (
        _finding(analysis, "db/single-az-datastore"),
        _finding(analysis, "batch/single-az-datastore"),
    )
    assert used.impact == "medium" and "'web' depends on it" in used.severity_reasons[0]
    assert unused.impact == "low" and "nothing depends on it" in unused.severity_reasons[0]
    # both hold restricted card data: the classification does not decide an availability impact
    assert used.likelihood == unused.likelihood == "low"


def test_fingerprints_survive_moved_lines(catalog: Catalog) -> None:
    raw = (EXAMPLES / "shop.yaml").read_text(encoding="utf-8")
    lines = raw.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("components:"))
    moved = "".join([*lines[:at], "# a comment above the components\n", "\n", "\n", *lines[at:]])
    before, _ = analyze("shop.yaml", raw.encode(), catalog)
    after, _ = analyze("shop.yaml", moved.encode(), catalog)
    assert before is not None and after is not None
    old = {f.key: f for f in before.report.findings}
    new = {f.key: f for f in after.report.findings}
    assert old.keys() == new.keys()
    shifted = 0
    for key, finding in old.items():
        assert new[key].fingerprint == finding.fingerprint
        if finding.subject.kind == "model":
            assert new[key].location.line == finding.location.line == 1
        else:
            assert new[key].location.line == finding.location.line + 3
            shifted += 1
    assert shifted > 0


def test_fingerprints_are_unique_and_stable_across_reports(corpus: dict[str, Analysis]) -> None:
    by_key: dict[str, str] = {}
    for path, analysis in corpus.items():
        prints = [f.fingerprint for f in analysis.report.findings]
        assert len(prints) == len(set(prints)), path
        for finding in analysis.report.findings:
            # the same rule on the same subject is the same finding, in any model
            assert by_key.setdefault(finding.key, finding.fingerprint) == finding.fingerprint


def test_every_finding_is_well_formed(corpus: dict[str, Analysis], catalog: Catalog) -> None:
    for path, analysis in corpus.items():
        components = {c.id: c for c in analysis.graph.components()}
        flows = {f.id: f for f in analysis.graph.flows()}
        model_items = {i.id for i in analysis.report.checklists[Subject("model", "model")]}
        for finding in analysis.report.findings:
            where = f"{path}: {finding.key}"
            threat = catalog.threats[finding.rule]
            assert finding.stride and set(finding.stride) <= set(STRIDE), where
            assert finding.stride == tuple(threat.stride), where
            assert finding.severity in SEVERITY_ORDER, where
            assert finding.impact in LEVELS and finding.likelihood in LEVELS, where
            assert finding.severity == catalog.severity.matrix[finding.impact][finding.likelihood], where  # type: ignore[index]
            assert finding.severity_reasons[0].startswith(f"impact {finding.impact}"), where
            assert finding.severity_reasons[1].startswith(f"likelihood {finding.likelihood}"), where
            kind, subject = finding.subject.kind, finding.subject.id
            assert kind == threat.scope, where
            if kind == "component":
                assert subject in components, where
                assert f"'{subject}'" in finding.why, where
                span = components[subject].span
                assert span is not None and finding.location.line == span.line
            elif kind == "flow":
                assert subject in flows, where
                assert f"'{subject}'" in finding.why, where
                span = flows[subject].span
                assert span is not None and finding.location.line == span.line
            elif kind == "principal":
                principal = analysis.graph.permissions.principals[subject]
                assert f"'{subject}'" in finding.why, where
                assert principal.span is not None and finding.location.line == principal.span.line
            else:
                assert (kind, subject) == ("model", "model"), where
                assert finding.why.startswith("The model"), where
                assert finding.location.line == 1
            assert finding.location.path == path
            # a finding's mitigations are items of its subject's (or the model's) checklist
            listed = {i.id for i in analysis.report.checklists[finding.subject]} | model_items
            assert set(finding.controls) <= listed, where
            named = [c for c in finding.controls if f"control '{c}' is open" in finding.why]
            assert bool(named) == bool(threat.mitigated_by), f"{where}: {finding.why}"


NAT_FOR_TIERS = """
    trustmap: 1
    name: A NAT gateway that servers route through
    boundaries:
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
      app: {kind: subnet, parent: vpc}
    components:
      igw: {service: internet-gateway, boundary: vpc}
      nat: {service: nat-gateway, boundary: public, zones: [eu-west-1a]}
      web: {service: ec2, boundary: app}
      jobs: {service: ec2, boundary: app}
    flows:
      - {from: web, to: nat, kind: route, protocol: other}
      - {from: jobs, to: nat, kind: route, protocol: other}
      - {from: nat, to: igw, kind: route, protocol: other}
"""


def test_an_availability_reason_names_what_routes_through_plumbing(analyse: Analyse) -> None:
    """Route flows do not raise an availability impact (no data depends on the gateway), but the
    reason names them rather than saying that nothing depends on it."""
    finding = _finding(analyse(NAT_FOR_TIERS), "nat/single-az-stateless-tier")
    assert finding.impact == "low"
    assert "no data flow depends on it; routes join it to 'igw', 'jobs', 'web'" in finding.severity_reasons[0]


LEAKED_KEY = """
    trustmap: 1
    name: Leaked key
    data:
      results: {classification: internal}
      wallet: {classification: confidential}
      payments: {classification: restricted}
    boundaries:
      vpc: {kind: vpc}
    components:
      game-server: {service: ec2, boundary: vpc, controls: [patch-baseline, imdsv2]}
      api: {service: api-gateway}
      results-fn: {service: lambda}
      payments-fn: {service: lambda}
      wallet-table: {service: dynamodb, stores: [wallet]}
      payments-table: {service: dynamodb, stores: [payments]}
    flows:
      - {from: game-server, to: api, protocol: https, authenticated: true, data: [results]}
      - {from: api, to: results-fn, protocol: aws-api, data: [results]}
      - {from: api, to: payments-fn, protocol: aws-api, data: [payments]}
      - {from: results-fn, to: wallet-table, protocol: aws-api, data: [wallet]}
      - {from: payments-fn, to: payments-table, protocol: aws-api, data: [payments]}
"""


def test_a_leaked_credential_weighs_what_it_opens(analyse: Analyse) -> None:
    """The API key on the server posts results through the gateway to the function that writes
    the wallet: the wallet is at stake. The gateway's other route (payments) carries other data,
    and the key does not open it."""
    finding = _finding(analyse(LEAKED_KEY), "game-server/secrets-exposed-in-compute-config")
    assert finding.impact == "medium", finding.severity_reasons
    assert finding.severity_reasons[0] == (
        "impact medium: confidential data at stake ('wallet'), which its own credentials open at"
        " 'results-fn'; less sensitive: 'results'"
    )
    assert "payments" not in finding.severity_reasons[0]


def test_a_credential_signed_by_the_role_opens_nothing_more(analyse: Analyse) -> None:
    """The same server calling the gateway with the AWS API signs with its role: no key of its
    own, so no finding."""
    text = LEAKED_KEY.replace(
        "{from: game-server, to: api, protocol: https, authenticated: true, data: [results]}",
        "{from: game-server, to: api, protocol: aws-api, data: [results]}",
    )
    keys = {f.key for f in analyse(text).report.findings}
    assert "game-server/secrets-exposed-in-compute-config" not in keys


def test_access_keys_leak_without_a_network_path(analyse: Analyse) -> None:
    """A server in the data centre that nothing reaches still leaks the keys on its disk, in its
    backups and in the scripts that use them: the likelihood is the catalog's, not exposure's."""
    analysis = analyse(
        """
        trustmap: 1
        name: Export job
        data:
          loans: {classification: restricted}
        principals:
          export-user: {kind: user, access_keys: true}
        boundaries:
          datacentre: {kind: on-premises, trust: 60}
        components:
          export-job: {service: on-premises, boundary: datacentre, stores: [loans], runs_as: export-user}
          raw: {service: s3, stores: [loans]}
        flows:
          - {from: export-job, to: raw, protocol: aws-api, data: [loans]}
        """
    )
    finding = _finding(analysis, "export-job/long-lived-keys-outside-aws")
    assert finding.likelihood == "medium", finding.severity_reasons
    assert "needs no network path" in finding.severity_reasons[1]
    assert "export-job" not in {p.entry for p in analysis.report.attack_paths}


#: a scoring endpoint in one zone that a function calls with requests, and that a deploy
#: pipeline updates (a control-plane call that carries no data)
DEPLOYED_ENDPOINT = """
    trustmap: 1
    name: Deployed endpoint
    data:
      requests: {classification: confidential}
    components:
      pipeline: {service: step-functions}
      score-fn: {service: lambda}
      endpoint:
        service: fargate
        multi_az: false
        interfaces: [api]
    flows:
      - {from: pipeline, to: endpoint, name: UpdateEndpoint, protocol: aws-api}
      - {from: score-fn, to: endpoint, protocol: aws-api, data: [requests], bidirectional: true}
"""


def test_a_deployer_is_not_a_dependant(analyse: Analyse) -> None:
    """ADJUDICATION.md defects 1 and 44: the pipeline that deploys the endpoint is a control-plane
    caller; the function that sends it requests depends on it."""
    finding = _finding(analyse(DEPLOYED_ENDPOINT), "endpoint/single-az-stateless-tier")
    assert finding.severity_reasons[0] == "impact medium: 'score-fn' depends on it"


#: a processor posts documents to the ERP in the data centre; route flows (or a route domain)
#: say that the one VPN tunnel carries them
LINK = """
    trustmap: 1
    name: Documents over the VPN
    data:
      documents: {classification: confidential}
    boundaries:
      vpc: {kind: vpc, cidrs: [10.1.0.0/16]}
      dc: {kind: on-premises, cidrs: [10.20.0.0/16]}
    components:
      processor: {service: lambda, boundary: vpc}
      erp: {service: ec2, boundary: dc}
      vpn: {service: vpn, boundary: vpc, multi_az: false}
    flows:
      - {from: processor, to: erp, protocol: https, authenticated: true, data: [documents]}
"""
ROUTES = """
      - {from: processor, to: vpn, kind: route, protocol: other}
      - {from: vpn, to: erp, kind: route, protocol: ipsec}
"""
DOMAIN = """
    route_domains:
      dc-vpn: {via: vpn, members: [vpc, dc]}
"""


@pytest.mark.parametrize("routing", [ROUTES, DOMAIN], ids=["route-flows", "route-domain"])
def test_a_link_weighs_the_data_flows_it_carries(analyse: Analyse, routing: str) -> None:
    """ADJUDICATION.md defect 45: the documents travel through the VPN, so they are at stake on
    it, and the processor that sends them depends on it."""
    finding = _finding(analyse(LINK + routing), "vpn/hybrid-link-single-point-of-failure")
    assert finding.severity_reasons[0] == (
        "impact medium: confidential data at stake ('documents'), which it carries ('processor->erp')"
    )
    assert finding.severity == "low"  # the catalog's low likelihood: one step, not an inflation


def test_a_link_that_carries_nothing_has_no_data_at_stake(analyse: Analyse) -> None:
    finding = _finding(analyse(LINK), "vpn/hybrid-link-single-point-of-failure")
    assert finding.severity_reasons[0] == "impact medium: no data of the model at stake"


#: partners write the landing bucket directly over SFTP (authenticated), and its object-created
#: events go on to a parser; customers on the internet sign in to an API whose function writes
#: the orders table
PARTNER_UPLOAD = """
    trustmap: 1
    name: Partner uploads
    data:
      documents: {classification: confidential}
      orders: {classification: confidential}
    boundaries:
      suppliers: {kind: third-party}
    components:
      partners: {service: external-system, boundary: suppliers}
      landing: {service: s3, stores: [documents], interfaces: [file-upload]}
      parser: {service: lambda}
      customers: {service: actor}
      api: {service: api-gateway}
      orders-fn: {service: lambda}
      orders-table: {service: dynamodb, stores: [orders], multi_az: true}
    flows:
      - {from: partners, to: landing, protocol: sftp, authenticated: true, data: [documents]}
      - {from: landing, to: parser, protocol: aws-api, data: [documents]}
      - {from: customers, to: api, protocol: https, authenticated: true, data: [orders]}
      - {from: api, to: orders-fn, protocol: aws-api, data: [orders]}
      - {from: orders-fn, to: orders-table, protocol: aws-api, data: [orders]}
"""


def test_a_partner_holds_its_own_credentials(analyse: Analyse) -> None:
    """ADJUDICATION.md defect 46: the partners write the bucket directly; standing in a partner's
    place (one step below the internet) already holds the partner's credentials, so the
    authenticated hop is not a second step, and no component is compromised on the way."""
    analysis = analyse(PARTNER_UPLOAD)
    finding = _finding(analysis, "landing/unscanned-file-upload")
    assert finding.likelihood == "medium", finding.severity_reasons
    assert finding.severity_reasons[1] == (
        "likelihood medium: reached directly from the lower-trust entry 'partners', with nothing to"
        " compromise"
    )


EGRESS = """
    trustmap: 1
    name: Open egress
    data:
      loans: {classification: restricted}
      features: {classification: confidential}
      elsewhere: {classification: restricted}
    boundaries:
      vpc: {kind: vpc}
      public: {kind: subnet, parent: vpc, public: true}
      private: {kind: subnet, parent: vpc}
    components:
      notebooks: {service: fargate, boundary: private}
      jobs: {service: fargate, boundary: private}
      raw: {service: s3, stores: [loans]}
      features-bucket: {service: s3, stores: [features]}
      vault: {service: dynamodb, stores: [elsewhere]}
      nat: {service: nat-gateway, boundary: public}
      igw: {service: internet-gateway, boundary: vpc}
    flows:
      - {from: notebooks, to: raw, protocol: aws-api, data: [loans]}
      - {from: jobs, to: features-bucket, protocol: aws-api, data: [features]}
      - {from: notebooks, to: nat, protocol: other, kind: route}
      - {from: jobs, to: nat, protocol: other, kind: route}
      - {from: nat, to: igw, protocol: other, kind: route}
"""


def test_unfiltered_egress_weighs_the_data_of_the_workloads_it_names(analyse: Analyse) -> None:
    """A finding about the model that names workloads (`impact_from: affected`) weighs what they
    handle, not an account-wide duty, and says which of them hold the weightiest data."""
    finding = _finding(analyse(EGRESS), "model/unfiltered-egress")
    assert (finding.impact, finding.severity) == ("medium", "medium"), finding.severity_reasons
    assert finding.severity_reasons[0] == (
        "impact medium: 'notebooks' handles restricted data ('loans'); less sensitive: 'features'"
    )


def test_unfiltered_egress_of_confidential_workloads_stays_medium(analyse: Analyse) -> None:
    """Only the named workloads' data counts: restricted data elsewhere in the model (the vault
    that no egress workload touches) does not raise it."""
    text = EGRESS.replace("      - {from: notebooks, to: nat, protocol: other, kind: route}\n", "")
    finding = _finding(analyse(text), "model/unfiltered-egress")
    assert (finding.impact, finding.severity) == ("medium", "medium"), finding.severity_reasons
    assert finding.severity_reasons[0] == "impact medium: 'jobs' handles confidential data ('features')"


def test_unfiltered_egress_names_every_workload_with_the_weightiest_data(analyse: Analyse) -> None:
    text = EGRESS.replace("data: [features]}", "data: [features, loans]}")
    finding = _finding(analyse(text), "model/unfiltered-egress")
    assert finding.severity_reasons[0] == (
        "impact medium: 'jobs' and 'notebooks' handle restricted data ('loans'); less sensitive: 'features'"
    )
