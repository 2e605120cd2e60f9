"""Dynamic blocks of listeners (terraform-aws-modules/terraform-aws-alb): a variable's declared
type makes the optional attributes a caller leaves out null, so `for_each = each.value.forward
!= null ? [...] : []` decides; nested dynamic blocks (a weighted forward's target groups) are
read; a `for_each` with no value offline draws nothing and says so (W423)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.conftest import HERE, import_tf
from tests.interop.corpus.measure import CORPUS
from trustmap.catalog import Catalog
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.terraform.expressions import UNKNOWN, evaluate
from trustmap.interop.terraform.importer import TfImport
from trustmap.interop.terraform.types import conform, parse_type
from trustmap.model import Model

FIXTURE = HERE / "terraform" / "dynamic-listener"
ALB = CORPUS / "terraform-aws-modules+terraform-aws-alb" / "examples"


@pytest.fixture(scope="module")
def listener(tf_table: ResourceTable, catalog: Catalog) -> tuple[TfImport, Model, str]:
    return import_tf(FIXTURE, tf_table, catalog)


def _flows(model: Model) -> set[tuple[str, str]]:
    return {(f.source, f.target) for f in model.flows}


def test_dynamic_default_actions_over_optional_attributes_reach_the_targets(
    listener: tuple[TfImport, Model, str],
) -> None:
    result, model, text = listener
    lb = result.components["module.alb.aws_lb.this"]
    assert (lb, result.components["aws_instance.api"]) in _flows(model)  # forward
    assert (lb, result.components["aws_instance.admin"]) in _flows(model)  # weighted forward, nested
    assert "default_action[*].forward[*].target_group[*].arn" in text


def test_a_dynamic_block_over_an_unknown_value_draws_nothing_and_warns(
    listener: tuple[TfImport, Model, str],
) -> None:
    result, model, text = listener
    extra = result.components["aws_instance.extra"]
    assert not [f for f in model.flows if f.target == extra]  # no forward invented
    [warning] = [d for d in result.diagnostics if d.code == "W423"]
    assert warning.message.startswith("aws_lb_listener.extra: the dynamic blocks default_action")
    assert "var.extra_actions" in warning.message and "no flow or control is read" in warning.message
    assert (Path(warning.path).name, warning.line) == ("main.tf", 56)
    assert "# - aws_lb_listener.extra: the dynamic blocks default_action" in text  # at the top


@pytest.mark.parametrize(
    ("example", "targets"),
    [("complete-alb", {"instance", "other", "cognito-user-pool"}), ("complete-nlb", {"instance"})],
)
def test_the_alb_module_examples_forward_to_their_targets(
    tf_table: ResourceTable, catalog: Catalog, example: str, targets: set[str]
) -> None:
    """The vendored examples: listeners (and rules) reach the instances of their target groups."""
    result, model, _ = import_tf(ALB / example, tf_table, catalog)
    balancer = next(c for a, c in result.components.items() if a.endswith("aws_lb.this"))
    assert {t for s, t in _flows(model) if s == balancer} == targets
    assert not any("each.value.cidr_ipv6" in note for note in result.draft.attention)  # null: no rule


def test_a_type_fills_optional_attributes_with_null_or_their_default() -> None:
    kind = parse_type(
        '${map(object({port = number, protocol = optional(string, "HTTP"), forward = optional(object({'
        "key = string})), tags = optional(map(string), {}),"
        " nested = optional(object({x = optional(number, 3)}), {})}))}"
    )
    value = conform({"a": {"port": 80}, "b": {"port": 81, "protocol": None, "forward": {"key": "k"}}}, kind)
    assert value == {
        "a": {"port": 80, "protocol": "HTTP", "forward": None, "tags": {}, "nested": {"x": 3}},
        "b": {"port": 81, "protocol": "HTTP", "forward": {"key": "k"}, "tags": {}, "nested": {"x": 3}},
    }


def test_a_type_leaves_unknown_values_and_unread_types_alone() -> None:
    kind = parse_type("${list(object({a = optional(string)}))}")
    unknown = {"Fn::Unresolved": ["var.x"]}
    assert conform(unknown, kind) == unknown and conform([unknown], kind) == [unknown]
    assert conform([{"b": 1}], kind) == [{"b": 1, "a": None}]
    assert parse_type("${object({a = optional(string)}") is None  # unbalanced
    assert parse_type("${string}") is not None and conform("x", parse_type("${string}")) == "x"
    assert parse_type("${tuple([string, object({a = optional(bool, true)})])}") is not None
    assert conform(["s", {}], parse_type("${tuple([string, object({a = optional(bool, true)})])}")) == [
        "s",
        {"a": True},
    ]


def test_an_object_with_unknown_parts_is_not_null() -> None:
    scope = {"var.x": {"arn": {"Ref": "aws_s3_bucket.b"}, "name": UNKNOWN}}.get
    assert evaluate("${var.x != null}", lambda n: scope(n, UNKNOWN), "") is True
    assert evaluate("${null == var.x}", lambda n: scope(n, UNKNOWN), "") is False
    assert isinstance(evaluate("${var.y != null}", lambda n: scope(n, UNKNOWN), ""), dict)  # unknown
