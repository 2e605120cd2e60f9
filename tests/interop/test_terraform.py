"""Importing Terraform: a `terraform show -json` plan, and a folder of .tf files with a local module.

Both inputs under terraform/ were written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.interop.conftest import HERE, import_tf
from trustmap.analysis import analyze
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.terraform.importer import TfImport, label
from trustmap.model import Model

TERRAFORM = HERE / "terraform"


@pytest.fixture(scope="module")
def table(tf_table: ResourceTable) -> ResourceTable:
    return tf_table


def _flows(model: Model) -> set[tuple[str, str, str, int | None]]:
    return {(f.source, f.target, f.protocol, f.port) for f in model.flows}


def test_the_table_maps_at_least_forty_aws_types(table: ResourceTable) -> None:
    components = [t for t in table.resources if t.startswith("aws_")]
    assert len(components) >= 40
    known = {*table.resources, *table.relations, *table.structural, *table.ignored, *table.evidence}
    assert len([t for t in known if t.startswith("aws_")]) >= 150


@pytest.fixture(scope="module")
def plan(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "plan.json", table, catalog)


def test_a_plan_flattens_modules_and_keeps_subnet_instances_apart(plan: tuple[TfImport, Model, str]) -> None:
    _, model, _ = plan
    assert model.boundaries["net-vpc"].kind == "vpc"
    assert {b for b, v in model.boundaries.items() if v.kind == "subnet"} == {
        "net-private-0",
        "net-private-1",
    }
    assert model.components["web"].zones == ["eu-west-1a", "eu-west-1b"]
    assert model.components["web"].boundary == "net-private-0"


def test_a_plan_gives_flows_from_rules_listeners_and_references(plan: tuple[TfImport, Model, str]) -> None:
    _, model, _ = plan
    flows = _flows(model)
    assert ("internet-clients", "front", "http", 80) in flows  # the rule (0.0.0.0/0) and the listener
    assert ("front", "web", "http", 8080) in flows  # listener -> target group -> the group naming it
    assert ("front", "orders", "http", 8080) in flows  # aws_security_group_rule with a source group


def test_a_plan_carries_properties_and_split_bucket_settings(plan: tuple[TfImport, Model, str]) -> None:
    _, model, text = plan
    orders = model.components["orders"]
    assert (orders.encryption_at_rest, orders.multi_az, orders.internet_facing) == ("none", True, False)
    assert model.components["assets"].encryption_at_rest == "aws-managed"  # from its own SSE resource
    assert orders.backup is False and "backup" not in text.split("orders:")[1].split("\n  #")[0]


def test_a_plan_names_what_it_leaves_out(plan: tuple[TfImport, Model, str]) -> None:
    _, _, text = plan
    assert "random_id.suffix (random): not an AWS resource (provider random)" in text
    assert "aws_lb_listener.http (aws_lb_listener): a listener of its load balancer" in text
    assert "aws_caller_identity" not in text  # a data source is read, not deployed


@pytest.fixture(scope="module")
def config(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "config", table, catalog)


def test_tf_files_follow_local_modules_with_their_inputs(config: tuple[TfImport, Model, str]) -> None:
    result, model, _ = config
    assert model.boundaries["net-vpc"].description == "CIDR 10.2.0.0/16"  # the input, not the default
    assert model.boundaries["net-app"].public is True
    assert model.components["app"].boundary == "net-app"  # subnet_id = module.net.subnet_id
    assert result.components["aws_instance.app"] == "app"


def test_tf_files_count_instances_and_drop_what_counts_zero(config: tuple[TfImport, Model, str]) -> None:
    _, model, text = config
    assert model.components["app"].replicas == 3
    assert "debug" not in model.components
    assert "aws_instance.debug (aws_instance): count or for_each is 0 with the defaults" in text


def test_unresolved_expressions_become_questions(config: tuple[TfImport, Model, str]) -> None:
    _, model, text = config
    assert "question: aws_security_group.app.ingress[1] lets the expression var.office_range reach it" in text
    assert [c for c, v in model.components.items() if v.boundary == "internet"] == ["internet-clients"]
    assert ("internet-clients", "app", "https", 443) in _flows(model)
    assert ("worker", "jobs") in {(f.source, f.target) for f in model.flows}


def test_labels_make_readable_ids() -> None:
    assert label("module.vpc.aws_subnet.public") == "vpc-public"
    assert label("aws_vpc.this") == "vpc"
    assert label("module.a.module.b.aws_db_instance.this") == "b-db_instance"  # slugged when used


def test_the_cli_imports_a_plan_and_a_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    for source in (TERRAFORM / "plan.json", TERRAFORM / "config"):
        target = tmp_path / f"{source.stem}.yaml"
        result = runner.invoke(app, ["import", "terraform", str(source), "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert target.read_text().startswith("# Generated by `trustmap import terraform`")


def test_the_cli_refuses_json_that_is_not_terraform(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    result = CliRunner().invoke(app, ["import", "terraform", str(bad), "-o", str(tmp_path / "m.yaml")])
    assert result.exit_code == 2
    assert "E422" in result.output
    assert not (tmp_path / "m.yaml").exists()


def test_for_each_over_a_module_input_gives_each_instance_its_references(
    config: tuple[TfImport, Model, str],
) -> None:
    _, model, _ = config
    polls = {(f.source, f.target) for f in model.flows if f.name == "polls"}
    assert polls == {("consumer-lambda-function", "jobs"), ("consumer-lambda-function", "audit")}


# -- a load balancer that signs users in ------------------------------------------------------


@pytest.fixture(scope="module")
def sign_in(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "sign-in", table, catalog)


def test_a_listener_that_authenticates_before_forwarding_gives_an_authenticated_entry(
    sign_in: tuple[TfImport, Model, str],
) -> None:
    _, model, text = sign_in
    entry = {
        f.port: f.authenticated for f in model.flows if (f.source, f.target) == ("internet-clients", "web")
    }
    # 443: its default actions sign in with Cognito first; 8443: its only forward is a rule that
    # signs in with OIDC; 80 forwards without signing anyone in
    assert entry == {443: True, 8443: True, 80: False}
    assert "rule aws_lb_listener_rule.oidc signs users in before forwarding" in text


def test_a_listener_that_signs_in_with_cognito_calls_its_user_pool(
    sign_in: tuple[TfImport, Model, str],
) -> None:
    _, model, _ = sign_in
    assert ("web", "users", "https", None) in _flows(model)


# -- a task that no ECS service runs ----------------------------------------------------------


@pytest.fixture(scope="module")
def ecs_task(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "ecs-task", table, catalog)


def test_a_task_definition_no_service_runs_is_a_task(ecs_task: tuple[TfImport, Model, str]) -> None:
    _, model, _ = ecs_task
    assert model.components["report"].service == "fargate"
    flows = {(f.source, f.target, f.name) for f in model.flows}
    assert ("report", "iam", "runs as") in flows
    # the schedule starts the task on the cluster
    assert ("nightly", "report", "triggers") in flows


def test_a_task_definition_a_service_runs_stays_part_of_it(ecs_task: tuple[TfImport, Model, str]) -> None:
    _, model, text = ecs_task
    assert [c for c in model.components.values() if c.name == "aws_ecs_task_definition.web"] == []
    assert "aws_ecs_task_definition.web (aws_ecs_task_definition): part of its ECS service" in text
    # the service runs as the task definition's role
    assert ("web", "iam", "runs as") in {(f.source, f.target, f.name) for f in model.flows}


# -- security groups stated in the model (.tf files) --------------------------------------------


@pytest.fixture(scope="module")
def groups(table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(TERRAFORM / "groups", table, catalog)


def _listed(model: Model, *components: str) -> list[list[str]]:
    return [model.components[c].security_groups for c in components]


def test_tf_groups_whose_rules_all_resolve_are_stated_with_them(groups: tuple[TfImport, Model, str]) -> None:
    _, model, text = groups
    stated = model.security_groups
    ingress = [(r.cidr, r.ports, r.description) for r in stated["web-2"].ingress or []]
    assert ingress == [("0.0.0.0/0", [443], "HTTPS from anywhere"), ("0.0.0.0/0", [22], None)]
    assert [(r.security_group, r.ports) for r in stated["web-2"].egress or []] == [("db-2", [5432])]
    # standalone rules: aws_vpc_security_group_ingress_rule naming a group, aws_security_group_rule
    assert [(r.security_group, r.ports) for r in stated["db-2"].ingress or []] == [("web-2", [5432])]
    assert [(r.cidr, r.ports) for r in stated["app-3"].ingress or []] == [("10.0.0.0/16", [8080])]
    assert "# with aws_security_group_rule.app_from_vpc" in text
    # no egress block: Terraform's groups then have only what standalone rules add; not stated
    assert stated["db-2"].egress is None
    # directly, and an Auto Scaling group through its launch template
    assert _listed(model, "web", "db", "app-2") == [["web-2"], ["db-2"], ["app-3"]]


def test_tf_rules_not_read_whole_leave_their_groups_ingress_unwritten(
    groups: tuple[TfImport, Model, str],
) -> None:
    _, model, text = groups
    unwritten = ["admin-2", "dynamic-2", "counted-2", "ports-2", "shared-2"]
    assert [model.security_groups[g].ingress for g in unwritten] == [None] * len(unwritten)
    for why in (
        "aws_security_group_rule.admin_from_office: it names the expression var.office_cidr",
        "its ingress blocks are an expression",  # a dynamic block over a variable without default
        "aws_security_group_rule.counted's count is ${var.rule_count}, which has no value offline",
        "aws_security_group_rule.ports has 2 instances (count or for_each), read as one",
        "module.rules, not read offline, is given it and may add rules",
    ):
        assert f"ingress not written: {why}" in text
    # the groups still say who their members are
    assert _listed(model, "admin", "dynamic", "counted", "ports", "shared") == [[g] for g in unwritten]


def test_a_tf_component_with_a_group_outside_the_configuration_lists_none(
    groups: tuple[TfImport, Model, str],
) -> None:
    _, model, text = groups
    assert _listed(model, "outside", "defaulted") == [[], []]
    assert (
        "security_groups not written: aws_instance.outside names security groups that are not in the code"
        in text
    )
    assert (
        "security_groups not written: aws_instance.defaulted names aws_default_security_group.default "
        "(aws_default_security_group), which is not a security group of the code"
    ) in text


def test_tf_stated_rules_are_judged(groups: tuple[TfImport, Model, str], catalog: Catalog) -> None:
    _, _, text = groups
    analysis, problems = analyze("groups.yaml", text.encode(), catalog)
    assert analysis is not None, problems
    open_ports = {
        f.subject.id for f in analysis.report.findings if f.rule == "sensitive-port-open-to-internet"
    }
    # SSH open to the world on web; the dynamic and counted rules are not stated, so not judged
    assert open_ports == {"web"}
    assert not [d for d in analysis.diagnostics if d.code == "W310"]


def test_a_plan_states_no_groups(plan: tuple[TfImport, Model, str]) -> None:
    # a value known only after apply is missing from a plan: a rule could vanish unseen
    _, model, _ = plan
    assert model.security_groups == {}
    assert not [c for c in model.components.values() if c.security_groups]


def test_a_rule_whose_type_has_no_value_offline_says_so(
    tmp_path: Path, tf_table: ResourceTable, catalog: Catalog
) -> None:
    """A rule of a group the configuration defines, whose `type` is a variable without a
    default, is named for what it is, not as a group outside the configuration."""
    (tmp_path / "main.tf").write_text(
        'variable "way" {}\n'
        'resource "aws_security_group" "web" {\n  name = "web"\n}\n'
        'resource "aws_instance" "web" {\n  ami = "ami-1"\n  instance_type = "t3.micro"\n'
        "  vpc_security_group_ids = [aws_security_group.web.id]\n}\n"
        'resource "aws_security_group_rule" "r" {\n  type = var.way\n  from_port = 22\n  to_port = 22\n'
        '  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n'
        "  security_group_id = aws_security_group.web.id\n}\n"
    )
    _, _, text = import_tf(tmp_path, tf_table, catalog)
    flat = " ".join(line.lstrip("# ").strip() for line in text.splitlines())
    assert "aws_security_group_rule.r: its type has no value offline; read it by hand" in flat
    assert "aws_security_group_rule.r names a security group outside" not in flat
