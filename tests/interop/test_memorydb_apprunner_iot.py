"""Importing MemoryDB, App Runner and IoT Core, which the importers used to leave unmapped (W402)."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY
from tests.interop.conftest import HERE, TEMPLATES, Imported, import_cfn, import_tf
from trustmap.analysis import analyze
from trustmap.catalog import Catalog
from trustmap.interop.mapping import ResourceTable
from trustmap.model import Model


def _flows(model: Model) -> set[tuple[str, str, str | None]]:
    return {(f.source, f.target, f.name) for f in model.flows}


@pytest.fixture(scope="module")
def imported(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return import_cfn(TEMPLATES / "new-services.yaml", mapping, catalog)


def test_no_resource_of_the_three_services_is_unknown(imported: Imported) -> None:
    assert [d for d in imported.result.diagnostics if d.code == "W402"] == []
    services = {c.service for c in imported.model.components.values()}
    assert {"memorydb", "app-runner", "iot-core"} <= services


def test_a_memorydb_cluster_carries_its_settings(imported: Imported) -> None:
    ledger = imported.component("Ledger")
    assert ledger.service == "memorydb"
    assert ledger.encryption_at_rest == "customer-kms"  # KmsKeyId
    assert ledger.multi_az is False  # no replica per shard
    assert ledger.backup is True  # SnapshotRetentionLimit 7
    assert "tls-only-data-services" in ledger.controls
    assert imported.model.boundaries[ledger.boundary].kind == "subnet"  # its subnet group's


def test_an_app_runner_service_reaches_the_store_through_its_vpc_connector(imported: Imported) -> None:
    web, ledger = imported.result.components["Web"], imported.result.components["Ledger"]
    flows = {(f.source, f.target, f.protocol, f.port) for f in imported.model.flows}
    assert (web, ledger, "redis", 6379) in flows  # the store's group admits the connector's
    # the connector's groups filter only outbound traffic: the service does not list them
    assert not imported.component("Web").security_groups


def test_an_app_runner_service_is_public_unless_it_says_otherwise(imported: Imported) -> None:
    web, internal = imported.result.components["Web"], imported.result.components["Internal"]
    entries = {(f.target, f.protocol, f.port) for f in imported.model.flows if f.source == "internet-clients"}
    assert (web, "https", 443) in entries
    assert not [e for e in entries if e[0] == internal]
    assert imported.component("Internal").internet_facing is False


def test_an_app_runner_service_names_its_role_image_and_secrets(imported: Imported) -> None:
    c = imported.result.components
    flows = _flows(imported.model)
    assert (c["Web"], c["InstanceRole"], "runs as") in flows
    assert (c["Web"], c["Images"], "pulls its image") in flows
    assert (c["Web"], c["ApiKey"], "reads secrets") in flows


def test_iot_resources_fold_into_one_broker_that_forwards_to_the_rule_actions(imported: Imported) -> None:
    c = imported.result.components
    assert c["TelemetryRule"] == c["Sensor"] == c["IoTLogs"] == "iot-core"
    flows = _flows(imported.model)
    assert ("iot-core", c["IngestFunction"], "invokes") in flows
    assert ("iot-core", c["Readings"], "writes") in flows
    assert ("iot-core", c["Failed"], "error action") in flows
    assert ("iot-core", c["RuleRole"], "runs as") in flows
    # devices on the internet, which the device gateway always authenticates
    entries = {(f.protocol, f.port, f.authenticated) for f in imported.model.flows if f.target == "iot-core"}
    assert entries == {("tls", 443, True)}
    assert imported.model.components["iot-core"].logging is True  # DefaultLogLevel WARN


def test_iot_policies_and_certificates_are_named_for_review(imported: Imported) -> None:
    assert "SensorPolicy" in imported.text and "no iot:* on *" in imported.text
    assert "SensorCertificate" in imported.text


def test_the_imported_model_raises_the_new_threats(imported: Imported, catalog: Catalog) -> None:
    analysis, _ = analyze("imported.yaml", imported.text.encode(), catalog, today=TODAY, allow_unmatched=True)
    assert analysis is not None
    asked = {t for q in analysis.report.questions for t in q.threats}
    found = {f.rule for f in analysis.report.findings}
    assert {"iot-device-identity-abused", "iot-rule-escalation"} <= asked | found
    assert "internet-exposed-entry-without-waf" in found  # the public App Runner service


def test_terraform_maps_the_three_services(tf_table: ResourceTable, catalog: Catalog) -> None:
    result, model, text = import_tf(HERE / "terraform" / "new-services", tf_table, catalog)
    assert [d for d in result.diagnostics if d.code == "W402"] == []
    by_service = {c.service: (cid, c) for cid, c in model.components.items()}
    ledger_id, ledger = by_service["memorydb"]
    web_id, web = by_service["app-runner"]
    assert ledger.backup is False  # snapshot_retention_limit 0
    assert ledger.multi_az is None  # one replica per shard: its zones are the subnet group's to say
    assert "tls-only-data-services" in ledger.controls
    assert web.internet_facing is True
    flows = {(f.source, f.target, f.protocol) for f in model.flows}
    assert (web_id, ledger_id, "redis") in flows
    assert ("internet-clients", web_id, "https") in flows
    assert ("iot-core", by_service["lambda"][0], "aws-api") in flows
    assert model.components["iot-core"].logging is False  # default_log_level DISABLED
    assert "no iot:* on *" in text
