"""The review page in a real browser: Debian's Chromium driven by Playwright for Python.

Playwright's own browser download does not work offline, so the tests launch the system
Chromium (`/usr/bin/chromium`, installed by scripts/ensure-chromium.sh, which `make test` runs).
The outputs of the six examples and of a 300-component synthetic model are built once per test
session into a folder that every xdist worker shares (a file lock lets one worker build them).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks.synthetic import synthetic, trustmap_yaml

from tests.conftest import EXAMPLES, ROOT, TODAY
from trustmap.analysis import analyze
from trustmap.catalog import load_catalog
from trustmap.outputs import BuildOptions, produce_all
from trustmap.render.index_html import IndexEntry, render_index
from trustmap.write import write_files

CHROMIUM = os.environ.get("TRUSTMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))
SYNTHETIC = "synth-300"
#: tests/reports/hostile.yaml: model text made to break out of every format
HOSTILE = "hostile"
ALL_PAGES = [*EXAMPLE_NAMES, SYNTHETIC]


def _build(folder: Path) -> None:
    catalog = load_catalog()
    sources = {
        name: ((EXAMPLES / f"{name}.yaml").read_bytes(), f"examples/{name}.yaml") for name in EXAMPLE_NAMES
    }
    sources[SYNTHETIC] = (trustmap_yaml(synthetic(300)).encode(), f"{SYNTHETIC}.yaml")
    sources[HOSTILE] = ((ROOT / "tests" / "reports" / "hostile.yaml").read_bytes(), "hostile.yaml")
    entries = []
    for name, (raw, shown) in sources.items():
        analysis, diagnostics = analyze(shown, raw, catalog, today=TODAY)
        assert analysis is not None, [d.headline() for d in diagnostics]
        write_files(folder / name, produce_all(analysis, BuildOptions()).files)
        counts = analysis.report.summary()["open"]
        entries.append(IndexEntry(name, shown, "built", analysis.graph.model.name, counts, has_report=True))
    (folder / "index.html").write_text(render_index(entries), encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folders of the examples and the synthetic model, built once for all workers."""
    if shutil.which("dot") is None:
        pytest.fail("Graphviz dot is needed for the review page's diagrams: run scripts/ensure-graphviz.sh")
    shared = tmp_path_factory.getbasetemp().parent / "trustmap-browser-outputs"
    shared.mkdir(exist_ok=True)
    done = shared / "done"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                _build(shared)
                done.write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return shared


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-chromium.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with what it logged and requested recorded."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.problems: list[str] = []
        self.requests: list[str] = []
        allowed = folder.as_uri()
        page.on(
            "console",
            lambda m: self.problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith((allowed, "data:", "blob:")) else self.requests.append(r.url),
        )


@pytest.fixture
def open_report(browser: Any, built: Path) -> Iterator[Any]:
    """open_report(name, width=1440) -> Watched, the report loaded and its script done."""
    pages: list[Any] = []

    def open_page(name: str, width: int = 1440, height: int = 900) -> Watched:
        page = browser.new_page(viewport={"width": width, "height": height})
        pages.append(page)
        watched = Watched(page, built / name)
        page.goto((built / name / "report.html").as_uri())
        page.wait_for_selector("html[data-ready='1']", timeout=30_000)
        return watched

    yield open_page
    for page in pages:
        page.close()
