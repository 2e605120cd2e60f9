"""Benchmark trustmap on synthetic models of 100, 1,000 and 10,000 components, against OWASP pytm.

    make bench                      # installs the `bench` extra (pytm 1.4.0), then runs this
    python benchmarks/run.py --sizes 100,1000 --no-write

Each size runs in a fresh process (so that peak memory is that size's alone) and times, apart
(fastest of `--repeat` runs up to 1,000 components, one run at 10,000):

- validation: YAML with positions, schema and references (`load_model`);
- graph: the annotated NetworkX graph (`build_graph`);
- analysis: checklists and findings (`evaluate`), then the same as JSON (`report.json`);
- rendering: the DOT source of the three diagrams and the Mermaid file, always; the Graphviz
  layout (SVG) only up to `--layout-max` components, as dot's time grows much faster than
  linearly with the number of nodes and clusters.

It then runs the whole `trustmap checklist --format json` command (checklist and findings as
JSON, the same job as pytm's `--json`) and pytm 1.4.0's `--json` on the equivalent model
(`synthetic.pytm_script`), each in its own process, and prints the ratio.

Last, the targets of issue 15, each a whole process in the same run (`targets`): `trustmap
validate` of a 10-component model (with the compiled catalog cached, and without), validate +
evaluate + report.json at 1,000 and 10,000 components, `trustmap build` of 300 and 1,000
components (every output), and `trustmap build -j N` of `--batch` copies of the examples for
each N from 1 to the number of cores, pinned to N cores (its CPU affinity) where the platform
allows, so each figure is that core count's, and `-j 1` on all the cores, to tell what `-j`
adds to a build's own parallel layouts. The tables go to the terminal and, unless `--no-write`,
into docs/performance.md between the markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import pytm_script, synthetic, trustmap_yaml  # noqa: E402

from trustmap.cores import usable_cores  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
TODAY = "2026-11-28"


# -- one size, in a fresh process ---------------------------------------------------------


def _timed(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def worker(size: int, layout: bool, timeout: float, repeat: int) -> dict[str, Any]:
    """Every stage for one size; runs in its own process (see `_run_worker`).

    The stages run `repeat` times and each keeps its fastest time: on a shared machine, the
    minimum is the measurement least disturbed by other work. Peak memory is the process's.
    """
    import datetime as dt

    started = time.perf_counter()
    from trustmap.analysis import Analysis
    from trustmap.catalog import load_catalog
    from trustmap.engine.evaluate import EvaluationOptions, evaluate
    from trustmap.graph import build_graph
    from trustmap.render.report_json import render_report_json
    from trustmap.validate import load_model

    imported = time.perf_counter() - started
    today = dt.date.fromisoformat(TODAY)
    raw = trustmap_yaml(synthetic(size)).encode()
    best: dict[str, float] = {}

    def timed(stage: str, action: Any) -> Any:
        result, seconds = _timed(action)
        best[stage] = min(seconds, best.get(stage, seconds))
        return result

    peak_before_json = 0.0
    for _ in range(repeat):
        catalog = timed("catalog", load_catalog)
        loaded, problems = timed("validate", partial(load_model, "model.yaml", raw, catalog, today=today))
        if loaded is None:
            raise SystemExit("the synthetic model is invalid:\n" + "\n".join(p.headline() for p in problems))
        graph = timed("graph", partial(build_graph, loaded, catalog))
        report = timed("evaluate", partial(evaluate, graph, catalog, EvaluationOptions(today=today)))
        if not peak_before_json:  # a high-water mark: only the first run's is before any JSON
            peak_before_json = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        analysis = Analysis(graph, report, (), catalog)
        document = timed("report_json", partial(render_report_json, analysis))
        del document  # one report at a time, as in a build
    document_mb = len(render_report_json(analysis).encode()) / 1e6
    rendering = _render(analysis, layout, timeout)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "bytes": len(raw),
        "flows": len(graph.model.flows),
        "boundaries": len(graph.boundaries),
        "checklist_items": sum(len(items) for items in report.checklists.values()),
        "findings": len(report.findings),
        "report_json_mb": document_mb,
        "times": {"import": imported, **best},
        **rendering,
        "peak_mb": peak,
        "peak_before_json_mb": peak_before_json,
    }


def _render(analysis: Any, layout: bool, timeout: float) -> dict[str, Any]:
    from trustmap.diagrams.graphviz import GraphvizError, GraphvizOptions
    from trustmap.diagrams.mermaid import mermaid_architecture
    from trustmap.diagrams.produce import VIEWS, render_view, view_source

    def sources() -> list[Any]:
        views = [view_source(analysis, name) for name in VIEWS]
        mermaid_architecture(analysis.graph)
        return views

    views, dot_time = _timed(sources)
    result: dict[str, Any] = {"dot_source": dot_time, "layout": None, "layout_note": "skipped (size cap)"}
    if not layout:
        return result
    if shutil.which("dot") is None:
        result["layout_note"] = "skipped (Graphviz missing)"
        return result
    started = time.perf_counter()
    failed = []
    for view in views:
        try:
            render_view(view, ["svg"], GraphvizOptions(timeout))
        except GraphvizError as error:
            reason = re.sub(r"\s+", " ", str(error)).split(": ", 1)[-1]
            failed.append(f"{view.name} failed: {reason[:60]}")
    result["layout"] = time.perf_counter() - started
    result["layout_note"] = "; ".join(failed) or "ok"
    return result


def _run_worker(size: int, layout: bool, timeout: float, repeat: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", str(size), "--graphviz-timeout", str(timeout)]
    command += ["--repeat", str(repeat)]
    if layout:
        command.append("--layout")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker for {size} components failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# -- whole commands: trustmap and pytm ---------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float
    ok: bool
    note: str = ""


def _run_process(command: list[str], cwd: Path, timeout: float, cpus: list[int] | None = None) -> Run:
    """Wall time and the child's peak RSS (os.wait4), with a timeout; on `cpus` alone when
    given (its CPU affinity, which trustmap and its `dot` processes inherit and count)."""
    pin = None if cpus is None else partial(os.sched_setaffinity, 0, cpus)
    started = time.perf_counter()
    with open(cwd / "stdout.txt", "wb") as stdout, open(cwd / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr, preexec_fn=pin)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return Run(timeout, 0.0, False, f"stopped after {timeout:.0f} s")
            time.sleep(0.02)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    note = "" if code in (0, 1) else (cwd / "stderr.txt").read_text(errors="replace")[-300:]
    return Run(elapsed, usage.ru_maxrss / 1024, code in (0, 1), note)


def trustmap_command(size: int, work: Path, timeout: float) -> Run:
    model = work / "model.yaml"
    model.write_text(trustmap_yaml(synthetic(size)))
    command = [
        sys.executable,
        "-m",
        "trustmap",
        "checklist",
        "model.yaml",
        "--format",
        "json",
        "--today",
        TODAY,
    ]
    return _run_process(command, work, timeout)


def pytm_command(size: int, work: Path, timeout: float) -> Run:
    try:
        import pytm  # noqa: F401
    except ImportError:
        return Run(0.0, 0.0, False, "pytm is not installed (pip install -e '.[bench]')")
    version = _pytm_version()
    if version != "1.4.0":
        return Run(0.0, 0.0, False, f"pytm {version} is installed; the comparison is with 1.4.0")
    script = work / "model_pytm.py"
    script.write_text(pytm_script(synthetic(size)))
    return _run_process([sys.executable, str(script), "--json", str(work / "pytm.json")], work, timeout)


def _pytm_version() -> str:
    from importlib.metadata import version

    return version("pytm")


def report_process(model: Path, output: Path) -> None:
    """What a build does before its diagrams, as a process of its own: the catalog as the CLI
    loads it (cached), the model validated, evaluated (attack paths included), report.json
    written as a stream (`--report-process`)."""
    import datetime as dt

    from trustmap.analysis import analyze
    from trustmap.catalog import load_catalog
    from trustmap.catalog.cache import default_cache_dir
    from trustmap.render.report_json import iter_report_json

    catalog = load_catalog(cache_dir=default_cache_dir())
    analysis, problems = analyze(model.name, model.read_bytes(), catalog, today=dt.date.fromisoformat(TODAY))
    if analysis is None:
        raise SystemExit("\n".join(p.headline() for p in problems))
    with open(output, "w", encoding="utf-8") as file:
        for chunk in iter_report_json(analysis):
            file.write(chunk)


def _fastest(command: list[str], work: Path, repeat: int, timeout: float) -> Run:
    runs = [_run_process(command, work, timeout) for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


# Whole processes that only import: the four libraries `trustmap checklist` cannot run without
# (the product owner's named dependencies on its path), the same with trustmap's model and
# catalog classes, and pytm, whose import is part of every pytm run.
IMPORT_FLOORS = {
    "import_libraries": ("networkx", "pydantic", "typer", "yaml"),
    "import_trustmap": ("networkx", "typer", "trustmap.model", "trustmap.catalog"),
    "import_pytm": ("pytm",),
}


def _trustmap(*args: str) -> list[str]:
    return [sys.executable, "-m", "trustmap", *args]


def targets(sizes: list[int], batch: int, timeout: float, layout_max: int, cache: Path) -> dict[str, Any]:
    """The whole-process measures of issue 15's table, each in fresh processes."""
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="trustmap-targets-") as directory:
        work = Path(directory)
        small = work / "small.yaml"
        small.write_text(trustmap_yaml(synthetic(10)))
        # The floor under the tenfold ratio: what importing the libraries the command needs costs
        # before any work, beside what importing pytm costs it.
        print("targets: imports...", file=sys.stderr, flush=True)
        for key, modules in IMPORT_FLOORS.items():
            command = [sys.executable, "-c", f"import {', '.join(modules)}"]
            found[key] = _fastest(command, work, 5, timeout).__dict__
        print("targets: validate of 10 components...", file=sys.stderr, flush=True)
        os.environ["TRUSTMAP_CACHE_DIR"] = ""  # the cache off: the catalog compiled every time
        found["validate_uncached"] = _fastest(_trustmap("validate", str(small)), work, 5, timeout).__dict__
        os.environ["TRUSTMAP_CACHE_DIR"] = str(cache)
        _run_process(_trustmap("validate", str(small)), work, timeout)  # writes the cache
        found["validate"] = _fastest(_trustmap("validate", str(small)), work, 10, timeout).__dict__
        for size in [s for s in (1000, 10000) if s in sizes]:
            print(f"targets: report.json of {size:,} components...", file=sys.stderr, flush=True)
            model = work / f"model-{size}.yaml"
            model.write_text(trustmap_yaml(synthetic(size)))
            command = [sys.executable, __file__, "--report-process", str(model), str(work / "report.json")]
            found[f"report_{size}"] = _fastest(command, work, 3, timeout).__dict__
        for size in [s for s in (300, 1000) if s <= layout_max]:
            print(f"targets: build of {size:,} components...", file=sys.stderr, flush=True)
            model = work / f"build-{size}.yaml"
            model.write_text(trustmap_yaml(synthetic(size)))
            # each run into a folder of its own: a build as a user's first one, nothing to replace
            runs = [
                _run_process(
                    _trustmap("build", str(model), "-o", str(work / f"out-{size}-{n}"), "--today", TODAY),
                    work,
                    timeout,
                )
                for n in range(2 if size <= 300 else 1)
            ]
            found[f"build_{size}"] = min(runs, key=lambda r: r.seconds).__dict__
        if batch:
            models = work / "batch"
            models.mkdir()
            examples = sorted((ROOT / "examples").glob("*.yaml"))
            for index in range(batch):
                source = examples[index % len(examples)]
                shutil.copyfile(source, models / f"{source.stem}-{index:03d}.yaml")
            paths = [str(p) for p in sorted(models.glob("*.yaml"))]
            # Per core count: the build pinned to its first N cores, with -j N; then -j 1 on
            # all of them, which tells what -j adds to a build's own parallel layouts. Where
            # the platform cannot pin a process, every -j N on all the cores.
            usable = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
            found["batch_pinned"] = usable is not None
            runs = [(jobs, usable[:jobs] if usable else None) for jobs in range(1, usable_cores() + 1)]
            if usable and len(usable) > 1:
                runs.append((1, usable))
            for jobs, cpus in runs:
                on = f" on {len(cpus)} core{'s' if len(cpus) > 1 else ''}" if cpus else ""
                print(f"targets: build -j {jobs} of {batch} models{on}...", file=sys.stderr, flush=True)
                key = f"batch_{jobs}" if cpus is None or len(cpus) == jobs else f"batch_{jobs}_on_{len(cpus)}"
                command = _trustmap("build", *paths, "-o", str(work / key), "--today", TODAY, "-j", str(jobs))
                found[key] = _run_process(command, work, timeout, cpus).__dict__
    found["batch_models"] = batch
    return found


