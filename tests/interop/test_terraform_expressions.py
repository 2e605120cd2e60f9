"""Terraform expressions as python-hcl2 gives them: literals, references, conditions, questions."""

from __future__ import annotations

from typing import Any

import pytest

from trustmap.interop.terraform.expressions import UNRESOLVED_KEY, evaluate, refs_in, unquote

VALUES: dict[str, Any] = {
    "var.create": True,
    "var.off": False,
    "var.env": "prod",
    "local.name": "shop",
    "module.net.vpc_id": {"Ref": "module.net.aws_vpc.this"},
}


def _scope(name: str) -> Any:
    return VALUES.get(name)


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
    ],
)
def test_values_that_decide_offline(raw: Any, expected: Any) -> None:
    assert evaluate(raw, _scope, "") == expected


@pytest.mark.parametrize(
    ("raw", "refs"),
    [
        ("${var.missing}", []),
        ("${var.missing ? 1 : 0}", []),
        ("${try(aws_vpc.this[0].id, null)}", ["aws_vpc.this"]),
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
