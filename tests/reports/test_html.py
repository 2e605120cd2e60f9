"""report.html: self-contained, escaped, complete, identified, and its diagrams packed safely.

The page's tables are drawn by its script from one JSON block; these tests read that block the
way the script does. tests/browser runs the page itself in Chromium."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.conftest import EXAMPLE_NAMES
from trustmap.analysis import Analysis
from trustmap.outputs import BuildOptions, produce_all
from trustmap.render.diagram_embed import DiagramView
from trustmap.render.html import css_string, render_html, ticket_link
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
        self.scripts: list[tuple[str, str]] = []  # (type, text)
        self._in_style = False
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        if tag == "script":
            assert "src" not in dict(attrs), "a script that loads a file"
            self._script = dict(attrs).get("type") or "text/javascript"
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
        self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            (self.styles if self._in_style else self.text).append(data)

    def data(self) -> dict[str, Any]:
        blocks = [text for kind, text in self.scripts if kind == "application/json"]
        assert len(blocks) == 1
        loaded: dict[str, Any] = json.loads(blocks[0])
        return loaded


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


_SCRIPT_ANCHOR = re.compile(r"(component|flow)-.+")


def _assert_self_contained(html: str) -> _Page:
    page = _parse(html)
    for tag, name, value in page.references:
        # a ticket link is the one reference out of the page: followed only when clicked
        if tag == "a" and value.startswith("https://") and ticket_link(value) == value:
            continue
        assert value.startswith(("#", "data:")), (tag, name, value)
    internal = {value[1:] for _, _, value in page.references if value.startswith("#")}
    # anchors of components and flows belong to the appendix that the script draws
    missing = {i for i in internal - set(page.ids) if not _SCRIPT_ANCHOR.fullmatch(i)}
    assert not missing, sorted(missing)[:5]
    assert not {"link", "iframe", "object", "embed", "base", "img"} & set(page.tags)
    assert [kind for kind, _ in page.scripts] == ["application/json", "text/javascript"]
    code = page.scripts[1][1]
    assert "fetch(" not in code and "XMLHttpRequest" not in code and "import(" not in code
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
    data = page.data()
    assert [c["id"] for c in data["components"]] == [c.id for c in analysis.graph.components()]
    assert {c["name"] for c in data["components"]} == {c.name for c in analysis.graph.components()}
    assert [f["key"] for f in data["findings"]] == [f.key for f in analysis.report.findings]
    assert {q["key"] for q in data["questions"]} == {q.key for q in analysis.report.questions}
    assert len(data["questions"]) == len(analysis.report.questions)
    assert len(data["attack_paths"]) == len(analysis.report.attack_paths)
    assert len(data["flows"]) == len(analysis.graph.flows())
    assert analysis.graph.model.name in text
    for section in (
        "summary",
        "findings",
        "questions",
        "attack-paths",
        "diagrams",
        "data",
        "responsibility",
        "decisions",
        "coverage",
        "sign-off",
        "checklist",
    ):
        assert section in page.ids
    # AWS's duties are not in the components' data: once per service model, in the markup
    assert all(item[0] < len(data["controls"]) for c in data["components"] for item in c["items"])
    aws = {i.id for items in analysis.report.checklists.values() for i in items if i.owner == "aws"}
    assert not aws & {data["controls"][i[0]][3] for c in data["components"] for i in c["items"]}
    assert "Inherited AWS duties" in text
    assert html == render_html(analysis, {})


def test_sign_off_names_the_model_digest_date_and_counts(example: Callable[[str], Analysis]) -> None:
    analysis = example("serverless-api")
    page = _parse(render_html(analysis, {}))
    text = " ".join(page.text)
    assert analysis.model_sha256 and len(analysis.model_sha256) == 64
    assert analysis.model_sha256 in text and "2026-11-28" in text and "examples/serverless-api.yaml" in text
    assert analysis.catalog.digest in text
    assert "pending (in progress)" in text and "Signature" in text and "Risk owner" in text
    css = "\n".join(page.styles)
    assert "counter(page)" in css and "@top-left" in css
    # the running header holds the model name, escaped for CSS
    assert css_string("Serverless") in css or "Serverless" not in analysis.graph.model.name


def test_ticket_urls_are_links_and_other_tickets_text(example: Callable[[str], Analysis]) -> None:
    page = _parse(render_html(example("serverless-api"), {}))
    links = [v for t, n, v in page.references if t == "a" and v.startswith("https://")]
    assert links == ["https://tracker.example.com/browse/SEC-418"]
    assert "CHK-2291" in " ".join(page.text)
    assert ticket_link("javascript:alert(1)") is None and ticket_link("https://x y") is None
    assert ticket_link("RISK-1") is None


def test_hostile_text_is_escaped(hostile: Analysis) -> None:
    html = render_html(hostile, {})
    page = _assert_self_contained(html)
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>bold</b>", "<owner>"):
        assert raw not in html
    block = next(t for k, t in page.scripts if k == "application/json")
    assert "<" not in block and ">" not in block and "&" not in block
    names = {c["name"] for c in page.data()["components"]}
    assert "Web <img src=x onerror=alert('web')> | pipe\nnew line" in names
    text = "".join(page.text)
    assert "Shop <script>alert('name')</script>" in text
    assert css_string('a"b</style>') == '"a\\000022b\\00003c\\00002fstyle\\00003e"'


def test_decisions_show_owner_expiry_and_what_they_matched(example: Callable[[str], Analysis]) -> None:
    page = _parse(render_html(example("shop"), {}))
    text = " ".join(page.text)
    assert "jane.doe" in text and "2027-06-30" in text and "lb->web/*" in text
    assert "lb->web/unencrypted-flow-crosses-boundary" in text
    assert "Approved" in text and "Rejected" in text and "Signature" in text


def test_print_styles_and_no_clipping(example: Callable[[str], Analysis]) -> None:
    html = render_html(example("shop"), {})
    css = "\n".join(_parse(html).styles)
    assert "@media print" in css and "break-before: page" in css and "size: A4 landscape" in css
    # Nothing clips content in print: only diagrams are bounded, and an SVG scales to its box.
    assert re.findall(r"max-height: [^;]+;", css) == ["max-height: 170mm;", "max-height: 245mm;"]
    assert "svg { width: 100%; height: auto; max-height: 170mm;" in css


def test_a_view_the_build_did_not_draw_gets_a_note(example: Callable[[str], Analysis]) -> None:
    views = [DiagramView("architecture", "architecture", "Architecture")]
    page = _parse(render_html(example("shop"), {}, views))
    assert "Not drawn: Architecture" in " ".join(page.text)
    assert page.data()["diagrams"] == []


def _unpacked(view: dict[str, Any]) -> str:
    return gzip.decompress(base64.b64decode(view["svg"])).decode("utf-8")


@pytest.mark.graphviz
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("name", ["hybrid", "hostile"])
def test_diagrams_are_packed_checked_and_their_icons_stored_once(
    name: str, example: Callable[[str], Analysis], hostile: Analysis
) -> None:
    analysis = hostile if name == "hostile" else example(name)
    produced = produce_all(analysis, BuildOptions())
    html = produced.files["report.html"].decode()
    page = _assert_self_contained(html)
    views = page.data()["diagrams"]
    svgs = sorted(n for n in produced.files if n.endswith(".svg"))
    assert sorted(f"{v['name']}.svg" for v in views) == svgs
    ids: list[str] = []
    for view in views:
        svg = _unpacked(view)
        assert inline_svg(svg, "again")  # still passes the safety check
        assert "<symbol" not in svg, "an icon stored in a view instead of the page's sprite"
        ids += re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids)), "ids of two views collide"
    assert html.count("<symbol id=") == len(set(re.findall(r'<symbol id="([^"]+)"', html)))
    assert "not drawn" not in html.lower()


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


@pytest.mark.graphviz
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_a_build_packs_each_view_once_in_the_thread_that_drew_it(
    example: Callable[[str], Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packing is seconds on large models; a build does it while the other views are laid out,
    and the page is the same as packing them all at the end."""
    import threading

    import trustmap.render.diagram_embed as embed

    analysis = example("hybrid")
    calls: list[str] = []
    real = embed.pack_view

    def counted(content: bytes, prefix: str) -> embed.PackedView:
        calls.append(threading.current_thread().name)
        return real(content, prefix)

    monkeypatch.setattr(embed, "pack_view", counted)
    produced = produce_all(analysis, BuildOptions(formats=("svg",)))
    svgs = [name for name in produced.files if name.endswith(".svg")]
    assert len(calls) == len(svgs) >= 3 and all(name.startswith("trustmap-dot") for name in calls)
    plan = _plan_views(analysis)
    given = embed.pack_diagrams(plan, produced.files, produced.packed_views)
    assert len(calls) == len(svgs), "a view the build packed was packed again"
    assert given == embed.pack_diagrams(plan, produced.files)
    assert produced.files["report.html"].decode() == render_html(analysis, produced.files, plan)


