"""Post-processing of Graphviz output: embedded icons in SVG, dates out of PDF."""

from __future__ import annotations

import base64
import struct
import xml.etree.ElementTree as ET

from tests.diagrams.conftest import svg_hrefs
from trustmap.diagrams.icons import icon_files, icon_key
from trustmap.diagrams.pdf import normalise_pdf
from trustmap.diagrams.svg import embed_icons, png_size


def _png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", width, height) + b"rest"


_ASPECT = 'preserveAspectRatio="xMinYMin meet"'
SVG = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="100pt" height="50pt" xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink">
<g><image xlink:href="aws/compute/ec2.png" width="42px" height="42px" {_ASPECT} x="1" y="-2"/>
<image xlink:href="aws/compute/ec2.png" width="42px" height="42px" {_ASPECT} x="50" y="-2"/>
<image xlink:href="/abs/unknown.png" width="10px" height="10px" {_ASPECT} x="0" y="0"/>
</g></svg>
"""


def test_each_icon_is_embedded_once_and_used_where_it_was() -> None:
    icon = _png(256, 128)
    out = embed_icons(SVG, {"aws/compute/ec2.png": icon})
    root = ET.fromstring(out)
    hrefs = svg_hrefs(root)
    data = [h for h in hrefs if h.startswith("data:")]
    assert data == ["data:image/png;base64," + base64.b64encode(icon).decode()]
    assert hrefs.count("#tm-icon-aws-compute-ec2-png") == 2
    symbol = root.find(".//{http://www.w3.org/2000/svg}symbol")
    assert symbol is not None and symbol.get("viewBox") == "0 0 256 128"
    uses = root.findall(".//{http://www.w3.org/2000/svg}use")
    assert [(u.get("x"), u.get("width")) for u in uses] == [("1", "42px"), ("50", "42px")]
    assert "/abs/" not in out  # an image we cannot embed is dropped, never left pointing outside


def test_png_size_reads_the_header() -> None:
    assert png_size(_png(300, 20)) == (300, 20)
    assert png_size(b"not a png") == (1, 1)


def test_icon_keys_resolve_inside_the_installed_package() -> None:
    key = icon_key("diagrams.aws.compute.EC2")
    assert key == "aws/compute/ec2.png"
    assert icon_files([key])[key].startswith(b"\x89PNG")
    assert icon_key("diagrams.aws.compute.NoSuchClass") is None
    assert icon_key("os.path") is None
    assert icon_key(None) is None


def test_pdf_dates_are_blanked_without_moving_bytes() -> None:
    pdf = b"%PDF-1.5\n<< /Producer (cairo) /CreationDate (D:20261128173715Z) >>\nxref 123\n"
    out = normalise_pdf(pdf)
    assert len(out) == len(pdf)
    assert b"CreationDate" not in out and b"/Producer (cairo)" in out
    assert out.index(b"xref") == pdf.index(b"xref")
