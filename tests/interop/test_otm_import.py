"""OTM import: round trips of every example, and lenient reading of other tools' documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import EXAMPLE_NAMES, EXAMPLES, TODAY
from tests.interop.conftest import OTM_FILES, TEMPLATES, import_cfn, validated
from tests.interop.otm_scope import what_otm_holds
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.diff import diff_analyses
from trustmap.graph import ComponentInfo, reported_fields
from trustmap.interop.layout import grid_layout
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import render_model
from trustmap.interop.otm.exporter import layout_spec, otm_document, render_otm
from trustmap.interop.otm.importer import OtmImport, import_otm
from trustmap.interop.otm.reader import load_otm
from trustmap.interop.otm.table import OtmTable
from trustmap.interop.otm.values import stated_value
from trustmap.model import STATED_PROPERTIES, Model


def _import(
    raw: bytes, catalog: Catalog, table: OtmTable, mapping: ResourceTable, path: str = "in.otm.json"
) -> OtmImport:
    document, problems = load_otm(path, raw)
    assert document is not None, problems
    return import_otm(document, catalog, table, mapping)


def _model(result: OtmImport, catalog: Catalog) -> tuple[Model, str]:
    assert result.draft is not None, result.diagnostics
    text = render_model(result.draft)
    return validated(text, catalog), text


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("output_format", ["json", "yaml"])
def test_export_then_import_keeps_the_model(
    name: str,
    output_format: str,
    example: Callable[[str], Analysis],
    catalog: Catalog,
    otm_table: OtmTable,
    mapping: ResourceTable,
) -> None:
    analysis = example(name)
    exported = render_otm(otm_document(analysis, grid_layout(layout_spec(analysis))), output_format)
    model, _ = _model(_import(exported, catalog, otm_table, mapping, f"x.{output_format}"), catalog)
    original = analysis.graph.model
    assert set(model.components) == set(original.components)
    assert set(model.boundaries) == set(original.boundaries)
    assert {f.flow_id for f in model.flows} == {f.flow_id for f in original.flows}
    assert set(model.data) == set(original.data)
    for component_id, component in original.components.items():
        imported = model.components[component_id]
        assert (imported.service, imported.boundary) == (
            catalog.canonical_service(component.service),
            component.boundary,
        )
    for boundary_id, boundary in original.boundaries.items():
        imported_boundary = model.boundaries[boundary_id]
        assert (imported_boundary.kind, imported_boundary.parent, imported_boundary.rating()) == (
            boundary.kind,
            boundary.parent,
            boundary.rating(),
        )
    flows = {f.flow_id: f for f in model.flows}
    for flow in original.flows:
        again = flows[flow.flow_id]
        assert (again.protocol, again.is_encrypted, sorted(again.data)) == (
            flow.protocol,
            flow.is_encrypted,
            sorted(flow.data),
        )
    assert {d.finding for d in model.accepted} == {d.finding for d in original.accepted}


def test_startleft_documents_are_read(catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable) -> None:
    path = OTM_FILES / "startleft-cloudformation.otm.yaml"
    result = _import(path.read_bytes(), catalog, otm_table, mapping, path.name)
    model, text = _model(result, catalog)
    # VPC and subnet components that hold others became boundaries
    assert model.boundaries["custom-vpc"].kind == "vpc"
    assert model.boundaries["private-subnet1"].kind == "subnet"
    assert model.boundaries["private-subnet1"].parent == "custom-vpc"
    assert model.boundaries["public-cloud"].kind == "aws-cloud"
    # one component per resource, even though StartLeft wrote one copy per subnet
    assert sorted(c.name or "" for c in model.components.values() if c.service == "vpc-endpoint") == [
        "VPCssm"
    ]
    services = {c.name: c.service for c in model.components.values()}
    assert (
        services["Service"] == "ecs" and services["ServiceLB"] == "elb" and services["0.0.0.0/0"] == "actor"
    )
    # the flow from the VPC component is skipped, the load-balancer flow keeps its port
    assert [d.code for d in result.diagnostics] == ["W412"]
    lb_flow = next(f for f in model.flows if f.source == "service-lb")
    assert (lb_flow.protocol, lb_flow.port) == ("http", 80)
    assert "# OTM id: " in text


def test_lenient_reading_of_awkward_documents(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    path = OTM_FILES / "lenient.otm.json"
    result = _import(path.read_bytes(), catalog, otm_table, mapping, path.name)
    model, text = _model(result, catalog)
    assert sorted((d.code, d.line) for d in result.diagnostics) == [
        ("W411", 14),
        ("W411", 15),
        ("W411", 36),
        ("W412", 33),
        ("W412", 34),
    ]
    boundaries = model.boundaries
    assert boundaries["corp-network"].kind == "corporate"  # guessed from the name; no rating: the default
    assert boundaries["corp-network"].trust is None
    assert boundaries["mystery-zone"].parent == "internet"  # a bare-string parent; numeric id: from the name
    assert boundaries["mystery-zone"].trust == 100  # 150 clamped
    assert boundaries["dmz"].kind == "custom" and boundaries["dmz"].parent is None  # unknown parent dropped
    components = model.components
    assert components["api"].service == "api-gateway" and components["api"].tags == {
        "tier": "edge",
        "otm-tags": "public",
    }
    assert components["fn"].service == "lambda"  # an OTM/StartLeft type name
    assert components["legacy"].service == "external-system"  # unknown type: placeholder...
    assert "# TODO: OTM type 'ibm-z-mainframe'" in text  # ...marked for the architect
    assert components["child"].boundary == "dmz"  # nested in a component: beside it
    assert components["seven"].service == "s3" and components["seven"].boundary == "mystery-zone"
    assert components["db"].stores == ["pii"]
    assert model.data["pii"].classification == "confidential"  # confidentiality 80
    flows = {(f.source, f.target, f.protocol, f.port) for f in model.flows}
    assert {
        ("browser", "api", "https", None),
        ("api", "fn", "other", None),
        ("fn", "db", "https", None),
        ("legacy", "fn", "ssh", 22),
        ("api", "fn", "https", 443),
    } == flows
    assert len({f.flow_id for f in model.flows}) == 5  # the pair joined twice got ids
    for note in (
        "dataflow 'loop' skipped",
        "stores unknown assets unknown-asset",
        "kind unknown (custom)",
        "1 threats and 0 mitigations were not imported",
    ):
        assert note in text.replace("\n#   ", " ")


def test_a_document_in_the_published_shape_imports(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable, otm_schema: dict[str, Any]
) -> None:
    """UUID zone ids, null attributes, a code representation and threat instances, as in the
    specification's example (written for these tests: that example carries no licence)."""
    raw = (OTM_FILES / "published-shape.otm.json").read_bytes()
    document = json.loads(raw)
    jsonschema.validate(document, otm_schema)
    model, text = _model(_import(raw, catalog, otm_table, mapping), catalog)
    assert set(model.components) == {c["id"] for c in document["components"]}
    assert set(model.boundaries) == {"internet", "private"}  # slugged from the zones' names
    for zone in document["trustZones"]:
        assert f"# OTM id: {zone['id']}" in text
    assert model.components["orders-database"].stores == ["card-numbers", "price-list"]
    assert len(model.flows) == len(document["dataflows"])


