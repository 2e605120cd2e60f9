"""`trustmap catalog ...` explanations, and organisation catalogs layered with `--catalog DIR`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import ROOT
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.findings import severity_rank

runner = CliRunner()


def _fields(text: str) -> dict[str, str]:
    """`key   value` lines of an explanation (the first run of 2+ spaces separates them)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        if len(parts) == 2 and not line.startswith(" "):
            found.setdefault(parts[0], parts[1])
    return found


def _explain(*args: str) -> dict[str, str]:
    result = runner.invoke(app, ["catalog", *args])
    assert result.exit_code == 0, result.output
    return _fields(result.stdout)


# -- explanations ---------------------------------------------------------------------


def test_explain_control(catalog: Catalog) -> None:
    control = catalog.controls["imdsv2"]
    fields = _explain("controls", "imdsv2")
    assert fields["id"] == "imdsv2"
    for key in ("code", "title", "category", "owner", "scope", "severity", "remediation", "description"):
        assert fields[key] == getattr(control, key), key
    assert fields["evidence"] == control.evidence_text
    assert "ec2" in fields["applies to"]
    assert fields["mitigates"] == "imdsv1-credential-theft"
    assert fields["Security Hub"] == ", ".join(control.aws_ids.security_hub)
    # the code names the same entry
    assert _explain("controls", str(control.code)) == fields


def test_explain_threat(catalog: Catalog) -> None:
    threat = catalog.threats["unencrypted-flow-crosses-boundary"]
    fields = _explain("threats", threat.id)
    for key in ("id", "code", "title", "category", "owner", "scope", "description"):
        assert fields[key] == getattr(threat, key), key
    assert fields["STRIDE"] == "tampering, information-disclosure"
    assert fields["impact"].startswith(threat.impact)
    assert fields["likelihood"].startswith("from the subject's exposure")
    assert fields["mitigated by"] == "encryption-in-transit"
    assert fields["see also"] == ", ".join(threat.see_also)
    assert fields["CWE"] == "CWE-319"
    assert fields["fires when"].startswith("the flow crosses a trust boundary")
    assert _explain("threats", str(threat.code)) == fields


def test_explanations_show_examples_topics_and_placement(catalog: Catalog) -> None:
    threat = catalog.threats["unencrypted-flow-crosses-boundary"]
    assert threat.example_bad and threat.example_good
    shown = runner.invoke(app, ["catalog", "threats", threat.id]).stdout
    bad, good = shown.split("\nfires on\n")[1].split("\ndoes not fire on\n")
    assert bad.strip("\n") == "\n".join(f"  {line}" for line in threat.example_bad.rstrip().splitlines())
    assert good.strip("\n") == "\n".join(f"  {line}" for line in threat.example_good.rstrip().splitlines())
    control = catalog.controls["waf"]
    topics = catalog.categories[control.category].topics
    assert topics and _explain("controls", "waf")["whitepaper topics"] == ", ".join(topics)
    assert _explain("services", "ec2")["placement"] == catalog.services["ec2"].placement == "vpc"


def test_explain_service(catalog: Catalog) -> None:
    fields = _explain("services", "rds")
    assert fields["name"] == catalog.services["rds"].name
    assert fields["service model"] == "container"
    assert fields["icon"] == "diagrams.aws.database.RDS"
    result = runner.invoke(app, ["catalog", "services", "rds"])
    layers = dict(re.findall(r"^  (\S+)\s+(aws|customer|shared|third-party)$", result.stdout, re.M))
    assert layers == catalog.responsibility("rds")
    assert layers["os"] == "aws" and layers["data"] == "customer"
    # an alias names the same entry
    assert _explain("services", "asg")["id"] == "auto-scaling"


def test_explain_shows_dated_caveats() -> None:
    fields = _explain("services", "opsworks")
    assert fields["deprecated"].startswith("since 2024-05-26; use systems-manager")
    assert fields["caveat"].startswith("(2024-05-26)")


@pytest.mark.parametrize(
    ("kind", "typo", "suggestion"),
    [
        ("controls", "imdsv3", "imdsv2"),
        ("threats", "unencrypted-flow-crosses-boundry", "unencrypted-flow-crosses-boundary"),
        ("services", "rdss", "rds"),
    ],
)
def test_unknown_id_exits_two_with_a_suggestion(kind: str, typo: str, suggestion: str) -> None:
    result = runner.invoke(app, ["catalog", kind, typo])
    assert result.exit_code == 2
    assert f"did you mean '{suggestion}'" in result.stderr
    assert result.stdout == ""


# -- organisation catalogs ------------------------------------------------------------

