"""Format 1.2: the documented example validates, and places, addresses and peers behave as the
format page says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trustmap.addresses import ALL_PORTS, is_private, overlaps_private, parse_cidr, parse_ports
from trustmap.catalog import Catalog
from trustmap.validate import load_model

DOCS = Path(__file__).resolve().parents[2] / "docs" / "model-format.md"


def _example() -> str:
    section = DOCS.read_text(encoding="utf-8").split("### A complete example (1.2)", 1)[1]
    return section.split("```yaml", 1)[1].split("```", 1)[0]


def test_the_documented_example_is_valid_with_no_warning(catalog: Catalog) -> None:
    loaded, problems = load_model("example.yaml", _example().encode(), catalog, today=dt.date(2026, 12, 1))
    assert problems == []
    assert loaded is not None
    model = loaded.model
    assert model.principals["deploy-role"].trust is not None
    assert model.components["web"].runs_as == ["app-role"]
    assert model.grants[3].to == ["*"]


def test_a_v1_model_has_none_of_the_new_facts(catalog: Catalog) -> None:
    loaded, _ = load_model("m.yaml", b"trustmap: 1\nname: m\ncomponents: {a: {service: s3}}\n", catalog)
    assert loaded is not None
    component = loaded.model.components["a"]
    assert component.interfaces is None and component.tenancy is None and component.runs_as == []
    assert loaded.model.principals == {} and loaded.model.security_groups == {}


@pytest.mark.parametrize(
    ("place", "allowed", "inside"),
    [
        ("eu-west-1", ["eea"], True),
        ("us-east-2", ["eea"], False),
        ("eu-west-2", ["eu"], False),  # London: not in the EU
        ("de", ["eu-central-1"], None),  # a country is wider than one of its regions
        ("eu-central-1", ["de"], True),
        ("eu", ["eea"], True),
        ("eea", ["eu"], None),
        ("eu-central-1", ["eu-central-1"], True),
        ("eu-central-1", ["eu-west-1"], False),
    ],
)
def test_places_lie_inside_residencies(
    catalog: Catalog, place: str, allowed: list[str], inside: bool | None
) -> None:
    assert catalog.places.within(place, allowed) is inside


def test_ports_and_cidrs_parse_or_not() -> None:
    assert parse_ports("all") == ALL_PORTS
    assert parse_ports(["all"]) == ALL_PORTS
    assert parse_ports([443, "1024-65535", 443]) == ((443, 443), (1024, 65535))
    assert parse_ports(["443-80"]) is None
    assert parse_ports([0]) is None
    assert parse_cidr("10.0.0.0/8") is not None
    assert parse_cidr("10.0.0.1/8") is None
    assert parse_cidr("::/0") is not None


@pytest.mark.parametrize(
    ("cidr", "private", "overlaps"),
    [
        ("10.20.0.0/16", True, True),
        ("100.64.0.0/10", True, True),  # shared address space (carrier-grade NAT)
        ("203.0.113.16/28", False, False),  # documentation range: a partner's public address here
        ("198.51.100.0/24", False, False),
        ("0.0.0.0/0", False, True),  # the internet includes every private network
        ("10.0.0.0/7", False, True),
        ("fd00::/8", True, True),
    ],
)
def test_private_address_space_is_what_the_internet_never_routes(
    cidr: str, private: bool, overlaps: bool
) -> None:
    network = parse_cidr(cidr)
    assert network is not None
    assert is_private(network) is private and overlaps_private(network) is overlaps