@pytest.mark.parametrize(
    ("raw", "code", "line"),
    [
        (b'{"name": "not an OTM document"}', "E410", 1),
        (b'{"otmVersion": "0.2.0",\n "components": {"a": 1}}', "E411", 2),
        (b'{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"}, "components": []}', "E412", 1),
        (b'{"otmVersion": "0.2.0", "components": [}', "E001", 1),
        (b"- a list", "E006", 1),
    ],
)
def test_unusable_documents_are_errors(
    raw: bytes, code: str, line: int, catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    document, problems = load_otm("bad.json", raw)
    if document is not None:
        result = import_otm(document, catalog, otm_table, mapping)
        assert result.draft is None
        problems = result.diagnostics
    assert [(p.code, p.line) for p in problems if p.level == "error"] == [(code, line)]


def test_json_that_yaml_cannot_read_is_still_read(tmp_path: Path) -> None:
    raw = b'{\n\t"otmVersion": "0.2.0",\n\t"components": [{"id": "a", "name": "A", "type": "s3"}]\n}\n'
    document, problems = load_otm("tabs.json", raw)
    assert document is not None and problems == []
    assert document.data["components"][0]["type"] == "s3"


TINY = """\
trustmap: 1
name: "Tiny: no boundaries, \\"quotes\\" & <tags>"
components:
  user: {service: actor, name: "Ünïcode user"}
  queue: {service: sqs, tags: {team: "a:b"}}
  worker: {service: lambda}
flows:
  - {from: user, to: queue, protocol: https}
  - {from: queue, to: worker, id: poll-a, protocol: aws-api}
  - {from: queue, to: worker, id: poll-b, protocol: aws-api, port: 443, bidirectional: true}
"""


def test_models_without_boundaries_round_trip(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable, otm_schema: dict[str, object]
) -> None:
    analysis, problems = analyze("tiny.yaml", TINY.encode(), catalog)
    assert analysis is not None, problems
    document = otm_document(analysis, grid_layout(layout_spec(analysis)))
    jsonschema.validate(document, otm_schema)
    zones = {z["id"]: z for z in document["trustZones"]}
    assert set(zones) == {"outside-aws", "outside"}
    assert {c["id"]: c["parent"]["trustZone"] for c in document["components"]} == {
        "user": "outside",
        "queue": "outside-aws",
        "worker": "outside-aws",
    }
    assert [f["id"] for f in document["dataflows"]] == ["user-to-queue", "poll-a", "poll-b"]
    model, _ = _model(_import(render_otm(document), catalog, otm_table, mapping), catalog)
    assert model.boundaries == {}
    assert all(c.boundary is None for c in model.components.values())
    assert [f.flow_id for f in model.flows] == ["user->queue", "poll-a", "poll-b"]
    assert model.flows[2].port == 443 and model.flows[2].bidirectional
    assert model.name == analysis.graph.model.name
    assert model.components["queue"].tags == {"team": "a:b"}
    assert model.components["user"].name == "Ünïcode user"


def _round_trip(analysis: Analysis, catalog: Catalog, table: OtmTable, mapping: ResourceTable) -> Analysis:
    exported = render_otm(otm_document(analysis, grid_layout(layout_spec(analysis))), "json")
    _, text = _model(_import(exported, catalog, table, mapping), catalog)
    again, problems = analyze("again.yaml", text.encode(), catalog, today=TODAY)
    assert again is not None, problems
    return again


def _what_otm_holds(name: str, catalog: Catalog) -> Analysis:
    """The example without its format 1.2 facts that OTM has no place for."""
    raw = what_otm_holds((EXAMPLES / f"{name}.yaml").read_bytes())
    analysis, problems = analyze(f"examples/{name}.yaml", raw, catalog, today=TODAY)
    assert analysis is not None, problems
    return analysis


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_round_trip_is_lossless_for_what_both_formats_hold(
    name: str,
    catalog: Catalog,
    otm_table: OtmTable,
    mapping: ResourceTable,
) -> None:
    """The project's own diff sees no change: components (internet_facing: false, zones,
    replicas, forwards included), boundaries, flows (names, ids, kinds), findings, questions."""
    analysis = _what_otm_holds(name, catalog)
    changes = diff_analyses(analysis, _round_trip(analysis, catalog, otm_table, mapping))
    assert changes.entries == () and changes.findings == () and changes.questions == ()
    original = analysis.graph.model
    again = {f.flow_id: f for f in _round_trip(analysis, catalog, otm_table, mapping).graph.model.flows}
    assert {f.flow_id: (f.name, f.kind) for f in original.flows} == {
        i: (f.name, f.kind) for i, f in again.items()
    }


def _full(name: str, catalog: Catalog) -> Analysis:
    analysis, problems = analyze(
        f"examples/{name}.yaml", (EXAMPLES / f"{name}.yaml").read_bytes(), catalog, today=TODAY
    )
    assert analysis is not None, problems
    return analysis


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_round_trip_of_a_whole_example_keeps_its_meaning(
    name: str, catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """QA 2027-01: principals, grants, runs_as, security groups, route domains, boundary cidrs
    and regions, and data residency were dropped, closing the findings that rest on them."""
    analysis = _full(name, catalog)
    again = _round_trip(analysis, catalog, otm_table, mapping)
    changes = diff_analyses(analysis, again)
    assert changes.findings == () and changes.questions == () and changes.entries == ()
    original, model = analysis.graph.model, again.graph.model
    for section in ("principals", "grants", "security_groups", "route_domains"):
        assert getattr(model, section) == getattr(original, section), section
    for component_id, component in original.components.items():
        imported = model.components[component_id]
        assert (imported.runs_as, imported.security_groups) == (component.runs_as, component.security_groups)
    assert {k: (b.region, b.cidrs) for k, b in model.boundaries.items()} == {
        k: (b.region, b.cidrs) for k, b in original.boundaries.items()
    }
    assert {k: d.residency for k, d in model.data.items()} == {
        k: d.residency for k, d in original.data.items()
    }


LEDGER = """\
trustmap: 1
name: Ledger
data:
  wallet: {classification: confidential, integrity: high}
  receipts: {classification: confidential, disposable: true}
components:
  table: {service: dynamodb, stores: [wallet, receipts], backup: false}
"""


def test_data_keys_of_format_1_2_round_trip_and_integrity_is_otm_s_rating(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    analysis, problems = analyze("ledger.yaml", LEDGER.encode(), catalog, today=TODAY)
    assert analysis is not None, problems
    document = otm_document(analysis, grid_layout(layout_spec(analysis)))
    risks = {a["id"]: a["risk"]["integrity"] for a in document["assets"]}
    assert risks == {"wallet": 100, "receipts": 50}  # 50: the model rates none
    again = _round_trip(analysis, catalog, otm_table, mapping)
    data = again.graph.model.data
    assert (data["wallet"].integrity, data["receipts"].integrity) == ("high", None)
    assert data["receipts"].disposable
    assert diff_analyses(analysis, again).findings == ()


def test_what_an_export_carries_but_cannot_be_kept_is_named(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """An edited document whose principals no longer validate: the rest is imported, and the
    attention list says what was left out and why."""
    analysis = _full("data-lake", catalog)
    document = otm_document(analysis, grid_layout(layout_spec(analysis)))
    principals = json.loads(document["project"]["attributes"]["trustmap_principals"])
    principals["emr-role"]["kind"] = "robot"
    document["project"]["attributes"]["trustmap_principals"] = json.dumps(principals)
    result = _import(render_otm(document, "json"), catalog, otm_table, mapping)
    model, _ = _model(result, catalog)
    assert result.draft is not None
    assert "emr-role" not in model.principals and model.principals
    assert any("principal 'emr-role'" in item and "left out" in item for item in result.draft.attention)
    assert model.components["emr"].runs_as == []
    assert any("runs_as" in item and "emr-role" in item for item in result.draft.attention)


def test_carried_facts_that_break_the_model_are_left_out_and_named(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """A grant on a component that is no longer in the document: the model is imported without
    the carried facts, and says so, rather than failing validation."""
    analysis = _full("data-lake", catalog)
    document = otm_document(analysis, grid_layout(layout_spec(analysis)))
    grants = json.loads(document["project"]["attributes"]["trustmap_grants"])
    grants[0]["to"] = "nowhere"
    document["project"]["attributes"]["trustmap_grants"] = json.dumps(grants)
    result = _import(render_otm(document, "json"), catalog, otm_table, mapping)
    model, _ = _model(result, catalog)
    assert result.draft is not None
    assert not model.principals and not model.grants and model.components["emr"].runs_as == []
    assert any("do not fit the model" in item and "nowhere" in item for item in result.draft.attention)


@pytest.mark.parametrize("template", ["three-tier.yaml", "faithful/edges.yaml", "faithful/sam.yaml"])
def test_imported_models_round_trip_too(
    template: str, catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    imported = import_cfn(TEMPLATES / template, mapping, catalog)
    analysis, problems = analyze("imported.yaml", imported.text.encode(), catalog, today=TODAY)
    assert analysis is not None, problems
    changes = diff_analyses(analysis, _round_trip(analysis, catalog, otm_table, mapping))
    assert changes.entries == () and changes.findings == ()


def test_a_document_without_otm_version_is_not_otm(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    raw = b'{"project": {"name": "x", "id": "x"}, "components": [{"id": "a", "name": "A", "type": "s3"}]}'
    document, _ = load_otm("x.json", raw)
    assert document is not None
    result = import_otm(document, catalog, otm_table, mapping)
    assert result.draft is None
    assert [d.code for d in result.diagnostics] == ["E410"]
    assert "no 'otmVersion'" in result.diagnostics[0].message


def test_startleft_copies_do_not_double_their_flows(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """StartLeft writes a resource once per subnet, and each copy's flows (written for this test)."""
    component = {"name": "Service", "type": "elastic-container-service", "tags": ["AWS::ECS::Service"]}
    document = {
        "otmVersion": "0.1.0",
        "project": {"name": "copies", "id": "copies"},
        "trustZones": [{"id": "cloud", "name": "Public Cloud", "risk": {"trustRating": 10}}],
        "components": [
            {
                "id": "vpc",
                "name": "VPC",
                "type": "vpc",
                "parent": {"trustZone": "cloud"},
                "tags": ["AWS::EC2::VPC"],
            },
            {
                "id": "a",
                "name": "A",
                "type": "empty-component",
                "parent": {"component": "vpc"},
                "tags": ["AWS::EC2::Subnet"],
            },
            {
                "id": "b",
                "name": "B",
                "type": "empty-component",
                "parent": {"component": "vpc"},
                "tags": ["AWS::EC2::Subnet"],
            },
            {"id": "lb", "name": "LB", "type": "elastic-load-balancer", "parent": {"trustZone": "cloud"}},
            {"id": "s-a", "parent": {"component": "a"}, **component},
            {"id": "s-b", "parent": {"component": "b"}, **component},
        ],
        "dataflows": [
            {
                "id": "lb-to-s-a",
                "name": "LB -> Service",
                "source": "lb",
                "destination": "s-a",
                "tags": ["tcp", "80"],
            },
            {
                "id": "lb-to-s-b",
                "name": "LB -> Service",
                "source": "lb",
                "destination": "s-b",
                "tags": ["tcp", "80"],
            },
        ],
    }
    raw = json.dumps(document).encode()
    model, text = _model(_import(raw, catalog, otm_table, mapping, "copies.otm.json"), catalog)
    assert [(f.source, f.target) for f in model.flows] == [("lb", "s-a")]  # one flow, to the kept copy
    assert "repeated a flow between merged copies" in text


def test_startleft_terraform_types_are_recognised(
    catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """StartLeft's Terraform output tags components with aws_* types (written for this test)."""
    from trustmap.interop.mapping import load_mapping

    terraform, _ = load_mapping(catalog, wing="terraform")
    assert terraform is not None
    document = {
        "otmVersion": "0.1.0",
        "project": {"name": "tf", "id": "tf"},
        "trustZones": [{"id": "b61d6911-338d-46a8-9f39-8dcd24abfe91", "name": "Public Cloud"}],
        "components": [
            {
                "id": "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc.main",
                "name": "main",
                "type": "empty-component",
                "parent": {"trustZone": "b61d6911-338d-46a8-9f39-8dcd24abfe91"},
                "tags": ["aws_vpc"],
            },
            {
                "id": "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc.main.aws_subnet.private",
                "name": "private",
                "type": "empty-component",
                "parent": {"component": "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc.main"},
                "tags": ["aws_subnet"],
            },
            {
                "id": "fn",
                "name": "worker",
                "type": "empty-component",
                "tags": ["aws_lambda_function"],
                "parent": {
                    "component": "b61d6911-338d-46a8-9f39-8dcd24abfe91.aws_vpc.main.aws_subnet.private"
                },
            },
        ],
    }
    raw = json.dumps(document).encode()
    loaded, problems = load_otm("tf.otm.json", raw)
    assert loaded is not None, problems
    result = import_otm(loaded, catalog, otm_table, mapping, more=(terraform,))
    model, _ = _model(result, catalog)
    assert {b: v.kind for b, v in model.boundaries.items()} == {
        "public-cloud": "aws-cloud",
        "main": "vpc",
        "private": "subnet",
    }
    assert (model.components["fn"].service, model.components["fn"].boundary) == ("lambda", "private")


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("internet_facing", "false", False),
        ("encryption_at_rest", "customer-kms", "customer-kms"),
        ("zones", "eu-west-1a", ["eu-west-1a"]),
        ("zones", "eu-west-1a,eu-west-1b", ["eu-west-1a", "eu-west-1b"]),
        ("replicas", "3", 3),
        ("forwards", "true", True),
        ("forwards", "pan", ["pan"]),
        ("forwards", "", []),
        ("encryption_at_rest", "rot13", None),
        ("replicas", "0", None),
        ("backup", "yes", None),
        ("service", "s3", None),
    ],
)
def test_a_stated_property_is_read_back_by_its_type_in_the_format(key: str, text: str, value: object) -> None:
    assert stated_value(key, text) == value


def test_every_stated_property_is_a_reported_fact_that_the_export_can_carry() -> None:
    """The export writes each stated property from the component's reported facts, so a new
    component key needs a `ComponentInfo` field of the same name, and nothing in the OTM code."""
    assert set(STATED_PROPERTIES) <= set(reported_fields(ComponentInfo))
    assert not {"service", "name", "boundary", "tags"} & set(STATED_PROPERTIES)


@pytest.mark.parametrize("second", ["components", "trustZones"])
def test_an_id_used_twice_keeps_both_elements_with_a_warning(
    second: str, catalog: Catalog, otm_table: OtmTable, mapping: ResourceTable
) -> None:
    """QA 2027-01: the second component with an id replaced the first, silently."""
    twice: dict[str, Any] = {"id": "app", "name": "Database", "type": "rds", "parent": {"trustZone": "z"}}
    if second == "trustZones":
        twice = {"id": "app", "name": "Inner zone", "parent": {"trustZone": "z"}, "risk": {"trustRating": 60}}
    document = {
        "otmVersion": "0.2.0",
        "project": {"name": "dup", "id": "dup"},
        "trustZones": [{"id": "z", "name": "zone", "risk": {"trustRating": 50}}]
        + ([twice] if second == "trustZones" else []),
        "components": [{"id": "app", "name": "Web server", "type": "ec2", "parent": {"trustZone": "z"}}]
        + ([twice] if second == "components" else [])
        + [{"id": "db", "name": "Other", "type": "s3", "parent": {"trustZone": "z"}}],
        "dataflows": [{"id": "f", "source": "db", "destination": "app", "tags": ["protocol:https"]}],
    }
    raw = json.dumps(document, indent=1).encode()
    result = _import(raw, catalog, otm_table, mapping)
    model, _ = _model(result, catalog)
    names = {c.name or k for k, c in model.components.items()} | {
        b.name or k for k, b in model.boundaries.items()
    }
    assert {"Web server", "Database" if second == "components" else "Inner zone"} <= names
    warnings = [d for d in result.diagnostics if d.code == "W413"]
    assert len(warnings) == 1 and "'app'" in warnings[0].message
    assert warnings[0].span is not None and warnings[0].span.line > 1
    assert [f.target for f in model.flows] == ["app"]  # the first element keeps the id
    assert model.components["app"].service == "ec2"