def targets_table(found: dict[str, Any], results: list[dict[str, Any]]) -> str:
    """Issue 15's targets, each with the figure measured in this run and whether it is met."""

    def run(key: str) -> Run | None:
        return Run(**found[key]) if key in found else None

    def seconds(r: Run | None) -> str:
        if r is None:
            return "not measured"
        return f"{_s(r.seconds)} s, {r.peak_mb:.0f} MB" if r.ok else f"failed: {_cell(r.note)[:80]}"

    def met(r: Run | None, limit: float) -> str:
        return "–" if r is None else ("yes" if r.ok and r.seconds <= limit else "**no**")

    lines = [
        "| measure | this run | target | met? |",
        "| --- | --- | --- | --- |",
    ]
    for r in results:
        if r["size"] == 1000 and r["pytm"]["ok"] and r["trustmap"]["ok"]:
            ratio = r["pytm"]["seconds"] / r["trustmap"]["seconds"]
            budget = r["pytm"]["seconds"] / 10
            floor = _import_floor(budget, run("import_libraries"), run("import_trustmap"), run("import_pytm"))
            lines.append(
                f"| `trustmap checklist --format json`, 1,000 components, vs pytm 1.4.0 `--json` "
                f"| {r['trustmap']['seconds']:.2f} s vs {r['pytm']['seconds']:.2f} s: {ratio:.1f}×"
                f"{floor} "
                f"| ≥ 10× | {'yes' if ratio >= 10 else '**no**'} |"
            )
    cached, uncached = run("validate"), run("validate_uncached")
    lines.append(
        f"| `trustmap validate`, 10 components, whole process | {seconds(cached)} "
        f"(catalog not cached: {seconds(uncached)}) | ≤ 0.25 s | {met(cached, 0.25)} |"
    )
    small, large = run("report_1000"), run("report_10000")
    if large is not None:
        growth = (
            f"; ×{large.seconds / small.seconds:.1f} from 1,000" if small and small.ok and large.ok else ""
        )
        lines.append(
            f"| validate + evaluate + report.json, 10,000 components, whole process "
            f"| {seconds(large)}{growth} | < 8 s, linear | {met(large, 8)} |"
        )
    for r in results:
        if r["size"] == 10000:
            ours = Run(**r["trustmap"])
            lines.append(
                f"| peak memory, 10,000 components, whole `checklist --format json` | {ours.peak_mb:.0f} MB "
                f"| < 400 MB | {'yes' if ours.ok and ours.peak_mb < 400 else '**no**'} |"
            )
    lines.append(
        f"| `trustmap build`, 300 components, every output | {seconds(run('build_300'))} | < 10 s "
        f"| {met(run('build_300'), 10)} |"
    )
    lines.append(
        f"| `trustmap build`, 1,000 components, every output and view | {seconds(run('build_1000'))} "
        f"| all views, < 60 s | {met(run('build_1000'), 60)} |"
    )
    batches = sorted((int(k.split("_")[1]), k) for k in found if re.fullmatch(r"batch_\d+", k))
    if batches:
        pinned = found.get("batch_pinned", False)
        one = run("batch_1")
        cells: list[str] = []
        speedups: list[tuple[int, float | None]] = []
        for jobs, key in batches:
            r = run(key)
            assert r is not None
            speedup = one.seconds / r.seconds if one and one.ok and r.ok else None
            speedups.append((jobs, speedup))
            where = f"{jobs} core{'s' if jobs > 1 else ''}, " if pinned else ""
            cells.append(f"{where}-j {jobs}: {seconds(r)}" + (f", ×{speedup:.2f}" if speedup else ""))
        cores, most = speedups[-1]
        alone = run(f"batch_1_on_{cores}")
        if alone is not None and most:
            top = run(f"batch_{cores}")
            assert top is not None
            cells.append(
                f"for comparison, {cores} cores, -j 1: {seconds(alone)}"
                + (f" (-j {cores} adds ×{alone.seconds / top.seconds:.2f})" if alone.ok else "")
            )
        # It scales when the speedup on the most cores is at least three quarters of their count.
        scales = pinned and cores > 1 and most is not None and most >= 0.75 * cores
        lines.append(
            f"| `trustmap build -j N`, {found['batch_models']} example models"
            f"{', on N cores' if pinned else ''} | {'; '.join(cells)} | scales with cores "
            f"| {'yes' if scales else 'see the figures'} |"
        )
    return "\n".join(lines)


