"""The annotated graph: responsibility split, boundary paths, crossings, defaults."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, TODAY
from trustmap.analysis import analyze
from trustmap.catalog import Catalog
from trustmap.graph import ComponentInfo, FlowInfo, ModelGraph, reported_fields
from trustmap.render.report_json import report_document


def _graph(catalog: Catalog, text: str) -> ModelGraph:
    analysis, problems = analyze("m.yaml", text.encode(), catalog, today=TODAY, allow_unmatched=True)
    assert analysis is not None, [p.headline() for p in problems]
    return analysis.graph


@pytest.fixture(scope="module")
def shop(catalog: Catalog) -> ModelGraph:
    return _graph(catalog, (EXAMPLES / "shop.yaml").read_text())


def test_graph_nodes_are_components_and_edges_are_flows(shop: ModelGraph) -> None:
    assert sorted(shop.topology.nodes) == ["assets", "cdn", "db", "lb", "shopper", "trail", "web"]
    assert [c.id for c in shop.components()] == sorted(shop.topology.nodes)
    assert sorted(key for _, _, key in shop.topology.edges(keys=True)) == sorted(
        ["shopper->cdn", "cdn->lb", "lb->web", "web->db", "web->assets"]
    )


@pytest.mark.parametrize(
    ("component", "model", "os_owner"),
    [
        ("web", "infrastructure", "customer"),
        ("db", "container", "aws"),
        ("assets", "abstracted", "aws"),
    ],
)
def test_responsibility_follows_the_service_model(
    shop: ModelGraph, component: str, model: str, os_owner: str
) -> None:
    info = shop.component(component)
    assert info.service_model == model
    split = info.responsibility
    assert split["os"] == os_owner
    assert split["data"] == split["identity"] == "customer"
    assert split["physical"] == split["infrastructure"] == split["service-software"] == "aws"
    assert len(split) == 11


def test_external_components_are_never_aws(shop: ModelGraph) -> None:
    info = shop.component("shopper")
    assert info.service_model == "external"
    assert set(info.responsibility.values()) <= {"customer", "third-party"}


def test_boundary_paths_and_trust(shop: ModelGraph) -> None:
    assert shop.component("web").boundary_path == ("prod", "vpc", "app")
    assert shop.component("web").trust == 80
    assert shop.component("db").trust == 90  # explicit override
    assert shop.component("lb").trust == 40  # public subnet
    assert shop.component("shopper").trust == 0


def test_flow_crossings(shop: ModelGraph) -> None:
    flows = {f.id: f for f in shop.flows()}
    assert flows["lb->web"].crosses == ("public", "app")
    assert flows["shopper->cdn"].crosses == ("internet", "prod")
    assert flows["cdn->lb"].left == () and flows["cdn->lb"].entered == ("vpc", "public")
    assert flows["web->assets"].crosses == ("app", "vpc")


def test_encryption_explicit_or_from_protocol(shop: ModelGraph) -> None:
    flows = {f.id: f for f in shop.flows()}
    assert flows["lb->web"].encrypted is False  # http
    assert flows["cdn->lb"].encrypted is True  # https
    assert flows["web->db"].encrypted is True  # postgres, explicit
    assert flows["web->db"].data == ("card-data",)
    assert flows["web->db"].regulations == ("pci-dss",)


def test_internet_facing_defaults(shop: ModelGraph) -> None:
    assert shop.component("lb").internet_facing is True  # explicit
    assert shop.component("cdn").internet_facing is True  # edge service
    assert shop.component("shopper").internet_facing is True  # actor in the internet
    assert shop.component("web").internet_facing is False


def test_public_subnet_makes_components_internet_facing(catalog: Catalog) -> None:
    graph = _graph(
        catalog,
        "trustmap: 1\nname: t\nboundaries:\n  pub: {kind: subnet, public: true}\n"
        "components:\n  bastion: {service: ec2, boundary: pub}\n",
    )
    assert graph.component("bastion").internet_facing is True


def test_property_defaults_come_from_the_catalog(shop: ModelGraph) -> None:
    assert shop.component("assets").encryption_at_rest == "aws-managed"
    assert shop.component("assets").multi_az is True  # abstracted
    assert shop.component("web").multi_az is True  # explicit
    assert shop.component("db").multi_az is False
    assert shop.component("db").encryption_at_rest == "customer-kms"


def test_boundaries_form_a_tree(shop: ModelGraph) -> None:
    children = shop.boundary_children()
    assert children["vpc"] == ["app", "data-tier", "public"]
    assert children[None] == ["internet", "prod"]
    # top down: every boundary after its parent, each subtree together, siblings by id
    assert shop.boundaries_top_down() == sorted(shop.boundaries, key=lambda b: shop.boundaries[b].path)


def test_report_json_lists_every_reported_field_and_no_internal_one(catalog: Catalog) -> None:
    analysis, problems = analyze(
        "shop.yaml", (EXAMPLES / "shop.yaml").read_bytes(), catalog, today=TODAY, allow_unmatched=True
    )
    assert analysis is not None, [p.headline() for p in problems]
    document = report_document(analysis)
    assert {"icon", "span", "boundary_kinds"}.isdisjoint(reported_fields(ComponentInfo))
    for component in document["components"]:
        assert set(component) == {*reported_fields(ComponentInfo), "checklist"}
    renamed = {"source": "from", "target": "to"}
    for flow in document["flows"]:
        assert set(flow) == {renamed.get(f, f) for f in reported_fields(FlowInfo)} | {"checklist"}
