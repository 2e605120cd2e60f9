"""trustmap diff: structural changes, responsibility, findings opened or closed, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.diff import ModelDiff, diff_analyses
from trustmap.render.diff import render_diff_json, render_diff_md, render_diff_text

runner = CliRunner()
SHOP = EXAMPLES / "shop.yaml"
DB_FLOW = "web->db"


def _shop() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    return loaded


def _write(tmp_path: Path, name: str, model: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return path


def _flow(model: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in model["flows"] if (f["from"], f["to"]) == (source, target))
    return found


def _plaintext_db_flow(tmp_path: Path) -> Path:
    model = _shop()
    _flow(model, "web", "db")["encrypted"] = False
    return _write(tmp_path, "shop-plain.yaml", model)


def _diff(catalog: Catalog, old: Path, new: Path) -> ModelDiff:
    analyses: list[Analysis] = []
    for path in (old, new):
        analysis, diagnostics = analyze(path.name, path.read_bytes(), catalog, today=TODAY)
        assert analysis is not None, diagnostics
        analyses.append(analysis)
    return diff_analyses(analyses[0], analyses[1])


def _cli(*args: str) -> Any:
    return runner.invoke(app, ["diff", *args, "--today", "2026-11-28"])


def test_no_change_is_an_empty_diff_and_exit_zero(example: Callable[[str], Analysis]) -> None:
    shop = example("shop")
    diff = diff_analyses(shop, shop)
    assert diff.empty and not diff.opens_findings
    result = _cli(str(SHOP), str(SHOP))
    assert result.exit_code == 0
    assert "No changes." in result.stdout
    data = json.loads(_cli(str(SHOP), str(SHOP), "--format", "json").stdout)
    assert data["empty"] is True and data["findings"] == [] and data["flows"] == []


def test_plaintext_database_flow_opens_a_finding_and_fails(tmp_path: Path) -> None:
    plain = _plaintext_db_flow(tmp_path)
    result = _cli(str(SHOP), str(plain))
    assert result.exit_code == 1, result.output
    assert DB_FLOW in result.stdout
    assert "encrypted: true -> false" in result.stdout
    assert "opened" in result.stdout and "The new version opens findings." in result.stdout
    data = json.loads(_cli(str(SHOP), str(plain), "--format", "json").stdout)
    assert data["opens_findings"] is True
    (flow,) = data["flows"]
    assert flow["id"] == DB_FLOW and flow["properties"] == [{"name": "encrypted", "new": False, "old": True}]
    assert all(f["key"].startswith(f"{DB_FLOW}/") for f in data["findings"] if f["change"] == "opened")
    md = _cli(str(SHOP), str(plain), "--format", "md")
    assert md.exit_code == 1 and "| changed | `web->db` | `encrypted`: true → false |" in md.stdout


def test_the_reverse_closes_findings_and_passes(tmp_path: Path) -> None:
    plain = _plaintext_db_flow(tmp_path)
    result = _cli(str(plain), str(SHOP))
    assert result.exit_code == 0, result.output
    assert "closed" in result.stdout and DB_FLOW in result.stdout
    assert "The new version opens no findings." in result.stdout


def test_removed_component_and_its_flows(catalog: Catalog, tmp_path: Path) -> None:
    model = _shop()
    del model["components"]["assets"]
    model["flows"] = [f for f in model["flows"] if f["to"] != "assets"]
    new = _write(tmp_path, "no-assets.yaml", model)
    diff = _diff(catalog, SHOP, new)
    assert [(e.kind, e.id, e.change) for e in diff.of_kind("component")] == [
        ("component", "assets", "removed")
    ]
    assert [(e.id, e.change) for e in diff.of_kind("flow")] == [("web->assets", "removed")]
    closed = {f.key for f in diff.findings if f.change == "closed"}
    assert all(k.startswith(("assets/", "web->assets/", "model/")) for k in closed)
    assert not diff.opens_findings
    text = render_diff_text(diff)
    assert "- assets (removed)" in text and "- web->assets (removed)" in text


def test_removing_the_trail_asks_about_cloudtrail(catalog: Catalog, tmp_path: Path) -> None:
    """A question is not a finding: it does not fail the diff, but the diff shows it."""
    model = _shop()
    del model["components"]["trail"]
    new = _write(tmp_path, "no-trail.yaml", model)
    diff = _diff(catalog, SHOP, new)
    asked = {q.key: q for q in diff.questions if q.change == "asked"}
    assert "model/cloudtrail" in asked and asked["model/cloudtrail"].new_status == "unknown"
    assert not diff.opens_findings
    text = render_diff_text(diff)
    assert "? model/cloudtrail (asked)" in text
    # the terminal text has no Markdown (QA 2027-01: a "#### Questions" table opened it), and
    # says each question once
    assert "####" not in text and "| --- |" not in text
    assert text.count("model/cloudtrail (asked)") == 1
    back = _diff(catalog, new, SHOP)
    assert any(q.key == "model/cloudtrail" and q.change == "gone" for q in back.questions)


def test_boundary_moved(catalog: Catalog, tmp_path: Path) -> None:
    model = _shop()
    model["components"]["web"]["boundary"] = "public"
    new = _write(tmp_path, "web-public.yaml", model)
    diff = _diff(catalog, SHOP, new)
    (web,) = diff.of_kind("component")
    changes = {p.name: (p.old, p.new) for p in web.properties}
    assert web.id == "web" and changes["boundary"] == ("app", "public")
    assert changes["boundary_path"] == (("prod", "vpc", "app"), ("prod", "vpc", "public"))
    assert "boundary: app -> public" in render_diff_text(diff)
    # lb->web no longer crosses into another subnet.
    assert any(e.id == "lb->web" and e.change == "changed" for e in diff.of_kind("flow"))


def test_boundary_and_responsibility_changes(catalog: Catalog, tmp_path: Path) -> None:
    model = _shop()
    model["boundaries"]["data-tier"]["trust"] = 95
    model["components"]["web"]["service"] = "lambda"
    for key in ("multi_az",):
        model["components"]["web"].pop(key, None)
    model["components"]["web"]["controls"] = []
    new = _write(tmp_path, "changed.yaml", model)
    diff = _diff(catalog, SHOP, new)
    (boundary,) = diff.of_kind("boundary")
    assert boundary.id == "data-tier" and [(p.name, p.old, p.new) for p in boundary.properties] == [
        ("trust", 90, 95)
    ]
    os_change = [r for r in diff.responsibility if (r.component, r.layer) == ("web", "os")]
    assert [(r.old, r.new) for r in os_change] == [("customer", "aws")]
    md = render_diff_md(diff)
    assert "#### Responsibility" in md and "| `web` | `os` | customer | aws |" in md


def test_format_1_2_facts_of_data_and_boundaries_are_compared(catalog: Catalog, tmp_path: Path) -> None:
    """A data asset's `integrity`, `residency`, `kind`, `issued_by`, `derived_from` and
    `disposable`, and a boundary's `region` and `cidrs`, are part of what a review compares
    (before, an integrity change showed only through the findings it moved)."""
    model = _shop()
    model["data"]["card-data"].update(integrity="high", residency=["eu"])
    model["boundaries"]["vpc"].update(region="eu-west-1", cidrs=["10.0.0.0/16"])
    new = _write(tmp_path, "facts.yaml", model)
    diff = _diff(catalog, SHOP, new)
    (data,) = diff.of_kind("data")
    assert [(p.name, p.old, p.new) for p in data.properties] == [
        ("integrity", None, "high"),
        ("residency", None, ["eu"]),
    ]
    (vpc,) = diff.of_kind("boundary")
    assert [(p.name, p.old, p.new) for p in vpc.properties] == [
        ("region", None, "eu-west-1"),
        ("cidrs", [], ["10.0.0.0/16"]),
    ]
    text = render_diff_text(diff)
    assert "integrity: none -> high" in text and "cidrs: [] -> [10.0.0.0/16]" in text


IDENTITIES = """
trustmap: 1
name: Identities
boundaries:
  vpc: {kind: vpc}
  dev-vpc: {kind: vpc, trust: 50}
