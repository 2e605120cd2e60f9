"""A newcomer's mistakes are told how to fix them (user walk 2026-12): the quotes that keep
`no` text, the spelling of a service in any case, a valid id for a near miss, YAML's own
problems in words a reader of the model understands."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from trustmap.cli import app
from trustmap.diagnostics import closest

HEAD = "trustmap: 1\nname: x\n"


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    (tmp_path / "model.yaml").write_text(text)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "model.yaml"), "--today", "2026-11-28"])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_norway_quoted_is_a_place_and_unquoted_is_told_to_be_quoted(tmp_path: Path) -> None:
    body = "data:\n  d: {{residency: [eea, {0}]}}\ncomponents:\n  a: {{service: s3, stores: [d]}}\n"
    code, errors = _validate(tmp_path, HEAD + body.format("no"))
    assert code == 2
    assert 'YAML reads an unquoted no as a boolean, so write "no" in quotes' in errors
    assert _validate(tmp_path, HEAD + body.format('"no"'))[0] == 0


def test_a_date_or_a_quoted_value_gets_no_quoting_advice_it_cannot_use(tmp_path: Path) -> None:
    code, errors = _validate(tmp_path, HEAD + "description: 2024-01-01\ncomponents:\n  a: {service: ec2}\n")
    assert code == 2 and 'write "2024-01-01" in quotes' in errors
    code, errors = _validate(tmp_path, HEAD + "components:\n  a: {service: ec2, multi_az: 'yes'}\n")
    assert code == 2 and "in quotes" not in errors


def test_a_value_holding_colon_space_is_told_to_be_quoted(tmp_path: Path) -> None:
    text = HEAD + "description: Note: the shop\ncomponents:\n  a: {service: ec2}\n"
    code, errors = _validate(tmp_path, text)
    assert code == 2
    assert "E001" in errors and "quote a value that holds ': '" in errors


def test_a_tab_is_named_as_a_tab(tmp_path: Path) -> None:
    code, errors = _validate(tmp_path, HEAD + "components:\n\ta: {service: ec2}\n")
    assert code == 2 and "a tab: YAML indents with spaces only" in errors


def test_suggestions_ignore_case_and_vendor_names() -> None:
    services = ["rds", "dms", "lambda", "s3", "ec2", "ecs", "ecr"]
    assert closest("RDS", services) == ["rds"]
    assert closest("Amazon-RDS", services) == ["rds"]
    assert closest("aws lambda", services) == ["lambda"]
    assert closest("rdss", services)[0] == "rds"  # an ordinary typo is still matched as before


def test_a_near_miss_id_is_given_a_valid_spelling(tmp_path: Path) -> None:
    code, errors = _validate(tmp_path, HEAD + "components:\n  Web Server: {service: ec2}\n")
    assert code == 2 and "(write 'web-server')" in errors
    code, errors = _validate(tmp_path, HEAD + "components:\n  '9lives': {service: ec2}\n")
    assert code == 2 and "(write" not in errors  # no plain spelling: a letter must come first


def test_data_of_a_broken_flow_is_not_called_unused(tmp_path: Path) -> None:
    """The flow's own error is the one to fix; W305 on its data would point at the wrong line."""
    text = HEAD + (
        "data:\n  cards: {classification: restricted}\n"
        "components:\n  a: {service: ec2}\n  b: {service: rds}\n"
        "flows:\n  - {from: a, to: b, protocol: postgress, data: [cards]}\n"
    )
    code, errors = _validate(tmp_path, text)
    assert code == 2 and "E104" in errors
    assert "W305" not in errors
    code, errors = _validate(tmp_path, text.replace("data: [cards]", "data: []").replace("gress", "gres"))
    assert code == 0 and "W305 data 'cards'" in errors


def test_a_decision_with_a_misspelt_rule_is_shown_the_key_it_meant(tmp_path: Path) -> None:
    text = HEAD + (
        "boundaries:\n  vpc: {kind: vpc}\n"
        "  app: {kind: subnet, parent: vpc}\n  data: {kind: subnet, parent: vpc}\n"
        "components:\n  a: {service: ec2, boundary: app}\n  b: {service: rds, boundary: data}\n"
        "flows:\n  - {from: a, to: b, protocol: postgres}\n"
        "accepted:\n  - {finding: a->b/unencrypted-flow-crosses-boundry, status: accepted, reason: r}\n"
    )
    code, errors = _validate(tmp_path, text)
    assert code == 2 and "E210" in errors
    assert "did you mean 'a->b/unencrypted-flow-crosses-boundary'" in errors


def test_a_flow_to_a_boundary_says_it_is_a_boundary(tmp_path: Path) -> None:
    text = HEAD + (
        "boundaries:\n  app: {kind: subnet}\n"
        "components:\n  a: {service: ec2, boundary: app}\n  b: {service: rds}\n"
        "flows:\n  - {from: app, to: b, protocol: postgres}\n"
    )
    code, errors = _validate(tmp_path, text)
    assert code == 2 and "unknown component 'app': 'app' is a boundary" in errors


def test_a_quoted_port_is_told_to_lose_its_quotes(tmp_path: Path) -> None:
    flow = "components:\n  a: {service: ec2}\n  b: {service: rds}\n"
    flow += "flows:\n  - {from: a, to: b, protocol: postgres, port: %s}\n"
    code, errors = _validate(tmp_path, HEAD + flow % '"5432"')
    assert code == 2 and "write 5432 without quotes" in errors
    code, errors = _validate(
        tmp_path, HEAD + flow % '"0443"'
    )  # no "without quotes": 0443 is octal to YAML 1.1
    assert code == 2 and "without quotes" not in errors and "plain decimal digits" in errors
    assert _validate(tmp_path, HEAD + flow % "5432")[0] == 0


def test_a_flow_to_a_component_with_an_invalid_id_points_back_at_that_id(tmp_path: Path) -> None:
    text = HEAD + "components:\n  Web: {service: ec2}\n  db: {service: rds}\n"
    text += "flows:\n  - {from: web, to: db, protocol: postgres}\n"
    code, errors = _validate(tmp_path, text)
    assert code == 2 and "(write 'web')" in errors
    assert "unknown component 'web': the component is written 'Web', which is not a valid id" in errors


def test_a_folder_given_as_a_model_is_told_to_name_its_files(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "models")])
    assert result.exit_code == 2
    assert (
        "E000 cannot read the file: it is a directory, not a regular file; name the files in it"
        in result.stderr
    )
    assert "models/*.yaml" in result.stderr


def test_a_utf16_model_is_told_to_be_saved_as_utf8(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_bytes((HEAD + "components:\n  a: {service: ec2}\n").encode("utf-16"))
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    assert (
        "E004 the file is not valid UTF-8: it is UTF-16" in result.stderr
        and "save it as UTF-8" in result.stderr
    )


def test_the_format_version_is_found_whatever_its_spelling(tmp_path: Path) -> None:
    """model-format.md: any `trustmap:` other than 1 is an error naming the supported version."""
    body = "components:\n  a: {service: ec2}\n"
    code, errors = _validate(tmp_path, "trustmap: 1.0\nname: x\n" + body)
    assert code == 2 and "E107 unsupported format version 1.0" in errors and "write 'trustmap: 1'" in errors
    code, errors = _validate(tmp_path, "version: 1\nname: x\n" + body)
    assert code == 2 and "unknown key 'version'; the format version is written 'trustmap: 1'" in errors
