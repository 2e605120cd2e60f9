"""Take the README's screenshots of report.html: `make screenshot` (needs Graphviz and Chromium).

Builds examples/hybrid.yaml into a temporary folder with a fixed date, opens its report.html in
headless Chromium (Debian's, driven by Playwright) and writes two PNGs under docs/images/: the
top of the page (summary and findings table) and the diagram viewer with an attack path
highlighted.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from trustmap.analysis import analyze
from trustmap.catalog import load_catalog
from trustmap.outputs import BuildOptions, produce_all
from trustmap.write import write_files

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "examples" / "hybrid.yaml"
IMAGES = ROOT / "docs" / "images"
TODAY = dt.date(2026, 11, 28)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main() -> int:
    analysis, diagnostics = analyze("examples/hybrid.yaml", MODEL.read_bytes(), load_catalog(), today=TODAY)
    if analysis is None:
        print("\n".join(d.headline() for d in diagnostics), file=sys.stderr)
        return 2
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        write_files(Path(folder), produce_all(analysis, BuildOptions()).files)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto((Path(folder) / "report.html").as_uri())
        page.wait_for_selector("html[data-ready='1']")
        page.screenshot(path=IMAGES / "report-triage.png")
        data = "JSON.parse(document.getElementById('report-data').textContent)"
        hops = page.evaluate(f"{data}.attack_paths.map(p => p.hops.length)")
        page.locator("#paths-list li button").nth(hops.index(max(hops))).click()
        page.wait_for_selector("#v-stage.dim")
        page.evaluate("document.getElementById('diagrams').scrollIntoView()")
        page.wait_for_timeout(300)
        page.screenshot(path=IMAGES / "report-diagram.png")
        browser.close()
    print(f"wrote {IMAGES / 'report-triage.png'} and {IMAGES / 'report-diagram.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
