"""Messages say things as the author wrote them (QA 2027-01): no Python reprs, a quoted ISO
date accepted where a date goes (a JSON model cannot write any other), JSON errors called JSON."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from trustmap.cli import app

HEAD = "trustmap: 1\nname: x\ncomponents:\n  a: {service: ec2}\n  b: {service: rds}\n"
FLOW = "flows:\n  - {from: a, to: b, protocol: postgres}\n"


def _validate(tmp_path: Path, text: str, name: str = "model.yaml") -> tuple[int, str]:
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / name), "--today", "2026-11-28"])
    return result.exit_code, result.stderr


def test_a_date_where_text_goes_is_shown_as_written(tmp_path: Path) -> None:
    code, errors = _validate(tmp_path, HEAD.replace("name: x\n", "name: x\ndescription: 2024-01-01\n"))
    assert code == 2
    assert "'description' must be a string, not the date 2024-01-01" in errors
    assert "datetime" not in errors


def test_a_quoted_iso_date_is_a_date(tmp_path: Path) -> None:
    decision = "accepted:\n  - {finding: 'a->b/*', status: accepted, reason: r, expires: '2027-06-30'}\n"
    code, errors = _validate(tmp_path, HEAD + FLOW + decision)
    assert code == 0, errors


def test_a_json_model_can_give_an_expiry(tmp_path: Path) -> None:
    text = (
        '{"trustmap": 1, "name": "x", "components": {"a": {"service": "ec2"}, "b": {"service": "rds"}},'
        ' "flows": [{"from": "a", "to": "b", "protocol": "postgres"}],'
        ' "accepted": [{"finding": "a->b/*", "status": "accepted", "reason": "r", "expires": "2027-06-30"}]}'
    )
    code, errors = _validate(tmp_path, text, "model.json")
    assert code == 0, errors


def test_a_string_that_is_no_date_is_still_refused(tmp_path: Path) -> None:
    decision = "accepted:\n  - {finding: 'a->b/*', status: accepted, reason: r, expires: '30/06/2027'}\n"
    code, errors = _validate(tmp_path, HEAD + FLOW + decision)
    assert code == 2 and "'expires' must be a date (YYYY-MM-DD), not the string '30/06/2027'" in errors


def test_truncated_json_is_a_json_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "in.otm.json").write_text('{"otmVersion": "0.2.0", "project": {')
    result = CliRunner().invoke(app, ["import", "otm", str(tmp_path / "in.otm.json"), "-o", "-"])
    assert result.exit_code == 2
    assert "E001 JSON syntax error" in result.stderr and "YAML" not in result.stderr


def test_the_advice_of_many_timed_out_views_is_given_once() -> None:
    from trustmap.batch import say_failures

    advice = "raise --graphviz-timeout, or split the model into smaller boundaries"
    failures = [f"Graphviz took longer than 1 s to lay out the view {n}; {advice}" for n in range(20)]
    said = say_failures([*failures, "Graphviz failed on the dataflow (exit status 1): boom"])
    assert said.count(advice) == 1 and said.count("Graphviz took longer") == 20
    assert said.endswith("Graphviz failed on the dataflow (exit status 1): boom")
