"""report.html: self-contained, escaped, complete, and the diagrams inline when Graphviz ran."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from tests.conftest import EXAMPLE_NAMES
from trustmap.analysis import Analysis
from trustmap.outputs import BuildOptions, produce_all
from trustmap.render.html import render_html
from trustmap.render.inline_svg import UnsafeSvgError, inline_svg


class _Page(HTMLParser):
    """Collects what the checks need: every reference, the tags seen and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                self.references.append((tag, name, value or ""))
            if name == "id" and value:
                self.ids.append(value)
            if name == "style" and value:
                self.styles.append(value)
            assert not name.startswith("on"), (tag, name)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _assert_self_contained(html: str) -> _Page:
    page = _parse(html)
    for tag, name, value in page.references:
        assert value.startswith(("#", "data:")), (tag, name, value)
    internal = {value[1:] for _, _, value in page.references if value.startswith("#")}
    assert internal <= set(page.ids), sorted(internal - set(page.ids))[:5]
    assert not {"script", "link", "iframe", "object", "embed", "base", "img"} & set(page.tags)
    css = "\n".join(page.styles).lower()
    assert "@import" not in css and "url(http" not in css and "url(//" not in css
    assert "@font-face" not in css
    return page


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_report_of_every_example_is_self_contained_and_complete(
    name: str, example: Callable[[str], Analysis]
) -> None:
    analysis = example(name)
    html = render_html(analysis, {})
    page = _assert_self_contained(html)
    text = "".join(page.text)
    for component in analysis.graph.components():
        assert component.name in text, component.id
        assert f"component-{component.id}" in page.ids
    for finding in analysis.report.findings:
        assert finding.key in text
    assert analysis.graph.model.name in text
    for section in (
        "summary",
        "diagrams",
        "responsibility",
        "findings",
        "by-component",
        "decisions",
        "coverage",
        "sign-off",
        "checklist",
    ):
        assert section in page.ids
    # Without the SVG files the page says so instead of showing a broken image.
    assert text.count("not available: the diagrams are drawn with Graphviz") == 3
    assert html == render_html(analysis, {})


def test_hostile_text_is_escaped(hostile: Analysis) -> None:
    html = render_html(hostile, {})
    page = _assert_self_contained(html)
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>bold</b>", "<owner>"):
        assert raw not in html
    text = "".join(page.text)
    assert "Shop <script>alert('name')</script>" in text
    assert "Web <img src=x onerror=alert('web')> | pipe\nnew line" in text
    assert "=EVIL() <script>alert('reason')</script>" in text


def test_decisions_show_owner_expiry_and_what_they_matched(example: Callable[[str], Analysis]) -> None:
    page = _parse(render_html(example("shop"), {}))
    text = " ".join(page.text)
    assert "jane.doe" in text and "2027-06-30" in text and "lb->web/*" in text
    assert "lb->web/unencrypted-flow-crosses-boundary" in text
    assert "Approved" in text and "Rejected" in text and "Signature" in text


def test_print_styles_and_no_fixed_heights(example: Callable[[str], Analysis]) -> None:
    html = render_html(example("shop"), {})
    css = "\n".join(_parse(html).styles)
    assert "@media print" in css and "break-before: page" in css
    # Nothing clips content (print must show all of it); diagrams scale with the page.
    assert "max-height" not in css and "overflow: hidden" not in css
    assert not re.search(r"[^-]height:\s*[\d.]+vh", css)
    assert "svg { display: block; max-width: 100%; height: auto;" in css


@pytest.mark.graphviz
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("name", ["shop", "hostile"])
def test_diagrams_are_inline_svg(name: str, example: Callable[[str], Analysis], hostile: Analysis) -> None:
    analysis = hostile if name == "hostile" else example(name)
    produced = produce_all(analysis, BuildOptions())
    assert {"architecture.svg", "dataflow.svg", "responsibility.svg"} <= set(produced.files), (
        "the build wrote no diagrams although Graphviz is installed"
    )
    html = produced.files["report.html"].decode()
    page = _assert_self_contained(html)
    assert page.tags.count("svg") == 3
    for diagram in ("architecture", "dataflow", "responsibility"):
        assert f"diagram-{diagram}" in page.ids
    assert "not available" not in html and "left out" not in html
    assert len(page.ids) == len(set(page.ids)), "ids of the three diagrams collide"


def test_inline_svg_refuses_active_content() -> None:
    head = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    for body in (
        "<script>alert(1)</script>",
        '<g onclick="x()"/>',
        '<image xlink:href="http://x/i.png"/>',
        '<rect fill="url(http://x/p)"/>',
        "<foreignObject/>",
        "<style>@import 'x.css';</style>",
    ):
        with pytest.raises(UnsafeSvgError):
            inline_svg(head + body + "</svg>", "a")
    with pytest.raises(UnsafeSvgError):
        inline_svg("<p>not svg</p>", "a")
    ok = inline_svg(
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n' + head + '<defs><symbol id="i"/></defs>'
        '<use xlink:href="#i" fill="url(#i)"/></svg>',
        "arch",
    )
    assert ok.startswith("<svg") and 'id="arch-i"' in ok
    assert 'xlink:href="#arch-i"' in ok and "url(#arch-i)" in ok


def test_templates_are_package_data() -> None:
    from importlib.resources import files

    folder = files("trustmap.render") / "templates"
    for name in ("report.html.j2", "index.html.j2", "style.css.j2"):
        assert (folder / name).is_file(), name
