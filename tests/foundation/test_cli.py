"""The command line: exit codes, help, outputs of build, python -m."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from trustmap.cli import app

runner = CliRunner()
SHOP = str(EXAMPLES / "shop.yaml")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["validate"],
        ["build"],
        ["checklist"],
        ["schema"],
        ["catalog"],
        ["catalog", "services"],
        ["catalog", "controls"],
        ["catalog", "threats"],
        ["catalog", "check"],
    ],
)
def test_every_command_has_help_with_text(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_validate_valid_examples_exit_zero() -> None:
    paths = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    result = runner.invoke(app, ["validate", "--today", "2026-11-28", *paths])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(": valid") == len(paths)


def test_validate_missing_file_is_positioned_exit_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "absent.yaml:1:1: E000 cannot read the file" in result.stderr


def test_validate_json_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: ec3}\n")
    result = runner.invoke(app, ["validate", "--format", "json", str(bad)])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["code"] == "E204" and lines[0]["line"] == 4 and lines[0]["column"] == 18


def test_validate_reports_an_impossible_date_with_every_other_problem(tmp_path: Path) -> None:
    """All problems in a file are reported in one run (model-format.md, Errors): a decision's
    impossible `expires` date does not hide the unknown component further down."""
    model = tmp_path / "m.yaml"
    model.write_text(
        "trustmap: 1\nname: m\ncomponents:\n  a: {service: s3}\n"
        "accepted:\n  - {finding: 'a/*', status: accepted, reason: r, expires: 2027-13-40}\n"
        "flows:\n  - {from: a, to: zz, protocol: https}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    headlines = [line for line in result.stderr.splitlines() if line.startswith(str(model))]
    assert [line.split(": ")[1].split()[0] for line in headlines] == ["E103", "E201"]
    assert "'expires' must be a date (YYYY-MM-DD), not the string '2027-13-40'" in headlines[0]
    assert headlines[0].startswith(f"{model}:6:60: ")


def test_build_writes_report_json_with_the_contract_fields(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", SHOP, "-o", str(tmp_path), "--today", "2026-11-28"])
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "shop" / "report.json").read_text())
    assert report["format"] == "trustmap-report/1"
    assert report["model"] == report["model"] | {"name": "Online shop"}
    components = {c["id"]: c for c in report["components"]}
    assert components["web"]["service_model"] == "infrastructure"
    assert components["web"]["responsibility"]["os"] == "customer"
    assert components["db"]["responsibility"]["os"] == "aws"
    assert components["assets"]["responsibility"]["os"] == "aws"
    assert components["web"]["boundary_path"] == ["prod", "vpc", "app"]
    flows = {f["id"]: f for f in report["flows"]}
    assert flows["lb->web"]["crosses"] == ["public", "app"]
    assert flows["lb->web"]["encrypted"] is False


#: The keys each finding of report.json has in outputs.md's example.
FINDING_KEYS = {
    "key", "rule", "title", "category", "stride", "severity", "owner", "status",
    "subject", "controls", "compliance", "location", "decision",
}  # fmt: skip


def test_every_finding_has_every_contract_key_and_decisions_say_when_they_expire(tmp_path: Path) -> None:
    """A reader of report.json finds `decision` on every finding (null while none applies) and
    `expires` on every decision (null when it has none), as outputs.md shows them."""
    model = tmp_path / "m.yaml"
    model.write_text(
        "trustmap: 1\nname: m\nboundaries:\n  net: {kind: internet}\n  pub: {kind: subnet, public: true}\n"
        "components:\n  u: {service: actor, boundary: net}\n  lb: {service: elb, boundary: pub}\n"
        "flows:\n  - {from: u, to: lb, protocol: http}\n"
        "accepted:\n  - {finding: 'u->lb/*', status: mitigated, reason: redirect to https}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["build", str(model), "-o", str(tmp_path / "out"), "--today", "2026-11-28"])
    assert result.exit_code == 0, result.stderr
    findings = json.loads((tmp_path / "out" / "m" / "report.json").read_text())["findings"]
    assert all(set(finding) >= FINDING_KEYS for finding in findings)
    decided = [f for f in findings if f["decision"] is not None]
    assert decided and all(f["status"] == "mitigated" for f in decided)
    assert {"status": "mitigated", "reason": "redirect to https", "expires": None}.items() <= decided[0][
        "decision"
    ].items()
    assert all(f["status"] == "open" for f in findings if f["decision"] is None)


def test_build_is_byte_identical_across_runs(tmp_path: Path) -> None:
    for name in ("one", "two"):
        result = runner.invoke(app, ["build", SHOP, "-o", str(tmp_path / name), "--today", "2026-11-28"])
        assert result.exit_code == 0
    first, second = tmp_path / "one" / "shop", tmp_path / "two" / "shop"
    for file in sorted(first.iterdir()):
        assert file.read_bytes() == (second / file.name).read_bytes(), file.name


def test_build_invalid_model_exits_two_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "trustmap: 1\nname: x\ncomponents:\n  web: {service: ec2}\n"
        "flows:\n  - {from: web, to: web, protocol: https}\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "E207" in result.stderr
    assert not (out / "bad").exists()


def test_failed_build_leaves_earlier_outputs_untouched(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: ec2}\n")
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(model), "-o", str(out), "--today", "2026-11-28"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "m").iterdir()}
    model.write_text("trustmap: 1\nname: x\ncomponents:\n  web: {service: nope}\n")
    assert runner.invoke(app, ["build", str(model), "-o", str(out)]).exit_code == 2
    assert {p.name: p.read_bytes() for p in (out / "m").iterdir()} == before


def test_fail_on_severity(tmp_path: Path) -> None:
    args = ["build", SHOP, "-o", str(tmp_path), "--today", "2026-11-28"]
    assert runner.invoke(app, [*args, "--fail-on", "info"]).exit_code == 1
    assert runner.invoke(app, [*args, "--fail-on", "bogus"]).exit_code == 2


DAY = ("--today", "2026-11-28")
FAIL_ON_COMMANDS = {
    "build": ["build", SHOP, "-o", "{tmp}/out"],
    "checklist": ["checklist", SHOP],
    "diagram": ["diagram", SHOP, "--format", "dot"],
}


@pytest.mark.parametrize("command", sorted(FAIL_ON_COMMANDS))
def test_fail_on_behaves_the_same_in_every_command(command: str, tmp_path: Path) -> None:
    args = [a.format(tmp=tmp_path) for a in FAIL_ON_COMMANDS[command]] + ["--today", "2026-11-28"]
    wrong = runner.invoke(app, [*args, "--fail-on", "severe"])
    assert wrong.exit_code == 2
    assert "--fail-on takes info, low, medium, high, critical; got 'severe'" in wrong.stderr
    summary = json.loads(runner.invoke(app, ["checklist", SHOP, "--format", "json", *DAY]).stdout)["summary"]
    severities = ["info", "low", "medium", "high", "critical"]
    highest = max((s for s in severities if summary["open"].get(s)), key=severities.index)
    assert runner.invoke(app, [*args, "--fail-on", highest]).exit_code == 1
    assert runner.invoke(app, [*args, "--fail-on", "info"]).exit_code == 1
    if highest != "critical":
        above = severities[severities.index(highest) + 1]
        assert runner.invoke(app, [*args, "--fail-on", above]).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0


def test_catalog_listings_one_entry_per_line() -> None:
    services = runner.invoke(app, ["catalog", "services"]).stdout.splitlines()
    controls = runner.invoke(app, ["catalog", "controls"]).stdout.splitlines()
    assert len(services) >= 50 and any(line.startswith("ec2 ") for line in services)
    assert len(controls) >= 90


def test_catalog_without_a_kind_lists_all_three() -> None:
    """`trustmap catalog [services, controls, threats] [ID]` exits 0 (outputs.md): without a
    kind it lists every listing, each after a line that names it and its columns."""
    result = runner.invoke(app, ["catalog"])
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    kinds = ("services", "controls", "threats")
    assert [header.split(":")[0] for header in headers] == [f"# {kind}" for kind in kinds]
    listings = [runner.invoke(app, ["catalog", kind]).stdout for kind in kinds]
    assert result.stdout == "\n".join(f"{h}\n{listing}" for h, listing in zip(headers, listings, strict=True))
    misplaced = runner.invoke(app, ["catalog", "--catalog", "layer", "services"])
    assert misplaced.exit_code == 2 and "after the command" in misplaced.output


def test_catalog_explain_and_unknown_id() -> None:
    result = runner.invoke(app, ["catalog", "services", "rds"])
    assert result.exit_code == 0 and "container" in result.stdout
    result = runner.invoke(app, ["catalog", "services", "rdss"])
    assert result.exit_code == 2 and "did you mean 'rds'" in result.stderr


def test_schema_is_json_schema_with_service_enum() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert "ec2" in schema["$defs"]["Component"]["properties"]["service"]["enum"]
    assert "components" in schema["required"]


def test_schema_accepts_every_example_and_refuses_a_bad_id() -> None:
    """Editors check models with `trustmap schema`: a valid model (ids or lists of ids where the
    format takes either, `ports: all`) raises no error, and a key that is no id raises one."""
    import jsonschema
    import yaml

    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    checker = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for example in sorted(EXAMPLES.glob("*.yaml")):
        document = json.loads(json.dumps(yaml.safe_load(example.read_text(encoding="utf-8")), default=str))
        assert [e.message for e in checker.iter_errors(document)] == [], example.name
    for bad in ("Web", "1web", "w" * 65):
        document = {"trustmap": 1, "name": "m", "components": {bad: {"service": "s3"}}}
        assert not checker.is_valid(document), bad


def test_an_unsupported_version_is_quoted_as_written(tmp_path: Path) -> None:
    model = tmp_path / "m.yaml"
    model.write_text("trustmap: true\nname: m\ncomponents:\n  a: {service: s3}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    assert "E107 unsupported format version true: this trustmap reads version 1" in result.stderr


def test_usage_errors_exit_two() -> None:
    assert runner.invoke(app, ["build"]).exit_code == 2
    assert runner.invoke(app, ["nonsense"]).exit_code == 2


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trustmap", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("trustmap ")


def _trustmap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "trustmap", *args],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_validate_of_files_alone_starts_without_typer() -> None:
    """`trustmap validate FILE...` (a pre-commit hook, an editor on save) skips typer's import
    and command tree (cli/quick.py); any option hands the command line to typer."""
    probe = (
        "import sys\n"
        "import trustmap.__main__ as entry\n"
        "sys.argv = ['trustmap', *sys.argv[1:]]\n"
        "try:\n    entry.run()\n"
        "except SystemExit as stop:\n    print(stop.code, 'typer' in sys.modules, file=sys.stderr)\n"
    )
    quick = subprocess.run([sys.executable, "-c", probe, "validate", SHOP], capture_output=True, check=False)
    assert quick.stderr.decode().splitlines()[-1] == "0 False"
    typed = subprocess.run(
        [sys.executable, "-c", probe, "validate", "--format", "text", SHOP], capture_output=True, check=False
    )
    assert typed.stderr.decode().splitlines()[-1] == "0 True"


@pytest.mark.parametrize("command", ["validate", "checklist", "build -j 2", "mistake"])
def test_the_command_leaves_what_is_alive_out_of_the_shutdown_collections(
    command: str, tmp_path: Path
) -> None:
    """Python's shutdown collects every object still alive, 0.1 s of a 1,000-component
    checklist; the entry point freezes them first, however the command ends, and nothing is
    reported at shutdown (the probe's line is the last; a build's threads, `dot` and worker
    processes end before it). docs/performance.md."""
    argv = {
        "validate": ["validate", SHOP],
        "checklist": ["checklist", SHOP, "--format", "json"],
        "build -j 2": ["build", SHOP, str(EXAMPLES / "hybrid.yaml"), "-o", str(tmp_path / "out"), "-j", "2"],
        "mistake": ["validate", "--nope"],
    }[command]
    probe = (
        "import gc, sys\n"
        "import trustmap.__main__ as entry\n"
        "sys.argv = ['trustmap', *sys.argv[1:]]\n"
        "try:\n    entry.run()\n"
        "except SystemExit as stop:\n    print(stop.code, gc.get_freeze_count() > 1000, file=sys.stderr)\n"
    )
    ended = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, check=False)
    code = 2 if command == "mistake" else 0
    assert ended.stderr.decode().splitlines()[-1] == f"{code} True"


@pytest.mark.parametrize("case", ["valid", "invalid", "missing", "two", "bad-epoch", "ascii-locale"])
def test_validate_without_typer_says_what_typer_says(case: str, tmp_path: Path) -> None:
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("trustmap: 1\nname: x\ncomponents:\n  a: {service: rdś}\n", encoding="utf-8")
    files = {
        "valid": [SHOP],
        "invalid": [str(invalid)],
        "missing": [str(tmp_path / "missing.yaml")],
        "two": [str(invalid), SHOP],
        "bad-epoch": [SHOP],
        "ascii-locale": [str(invalid), SHOP],
    }[case]
    env = {
        "bad-epoch": {"SOURCE_DATE_EPOCH": "tomorrow"},
        "ascii-locale": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    }.get(case)
    quick = _trustmap("validate", *files, env=env)
    typed = _trustmap("validate", "--format", "text", *files, env=env)
    assert (quick.returncode, quick.stdout, quick.stderr) == (typed.returncode, typed.stdout, typed.stderr)
    assert quick.returncode == (0 if case == "valid" else 2)
    assert b"Traceback" not in quick.stderr
    if case == "ascii-locale":  # names are written as UTF-8, as click writes them
        assert "unknown service 'rdś'".encode() in quick.stderr


def test_validate_without_typer_takes_the_typer_commands_defaults() -> None:
    """cli/quick.py calls `validate_models` with its defaults: they must be the typer command's,
    or `trustmap validate m.yaml` would differ from `trustmap validate --format text m.yaml`."""
    import inspect

    from trustmap.cli.model_cmds import validate
    from trustmap.cli.plain import validate_models

    typed = inspect.signature(validate).parameters
    plain = inspect.signature(validate_models).parameters
    assert list(typed) == list(plain)
    for name in list(typed)[1:]:
        assert plain[name].default == typed[name].default, name
