"""Terraform expressions as python-hcl2 gives them: literals, references, conditions, questions."""

from __future__ import annotations

from typing import Any

import pytest

from trustmap.interop.terraform.expressions import UNKNOWN, UNRESOLVED_KEY, evaluate, refs_in, unquote

VALUES: dict[str, Any] = {
    "var.create": True,
    "var.off": False,
    "var.env": "prod",
    "local.name": "shop",
    "module.net.vpc_id": {"Ref": "module.net.aws_vpc.this"},
    "var.none": None,
    "var.empty": [],
    "var.subnets": ["a", "b"],
    "var.groups": {"x": {"size": 2}},
    "var.key": {UNRESOLVED_KEY: ["var.key"]},
}


def _scope(name: str) -> Any:
    return VALUES.get(name, UNKNOWN)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"tcp"', "tcp"),
        (443, 443),
        (True, True),
        ("${var.env}", "prod"),
        ('"web-${local.name}"', "web-shop"),
        ("${var.create ? 1 : 0}", 1),
        ("${var.off ? 1 : 0}", 0),
        ("${!var.off && var.create}", True),
        ('${var.env == "prod" ? 3 : 1}', 3),
        ("${var.create || var.missing}", True),
        ("${aws_vpc.main.id}", {"Ref": "aws_vpc.main"}),
        ("${aws_subnet.private[0].id}", {"Ref": "aws_subnet.private"}),
        ("${aws_subnet.private[*].id}", {"Ref": "aws_subnet.private"}),
        ("${module.net.vpc_id}", {"Ref": "module.net.aws_vpc.this"}),
        ({"a": '"x"', "__is_block__": True}, {"a": "x"}),
        ("${var.none}", None),
        ("${var.none == null ? 1 : 0}", 1),
        ("${length(var.empty)}", 0),
        ("${length(var.subnets) > 1 && var.create}", True),
        ("${var.off && var.missing ? 1 : 0}", 0),
        ("${var.none != null ? var.none : {}}", {}),
        ("${var.groups.x.size >= 2 ? [1] : []}", [1]),
        ('${var.groups["x"]["size"]}', 2),
        ("${try(var.none.size, 3)}", 3),
        ("${try(var.groups.y, null)}", None),
        ("${coalesce(var.none, var.env)}", "prod"),
        ("${coalesce(var.none, aws_kms_key.k.arn)}", {"Ref": "aws_kms_key.k"}),
        ("${max(length(var.subnets), length(var.empty))}", 2),
        ("${length(concat(var.subnets, [aws_subnet.c.id]))}", 3),
        ("${length(keys(merge(var.groups, { y = 1, z = 2 })))}", 3),
        ("${var.none == null ? aws_kms_key.k.arn : var.none}", {"Ref": "aws_kms_key.k"}),
        ("${try(aws_vpc.this[0].id, null)}", {"Ref": "aws_vpc.this"}),
        ("${{for k, v in var.groups : k => v}}", {"x": {"size": 2}}),
        ("${{for k, v in var.groups : k => v if v.size > 2}}", {}),
        ("${{for k, v in var.missing : k => v if var.off}}", {}),
        ('${[for s in var.subnets : "${s}-x"]}', ["a-x", "b-x"]),
        ('${{for k, v in var.groups : "${k}_y" => v.size}}', {"x_y": 2}),
        ("${var.off ? {for k, v in var.missing : k => v} : {}}", {}),
    ],
)
def test_values_that_decide_offline(raw: Any, expected: Any) -> None:
    assert evaluate(raw, _scope, "") == expected


@pytest.mark.parametrize(
    ("raw", "refs"),
    [
        ("${var.missing}", []),
        ("${var.missing ? 1 : 0}", []),
        ("${var.key != null ? var.key : null}", []),
        ("${coalesce(var.key, aws_kms_key.k.arn)}", ["aws_kms_key.k"]),
        ("${length(var.missing)}", []),
        ("${length(aws_subnet.all[*].id)}", ["aws_subnet.all"]),
        ("${{for k, v in var.missing : k => v if var.create}}", []),
        ("${var.env + 1}", []),
        ("${regexall(var.env, var.env)}", []),
        (
            "${concat(aws_security_group.a.id, [aws_security_group.b.id])}",
            ["aws_security_group.a", "aws_security_group.b"],
        ),
        ('"arn:${data.aws_partition.current.partition}:s3"', []),
    ],
)
def test_values_that_do_not_decide_become_questions(raw: Any, refs: list[str]) -> None:
    value = evaluate(raw, _scope, "")
    assert isinstance(value, dict) and UNRESOLVED_KEY in value
    assert [r["Ref"] for r in value[UNRESOLVED_KEY][1:]] == refs


def test_references_in_a_module_take_its_prefix() -> None:
    assert evaluate("${aws_vpc.this.id}", _scope, "module.vpc.") == {"Ref": "module.vpc.aws_vpc.this"}
    assert refs_in("aws_a.b.id == data.aws_c.d.id", "m.") == ["m.aws_a.b"]


def test_unquote_keeps_what_is_not_quoted() -> None:
    assert unquote('"a"') == "a"
    assert unquote("${x}") == "${x}"
    assert unquote(3) == 3
