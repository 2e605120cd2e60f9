"""The commented YAML writer: any text survives, comments stay comments, sections keep their order."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.interop.conftest import validated
from trustmap.catalog import Catalog
from trustmap.interop.model_writer import Draft, Entry, render_model
from trustmap.interop.names import IdAllocator, is_model_id, slugify
from trustmap.source import load_yaml

AWKWARD = [
    "# not a comment",
    "a: b",
    "- item",
    "'quoted'",
    '"double"',
    "multi\nline",
    "tab\there",
    "yes",
    "null",
    "123",
    "@at",
    "*star",
    "&amp",
    "ünïcödé ✓",
    "trailing ",
    " leading",
    "{brace}",
    "[list]",
    "%pct",
    "!tag",
]


def _draft(name: str, description: str = "d") -> Draft:
    return Draft(
        name=name,
        description=description,
        header=["first line", "second # line"],
        attention=["look at this: " + name],
        boundaries={"zone": Entry({"kind": "custom", "name": name}, comments=[name])},
        components={
            "thing": Entry(
                {"service": "s3", "name": name, "boundary": "zone", "tags": {name: name}},
                trailing={"service": name.replace("\n", " ")},
            )
        },
        flows=[Entry({"from": "thing", "to": "other", "protocol": "https", "description": name})],
        accepted=[
            Entry(
                {
                    "finding": "thing/*",
                    "status": "accepted",
                    "reason": name or "r",
                    "expires": dt.date(2027, 1, 31),
                }
            )
        ],
    )


@pytest.mark.parametrize("name", AWKWARD)
def test_awkward_text_survives(name: str) -> None:
    draft = _draft(name)
    draft.components["other"] = Entry({"service": "sqs"})
    data = yaml.safe_load(render_model(draft))
    assert data["name"] == name
    assert data["boundaries"]["zone"]["name"] == name
    assert data["components"]["thing"]["tags"] == {name: name}
    assert data["flows"][0]["description"] == name
    assert data["accepted"][0]["expires"] == dt.date(2027, 1, 31)


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=10))
def test_any_text_survives_the_project_loader(name: str, tag: str) -> None:
    draft = _draft(name, description=name)
    draft.components["thing"].fields["tags"] = {tag: name}
    document, problems = load_yaml("m.yaml", render_model(draft).encode())
    assert document is not None, problems
    assert document.data["description"] == document.data["name"] == name
    assert document.data["components"]["thing"]["tags"] == {tag: name}


def test_the_written_model_validates(catalog: Catalog) -> None:
    draft = _draft('Shop: "v2" # draft')
    draft.components["other"] = Entry({"service": "sqs"})
    model = validated(render_model(draft), catalog)
    assert model.name == 'Shop: "v2" # draft'
    assert list(model.components) == ["thing", "other"]


def test_comments_are_written_where_they_belong() -> None:
    text = render_model(_draft("n"))
    lines = text.splitlines()
    assert lines[:2] == ["# first line", "# second # line"]
    assert "# Needs the architect's attention:" in lines
    assert "  # n" in lines  # above the boundary
    assert "    service: s3  # n" in lines  # at the end of a field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WebServerGroup", "web-server-group"),
        ("MyEC2Instance", "my-ec2-instance"),
        ("RDSCluster", "rds-cluster"),
        ("0.0.0.0/0", "item-0-0-0-0-0"),
        ("", "item"),
        ("Ünïcode Ñame", "n-code-ame"),
        ("x" * 80, "x" * 64),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected
    assert is_model_id(slugify(text))


def test_allocator_avoids_collisions() -> None:
    ids = IdAllocator.reserving(["a"])
    assert [ids.take("a"), ids.take("a"), ids.take("b")] == ["a-2", "a-3", "b"]
    long = "y" * 64
    assert [ids.take(long), ids.take(long)] == [long, "y" * 62 + "-2"]
