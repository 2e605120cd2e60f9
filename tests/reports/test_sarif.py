"""findings.sarif: valid SARIF 2.1.0 whose results point at the model's YAML lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import EXAMPLE_NAMES, EXAMPLES, TODAY
from tests.reports.conftest import HERE
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.render.sarif import FINGERPRINT_KEY, render_sarif, sarif_document

SCHEMA = HERE / "sarif-2.1.0.schema.json"  # vendored: see SOURCE.md
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sarif_of_every_example_is_valid_and_located(
    name: str, example: Callable[[str], Analysis], validator: jsonschema.protocols.Validator
) -> None:
    analysis = example(name)
    document = json.loads(render_sarif(analysis))
    validator.validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "trustmap"
    assert run["automationDetails"] == {"id": f"trustmap/examples/{name}.yaml/"}
    questions = analysis.report.questions
    asked = sorted({f"question/{q.control}" for q in questions})
    assert [r["id"] for r in rules] == sorted({f.rule for f in analysis.report.findings}) + asked
    results = run["results"]
    assert len(results) == len(analysis.report.findings) + len(questions)
    finding_results, question_results = (
        results[: len(analysis.report.findings)],
        results[len(analysis.report.findings) :],
    )
    # Questions are notes of their own rules, apart from the findings.
    for result, question in zip(question_results, questions, strict=True):
        assert result["level"] == "note" and result["kind"] == "review"
        assert result["ruleId"] == rules[result["ruleIndex"]]["id"] == f"question/{question.control}"
        assert question.text in result["message"]["text"]
    lines = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    for result, finding in zip(finding_results, analysis.report.findings, strict=True):
        assert result["ruleId"] == rules[result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == LEVELS[finding.severity]
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": f"examples/{name}.yaml", "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        # The line is the YAML of the subject: the component's key, the flow's list item.
        text = lines[region["startLine"] - 1]
        if finding.subject.kind == "component":
            assert text.strip().startswith(f"{finding.subject.id}:"), (finding.key, text)
        elif finding.subject.kind == "flow":
            assert text.lstrip().startswith("- "), (finding.key, text)
        assert finding.why in result["message"]["text"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_rules_carry_help_tags_and_a_numeric_security_severity(
    name: str, example: Callable[[str], Analysis]
) -> None:
    analysis = example(name)
    for rule in sarif_document(analysis)["runs"][0]["tool"]["driver"]["rules"]:
        if rule["id"].startswith("question/"):
            control = analysis.catalog.controls[rule["id"].removeprefix("question/")]
            assert (
                rule["defaultConfiguration"] == {"level": "note"}
                and control.title == rule["shortDescription"]["text"]
            )
            continue
        threat = analysis.catalog.threats[rule["id"]]
        assert rule["shortDescription"]["text"] == threat.title
        assert rule["fullDescription"]["text"] == threat.description
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert set(threat.stride) <= set(rule["properties"]["tags"])
        assert threat.category in rule["properties"]["tags"]
        assert 0.0 < float(rule["properties"]["security-severity"]) <= 10.0
        if any(analysis.catalog.controls[c].compliance.iso27001 for c in threat.mitigated_by):
            assert "ISO 27001" in rule["help"]["text"]


def test_sarif_is_deterministic_json(example: Callable[[str], Analysis]) -> None:
    text = render_sarif(example("shop"))
    assert text == render_sarif(example("shop"))
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "/work/" not in text


def _with_decision(catalog: Catalog, tmp_path: Any, status: str) -> Analysis:
    model = yaml.safe_load((EXAMPLES / "shop.yaml").read_text(encoding="utf-8"))
    model["accepted"] = [{"finding": "lb->web/*", "status": status, "reason": "handled", "ticket": "SEC-1"}]
    raw = yaml.safe_dump(model, sort_keys=False).encode()
    analysis, diagnostics = analyze("shop.yaml", raw, catalog, today=TODAY, allow_unmatched=True)
    assert analysis is not None, diagnostics
    return analysis


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("accepted", "accepted"),
        ("mitigated", "accepted"),
        ("false-positive", "accepted"),
        ("in-progress", "underReview"),
    ],
)
def test_decided_findings_are_suppressed(catalog: Catalog, tmp_path: Any, status: str, expected: str) -> None:
    analysis = _with_decision(catalog, tmp_path, status)
    results = sarif_document(analysis)["runs"][0]["results"]
    decided = [r for r in results if r["properties"]["key"].startswith("lb->web/")]
    assert decided
    for result in decided:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external"
        assert suppression["status"] == expected
        assert suppression["justification"] == "handled"
    assert all("suppressions" not in r for r in results if not r["properties"]["key"].startswith("lb->web/"))
