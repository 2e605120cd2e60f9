"""Names made to break out of every output format stay text in every output of `trustmap build`.

The hostile model is built next to a benign twin: the same model with plain words in place of
the payloads. Each output is parsed with a real parser for its format, and its structure
(tags, nodes, edges, rows, lines) must be the twin's: a payload that escaped would add or
remove structure. Each payload must also still be there, as text, so that nothing was dropped
to make the output safe.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TODAY
from tests.hardening.hostile import MARKUP_BREAKERS, PAYLOADS, hostile_model
from trustmap.cli import app

BENIGN = {key: f"Plain {key} text" for key in PAYLOADS}
COMPONENTS = 8
FLOWS = 8


def _build(directory: Path, payloads: dict[str, str]) -> Path:
    model = directory / "model.yaml"
    model.write_text(yaml.safe_dump(hostile_model(payloads), sort_keys=False, allow_unicode=True))
    out = directory / "out"
    result = CliRunner().invoke(
        app, ["build", str(model), "-o", str(out), "--today", TODAY.isoformat(), "--allow-unmatched"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(hostile, benign) output directories."""
    hostile = _build(tmp_path_factory.mktemp("hostile"), PAYLOADS)
    benign = _build(tmp_path_factory.mktemp("benign"), BENIGN)
    return hostile, benign


def _files(out: Path, pattern: str) -> list[Path]:
    found = sorted((out / "model").glob(pattern))
    assert found, f"no {pattern} was written"
    return found


# -- HTML -----------------------------------------------------------------------------


