"""Property tests: generated valid models always load, and YAML order does not matter."""

from __future__ import annotations

import json
import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY
from trustmap.analysis import analyze
from trustmap.catalog import Catalog, load_catalog
from trustmap.render.report_json import report_document

SERVICES = [
    "ec2",
    "rds",
    "s3",
    "lambda",
    "dynamodb",
    "elb",
    "actor",
    "external-system",
    "sqs",
    "cloudtrail",
]
KINDS = ["internet", "account", "vpc", "subnet", "third-party", "corporate"]
PROTOCOLS = ["https", "http", "postgres", "ssh", "aws-api", "redis", "tls"]
CATALOG: Catalog = load_catalog()

ids = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(ids, min_size=2, max_size=14, unique=True))
    split = draw(st.integers(min_value=0, max_value=min(4, len(names) - 1)))
    boundary_ids, component_ids = names[:split], names[split:]
    boundaries: dict[str, Any] = {}
    for index, boundary in enumerate(boundary_ids):
        entry: dict[str, Any] = {"kind": draw(st.sampled_from(KINDS))}
        if index and draw(st.booleans()):
            entry["parent"] = draw(st.sampled_from(boundary_ids[:index]))
        if entry["kind"] == "subnet":
            entry["public"] = draw(st.booleans())
        boundaries[boundary] = entry
    data = {"pii": {"classification": "restricted", "regulations": ["gdpr"]}}
    components: dict[str, Any] = {}
    for component in component_ids:
        entry = {"service": draw(st.sampled_from(SERVICES))}
        if boundary_ids and draw(st.booleans()):
            entry["boundary"] = draw(st.sampled_from(boundary_ids))
        if draw(st.booleans()):
            entry["stores"] = ["pii"]
        components[component] = entry
    flows = []
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(component_ids), st.sampled_from(component_ids)),
            max_size=12,
            unique=True,
        )
    )
    for source, target in pairs:
        if source != target:
            flows.append(
                {
                    "from": source,
                    "to": target,
                    "protocol": draw(st.sampled_from(PROTOCOLS)),
                    "data": ["pii"],
                }
            )
    return {
        "trustmap": 1,
        "name": "Generated",
        "data": data,
        "boundaries": boundaries,
        "components": components,
        "flows": flows,
    }


def _report(model: dict[str, Any]) -> dict[str, Any]:
    analysis, problems = analyze(
        "m.yaml", yaml.safe_dump(model, sort_keys=False).encode(), CATALOG, today=TODAY
    )
    assert analysis is not None, [p.headline() for p in problems]
    return report_document(analysis)


def _without_positions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_positions(v) for k, v in value.items() if k not in ("location", "diagnostics")}
    if isinstance(value, list):
        return [_without_positions(v) for v in value]
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_valid_models_always_load(model: dict[str, Any]) -> None:
    document = _report(model)
    assert {c["id"] for c in document["components"]} == set(model["components"])
    assert len(document["flows"]) == len(model["flows"])
    for flow in document["flows"]:
        assert flow["crosses"] == flow["left"] + flow["entered"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.randoms(use_true_random=False))
def test_shuffling_components_and_flows_does_not_change_the_report(
    model: dict[str, Any], rnd: random.Random
) -> None:
    shuffled = dict(model)
    items = list(model["components"].items())
    rnd.shuffle(items)
    shuffled["components"] = dict(items)
    flows = list(model["flows"])
    rnd.shuffle(flows)
    shuffled["flows"] = flows
    before = json.dumps(_without_positions(_report(model)), sort_keys=True)
    after = json.dumps(_without_positions(_report(shuffled)), sort_keys=True)
    assert before == after