def _import_floor(budget: float, libraries: Run | None, ours: Run | None, pytm: Run | None) -> str:
    """What ten times pytm leaves for the whole process beside what imports alone take, or nothing when
    the imports were not measured."""
    if libraries is None or ours is None or pytm is None or not (libraries.ok and ours.ok and pytm.ok):
        return ""
    return (
        f"; 10× leaves {budget:.2f} s for the whole process, where importing networkx, pydantic, "
        f"typer and PyYAML alone takes {libraries.seconds:.2f} s, with trustmap's model and catalog "
        f"classes {ours.seconds:.2f} s (`import pytm`: {pytm.seconds:.2f} s)"
    )


# -- the machine and the table -----------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dot = "not installed"
    if shutil.which("dot"):
        found = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False)
        dot = (found.stderr or found.stdout).strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return {
        "arch": platform.machine(),
        "cpu": cpu,
        "cores": str(usable_cores()),
        "python": platform.python_version(),
        "graphviz": dot,
        "load": load,
    }


def _cell(text: str) -> str:
    """Text for a Markdown table cell (Graphviz messages hold pipes)."""
    return text.replace("|", "/").replace("\n", " ")


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def table(results: list[dict[str, Any]], info: dict[str, str]) -> str:
    lines = [
        f"Measured on {info['arch']}, {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"{info['graphviz']}; load average at the start {info['load']}. Times are wall-clock seconds, "
        "memory is the peak resident set size of the process.",
        "",
        "| components | flows | validate | graph | evaluate | report.json | analysis | DOT source "
        "| Graphviz layout (3 views) | peak memory (before report.json) | `trustmap checklist --format json` "
        "| pytm 1.4.0 `--json` "
        "| pytm ÷ trustmap |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        t = r["times"]
        analysis = t["evaluate"] + t["report_json"]
        layout = _s(r["layout"]) if r["layout"] is not None else r["layout_note"]
        if r["layout"] is not None and r["layout_note"] != "ok":
            layout += f" ({_cell(r['layout_note'])})"
        ours, theirs = r["trustmap"], r["pytm"]
        ratio = f"{theirs['seconds'] / ours['seconds']:.1f}×" if theirs["ok"] and ours["ok"] else "–"
        pytm_cell = _cell(theirs["note"])
        if theirs["ok"]:
            pytm_cell = f"{_s(theirs['seconds'])} s, {theirs['peak_mb']:.0f} MB"
        lines.append(
            f"| {r['size']:,} | {r['flows']:,} | {_s(t['validate'])} | {_s(t['graph'])} "
            f"| {_s(t['evaluate'])} | {_s(t['report_json'])} ({r['report_json_mb']:.0f} MB) "
            f"| {_s(analysis)} | {_s(r['dot_source'])} "
            f"| {layout} | {r['peak_mb']:.0f} MB ({r['peak_before_json_mb']:.0f} MB) "
            f"| {_s(ours['seconds'])} s, {ours['peak_mb']:.0f} MB "
            f"| {pytm_cell} | {ratio} |"
        )
    lines += [
        "",
        "analysis = evaluate + report.json. The last three columns are whole processes (interpreter start, "
        "imports, catalog, model, JSON written), so they compare like with like: pytm's `--json` also "
        "builds the model, resolves its threats and writes them as JSON.",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    if not DOC.exists():
        DOC.write_text(f"# Performance\n\n{BEGIN}\n{END}\n")
    current = DOC.read_text()
    if BEGIN not in current or END not in current:
        current += f"\n{BEGIN}\n{END}\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    DOC.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", current))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated component counts")
    parser.add_argument("--layout-max", type=int, default=1000, help="largest size laid out by Graphviz")
    parser.add_argument("--graphviz-timeout", type=float, default=600.0)
    parser.add_argument("--pytm-timeout", type=float, default=1800.0)
    parser.add_argument("--no-pytm", action="store_true", help="skip the pytm comparison")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size up to 1,000 components (the fastest counts)"
    )
    parser.add_argument("--batch", type=int, default=200, help="example models built with -j N (0: none)")
    parser.add_argument("--no-targets", action="store_true", help="skip the whole-process targets")
    parser.add_argument("--report-process", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--layout", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.layout, args.graphviz_timeout, args.repeat)))
        return
    if args.report_process is not None:
        report_process(*args.report_process)
        return
    info = machine()
    results = []
    sizes = [int(s) for s in args.sizes.split(",")]
    # The compiled catalog in a cache of this run's own, as a user's second run finds it
    # (`targets` measures validate without it too).
    cache = tempfile.TemporaryDirectory(prefix="trustmap-bench-cache-")
    os.environ["TRUSTMAP_CACHE_DIR"] = cache.name
    for size in sizes:
        print(f"{size:,} components: stages...", file=sys.stderr, flush=True)
        repeat = args.repeat if size <= 1000 else 1
        result = _run_worker(size, size <= args.layout_max, args.graphviz_timeout, repeat)
        with tempfile.TemporaryDirectory(prefix="trustmap-bench-") as directory:
            print(f"{size:,} components: trustmap checklist --format json...", file=sys.stderr, flush=True)
            runs = [trustmap_command(size, Path(directory), args.pytm_timeout) for _ in range(repeat)]
            result["trustmap"] = min(runs, key=lambda r: r.seconds).__dict__
            if args.no_pytm:
                result["pytm"] = Run(0.0, 0.0, False, "skipped (--no-pytm)").__dict__
            else:
                print(f"{size:,} components: pytm --json...", file=sys.stderr, flush=True)
                runs = [pytm_command(size, Path(directory), args.pytm_timeout) for _ in range(repeat)]
                result["pytm"] = min(runs, key=lambda r: r.seconds).__dict__
        results.append(result)
    text = table(results, info)
    if not args.no_targets:
        found = targets(sizes, args.batch, args.pytm_timeout, args.layout_max, Path(cache.name))
        text += "\n\nIssue 15's targets, whole processes in the same run:\n\n" + targets_table(found, results)
    print(text)
    if not args.no_write:
        write_doc(text)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
