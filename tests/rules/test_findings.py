"""Fields of findings: raised severity, fingerprints, `why`, STRIDE and subjects."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES
from tests.rules.conftest import Analyse
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.catalog.schema import STRIDE, SeverityPolicy
from trustmap.findings import SEVERITY_ORDER, Finding, Subject

BUCKET = """
    trustmap: 1
    name: Severity
    data:
      records: {{classification: {classification}, regulations: [{regulations}]}}
    components:
      bucket:
        service: s3
        stores: [records]
        internet_facing: {exposed}
"""


def _expected(base: str, policy: SeverityPolicy, classification: str, regulated: bool, exposed: bool) -> str:
    """The severity models/severity.yaml asks for, worked out independently of the engine."""
    steps = policy.raise_for_classification.get(classification, 0)  # type: ignore[call-overload]
    steps += policy.raise_for_regulations if regulated else 0
    steps += policy.raise_for_internet_facing if exposed else 0
    rank = SEVERITY_ORDER.index(base) + min(steps, policy.max_raise)
    return SEVERITY_ORDER[min(rank, len(SEVERITY_ORDER) - 1)]


def _finding(analysis: Analysis, key: str) -> Finding:
    return next(f for f in analysis.report.findings if f.key == key)


def test_the_policy_raises_something(catalog: Catalog) -> None:
    policy = catalog.severity
    assert policy.raise_for_classification.get("restricted", 0) >= 1  # type: ignore[call-overload]
    assert policy.raise_for_regulations >= 1 and policy.raise_for_internet_facing >= 1
    assert 1 <= policy.max_raise < 3


@pytest.mark.parametrize(
    ("classification", "regulations", "exposed", "reasons"),
    [
        ("internal", "", False, []),
        ("confidential", "", False, []),
        ("restricted", "", False, ["restricted data"]),
        ("confidential", "pci-dss", False, ["regulated data (pci-dss)"]),
        ("internal", "", True, ["internet exposure"]),
        ("restricted", "hipaa", False, ["restricted data", "regulated data (hipaa)"]),
        (
            "restricted",
            "hipaa, pci-dss",
            True,
            ["restricted data", "regulated data (hipaa, pci-dss)", "internet exposure"],
        ),
    ],
)
def test_severity_is_raised_by_what_is_at_stake(
    analyse: Analyse,
    catalog: Catalog,
    classification: str,
    regulations: str,
    exposed: bool,
    reasons: list[str],
) -> None:
    text = BUCKET.format(classification=classification, regulations=regulations, exposed=str(exposed).lower())
    finding = _finding(analyse(text), "bucket/datastore-without-backup")
    base = catalog.threats["datastore-without-backup"].severity
    assert finding.base_severity == base == "low"
    assert finding.severity == _expected(base, catalog.severity, classification, bool(regulations), exposed)
    assert list(finding.severity_reasons) == reasons
    # the policy caps the raise: three reasons still move the severity only max_raise steps
    steps = SEVERITY_ORDER.index(finding.severity) - SEVERITY_ORDER.index(base)
    assert steps == min(len(reasons), catalog.severity.max_raise)


def test_severity_stops_at_critical(analyse: Analyse) -> None:
    text = """
        trustmap: 1
        name: Severity cap
        data:
          cards: {classification: restricted, regulations: [pci-dss]}
        boundaries:
          vpc: {kind: vpc}
          public: {kind: subnet, parent: vpc, public: true}
          app: {kind: subnet, parent: vpc}
        components:
          lb: {service: elb, boundary: public}
          web: {service: ec2, boundary: app}
        flows:
          - from: lb
            to: web
            protocol: http
            data: [cards]
    """
    finding = _finding(analyse(text), "lb->web/unencrypted-flow-crosses-boundary")
    assert finding.base_severity == "high" and finding.severity == "critical"
    assert set(finding.severity_reasons) == {
        "restricted data",
        "regulated data (pci-dss)",
        "internet exposure",
    }


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
            assert finding.severity in SEVERITY_ORDER and finding.base_severity == threat.severity, where
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