MODEL = """\
trustmap: 1
name: Golden images
components:
  web:
    service: ec2
    controls: [approved-amis]
  batch:
    service: ec2
  db:
    service: rds
"""

ORG_CONTROL = {
    "controls": [
        {
            "id": "approved-amis",
            "code": "ORG-01",
            "title": "Instances boot only images from the platform team's pipeline",
            "category": "design",
            "owner": "customer",
            "scope": "component",
            "severity": "high",
            "applies_to": {"service": ["ec2", "auto-scaling"]},
        }
    ]
}
ORG_THREAT = {
    "id": "unapproved-ami",
    "title": "Instance boots an unapproved image",
    "description": "An image from outside the pipeline may carry malware or miss the hardening.",
    "stride": ["tampering"],
    "category": "design",
    "scope": "component",
    "severity": "medium",
    "when": {"service": ["ec2", "auto-scaling"]},
    # the organisation's rule: an instance that does not declare the control is a finding
    "finding_unless_met": True,
    "mitigated_by": ["approved-amis"],
    "references": {"cwe": ["CWE-494"]},
}


def _org_catalog(tmp_path: Path, catalog: Catalog) -> Path:
    """An organisation catalog: one new control, one new threat, and a stricter built-in."""
    org = tmp_path / "org-catalog"
    (org / "controls").mkdir(parents=True)
    (org / "threats").mkdir()
    (org / "controls" / "org.yaml").write_text(yaml.safe_dump(ORG_CONTROL), encoding="utf-8")
    stricter: dict[str, Any] = catalog.threats["single-az-datastore"].model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    stricter["likelihood"] = "high"  # the organisation has lost zones before
    threats = {"threats": [ORG_THREAT, stricter]}
    (org / "threats" / "org.yaml").write_text(yaml.safe_dump(threats), encoding="utf-8")
    return org


def _findings(model: Path, *options: str) -> dict[str, dict[str, Any]]:
    result = runner.invoke(
        app, ["checklist", str(model), "--format", "json", "--today", "2026-11-28", *options]
    )
    assert result.exit_code == 0, result.output
    return {f["key"]: f for f in json.loads(result.stdout)["findings"]}


def test_organisation_catalog_changes_the_findings(tmp_path: Path, catalog: Catalog) -> None:
    org = _org_catalog(tmp_path, catalog)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL.replace("    controls: [approved-amis]\n", ""), encoding="utf-8")
    builtin = _findings(model)
    assert not any(key.endswith("/unapproved-ami") for key in builtin)
    assert builtin["db/single-az-datastore"]["likelihood"] == "low"

    model.write_text(MODEL, encoding="utf-8")
    layered = _findings(model, "--catalog", str(org))
    assert {k for k in layered if k.endswith("/unapproved-ami")} == {"batch/unapproved-ami"}
    assert layered["batch/unapproved-ami"]["controls"] == ["approved-amis"]
    assert layered["db/single-az-datastore"]["likelihood"] == "high"
    assert severity_rank(layered["db/single-az-datastore"]["severity"]) > severity_rank(
        builtin["db/single-az-datastore"]["severity"]
    )
    # everything else the built-in catalog found is still found
    assert set(builtin) <= set(layered)


def test_organisation_controls_are_known_to_validation(tmp_path: Path, catalog: Catalog) -> None:
    org = _org_catalog(tmp_path, catalog)
    model = tmp_path / "model.yaml"
    model.write_text(MODEL, encoding="utf-8")
    plain = runner.invoke(app, ["validate", str(model)])
    assert plain.exit_code == 2 and "unknown control 'approved-amis'" in plain.stderr
    layered = runner.invoke(app, ["validate", str(model), "--catalog", str(org)])
    assert layered.exit_code == 0, layered.stderr
    listing = runner.invoke(app, ["catalog", "controls", "--catalog", str(org)])
    assert "approved-amis" in listing.stdout.split()


@pytest.mark.parametrize("command", [["catalog", "check"], ["validate"], ["checklist"]])
def test_broken_organisation_catalog_is_positioned(tmp_path: Path, command: list[str]) -> None:
    org = tmp_path / "org"
    (org / "threats").mkdir(parents=True)
    broken = yaml.safe_dump({"threats": [{**ORG_THREAT, "mitigated_by": ["approved-amys"]}]})
    (org / "threats" / "org.yaml").write_text(broken, encoding="utf-8")
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "approved-amys" in text)
    args = [*command, "--catalog", str(org)]
    if command[0] != "catalog":
        args.append(str(ROOT / "examples" / "shop.yaml"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert re.search(
        rf"org/threats/org\.yaml:{line}:\d+: E205 unknown control 'approved-amys'", result.stderr
    )
    assert result.stdout == ""
