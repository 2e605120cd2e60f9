"""Reading .tf files offline: null is unset, count and for_each that decide, where warnings point.

The folders under terraform/ (nulls, counts, positions, remote) were written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.interop.conftest import HERE, import_tf
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.terraform.importer import TfImport, import_terraform
from trustmap.model import Model

TERRAFORM = HERE / "terraform"


@pytest.fixture(scope="module")
def table(tf_table: ResourceTable) -> ResourceTable:
    return tf_table


def _component(result: TfImport, model: Model, address: str) -> tuple[str, str | None]:
    """The component a resource became, and its encryption at rest."""
    return result.components[address], model.components[result.components[address]].encryption_at_rest


@pytest.fixture(scope="module")
def nulls(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "nulls", table, catalog)


def test_an_attribute_that_is_null_is_unset(nulls: tuple[TfImport, Model, str]) -> None:
    result, model, _ = nulls
    assert _component(result, model, "aws_db_instance.plain")[1] == "none"
    assert _component(result, model, "aws_lambda_function.unset")[1] is None


def test_a_key_with_no_value_offline_is_a_question_not_a_customer_key(
    nulls: tuple[TfImport, Model, str],
) -> None:
    result, model, text = nulls
    for address in ("aws_lambda_function.given", "aws_sqs_queue.remote"):
        _, encryption = _component(result, model, address)
        assert encryption is None, address
        block = text.split(f"    name: {address}")[0].rsplit("\n  # Terraform:", 1)[1]
        assert "question:" in block and "no value offline" in block, block
    assert "var.given_key" in text and "module.kms.key_arn" in text


def test_a_key_the_configuration_names_is_a_customer_key(nulls: tuple[TfImport, Model, str]) -> None:
    result, model, _ = nulls
    assert _component(result, model, "aws_lambda_function.owned")[1] == "customer-kms"
    assert _component(result, model, "aws_sqs_queue.chosen")[1] == "customer-kms"  # null ? : decided


@pytest.fixture(scope="module")
def counts(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "counts", table, catalog)


def test_count_and_for_each_that_decide_offline_leave_out_what_makes_no_instance(
    counts: tuple[TfImport, Model, str],
) -> None:
    result, _, text = counts
    kept = set(result.components)
    for gone in ("zero", "len", "cond", "each_empty", "each_null", "filtered"):
        assert f"aws_sqs_queue.{gone}" not in kept, gone
        assert f"aws_sqs_queue.{gone} (aws_sqs_queue): count or for_each is 0" in text, gone
    assert "module.off.aws_sqs_queue.this" not in kept
    assert "module.off.aws_sqs_queue.per_group" not in kept
    assert {"aws_sqs_queue.keep", "module.on.aws_sqs_queue.this", "module.on.aws_sqs_queue.per_group"} <= kept


def test_count_that_decides_gives_replicas_and_what_does_not_stays_a_question(
    counts: tuple[TfImport, Model, str],
) -> None:
    result, model, text = counts
    assert model.components[result.components["aws_sqs_queue.two"]].replicas == 2
    assert "aws_sqs_queue.unknown" in result.components
    assert "question: count is not known: count is ${var.size}" in text


def _warnings(path: Path, table: ResourceTable, catalog: Catalog) -> list[tuple[str, str, int, int]]:
    result = import_terraform(path, str(path), table, catalog, name=path.stem)
    return sorted((d.code, d.path, d.line, d.column) for d in result.diagnostics if d.level == "warning")


def test_warnings_point_at_the_block_in_its_file(table: ResourceTable, catalog: Catalog) -> None:
    folder = TERRAFORM / "positions"
    assert _warnings(folder, table, catalog) == [
        ("W402", f"{folder}/main.tf", 5, 3),
        ("W402", f"{folder}/modules/tags/main.tf", 5, 1),
        ("W421", f"{folder}/main.tf", 13, 1),
    ]


def test_a_refused_import_prints_the_warnings_it_refers_to_and_the_modules_not_read(tmp_path: Path) -> None:
    folder = TERRAFORM / "remote"
    target = tmp_path / "m.yaml"
    result = CliRunner().invoke(app, ["import", "terraform", str(folder), "-o", str(target)])
    assert result.exit_code == 2
    assert not target.exists()
    lines = result.output.splitlines()
    shown = "terraform/remote/main.tf"
    assert any(f"{shown}:11:1: W402 resource 'aws_ec2_tag.only'" in line for line in lines), lines
    assert any(
        f"{shown}:2:1: W421 module eks was not read: its source terraform-aws-modules/eks/aws" in line
        for line in lines
    ), lines
    assert any(f"{shown}:7:1: W421 module vpc was not read" in line for line in lines), lines
    refusal = next(line for line in lines if "E404" in line)
    assert "W402" in refusal and "eks, vpc" in refusal and "offline" in refusal


def test_a_refusal_of_layout_only_code_says_why(tmp_path: Path) -> None:
    folder = TERRAFORM / "layout-only"
    result = CliRunner().invoke(app, ["import", "terraform", str(folder), "-o", str(tmp_path / "m.yaml")])
    assert result.exit_code == 2
    refusal = next(line for line in result.output.splitlines() if "E404" in line)
    assert not refusal.rstrip().endswith("Why:"), refusal
    assert "network layout" in refusal and "count or for_each is 0" in refusal


def test_an_encrypted_database_with_an_unknown_key_is_a_bound_and_a_question(
    table: ResourceTable, catalog: Catalog, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "key" {}\n'
        'resource "aws_db_instance" "db" {\n'
        '  engine            = "postgres"\n'
        "  storage_encrypted = true\n"
        "  kms_key_id        = var.key\n"
        "}\n"
    )
    result, model, text = import_tf(tmp_path, table, catalog)
    assert _component(result, model, "aws_db_instance.db")[1] == "aws-managed"
    assert "question: encryption_at_rest depends on an expression with no value offline" in text
    assert "kms_key_id = `var.key`" in text


@pytest.fixture(scope="module")
def tfvars(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "tfvars", table, catalog)


def test_the_variable_files_terraform_loads_set_the_variables_in_its_order(
    tfvars: tuple[TfImport, Model, str],
) -> None:
    """terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) by name: the last wins."""
    result, model, text = tfvars
    assert "aws_sqs_queue.audit" in result.components  # default false, terraform.tfvars true
    assert model.components[result.components["aws_instance.worker"]].replicas == 3  # 1, 2, 5, then 3
    assert _component(result, model, "aws_sqs_queue.jobs")[1] == "customer-kms"  # prod.auto.tfvars
    assert _component(result, model, "aws_db_instance.main")[1] == "aws-managed"  # .json after .tfvars
    read = "terraform.tfvars, terraform.tfvars.json, prod.auto.tfvars, z.auto.tfvars.json"
    assert any(f"variables take the values of {read}" in note for note in result.draft.attention)
    assert "variables take the values" in text  # also at the top of the model


def test_a_variable_file_value_nobody_declares_is_a_warning_at_its_line(
    tfvars: tuple[TfImport, Model, str],
) -> None:
    result, _, _ = tfvars
    warnings = [(d.code, d.path, d.line, d.column) for d in result.diagnostics if d.level == "warning"]
    assert warnings == [("W422", "tfvars/prod.auto.tfvars", 4, 1)]


def test_one_file_given_alone_takes_the_defaults(table: ResourceTable, catalog: Catalog) -> None:
    """Terraform reads variable files for a folder; one .tf file given alone is read as written."""
    result, model, _ = import_tf(TERRAFORM / "tfvars" / "main.tf", table, catalog)
    assert "aws_sqs_queue.audit" not in result.components
    assert model.components[result.components["aws_instance.worker"]].replicas is None
    assert not any("variables take the values" in note for note in result.draft.attention)


def test_an_unreadable_variable_file_is_an_error_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "n" {\n  default = 1\n}\nresource "aws_sqs_queue" "q" {}\n')
    (tmp_path / "terraform.tfvars").write_text("n = 2\nbroken = [\n")
    target = tmp_path / "m.yaml"
    result = CliRunner().invoke(app, ["import", "terraform", str(tmp_path), "-o", str(target)])
    assert result.exit_code == 2
    assert not target.exists()
    assert "terraform.tfvars:" in result.output and "E421 cannot read the Terraform file" in result.output


@pytest.fixture(scope="module")
def dynamic(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "dynamic", table, catalog)


def test_dynamic_blocks_that_decide_make_one_block_per_item(dynamic: tuple[TfImport, Model, str]) -> None:
    """The written ingress rule first, then one per item of the map in key order (`iterator`),
    and none for an empty list: three flows into the web instance."""
    result, model, text = dynamic
    web = result.components["aws_instance.web"]
    into_web = sorted((f.source, f.port) for f in model.flows if f.target == web)
    assert into_web == [("internet-clients", 22), ("internet-clients", 443), ("network-10-0-0-0-8", 8080)]
    assert "(aws_security_group.web.ingress[1]) - public https" in text
    assert "(aws_security_group.web.ingress[2]) - public ssh" in text


def test_dynamic_blocks_over_an_unknown_value_stay_a_question(dynamic: tuple[TfImport, Model, str]) -> None:
    result, model, _ = dynamic
    admin = result.components["aws_instance.admin"]
    assert not [f for f in model.flows if f.target == admin]  # no rule invented
    assert any("ingress rules of aws_security_group.admin" in note for note in result.draft.attention)


def test_a_function_url_is_an_entry_to_its_function(table: ResourceTable, catalog: Catalog) -> None:
    _, model, text = import_tf(TERRAFORM / "function-url", table, catalog)
    entries = {
        (f.target, f.protocol, f.port, f.authenticated) for f in model.flows if f.source == "internet-clients"
    }
    assert entries == {
        ("signed", "https", 443, True),
        ("open", "https", 443, False),
        ("cdn", "https", 443, False),
    }
    assert ("cdn", "signed", "invokes") in {(f.source, f.target, f.name) for f in model.flows}  # Lambda@Edge
    assert "its authorization_type lets anyone call it" in text
    assert "aws_lambda_function_url.open (aws_lambda_function_url): a function URL" in text


def test_a_listener_reaches_the_targets_attached_to_its_target_groups(
    table: ResourceTable, catalog: Catalog
) -> None:
    _, model, _ = import_tf(TERRAFORM / "target-attachments", table, catalog)
    flows = {(f.source, f.target, f.protocol, f.port) for f in model.flows}
    assert ("web", "handler", "other", None) in flows  # aws_lb_target_group_attachment
    assert ("web", "app", "http", 8080) in flows  # aws_autoscaling_attachment, through a rule
    assert not any(f.source in ("handler", "app") for f in model.flows if f.target in ("handler", "app"))


def test_a_redrive_policy_of_its_own_sends_to_the_dead_letter_queue(
    table: ResourceTable, catalog: Catalog
) -> None:
    result, model, text = import_tf(TERRAFORM / "redrive", table, catalog)
    assert [(f.source, f.target, f.name) for f in model.flows] == [("orders", "dlq", "dead letters")]
    assert not [d for d in result.diagnostics if d.code == "W402"]
    assert "aws_sqs_queue_redrive_allow_policy.dlq (aws_sqs_queue_redrive_allow_policy): not modelled" in text


def test_a_rule_naming_the_vpc_range_by_reference_reaches_its_components(
    table: ResourceTable, catalog: Catalog
) -> None:
    _, model, text = import_tf(TERRAFORM / "own-range", table, catalog)
    flows = {(f.source, f.target, f.port) for f in model.flows}
    assert {("server", "db", 5432), ("server", "db", 6379)} <= flows
    assert "question" not in text
    group = model.security_groups["db-2"]
    assert [(r.cidr, r.ports) for r in group.ingress or []] == [
        ("10.0.0.0/16", [5432]),
        ("10.0.1.0/24", [6379]),
    ]


def test_a_scheduler_schedule_triggers_its_target(table: ResourceTable, catalog: Catalog) -> None:
    result, model, _ = import_tf(TERRAFORM / "schedule", table, catalog)
    assert model.components["nightly"].service == "eventbridge"
    assert [(f.source, f.target, f.name) for f in model.flows] == [("nightly", "job", "triggers")]
    assert not [d for d in result.diagnostics if d.code == "W402"]


def test_an_appsync_api_reaches_what_its_data_sources_name(table: ResourceTable, catalog: Catalog) -> None:
    result, model, _ = import_tf(TERRAFORM / "appsync", table, catalog)
    assert {(f.source, f.target, f.name) for f in model.flows if f.source != "internet-clients"} == {
        ("notes", "notes-2", "data source"),
        ("notes", "search", "data source"),
    }
    assert model.components["notes-2"].service == "dynamodb"
    assert not [d for d in result.diagnostics if d.code == "W402"]