def _strings(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class _Page(HTMLParser):
    """Tags, attributes and text; report.html's JSON block (which its script renders from)
    counts as text by the strings it decodes to, its script as nothing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.svg_depth = 0
        self.script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svg_depth += 1
        if not self.svg_depth:  # inline diagrams differ in layout, not in what they are
            self.tags[tag] += 1
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag == "script":
            self.script = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg_depth -= 1
        if tag == "script":
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.script == "application/json":
            self.text.append("\n".join(_strings(json.loads(data))))
        elif self.script is None:
            self.text.append(data)


def _shown_in(payload: str, text: str) -> bool:
    """The payload is in the text, line by line (a page may break lines with <br>)."""
    return all(line.strip() in text for line in payload.splitlines())


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    return page


@pytest.mark.parametrize("name", ["model/report.html", "index.html"])
def test_html_has_the_benign_structure_and_the_payloads_as_text(builds: tuple[Path, Path], name: str) -> None:
    hostile_out, benign_out = builds
    hostile, benign = _page(hostile_out / name), _page(benign_out / name)
    assert hostile.tags == benign.tags
    for _, attribute, value in hostile.attributes:
        assert not attribute.startswith("on"), attribute
        assert not value.strip().lower().startswith("javascript:"), value
    handlers = {(t, a) for t, a, _ in hostile.attributes if a in ("href", "src")}
    assert handlers <= {(t, a) for t, a, _ in benign.attributes if a in ("href", "src")}
    # Every payload the page shows (where its benign twin shows the stand-in) is shown as text.
    text, benign_text = "".join(hostile.text), "".join(benign.text)
    shown = [key for key in PAYLOADS if BENIGN[key] in benign_text]
    assert "html" in shown
    missing = [key for key in shown if not _shown_in(PAYLOADS[key], text)]
    assert not missing, missing


# -- SVG ------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _svg_shape(root: ET.Element) -> Counter[str]:
    """How many nodes, edges and clusters Graphviz drew."""
    return Counter(
        element.get("class", "")
        for element in root.iter(f"{SVG}g")
        if element.get("class") in ("node", "edge", "cluster")
    )


@pytest.mark.graphviz
@pytest.mark.parametrize("view", ["architecture", "dataflow", "responsibility"])
def test_svg_parses_and_draws_only_the_model(builds: tuple[Path, Path], view: str) -> None:
    hostile_out, benign_out = builds
    hostile = ET.parse(hostile_out / "model" / f"{view}.svg").getroot()
    benign = ET.parse(benign_out / "model" / f"{view}.svg").getroot()
    assert _svg_shape(hostile) == _svg_shape(benign)
    for element in hostile.iter():
        local = element.tag.rsplit("}", 1)[-1]
        assert local not in ("script", "foreignObject", "iframe"), local
        for attribute, value in element.attrib.items():
            assert not attribute.rsplit("}", 1)[-1].startswith("on"), attribute
            assert "javascript:" not in value.lower(), value
    text = " ".join(t for t in hostile.itertext())
    assert '<script>alert("x")' in text  # escaped by the writer, unescaped by the parser
    for breaker in MARKUP_BREAKERS:
        assert breaker not in (hostile_out / "model" / f"{view}.svg").read_text("utf-8").replace("&lt;", "")


# -- DOT ------------------------------------------------------------------------------


def _dot_svg(dot_file: Path) -> ET.Element:
    """The DOT source laid out by Graphviz itself (icons resolve from the diagrams package)."""
    import diagrams

    resources = Path(diagrams.__file__).resolve().parent.parent / "resources"
    result = subprocess.run(
        ["dot", "-Tsvg", str(dot_file)], cwd=resources, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr.decode()[:2000]
    return ET.fromstring(result.stdout)


@pytest.mark.graphviz
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("view", ["architecture", "dataflow", "responsibility"])
def test_dot_source_is_valid_and_holds_only_the_model(builds: tuple[Path, Path], view: str) -> None:
    hostile_out, benign_out = builds
    hostile = _dot_svg(hostile_out / "model" / f"{view}.dot")
    benign = _dot_svg(benign_out / "model" / f"{view}.dot")
    assert _svg_shape(hostile) == _svg_shape(benign)
    if view == "architecture":
        assert _svg_shape(hostile)["node"] >= COMPONENTS


# -- Mermaid --------------------------------------------------------------------------

_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _skeleton(text: str) -> list[str]:
    """The diagram with every quoted label emptied: what Mermaid parses as structure."""
    return [_QUOTED.sub('""', line) for line in text.splitlines()]


@pytest.mark.parametrize("name", ["diagram.mmd", "dataflow.mmd"])
def test_mermaid_labels_stay_inside_their_quotes(builds: tuple[Path, Path], name: str) -> None:
    hostile_out, benign_out = builds
    hostile = (hostile_out / "model" / name).read_text("utf-8")
    benign = (benign_out / "model" / name).read_text("utf-8")
    assert _skeleton(hostile) == _skeleton(benign)
    for line in _skeleton(hostile):
        if line.startswith("%%"):
            continue  # the file's own comment
        # Outside the labels only Mermaid syntax remains: no payload characters leaked out.
        assert not re.search(
            r"[<>{}`]|alert|script|HYPERLINK", line.replace("-->", "").replace("==>", "").replace("-.->", "")
        ), line
    for label in _QUOTED.findall(hostile):
        inner = label[1:-1]
        assert "<" not in inner.replace("<br/>", ""), label  # HTML in labels is entity-escaped


# -- CSV ------------------------------------------------------------------------------


def test_csv_rows_keep_their_shape_and_never_start_a_formula(builds: tuple[Path, Path]) -> None:
    hostile_out, benign_out = builds
    with (hostile_out / "model" / "checklist.csv").open(newline="", encoding="utf-8") as stream:
        hostile = list(csv.reader(stream))
    with (benign_out / "model" / "checklist.csv").open(newline="", encoding="utf-8") as stream:
        benign = list(csv.reader(stream))
    assert len(hostile) == len(benign)
    assert {len(row) for row in hostile} == {len(hostile[0])}
    for row in hostile:
        for cell in row:
            for line in cell.split("\n"):
                assert not line.lstrip().startswith(("=", "+", "-", "@")), cell[:80]
            assert "\r" not in cell and "\t" not in cell, cell[:80]
    cells = {cell for row in hostile for cell in row}
    # The payloads are kept, made inert by a leading apostrophe (OWASP's advice for CSV), and
    # every line break is a quoted LF.
    assert "'" + PAYLOADS["formula"] in cells
    assert PAYLOADS["newline"].replace("\r\n", "\n") in cells


# -- Markdown -------------------------------------------------------------------------

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_markdown_tables_and_lines_keep_their_shape(builds: tuple[Path, Path]) -> None:
    hostile_out, benign_out = builds
    for path in _files(hostile_out, "*.md"):
        hostile = path.read_text("utf-8")
        benign = (benign_out / "model" / path.name).read_text("utf-8")
        assert hostile.count("\n") == benign.count("\n"), path.name  # newlines in names stay inside
        hostile_lines, benign_lines = hostile.splitlines(), benign.splitlines()
        for mine, theirs in zip(hostile_lines, benign_lines, strict=True):
            if theirs.startswith("|"):
                assert len(_UNESCAPED_PIPE.findall(mine)) == len(_UNESCAPED_PIPE.findall(theirs)), mine[:200]
            assert mine.startswith("#") == theirs.startswith("#"), mine[:200]
        for breaker in MARKUP_BREAKERS:
            assert breaker not in hostile, breaker
        assert not re.search(r"(?<!\\)\]\(javascript:", hostile)


# -- JSON and SARIF -------------------------------------------------------------------


def _walk(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _walk(v)] + [str(k) for k in value]
    if isinstance(value, list):
        return [s for v in value for s in _walk(v)]
    return [value] if isinstance(value, str) else []


def test_json_outputs_keep_names_exactly(builds: tuple[Path, Path]) -> None:
    hostile_out, _ = builds
    report = json.loads((hostile_out / "model" / "report.json").read_text("utf-8"))
    names = {c["id"]: c["name"] for c in report["components"]}
    assert names["web"] == PAYLOADS["newline"]
    assert names["db"] == PAYLOADS["mermaid"]
    assert names["user"] == PAYLOADS["formula"]
    sarif = json.loads((hostile_out / "model" / "findings.sarif").read_text("utf-8"))
    assert sarif["version"] == "2.1.0"
    strings = _walk(sarif)
    assert any(PAYLOADS["html"] in s for s in strings) or any(PAYLOADS["formula"] in s for s in strings)
    for path in (hostile_out / "model").glob("*.json"):
        json.loads(path.read_text("utf-8"))


def test_every_file_of_the_build_is_checked(builds: tuple[Path, Path]) -> None:
    """A new output format must get an escaping test here before it ships."""
    hostile_out, _ = builds
    checked = {".html", ".svg", ".dot", ".mmd", ".csv", ".md", ".json", ".sarif", ".png", ".pdf"}
    written = {p.suffix for p in (hostile_out / "model").iterdir()}
    assert written <= checked, written - checked


# -- other commands that print model text ---------------------------------------------


def _changed(payloads: dict[str, str]) -> dict[str, Any]:
    """Every name changed (so the diff prints old and new names), one component removed."""
    model = hostile_model({key: value + " v2" for key, value in payloads.items()})
    del model["components"]["queue"]
    model["flows"] = [f for f in model["flows"] if "queue" not in (f["from"], f["to"])]
    return model


@pytest.mark.parametrize("output_format", ["text", "md"])
def test_diff_output_keeps_its_shape(tmp_path: Path, output_format: str) -> None:
    """Names with newlines, pipes or Markdown cannot fake or hide lines of a diff."""
    outputs = []
    for label, payloads in (("hostile", PAYLOADS), ("benign", BENIGN)):
        old, new = tmp_path / f"{label}-old.yaml", tmp_path / f"{label}-new.yaml"
        old.write_text(yaml.safe_dump(hostile_model(payloads), sort_keys=False, allow_unicode=True))
        new.write_text(yaml.safe_dump(_changed(payloads), sort_keys=False, allow_unicode=True))
        result = CliRunner().invoke(
            app, ["diff", str(old), str(new), "--format", output_format, "--today", TODAY.isoformat()]
        )
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        outputs.append(result.stdout)
    hostile, benign = outputs
    assert BENIGN["html"] in benign  # the diff shows names, so the payloads are in the output
    assert hostile.count("\n") == benign.count("\n")
    if output_format == "md":
        for mine, theirs in zip(hostile.splitlines(), benign.splitlines(), strict=True):
            if theirs.startswith("|"):
                assert len(_UNESCAPED_PIPE.findall(mine)) == len(_UNESCAPED_PIPE.findall(theirs)), mine
        for breaker in MARKUP_BREAKERS:
            assert breaker not in hostile


def test_otm_export_keeps_names_exactly(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(hostile_model(), sort_keys=False, allow_unicode=True))
    target = tmp_path / "model.otm.json"
    result = CliRunner().invoke(
        app, ["export", "otm", str(model), "-o", str(target), "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text("utf-8"))
    names = {c.get("name") for c in document["components"]}
    assert PAYLOADS["newline"] in names and PAYLOADS["mermaid"] in names
