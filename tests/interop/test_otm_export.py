"""OTM export: schema validity, ids, references, threats and determinism, for every example."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from tests.conftest import EXAMPLE_NAMES
from trustmap.analysis import Analysis
from trustmap.interop.layout import Layout, compute_layout, grid_layout
from trustmap.interop.otm.exporter import layout_spec, otm_document, render_otm


def _document(analysis: Analysis, layout: Layout | None = None) -> dict[str, Any]:
    return otm_document(analysis, layout or grid_layout(layout_spec(analysis)))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_export_validates_against_the_schema(
    name: str, example: Callable[[str], Analysis], otm_schema: dict[str, Any]
) -> None:
    analysis = example(name)
    jsonschema.validate(_document(analysis), otm_schema)
    jsonschema.validate(otm_document(analysis, compute_layout(layout_spec(analysis))), otm_schema)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_ids_are_unique_and_references_resolve(name: str, example: Callable[[str], Analysis]) -> None:
    document = _document(example(name))
    zones = [z["id"] for z in document["trustZones"]]
    components = [c["id"] for c in document["components"]]
    flows = [f["id"] for f in document["dataflows"]]
    every = [*zones, *components, *flows]
    assert len(every) == len(set(every))
    assert all("->" not in f for f in flows)
    for zone in document["trustZones"]:
        assert zone.get("parent", {"trustZone": zones[0]})["trustZone"] in zones
    for component in document["components"]:
        assert list(component["parent"]) == ["trustZone"] and component["parent"]["trustZone"] in zones
    for flow in document["dataflows"]:
        assert flow["source"] in components and flow["destination"] in components
    # parents come before their children, as importers such as StartLeft expect
    for index, zone in enumerate(document["trustZones"]):
        if "parent" in zone:
            assert zones.index(zone["parent"]["trustZone"]) < index


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_threats_and_mitigations_are_linked(name: str, example: Callable[[str], Analysis]) -> None:
    analysis = example(name)
    document = _document(analysis)
    threats = {t["id"]: t for t in document["threats"]}
    mitigations = {m["id"] for m in document["mitigations"]}
    assert len(threats) == len(analysis.report.findings)
    instances = [i for e in [*document["components"], *document["dataflows"]] for i in e["threats"]]
    attached = {f.key for f in analysis.report.findings if f.subject.kind in ("component", "flow")}
    assert len(instances) == len(attached)
    for instance in instances:
        assert instance["threat"] in threats
        assert instance["state"] in ("identified", "accepted", "mitigated", "not-applicable", "in-progress")
        assert {m["mitigation"] for m in instance["mitigations"]} <= mitigations
        assert {m["state"] for m in instance["mitigations"]} <= {"implemented", "required", "not-applicable"}
    stride = {
        "Spoofing",
        "Tampering",
        "Repudiation",
        "Information Disclosure",
        "Denial of Service",
        "Elevation of Privilege",
    }
    for threat in threats.values():
        assert set(threat["categories"]) <= stride and threat["categories"]
        assert threat["risk"]["likelihood"] is None and 0 < threat["risk"]["impact"] <= 100


def test_component_attributes_carry_the_trustmap_view(example: Callable[[str], Analysis]) -> None:
    document = _document(example("shop"))
    db = next(c for c in document["components"] if c["id"] == "db")
    assert db["type"] == "rds"
    assert db["parent"] == {"trustZone": "data-tier"}
    attributes = db["attributes"]
    assert attributes["dfd_kind"] == "datastore"
    assert attributes["service_model"] == "container"
    assert attributes["encryption_at_rest"] == "customer-kms"
    assert attributes["multi_az"] == "false" and attributes["backup"] == "true"
    assert attributes["responsibility.os"] == "aws" and attributes["responsibility.data"] == "customer"
    assert "os" in attributes["responsibility_aws"].split(",")
    assert all(isinstance(v, str) for c in document["components"] for v in c["attributes"].values())
    assert db["assets"] == {"stored": ["card-data"], "processed": []}


def test_zones_and_flows_carry_trust_and_crossings(example: Callable[[str], Analysis]) -> None:
    document = _document(example("shop"))
    zones = {z["id"]: z for z in document["trustZones"]}
    assert zones["internet"]["risk"]["trustRating"] == 0
    assert zones["data-tier"]["risk"]["trustRating"] == 90
    assert zones["public"]["type"] == "public-subnet" and zones["app"]["type"] == "private-subnet"
    assert zones["vpc"]["parent"] == {"trustZone": "prod"}
    flow = next(f for f in document["dataflows"] if f["attributes"]["trustmap_id"] == "lb->web")
    assert flow["id"] == "lb-to-web"
    assert {"protocol:http", "encrypted:false", "crosses:public", "crosses:app"} <= set(flow["tags"])
    assert [t["state"] for t in flow["threats"]] == ["accepted"]  # the model's risk decision


def test_assets_rate_confidentiality_by_classification(example: Callable[[str], Analysis]) -> None:
    assets = {a["id"]: a for a in _document(example("shop"))["assets"]}
    assert assets["card-data"]["risk"]["confidentiality"] == 100
    assert assets["catalogue"]["risk"]["confidentiality"] == 0


def test_components_outside_every_boundary_get_a_synthetic_zone(example: Callable[[str], Analysis]) -> None:
    for analysis in map(example, EXAMPLE_NAMES):
        outside = [c for c in analysis.graph.components() if c.boundary is None]
        document = _document(analysis)
        synthetic = [z for z in document["trustZones"] if z.get("attributes", {}).get("trustmap_synthetic")]
        assert bool(outside) == bool(synthetic)


def test_representations_place_every_element_inside_its_parent(example: Callable[[str], Analysis]) -> None:
    document = _document(example("three-tier-web"))
    sizes = {z["id"]: z["representations"][0]["size"] for z in document["trustZones"]}
    for element in [*document["trustZones"], *document["components"]]:
        shape = element["representations"][0]
        assert shape["representation"] == "architecture-diagram"
        parent = element.get("parent", {}).get("trustZone")
        if parent is not None:  # positions are relative to the parent zone
            assert (
                shape["position"]["x"] >= 0
                and shape["position"]["x"] + shape["size"]["width"] <= sizes[parent]["width"]
            )
            assert (
                shape["position"]["y"] >= 0
                and shape["position"]["y"] + shape["size"]["height"] <= sizes[parent]["height"]
            )


def test_the_export_is_deterministic(example: Callable[[str], Analysis]) -> None:
    analysis = example("serverless-api")
    first = render_otm(_document(analysis))
    assert first == render_otm(_document(analysis))
    assert first.endswith(b"\n") and b"/work" not in first
    assert render_otm(_document(analysis), "yaml").startswith(b"assets:")
