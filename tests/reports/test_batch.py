"""Batch builds: parallel jobs, the index page, skipping unchanged models, --force."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trustmap.batch import MANIFEST_NAME, BuildJob, BuildResult
from trustmap.catalog import Catalog
from trustmap.cli import app

runner = CliRunner()
TODAY = ["--today", "2026-11-28"]
ALPHA = """\
trustmap: 1
name: "Alpha <b>&</b> co"
components:
  web: {service: ec2, name: Web}
  db: {service: rds, stores: [pii]}
data:
  pii: {classification: confidential}
flows:
  - {from: web, to: db, protocol: postgres}
"""
BETA = """\
trustmap: 1
name: Beta
components:
  fn: {service: lambda}
"""


@pytest.fixture
def models(tmp_path: Path) -> list[Path]:
    alpha, beta = tmp_path / "alpha.yaml", tmp_path / "beta.yaml"
    alpha.write_text(ALPHA, encoding="utf-8")
    beta.write_text(BETA, encoding="utf-8")
    return [beta, alpha]  # out of order on purpose: the index sorts by stem


def _build(models: list[Path], out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["build", *map(str, models), "-o", str(out), *TODAY, *extra])
    return result.exit_code, result.stderr


def _links(html: str) -> list[str]:
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(value or "" for name, value in attrs if name in ("href", "src"))

    Parser().feed(html)
    return found


def test_parallel_build_writes_every_model_and_an_index(models: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "parallel"
    code, stderr = _build(models, out, "-j", "2")
    assert code == 0, stderr
    for stem in ("alpha", "beta"):
        for name in ("report.json", "report.html", "checklist.md", "checklist.csv", "findings.sarif"):
            assert (out / stem / name).is_file(), (stem, name)
        manifest = json.loads((out / stem / MANIFEST_NAME).read_text())
        assert manifest["today"] == "2026-11-28" and "report.html" in manifest["files"]
    # Plain progress lines when stderr is not a terminal.
    assert "[1/2] " in stderr and "[2/2] " in stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert _links(index) == ["alpha/report.html", "beta/report.html"]
    assert "Alpha &lt;b&gt;&amp;&lt;/b&gt; co" in index and "<b>&</b>" not in index
    assert str(tmp_path) not in index
    # The same files as a build in this process.
    assert _build(models, tmp_path / "serial")[0] == 0
    for stem in ("alpha", "beta"):
        for file in sorted((tmp_path / "serial" / stem).iterdir()):
            assert file.read_bytes() == (out / stem / file.name).read_bytes(), file
    assert (tmp_path / "serial" / "index.html").read_bytes() == (out / "index.html").read_bytes()


def _stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.iterdir())}


def test_unchanged_models_are_skipped_until_forced(models: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build(models, out)[0] == 0
    before = {stem: _stamps(out / stem) for stem in ("alpha", "beta")}
    index = (out / "index.html").read_bytes()
    code, stderr = _build(models, out)
    assert code == 0
    assert stderr.count("unchanged since the last build") == 2
    assert {stem: _stamps(out / stem) for stem in ("alpha", "beta")} == before
    assert (out / "index.html").read_bytes() == index
    # Skipped models still count for --fail-on, from their report.json.
    code, _ = _build(models, out, "--fail-on", "info")
    assert code == 1
    code, stderr = _build(models, out, "--force")
    assert code == 0 and stderr.count("wrote ") == 2
    assert "unchanged since" not in stderr


def test_a_changed_model_or_a_missing_file_is_rebuilt(models: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build(models, out)[0] == 0
    alpha = models[1]
    alpha.write_text(ALPHA.replace("name: Web", "name: Web server"), encoding="utf-8")
    code, stderr = _build(models, out)
    assert code == 0
    assert "alpha.yaml: wrote" in stderr and "beta.yaml: unchanged" in stderr
    assert "Web server" in (out / "alpha" / "report.html").read_text(encoding="utf-8")
    (out / "beta" / "checklist.md").unlink()
    code, stderr = _build(models, out)
    assert "beta.yaml: wrote" in stderr and (out / "beta" / "checklist.md").is_file()
    # Another date can expire risk decisions: it rebuilds too.
    result = runner.invoke(app, ["build", *map(str, models), "-o", str(out), "--today", "2027-01-01"])
    assert result.stderr.count("wrote ") == 2


def test_an_invalid_model_is_listed_and_fails_the_run(models: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("trustmap: 1\nname: x\ncomponents:\n  a: {service: nope}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stderr = _build([*models, bad], out, "-j", "2")
    assert code == 2
    assert "broken.yaml:4:" in stderr and "invalid, nothing written" in stderr
    assert not (out / "broken").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "invalid" in index and _links(index) == ["alpha/report.html", "beta/report.html"]


def test_jobs_must_not_be_negative(models: list[Path], tmp_path: Path) -> None:
    assert _build(models, tmp_path / "out", "-j", "-1")[0] == 2
    assert not (tmp_path / "out").exists()


def test_jobs_zero_is_one_worker_per_core_the_process_may_use(
    models: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-j 0 counts the cores the process is pinned to (taskset, a container's cpuset), not the
    machine's: a CI job limited to two cores of a large host runs two builds at a time."""
    import trustmap.cli.build_run as build_run

    seen: list[int] = []
    real = build_run.run_builds

    def counting(
        jobs: Sequence[BuildJob], catalog: Catalog, workers: int, *rest: Callable[[BuildResult], None]
    ) -> list[BuildResult]:
        seen.append(workers)
        return real(jobs, catalog, 1, *rest)  # the count is what is tested: no worker processes

    monkeypatch.setattr(build_run, "usable_cores", lambda: 3)
    monkeypatch.setattr(build_run, "run_builds", counting)
    assert _build(models, tmp_path / "out", "-j", "0")[0] == 0
    assert seen == [3]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alpha", "beta", "index.html"]


