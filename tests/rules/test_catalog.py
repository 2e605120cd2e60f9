"""Integrity of the built-in catalog: ids, references, reach, icons, counts and the contracts."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, TODAY
from trustmap.analysis import Analysis
from trustmap.catalog import Catalog, CatalogError, load_catalog
from trustmap.catalog.describe import _PHRASES
from trustmap.catalog.schema import CATEGORIES, LAYERS, STRIDE, Condition
from trustmap.diagnostics import has_errors
from trustmap.engine.conditions import CONDITION_KEYS
from trustmap.engine.evaluate import EvaluationOptions, evaluate
from trustmap.engine.rules import BUILTIN_RULES, check_registry

MODELS = ROOT / "models"

#: the ids that docs/model-format.md promises ("Catalog ids must include ...")
_SPEC_SERVICES = """
    ec2 ebs auto-scaling vpc rds emr elastic-beanstalk s3 glacier dynamodb sqs ses
    config cloudtrail kms cloudhsm cloudformation codedeploy opsworks iam cloudwatch trusted-advisor
    elb cloudfront api-gateway route53 waf shield lambda ecs fargate eks aurora elasticache redshift
    efs sns kinesis eventbridge step-functions cognito secrets-manager acm guardduty security-hub
    inspector macie systems-manager direct-connect vpn nat-gateway internet-gateway transit-gateway
    ecr actor external-system on-premises
"""
_SPEC_CONTROLS = """
    cloudtrail config guardduty security-hub imdsv2 patch-baseline waf mfa-for-console-users
    least-privilege-iam vpc-flow-logs kms-key-rotation infrastructure-as-code incident-response-plan
"""
SPEC_SERVICES = _SPEC_SERVICES.split()
SPEC_CONTROLS = _SPEC_CONTROLS.split()
#: docs/outputs.md: the service model of these services is part of the contract
SPEC_SERVICE_MODELS = {
    "infrastructure": ["ec2", "ebs", "vpc", "auto-scaling"],
    "container": ["rds", "emr", "elastic-beanstalk", "aurora", "elasticache", "redshift"],
    "abstracted": ["s3", "glacier", "dynamodb", "sqs", "ses", "lambda", "sns", "kms"],
    "external": ["actor", "external-system", "on-premises"],
}


def _raw(kind: str) -> list[tuple[Path, Any]]:
    """Each catalog file of a kind, parsed as plain YAML (to see entries that merging hides)."""
    files = [MODELS / f"{kind}.yaml", *sorted((MODELS / kind).glob("*.yaml"))]
    return [(f, yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files if f.is_file()]


def _entries(kind: str) -> list[dict[str, Any]]:
    return [entry for _, data in _raw(kind) for entry in data[kind]]


# -- identity -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["controls", "threats"])
def test_ids_and_codes_are_unique(kind: str) -> None:
    entries = _entries(kind)
    ids = Counter(e["id"] for e in entries)
    codes = Counter(e["code"] for e in entries if e.get("code"))
    assert [i for i, n in ids.items() if n > 1] == []
    assert [c for c, n in codes.items() if n > 1] == []
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)


@pytest.mark.parametrize("kind", ["services", "controls", "threats"])
def test_aliases_name_one_entry(catalog: Catalog, kind: str) -> None:
    """An alias or code never collides with an id or another alias of the same kind."""
    table: dict[str, Any] = getattr(catalog, kind)
    names = Counter(list(table))
    for entry in table.values():
        names.update(entry.aliases)
        names.update([entry.code] if getattr(entry, "code", None) else [])
    assert [n for n, count in names.items() if count > 1] == []


def test_service_files_define_each_service_once() -> None:
    # a duplicate mapping key is a loader error (E002); this guards the split into files
    keys = Counter(k for _, data in _raw("services") for k in data["services"])
    assert [k for k, n in keys.items() if n > 1] == []


# -- references -----------------------------------------------------------------------


def test_builtin_catalog_loads_and_every_python_rule_is_registered(catalog: Catalog) -> None:
    assert check_registry(catalog, BUILTIN_RULES) == []
    python = {t for t, threat in catalog.threats.items() if threat.implementation == "python"}
    assert python == set(BUILTIN_RULES)


def test_evaluation_refuses_python_threats_and_rules_that_do_not_pair_up(
    catalog: Catalog, corpus: dict[str, Analysis]
) -> None:
    graph = corpus["examples/shop.yaml"].graph
    unpaired = {"no-such-threat": BUILTIN_RULES["restricted-data-flows-to-lower-trust"]}
    for rules in ({}, {**BUILTIN_RULES, **unpaired}):
        report = evaluate(graph, catalog, EvaluationOptions(today=TODAY, rules=rules))
        assert report.findings == () and report.checklists == {}
        assert report.diagnostics and {d.code for d in report.diagnostics} == {"E211"}
        assert has_errors(report.diagnostics)


def test_every_reference_resolves(catalog: Catalog) -> None:
    controls = set(catalog.controls) | set(catalog.control_aliases)
    for threat in catalog.threats.values():
        assert set(threat.mitigated_by) | set(threat.see_also) <= controls, threat.id
    for service in catalog.services.values():
        assert set(service.evidences) <= controls, service.name


THREAT = """\
threats:
  - id: org-threat
    title: Unapproved AMI
    description: Instances run images that the platform team has not approved.
    stride: [tampering]
    category: design
    scope: component
    severity: low
    when: {service: [ec2]}
    mitigated_by: [imdsv2, approved-amis]
