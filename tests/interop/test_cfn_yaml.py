"""Reading CloudFormation templates: short-form tags, JSON, positions and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.interop.conftest import TEMPLATES
from trustmap.interop.cloudformation.reader import SHORT_FORMS, load_template
from trustmap.source import Limits


def _load(text: str, path: str = "t.yaml") -> Any:
    document, problems = load_template(path, text.encode())
    assert document is not None, problems
    assert problems == []
    return document


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("!Ref Thing", {"Ref": "Thing"}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Db, Arn]", {"Fn::GetAtt": ["Db", "Arn"]}),
        ("!Sub 'arn:${AWS::Partition}:s3:::${Bucket}'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"}),
        ("!Sub ['${A}-x', {A: !Ref B}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Select [1, !GetAZs '']", {"Fn::Select": [1, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!If [Cond, 1, !Ref AWS::NoValue]", {"Fn::If": ["Cond", 1, {"Ref": "AWS::NoValue"}]}),
        ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        ("!Not [!Condition C]", {"Fn::Not": [{"Condition": "C"}]}),
        ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Transform {Name: AWS::Include}", {"Fn::Transform": {"Name": "AWS::Include"}}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
    ],
)
def test_each_short_form_becomes_its_long_form(snippet: str, expected: Any) -> None:
    document = _load(f"Value: {snippet}\n")
    assert document.data["Value"] == expected


def test_the_short_forms_template_uses_every_required_tag() -> None:
    """The fixture really exercises every tag the importer promises to read."""
    text = (TEMPLATES / "short-forms.yaml").read_text()
    required = {
        "!Ref",
        "!GetAtt",
        "!Sub",
        "!Join",
        "!Select",
        "!Split",
        "!GetAZs",
        "!If",
        "!Equals",
        "!Not",
        "!And",
        "!Or",
        "!FindInMap",
        "!Base64",
        "!Cidr",
        "!ImportValue",
        "!Condition",
        "!Transform",
    }
    assert required <= set(SHORT_FORMS)
    missing = [tag for tag in required if f"{tag} " not in text]
    assert missing == []
    assert "!GetAtt [" in text  # the list form too
    document, problems = load_template("short-forms.yaml", text.encode())
    assert document is not None and problems == []


def test_positions_point_into_short_forms() -> None:
    document = _load("Resources:\n  A:\n    Type: X\n    Properties:\n      V: !Join [',', [!Ref B]]\n")
    span = document.source_map.value(("Resources", "A", "Properties", "V", "Fn::Join", 1, 0))
    assert span is not None
    assert (span.line, span.column) == (5, 23)


def test_plain_scalars_keep_their_yaml_types() -> None:
    document = _load("A: 5\nB: true\nC: '5'\nD: !Ref 5\n")
    assert document.data == {"A": 5, "B": True, "C": "5", "D": {"Ref": "5"}}


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("A: !Reference x\n", "E403", 1, 4),
        ("A: !!python/object:os.system x\n", "E003", 1, 4),
        ("A: [1, 2\n", "E001", 1, 4),  # where the unclosed bracket starts
        ("- a\n- b\n", "E006", 1, 1),
        ("", "E005", 1, 1),
        ("A: 1\n---\nB: 2\n", "E001", 2, 1),
    ],
)
def test_malformed_yaml_gives_a_positioned_error(text: str, code: str, line: int, column: int) -> None:
    document, problems = load_template("t.yaml", text.encode())
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [(code, line, column)]


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    document, problems = load_template("t.yaml", b"Resources:\n  A: 1\n  A: 2\n")
    assert document is not None
    assert [(p.code, p.line) for p in problems] == [("E002", 3)]
    assert "line 2" in problems[0].message


def test_json_is_read_strictly_with_positions() -> None:
    document, problems = load_template("t.json", b'{\n  "Resources": {"A": {"Type": "X"},}\n}\n')
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("E001", 2, 36)
    ]  # the "}" where a key should be
    good, problems = load_template("t.json", b'{\n  "Resources": {"A": {"Type": "X"}}\n}\n')
    assert good is not None and problems == []
    span = good.source_map.value(("Resources", "A"))
    assert span is not None and span.line == 2


def test_json_with_tabs_still_reads() -> None:
    document, problems = load_template("t.json", b'{\n\t"Resources": {\n\t\t"A": {"Type": "X"}\n\t}\n}\n')
    assert document is not None and problems == []
    assert document.data["Resources"]["A"]["Type"] == "X"


def test_invalid_utf8_is_positioned() -> None:
    document, problems = load_template("t.yaml", b"A: 1\nB: \xff\n")
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [("E004", 2, 4)]


def test_alias_bombs_are_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        previous = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([previous] * 10)}]")
    document, problems = load_template(
        "bomb.yaml", ("\n".join(lines) + "\n").encode(), Limits(max_expanded=100_000)
    )
    assert document is None
    assert problems[0].code == "E007"


def test_recursive_aliases_hit_the_depth_limit() -> None:
    document, problems = load_template("t.yaml", b"A: &a [*a]\n")
    assert document is None
    assert problems[0].code == "E007"