def test_usable_cores_are_those_of_the_cpu_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustmap import cores

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert cores.usable_cores() == 2
    monkeypatch.delattr(os, "sched_getaffinity")  # macOS and Windows have no affinity call
    assert cores.usable_cores() == 64


def test_manifest_holds_no_absolute_path(models: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert runner.invoke(app, ["build", "alpha.yaml", "-o", "out", *TODAY]).exit_code == 0
    finally:
        os.chdir(cwd)
    manifest = (out / "alpha" / MANIFEST_NAME).read_text(encoding="utf-8")
    assert str(tmp_path) not in manifest and '"path": "alpha.yaml"' in manifest


@pytest.mark.parametrize(
    ("workers", "cores", "share"), [(1, 2, 2), (2, 2, 1), (2, 8, 4), (3, 8, 2), (8, 2, 1)]
)
def test_each_worker_lays_its_views_out_on_its_share_of_the_cores(
    workers: int, cores: int, share: int
) -> None:
    """`build -j N` runs N builds at once: each runs `cores // N` dot processes (at least one),
    not one per core, which would run N times as many as the machine has cores."""
    from trustmap.batch import BuildJob, with_layout_share

    jobs = [
        BuildJob(path=f"{n}.yaml", shown=f"{n}.yaml", stem=n, output="out", today="2026-11-28") for n in "ab"
    ]
    shared = with_layout_share(jobs, workers, cores)
    assert [job.layouts_at_once for job in shared] == [share, share]
    assert [job.stem for job in shared] == ["a", "b"]


def test_the_summary_line_counts_findings_in_words(tmp_path: Path) -> None:
    gamma = tmp_path / "gamma.yaml"
    gamma.write_text(
        "trustmap: 1\nname: Gamma\ncomponents:\n  q: {service: sqs, encryption_at_rest: none}\n",
        encoding="utf-8",
    )
    code, stderr = _build([gamma], tmp_path / "out")
    assert code == 0
    # one finding is "finding", not "findings"
    assert "(1 low open finding; " in stderr, stderr