def _plan_views(analysis: Analysis) -> list[DiagramView]:
    from trustmap.diagrams.plan import view_plan

    return [
        DiagramView(spec.name, spec.kind, spec.title, spec.unit.key if spec.unit else None)
        for spec in view_plan(analysis.graph)
    ]


def test_a_packed_view_is_used_only_for_its_own_svg_and_place() -> None:
    """A view packed from other content, or for another place on the page (its ids' prefix),
    is packed again: the page never shows a stale view."""
    from trustmap.render.diagram_embed import pack_diagrams, pack_view

    first = b'<svg width="10pt" height="20pt" xmlns="http://www.w3.org/2000/svg"><g id="a"/></svg>'
    second = first.replace(b'id="a"', b'id="b"')
    views = [DiagramView("one", "architecture", "One"), DiagramView("two", "dataflow", "Two")]
    files = {"one.svg": first, "two.svg": second}
    fresh = pack_diagrams(views, files)
    stale = {"one": pack_view(second, "d0"), "two": pack_view(second, "d0")}
    assert pack_diagrams(views, files, stale) == fresh
    assert [_unpacked(v) for v in fresh.views] == [
        '<svg width="10pt" height="20pt" xmlns="http://www.w3.org/2000/svg"><g id="d0-a"/></svg>',
        '<svg width="10pt" height="20pt" xmlns="http://www.w3.org/2000/svg"><g id="d1-b"/></svg>',
    ]
    assert fresh.views[0]["height"] == 20.0 and fresh.views[0]["width"] == 10.0