route_domains:
  peering: {via: pcx, members: [vpc, dev-vpc]}
principals:
  deployer:
    kind: role
    boundary: vpc
    trust: [{principal: ci, conditions: {oidc_subject: "repo:acme/app:ref:refs/heads/main"}}]
  ci: {kind: oidc-provider}
grants:
  - {principal: deployer, access: write, to: [app]}
security_groups:
  sg-app: {boundary: vpc, ingress: [{cidr: 10.0.0.0/16, ports: [443]}], egress: []}
components:
  pcx: {service: vpc-peering}
  app: {service: ec2, boundary: vpc, security_groups: [sg-app]}
"""


def test_identities_security_groups_and_route_domains_are_compared(catalog: Catalog, tmp_path: Path) -> None:
    """What a review board of a format 1.2 model most wants to see change: who may assume a
    role and what it is granted, security group rules, which networks a route domain joins."""
    old = tmp_path / "old.yaml"
    old.write_text(IDENTITIES, encoding="utf-8")
    changed = (
        IDENTITIES.replace(
            "{principal: deployer, access: write, to: [app]}",
            '{principal: deployer, access: admin, to: ["*"]}',
        )
        .replace("repo:acme/app:ref:refs/heads/main", "repo:acme/*")
        .replace("cidr: 10.0.0.0/16, ports: [443]", "cidr: 0.0.0.0/0, ports: [22, 443]")
        .replace("members: [vpc, dev-vpc]}", "members: [vpc, dev-vpc], inspected_by: app}")
    )
    new = tmp_path / "new.yaml"
    new.write_text(changed, encoding="utf-8")
    diff = _diff(catalog, old, new)
    (deployer,) = diff.of_kind("principal")
    changes = {p.name: (p.old, p.new) for p in deployer.properties}
    assert changes["grants"] == ([{"access": "write", "to": ["app"]}], [{"access": "admin", "to": ["*"]}])
    assert changes["trust"][1] == [{"principal": "ci", "conditions": {"oidc_subject": "repo:acme/*"}}]
    (group,) = diff.of_kind("security-group")
    assert [p.name for p in group.properties] == ["ingress"]
    (domain,) = diff.of_kind("route-domain")
    assert [(p.name, p.old, p.new) for p in domain.properties] == [("inspected_by", None, "app")]
    text = render_diff_text(diff)
    assert (
        "Principals and grants" in text
        and "grants: [{access: write, to: [app]}] -> [{access: admin, to: [*]}]" in text
    )
    document = json.loads(render_diff_json(diff))
    assert [e["id"] for e in document["principals"]] == ["deployer"]
    assert [e["id"] for e in document["security_groups"]] == ["sg-app"]
    assert [e["id"] for e in document["route_domains"]] == ["peering"]
    assert "1 principal changed; 1 security group changed; 1 route domain changed" in text


def test_a_decision_removed_reopens_and_a_decision_added_passes(tmp_path: Path) -> None:
    model = _shop()
    undecided = dict(model, accepted=[])
    without = _write(tmp_path, "without.yaml", undecided)
    reopened = _cli(str(SHOP), str(without))
    assert reopened.exit_code == 1
    assert "reopened" in reopened.stdout and "lb->web/" in reopened.stdout
    decided = _cli(str(without), str(SHOP))
    assert decided.exit_code == 0
    assert "open -> accepted" in decided.stdout


def test_invalid_input_exits_two_with_positions(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: ec3}\n", encoding="utf-8")
    result = _cli(str(SHOP), str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:4:" in result.stderr and "E204" in result.stderr
    assert _cli(str(SHOP), str(SHOP), "--format", "yaml").exit_code == 2


def test_terminal_output_has_no_control_characters(catalog: Catalog, tmp_path: Path) -> None:
    model = _shop()
    model["components"]["web"]["name"] = "Web \x1b[31mred\x1b[0m"
    new = _write(tmp_path, "escape.yaml", model)
    text = render_diff_text(_diff(catalog, SHOP, new))
    assert "\x1b" not in text and "\\x1b[31mred" in text


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_every_format_is_deterministic(tmp_path: Path, fmt: str) -> None:
    plain = _plaintext_db_flow(tmp_path)
    first = _cli(str(SHOP), str(plain), "--format", fmt).stdout
    assert first == _cli(str(SHOP), str(plain), "--format", fmt).stdout
