"""report.html as a review board uses it, in headless Chromium: loads clean, offline and fast;
triage works (filters, search, sort); diagrams pan, zoom and open a component's panel; attack
paths light up; axe-core finds no serious or critical violation; prints in few A4 pages;
reads at 390 px."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ALL_PAGES, AXE, EXAMPLE_NAMES, HOSTILE, SYNTHETIC, Watched

MAX_HTML = 3_000_000
MAX_CHECKLIST_MD = 512_000
LOAD_SECONDS = 2.0


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_loads_clean_offline_and_fast(name: str, open_report: Any, built: Path) -> None:
    timings = []
    for _ in range(3):  # the best of three loads: a shared CI machine has noisy neighbours
        watched: Watched = open_report(name)
        # from navigation start to the script's end (tables drawn, first diagram shown)
        timings.append(int(watched.page.get_attribute("html", "data-ready-ms")) / 1000)
        assert watched.problems == [], watched.problems
        assert watched.requests == [], watched.requests
    assert min(timings) < LOAD_SECONDS, timings
    page = watched.page
    rows = page.locator("#findings-body tr.row").count()
    findings = page.evaluate("JSON.parse(document.getElementById('report-data').textContent).findings.length")
    assert rows == min(findings, 150)
    started = time.perf_counter()
    page.select_option("#f-status", "open") if findings else None
    page.fill("#f-search", "a")
    assert time.perf_counter() - started < LOAD_SECONDS
    assert (built / name / "report.html").stat().st_size < MAX_HTML


def test_sizes_of_the_300_component_model(built: Path) -> None:
    assert (built / SYNTHETIC / "report.html").stat().st_size < MAX_HTML
    assert (built / SYNTHETIC / "checklist.md").stat().st_size < MAX_CHECKLIST_MD


def _severities(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#findings-body tr.row td:first-child", "cells => cells.map(c => c.innerText.trim())"
    )


def test_filters_search_and_sort(open_report: Any) -> None:
    page = open_report("hybrid").page
    everything = _severities(page)
    assert len(everything) > 5
    order = ["critical", "high", "medium", "low", "info"]
    assert everything == sorted(everything, key=order.index), "not ordered by severity"
    page.select_option("#f-severity", "medium")
    shown = _severities(page)
    assert shown and set(shown) == {"medium"} and len(shown) == everything.count("medium")
    assert f"{len(shown)} of {len(everything)} findings" in page.inner_text("#f-count")
    page.click("#f-reset")
    page.wait_for_function(f"document.querySelectorAll('#findings-body tr.row').length === {len(everything)}")
    # every filter narrows to rows that hold the chosen value
    for kind in ("status", "category", "stride", "component", "boundary", "owner"):
        values = page.eval_on_selector_all(f"#f-{kind} option", "os => os.map(o => o.value).filter(Boolean)")
        assert values, kind
        page.select_option(f"#f-{kind}", values[0])
        count = page.locator("#findings-body tr.row").count()
        assert 0 < count <= len(everything), (kind, values[0])
        page.click("#f-reset")
        page.wait_for_function(
            f"document.querySelectorAll('#findings-body tr.row').length === {len(everything)}"
        )
    first_key = page.inner_text("#findings-body tr.row code")
    page.fill("#f-search", first_key)
    assert page.locator("#findings-body tr.row").count() >= 1
    assert all(
        first_key in t
        for t in page.eval_on_selector_all("#findings-body tr.row", "rs => rs.map(r => r.innerText)")
    )
    page.fill("#f-search", "")
    assert page.get_attribute("#findings-table th:first-child", "aria-sort") == "descending"
    page.click("th button[data-sort='severity']")  # again: least severe first
    assert page.get_attribute("#findings-table th:first-child", "aria-sort") == "ascending"
    assert _severities(page) == list(reversed(everything)) or _severities(page) == sorted(
        everything, key=order.index, reverse=True
    )
    page.click("#findings-body tr.row button.expand")
    assert page.locator("#findings-body tr.detail:not([hidden])").count() == 1
    assert "Why it fired" in page.inner_text("#findings-body tr.detail")


def test_severity_cards_filter_the_table(open_report: Any) -> None:
    page = open_report("shop").page
    page.click("a.card[data-severity='high']")
    page.wait_for_function("document.getElementById('f-severity').value === 'high'")
    assert set(_severities(page)) == {"high"}


def _stage_svg(page: Any) -> None:
    page.locator("#v-stage").scroll_into_view_if_needed()
    page.wait_for_selector("#v-stage svg g.node[role='button']", timeout=20_000)


@pytest.mark.parametrize("name", ["shop", "hybrid"])
def test_diagram_click_through_opens_the_panel(name: str, open_report: Any) -> None:
    page = open_report(name).page
    _stage_svg(page)
    node = page.locator("#v-stage svg g.node[role='button']").first
    node_id = node.get_attribute("id") or ""
    component = node_id.split("-c-", 1)[1]
    node.dispatch_event("click")
    page.wait_for_selector("#panel:not([hidden])")
    panel = page.inner_text("#panel")
    assert f"Id\n{component}" in panel or f"Id {component}" in panel or component in panel
    for heading in ("Responsibility split", "Findings", "Questions", "Checklist"):
        assert heading in panel, heading
    page.click("#panel-close")
    assert page.locator("#panel").is_hidden()
    # a flow opens its panel too
    page.locator("#v-stage svg g.edge[role='button']").first.dispatch_event("click")
    page.wait_for_selector("#panel:not([hidden])")
    assert "From → to" in page.inner_text("#panel")
    page.click("#panel-close")
    # zoom (svg-pan-zoom applies it on the next animation frame) and full screen
    transform = "document.querySelector('#v-stage svg .svg-pan-zoom_viewport').getAttribute('transform')"
    before = page.evaluate(transform)
    page.click("#v-in")
    page.wait_for_function(f"{transform} !== {before!r}", timeout=5_000)
    page.click("#v-full")
    assert page.evaluate("document.getElementById('viewer').classList.contains('full')")
    page.click("#v-full")


def test_every_view_of_a_large_example_is_in_the_viewer(open_report: Any, built: Path) -> None:
    page = open_report("hybrid").page
    options = page.eval_on_selector_all("#v-select option", "os => os.map(o => o.textContent)")
    svgs = sorted(p.name for p in (built / "hybrid").glob("*.svg"))
    assert len(options) == len(svgs) > 3
    assert any(o.startswith("Data flow: ") for o in options), options
    _stage_svg(page)
    per_boundary = next(i for i, o in enumerate(options) if o.startswith("Data flow: "))
    page.select_option("#v-select", str(per_boundary))
    page.wait_for_function(
        "(document.querySelector('#v-stage svg') || {getAttribute: () => ''})"
        ".getAttribute('aria-label').startsWith('Data flow: ')"
    )
    page.locator("#v-stage svg g.node[role='button']").first.dispatch_event("click")
    page.wait_for_selector("#panel:not([hidden])")


def test_attack_path_is_highlighted_on_the_diagram(open_report: Any) -> None:
    page = open_report("shop").page
    data = page.evaluate("JSON.parse(document.getElementById('report-data').textContent).attack_paths[0]")
    page.click("#paths-list li button")
    page.wait_for_selector("#v-stage.dim")
    lit = page.eval_on_selector_all("#v-stage .hl", "gs => gs.map(g => g.id)")
    assert len(lit) == len(data["hops"]) + len(data["flows"]), lit
    assert page.locator("#paths-list li.active").count() == 1
    page.click("#v-clear")
    assert page.locator("#v-stage .hl").count() == 0


@pytest.mark.parametrize("name", [*EXAMPLE_NAMES, SYNTHETIC])
def test_axe_finds_no_serious_or_critical_violation(name: str, open_report: Any) -> None:
    page = open_report(name).page
    _stage_svg(page)
    page.locator("#v-stage svg g.node[role='button']").first.dispatch_event("click")  # the panel too
    page.wait_for_selector("#panel:not([hidden])")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast': {enabled: true}}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,"
        " target: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_print_fits_in_few_a4_pages_with_a_running_header(name: str, open_report: Any) -> None:
    page = open_report(name).page
    page.evaluate("window.trustmapPreparePrint()")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = _pdf_pages(pdf)
    components = page.evaluate(
        "JSON.parse(document.getElementById('report-data').textContent).components.length"
    )
    assert components <= 26
    assert 3 <= pages < 25, pages
    assert page.locator("#print-diagrams figure").count() == 3


@pytest.mark.parametrize("name", ["shop", "serverless-api", SYNTHETIC])
def test_phone_layout_has_no_one_letter_columns_and_passes_axe(name: str, open_report: Any) -> None:
    page = open_report(name, width=390, height=844).page
    # lay out every section (those off screen are skipped until scrolled to)
    page.evaluate(
        "document.querySelectorAll('section').forEach(s => { s.style.contentVisibility = 'visible'; })"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # a cell whose text breaks into lines of one to three characters (the review's complaint)
    narrow = page.evaluate(
        """Array.from(document.querySelectorAll('main td, main th')).filter(c => {
             const text = c.innerText.trim();
             if (c.getBoundingClientRect().width === 0 || text.length < 4) return false;
             const range = document.createRange();
             range.selectNodeContents(c);
             const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
             return lines > 2 && text.length <= lines * 3;
           }).map(c => c.innerText.trim().slice(0, 20))"""
    )
    assert narrow == [], narrow[:10]
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))"
    )
    assert result == []


def test_index_page_reads_on_a_phone(browser: Any, built: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watched = Watched(page, built)
    page.goto((built / "index.html").as_uri())
    assert watched.problems == [] and watched.requests == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("a[href$='report.html']").count() == len(ALL_PAGES) + 1  # and the hostile model
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))"
    )
    assert result == []
    page.close()


def test_hostile_text_stays_text_in_every_part_the_script_draws(browser: Any, built: Path) -> None:
    """Names that try to run script (`<img onerror>`, `<svg onload>`, `</script>`) are shown
    as text in the table, panel, paths and appendix: no dialog opens, no element is injected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    watched = Watched(page, built / HOSTILE)
    page.goto((built / HOSTILE / "report.html").as_uri())
    page.wait_for_selector("html[data-ready='1']")
    page.evaluate("window.trustmapPreparePrint()")  # draws the appendix and every detail row
    page.locator("#findings-body tr.row button.expand").first.click()
    for link in page.locator("a.subject-link[data-kind='component']").all()[:6]:
        link.dispatch_event("click")
        page.wait_for_selector("#panel:not([hidden])")
    page.locator("#v-stage").scroll_into_view_if_needed()
    page.wait_for_selector("#v-stage svg g.node[role='button']", timeout=20_000)
    page.locator("#v-stage svg g.node[role='button']").first.dispatch_event("click")
    assert dialogs == [] and watched.problems == [] and watched.requests == []
    injected = page.evaluate(
        "document.querySelectorAll('main img, main script, #panel img, [onload], [onerror]').length"
    )
    assert injected == 0
    assert "Web <img src=x onerror=alert('web')>" in page.inner_text("main")
    page.close()