"""
CONTROL = """\
controls:
  - id: org-control
    title: Only approved images
    category: design
    owner: customer
    scope: component
    applies_to: {servce: [ec2]}
"""
TWO_KEYS = """\
controls:
  - id: org-control
    title: Only approved images
    category: design
    owner: customer
    scope: component
    applies_to: {service: [ec2], aws: true}
"""


def _write(directory: Path, relative: str, text: str) -> Path:
    file = directory / relative
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def _broken(directory: Path) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog([directory])
    return str(caught.value)


def test_unknown_mitigating_control_is_positioned(tmp_path: Path) -> None:
    _write(tmp_path, "threats/org.yaml", THREAT)
    message = _broken(tmp_path)
    assert f"{tmp_path}/threats/org.yaml:10:28: E205 unknown control 'approved-amis'" in message


def test_unknown_service_in_a_likelihood_case_is_positioned(tmp_path: Path) -> None:
    cases = (
        "    likelihood_when:\n"
        "      - when: {inbound: {source: {service: [actorr]}}}\n"
        "        likelihood: low\n"
        "        because: only people reach it\n"
    )
    _write(tmp_path, "threats/org.yaml", THREAT.replace("imdsv2, approved-amis", "imdsv2") + cases)
    message = _broken(tmp_path)
    # nested in `inbound` and `source`: before, only all/any/not/source/target were walked
    assert f"{tmp_path}/threats/org.yaml:12:45: E204 unknown service 'actorr'" in message, message


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [(CONTROL, 18, "unknown key 'servce'"), (TWO_KEYS, 17, "exactly one key")],
    ids=["misspelt-key", "two-keys"],
)
def test_bad_condition_is_positioned(tmp_path: Path, text: str, column: int, words: str) -> None:
    _write(tmp_path, "controls/org.yaml", text)
    message = _broken(tmp_path)
    found = re.search(rf"^{re.escape(str(tmp_path))}/controls/org\.yaml:7:(\d+): (E\d+) (.*)$", message, re.M)
    assert found is not None, message
    assert int(found.group(1)) == column and words in found.group(3)


def test_duplicate_id_in_one_layer_is_positioned(tmp_path: Path) -> None:
    entry = THREAT.split("\n", 1)[1].replace("imdsv2, approved-amis", "imdsv2")
    _write(tmp_path, "threats/org.yaml", "threats:\n" + entry + entry)
    message = _broken(tmp_path)
    assert re.search(
        rf"^{re.escape(str(tmp_path))}/threats/org\.yaml:11:9: E209 threat id 'org-threat' is already",
        message,
        re.M,
    ), message


def test_every_problem_of_a_broken_layer_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "controls/org.yaml", CONTROL)
    _write(tmp_path, "threats/org.yaml", THREAT.replace("[tampering]", "[tampering, phishing]"))
    with pytest.raises(CatalogError) as caught:
        load_catalog([tmp_path])
    found = {(Path(d.path).parent.name, d.code, d.line) for d in caught.value.diagnostics}
    assert found == {("controls", "E102", 7), ("threats", "E104", 5)}


# -- reach ----------------------------------------------------------------------------


def test_every_control_applies_somewhere(catalog: Catalog, corpus: dict[str, Analysis]) -> None:
    """Each control is listed for at least one subject of the examples or rule fixtures."""
    listed = {
        item.id
        for analysis in corpus.values()
        for items in analysis.report.checklists.values()
        for item in items
    }
    assert sorted(set(catalog.controls) - listed) == []


def test_duties_of_the_customer_that_matter_are_tied_to_threats(catalog: Catalog) -> None:
    referenced = {c for t in catalog.threats.values() for c in (*t.mitigated_by, *t.see_also)}
    loose = [
        c.id
        for c in catalog.controls.values()
        if c.owner in ("customer", "shared") and c.severity in ("high", "critical") and c.id not in referenced
    ]
    assert loose == []


def test_every_icon_class_imports(catalog: Catalog) -> None:
    for service_id, service in catalog.services.items():
        module, _, name = service.icon.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), name), type), service_id


# -- the contracts of the model format and the outputs ----------------------------------


def test_ids_named_by_the_model_format_exist(catalog: Catalog) -> None:
    assert sorted(set(SPEC_SERVICES) - set(catalog.services)) == []
    assert sorted(set(SPEC_CONTROLS) - set(catalog.controls)) == []
    for name in ("actor", "external-system", "on-premises"):
        assert catalog.services[name].aws is False


def test_counts_and_coverage(catalog: Catalog) -> None:
    assert len(catalog.services) >= 50
    assert len(catalog.controls) >= 90
    assert len(catalog.threats) >= 40
    assert {c.category for c in catalog.controls.values()} == set(CATEGORIES)
    assert {s for t in catalog.threats.values() for s in t.stride} == set(STRIDE)
    assert set(catalog.categories) == set(CATEGORIES)
    assert set(catalog.layers) == set(LAYERS)


@pytest.mark.parametrize("service_model", sorted(SPEC_SERVICE_MODELS))
def test_service_models_of_the_contract(catalog: Catalog, service_model: str) -> None:
    for service_id in SPEC_SERVICE_MODELS[service_model]:
        assert catalog.services[service_id].service_model == service_model, service_id


def test_responsibility_split_of_every_service(catalog: Catalog) -> None:
    for service_id, service in catalog.services.items():
        split = catalog.responsibility(service_id)
        assert set(split) == set(LAYERS), service_id
        if not service.aws:
            assert service.service_model == "external", service_id
            assert set(split.values()) <= {"customer", "third-party"}, service_id
            continue
        assert service.service_model != "external", service_id
        expected = {
            "data": "customer",
            "identity": "customer",
            "service-software": "aws",
            "infrastructure": "aws",
            "physical": "aws",
        }
        assert {layer: split[layer] for layer in expected} == expected, service_id
        # The guest OS is the customer's on infrastructure services (the contract), but for the
        # managed network constructs, which have none of the customer's (AWS runs it); AWS runs
        # it everywhere else. Owners stay in the contract's vocabulary.
        if service.service_model == "infrastructure" and service_id not in MANAGED_NETWORK:
            assert split["os"] == "customer", service_id
        else:
            assert split["os"] == "aws", service_id
        assert set(split.values()) <= {"aws", "customer", "shared"}, service_id


#: network constructs AWS runs whole: no guest OS or application of the customer's
MANAGED_NETWORK = (
    "internet-gateway",
    "nat-gateway",
    "transit-gateway",
    "vpc-peering",
    "vpc-endpoint",
    "direct-connect",
    "vpn",
)


def test_managed_network_constructs_have_no_guest_os_or_application_of_the_customers(
    catalog: Catalog,
) -> None:
    """The 2026-12 review (catalog error 20): a NAT gateway's own duties say there is no guest
    OS to manage; the contract's infrastructure services EC2, EBS, VPC and Auto Scaling keep
    the customer's OS."""
    for service_id in MANAGED_NETWORK:
        split = catalog.responsibility(service_id)
        assert split["os"] == split["application"] == split["server-encryption"] == "aws", service_id
    for service_id in ("ec2", "ebs", "vpc", "auto-scaling"):
        assert catalog.responsibility(service_id)["os"] == "customer", service_id


