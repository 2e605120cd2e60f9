"""The evaluation's memo (checklists worked out once per class of alike subjects,
engine/signature.py) gives the report that evaluating every subject gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY
from trustmap.catalog import Catalog, load_catalog
from trustmap.engine.context import EvalContext
from trustmap.engine.evaluate import EvaluationOptions, evaluate
from trustmap.engine.signature import catalog_depth, condition_depth, subject_classes
from trustmap.findings import Report
from trustmap.graph import ModelGraph, build_graph
from trustmap.validate import load_model

CATALOG: Catalog = load_catalog()
SERVICES = ["ec2", "rds", "s3", "lambda", "dynamodb", "elb", "actor", "external-system", "sqs", "kms", "waf"]
KINDS = ["internet", "account", "vpc", "subnet", "third-party", "corporate"]
PROTOCOLS = ["https", "http", "postgres", "ssh", "aws-api", "redis", "tls"]
#: controls a model may declare, some of them of model scope
CONTROLS = [
    "access-logging",
    "backup-enabled",
    "vpc-endpoints",
    "waf",
    "mfa-for-console-users",
    "least-privilege-iam",
    "cloudtrail",
]

ids = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    """A kind of component; a generated model repeats a few of them, as large models do."""
    entry: dict[str, Any] = {"service": draw(st.sampled_from(SERVICES))}
    for key in ("internet_facing", "multi_az", "backup", "public_access", "logging"):
        if draw(st.booleans()):
            entry[key] = draw(st.booleans())
    if draw(st.booleans()):
        entry["encryption_at_rest"] = draw(st.sampled_from(["none", "aws-managed", "customer-kms"]))
    entry["stores"] = draw(st.lists(st.sampled_from(["pii", "logs"]), max_size=2, unique=True))
    entry["controls"] = draw(st.lists(st.sampled_from(CONTROLS), max_size=2, unique=True))
    return entry


@st.composite
def repetitive_models(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(templates(), min_size=1, max_size=4))
    boundary_ids = [f"zone-{b}" for b in draw(st.lists(ids, max_size=4, unique=True))]
    boundaries: dict[str, Any] = {}
    for index, boundary in enumerate(boundary_ids):
        entry: dict[str, Any] = {"kind": draw(st.sampled_from(KINDS))}
        if index and draw(st.booleans()):
            entry["parent"] = draw(st.sampled_from(boundary_ids[:index]))
        if entry["kind"] == "subnet":
            entry["public"] = draw(st.booleans())
        boundaries[boundary] = entry
    count = draw(st.integers(min_value=2, max_value=16))
    components: dict[str, Any] = {}
    for index in range(count):
        entry = dict(draw(st.sampled_from(kinds)))
        if boundary_ids and draw(st.booleans()):
            entry["boundary"] = draw(st.sampled_from(boundary_ids))
        components[f"c{index}"] = entry
    names = list(components)
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=20, unique=True)
    )
    flows = []
    for source, target in pairs:
        if source == target:
            continue
        flow: dict[str, Any] = {"from": source, "to": target, "protocol": draw(st.sampled_from(PROTOCOLS))}
        flow["data"] = draw(st.lists(st.sampled_from(["pii", "logs"]), max_size=2, unique=True))
        for key in ("encrypted", "authenticated", "bidirectional"):
            if draw(st.booleans()):
                flow[key] = draw(st.booleans())
        flows.append(flow)
    return {
        "trustmap": 1,
        "name": "Generated",
        "data": {
            "pii": {"classification": "restricted", "regulations": ["gdpr"]},
            "logs": {"classification": "internal"},
        },
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
        "controls": draw(st.lists(st.sampled_from(CONTROLS), max_size=1)),
    }


def graph_of(model: dict[str, Any]) -> ModelGraph | None:
    loaded, _ = load_model("m.yaml", yaml.safe_dump(model, sort_keys=False).encode(), CATALOG, today=TODAY)
    return None if loaded is None else build_graph(loaded, CATALOG)


def both(graph: ModelGraph, today: dt.date = TODAY) -> tuple[Report, Report]:
    with_memo = evaluate(graph, CATALOG, EvaluationOptions(today=today, memo=True))
    without = evaluate(graph, CATALOG, EvaluationOptions(today=today, memo=False))
    return with_memo, without


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repetitive_models())
def test_the_memo_changes_nothing_in_the_report(model: dict[str, Any]) -> None:
    graph = graph_of(model)
    assert graph is not None
    with_memo, without = both(graph)
    assert with_memo.checklists == without.checklists
    assert with_memo == without


def test_alike_subjects_share_a_class_and_unlike_ones_do_not() -> None:
    """Cells of the same shape repeat: their components fall into few classes, but a
    component that differs in anything a condition reads gets a class of its own."""
    components = {}
    for cell in range(6):
        components[f"web{cell}"] = {"service": "ec2", "boundary": "subnet", "stores": ["pii"]}
        components[f"db{cell}"] = {"service": "rds", "boundary": "subnet", "stores": ["pii"]}
    components["db5"]["multi_az"] = True
    flows = [{"from": f"web{i}", "to": f"db{i}", "protocol": "postgres", "data": ["pii"]} for i in range(6)]
    model = {
        "trustmap": 1,
        "name": "Cells",
        "data": {"pii": {"classification": "restricted"}},
        "boundaries": {"vpc": {"kind": "vpc"}, "subnet": {"kind": "subnet", "parent": "vpc"}},
        "components": components,
        "flows": flows,
    }
    graph = graph_of(model)
    assert graph is not None
    classes = subject_classes(EvalContext(graph, CATALOG), max(1, catalog_depth(CATALOG)))
    assert len({classes[("component", f"db{i}")] for i in range(5)}) == 1
    assert classes[("component", "db5")] != classes[("component", "db0")]
    # web5 sends to the odd store: it is told apart one step away
    assert classes[("component", "web5")] != classes[("component", "web0")]
    assert classes[("flow", "web0->db0")] == classes[("flow", "web1->db1")]
    with_memo, without = both(graph)
    assert with_memo == without


def test_the_depth_counts_the_steps_of_the_deepest_condition() -> None:
    from trustmap.catalog.schema import Condition

    leaf = Condition.model_validate({"service": ["rds"]})
    two = Condition.model_validate({"inbound": {"source": {"service": ["rds"]}}})
    nested = Condition.model_validate({"all": [{"linked": {"any": [{"outbound": {"encrypted": False}}]}}]})
    assert [condition_depth(c) for c in (leaf, two, nested)] == [0, 2, 2]
    assert catalog_depth(CATALOG) >= 1


def test_a_300_component_landing_zone_is_the_same_with_and_without_the_memo() -> None:
    """The benchmark's model (benchmarks/synthetic.py): 15 cells alike but for their place in
    the chain of flows; the memo shares their checklists and changes no byte of report.json."""
    import importlib.util
    import sys

    from tests.conftest import ROOT
    from trustmap.analysis import Analysis
    from trustmap.render.report_json import dump_by_element, render_report_json, report_document

    name = "trustmap_benchmarks_synthetic"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    synthetic = sys.modules.setdefault(name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(synthetic)
    raw = synthetic.trustmap_yaml(synthetic.synthetic(300)).encode()
    loaded, _ = load_model("synthetic.yaml", raw, CATALOG, today=TODAY)
    assert loaded is not None
    graph = build_graph(loaded, CATALOG)
    classes = subject_classes(EvalContext(graph, CATALOG), max(1, catalog_depth(CATALOG)))
    assert len(set(classes.values())) < len(classes) / 4
    with_memo, without = both(graph)
    assert with_memo == without
    streamed = render_report_json(Analysis(graph, with_memo, (), CATALOG))
    assert streamed == dump_by_element(report_document(Analysis(graph, without, (), CATALOG)))
