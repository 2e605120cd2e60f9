"""Prepare a diagram's SVG for inlining into an HTML page.

The SVG comes from our own diagram renderer, but it is checked anyway before it is trusted as
markup: no scripts, no event handlers, no foreign objects and no reference to anything but its
own fragments or `data:` URIs. The XML prolog and DOCTYPE are dropped (the DOCTYPE names a
network DTD), and every id is prefixed so that three diagrams on one page cannot collide.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["UnsafeSvgError", "inline_svg"]

_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_TAGS = frozenset({"script", "foreignObject", "iframe", "object", "embed", "animate", "set"})
_ID = re.compile(r'(?<![\w:-])id="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


class UnsafeSvgError(ValueError):
    """The SVG holds something that must not run or load inside the report."""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _check(root: ET.Element) -> None:
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag in _FORBIDDEN_TAGS:
            raise UnsafeSvgError(f"<{tag}> element")
        for name, value in element.attrib.items():
            attribute = _local(name).lower()
            if attribute.startswith("on"):
                raise UnsafeSvgError(f"event handler attribute '{attribute}'")
            if attribute in ("href", "src") and not value.startswith(("#", "data:image/")):
                raise UnsafeSvgError(f"reference to '{value[:60]}'")
            if "url(" in value and not re.fullmatch(r"[^()]*(url\(#[^)]*\)[^()]*)+", value):
                raise UnsafeSvgError(f"external url() in '{attribute}'")
        if tag == "style" and re.search(r"@import|url\((?!#)", element.text or ""):
            raise UnsafeSvgError("external reference in <style>")


def inline_svg(svg: str, prefix: str) -> str:
    """The `<svg>` element only, checked, with ids (and references to them) prefixed.

    Raises `UnsafeSvgError` when the document is not a plain, self-contained SVG.
    """
    start = svg.find("<svg")
    if start < 0:
        raise UnsafeSvgError("no <svg> element")
    body = svg[start:].strip()
    try:
        root = ET.fromstring(body)  # noqa: S314 - our own Graphviz output; expat fetches no DTD
    except ET.ParseError as error:
        raise UnsafeSvgError(f"not well-formed XML: {error}") from None
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        raise UnsafeSvgError("the root element is not <svg>")
    _check(root)
    ids = set(_ID.findall(body))

    def rename(match: re.Match[str]) -> str:
        return f'id="{prefix}-{match.group(1)}"'

    def relink(match: re.Match[str]) -> str:
        target = match.group(2)
        return match.group(1) + (f"{prefix}-{target}" if target in ids else target)

    # One pass each, so that a renamed id is never renamed again.
    return _REF.sub(relink, _ID.sub(rename, body))