def test_every_threat_is_documented(catalog: Catalog) -> None:
    for threat_id, threat in catalog.threats.items():
        assert threat.title.strip() and threat.description.strip(), threat_id
        assert threat.stride and set(threat.stride) <= set(STRIDE), threat_id
        refs = threat.references
        assert refs.cwe or refs.capec or refs.other, f"{threat_id} has no references"
        assert all(re.fullmatch(r"CWE-\d+", r) for r in refs.cwe), threat_id
        assert all(re.fullmatch(r"CAPEC-\d+", r) for r in refs.capec), threat_id


def test_dated_caveats(catalog: Catalog) -> None:
    opsworks = catalog.services["opsworks"]
    assert opsworks.deprecated is not None and opsworks.deprecated.replacement in catalog.services
    assert any("end of life" in c.text.lower() for c in opsworks.caveats)
    assert any("FIPS 140-3" in c.text for c in catalog.services["kms"].caveats)


def test_derived_lookups_agree_with_the_entries(catalog: Catalog) -> None:
    for control_id in catalog.controls:
        mitigated = [t for t, threat in catalog.threats.items() if control_id in threat.mitigated_by]
        assert list(catalog.threats_mitigated_by(control_id)) == mitigated, control_id
    for threat_id, threat in catalog.threats.items():
        assert catalog.canonical_threat(threat_id) == threat_id
        for name in [threat.code or threat_id, *threat.aliases]:
            assert catalog.canonical_threat(name) == threat_id, name
    assert catalog.canonical_threat("no-such-threat") is None


def test_every_condition_key_is_built_explained_and_phrased() -> None:
    keys = {info.alias or name for name, info in Condition.model_fields.items()}
    assert set(CONDITION_KEYS) == keys
    # explained and phrased by walking into them
    walked = {
        "all",
        "any",
        "not",
        "source",
        "target",
        "inbound",
        "outbound",
        "every_inbound",
        "every_outbound",
        "linked",
        "caller",
    }
    assert set(_PHRASES) | walked | {"property"} == keys
    assert all(CONDITION_KEYS[key].explain is None for key in walked)
