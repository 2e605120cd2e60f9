"""Make Graphviz SVG self-contained: icons become embedded `data:` URIs, stored once each.

Graphviz writes every icon as `<image xlink:href="aws/compute/ec2.png" width= height=
preserveAspectRatio= x= y=/>`. Each distinct icon becomes one `<symbol>` in a `<defs>` block
right after the root element, holding the PNG as base64, and each `<image>` becomes a `<use>`
of it with the same box. The symbol ids derive from the icon key, so two SVGs inlined in one
HTML page agree on what an id means.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Mapping

__all__ = ["embed_icons", "png_size"]

_IMAGE = re.compile(r'<image xlink:href="([^"]*)"([^>]*?)/>')
_ATTR = re.compile(r'(width|height|x|y|preserveAspectRatio)="([^"]*)"')
_ROOT = re.compile(r"<svg\b[^>]*>")


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (1x1 when it is not a PNG)."""
    if content[:8] != b"\x89PNG\r\n\x1a\n" or len(content) < 24:
        return 1, 1
    width, height = struct.unpack(">II", content[16:24])
    return max(width, 1), max(height, 1)


def _symbol_id(key: str) -> str:
    return "tm-icon-" + re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")


def _unescape(value: str) -> str:
    return value.replace("&amp;", "&").replace("&#45;", "-")


def embed_icons(svg: str, icons: Mapping[str, bytes]) -> str:
    """The SVG with every icon reference replaced by a `<use>` of an embedded symbol.

    An `<image>` whose file is not in `icons` is dropped, so that no path ever leaks.
    """
    used: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        key = _unescape(match.group(1))
        if key not in icons:
            return ""
        attrs = dict(_ATTR.findall(match.group(2)))
        symbol = used.setdefault(key, _symbol_id(key))
        box = " ".join(f'{name}="{attrs[name]}"' for name in ("x", "y", "width", "height") if name in attrs)
        return f'<use xlink:href="#{symbol}" {box}/>'

    body = _IMAGE.sub(replace, svg)
    if not used:
        return body
    symbols = []
    for key, symbol in sorted(used.items(), key=lambda item: item[1]):
        width, height = png_size(icons[key])
        data = base64.b64encode(icons[key]).decode("ascii")
        symbols.append(
            f'<symbol id="{symbol}" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet">'
            f'<image width="{width}" height="{height}" xlink:href="data:image/png;base64,{data}"/>'
            "</symbol>"
        )
    defs = "\n<defs>\n" + "\n".join(symbols) + "\n</defs>"
    root = _ROOT.search(body)
    if root is None:
        return body
    return body[: root.end()] + defs + body[root.end() :]
