"""The build's diagrams, packed for report.html: checked, icons once, compressed.

The producer of report.html passes the list of views the build drew (`DiagramView`, from the
diagrams' view plan: render and diagrams do not import each other). Every view whose SVG the
build made is checked by `inline_svg` (no script, no
handler, nothing outside itself), its ids are prefixed so that views cannot collide, and its
icons are taken out: each icon is stored once for the whole page in a hidden sprite, where the
views' `<use>` references find it. The SVG text is then gzip-compressed (mtime 0, so the bytes
never change) and base64-encoded; the page unpacks a view with the browser's
DecompressionStream when it is shown. A 300-component model has ~6 MB of SVG, ~0.5 MB packed.

Packing is about a second at 300 components and three at 1,000, so a build packs each view
(`pack_view`) in the thread that drew it, while the other views are laid out, and hands the
results to `pack_diagrams`, which packs only what it was not given.
"""

from __future__ import annotations

import base64
import gzip
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trustmap.render.inline_svg import UnsafeSvgError, inline_svg

__all__ = ["DiagramView", "PackedDiagrams", "PackedView", "pack_diagrams", "pack_view", "view_prefix"]

_ICON_DEFS = re.compile(
    r'\n?<defs>\n((?:<symbol id="tm-icon-[^"]*"[^>]*>.*?</symbol>\n?)+)</defs>', re.DOTALL
)
_SYMBOL = re.compile(r'<symbol id="(tm-icon-[^"]*)"[^>]*>.*?</symbol>', re.DOTALL)
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


@dataclass(frozen=True)
class DiagramView:
    """A view the build drew: its file stem, kind, title, and unit (None: the whole model)."""

    name: str
    kind: str
    title: str
    unit: str | None = None


@dataclass
class PackedDiagrams:
    views: list[dict[str, Any]] = field(default_factory=list)
    #: icon symbol id -> its <symbol> element
    icons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def sprite(self) -> str:
        """One hidden SVG holding every icon once (empty without icons)."""
        if not self.icons:
            return ""
        symbols = "\n".join(self.icons[key] for key in sorted(self.icons))
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'class="sprite" aria-hidden="true" focusable="false"><defs>\n{symbols}\n</defs></svg>'
        )


def _take_icons(svg: str, icons: dict[str, str]) -> str:
    match = _ICON_DEFS.search(svg)
    if match is None:
        return svg
    for symbol in _SYMBOL.finditer(match.group(1)):
        icons.setdefault(symbol.group(1), symbol.group(0))
    return svg[: match.start()] + svg[match.end() :]


def _pack(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def view_prefix(number: int) -> str:
    """The prefix of the ids of the page's `number`-th view (its place in the views given)."""
    return f"d{number}"


@dataclass(frozen=True)
class PackedView:
    """One view's SVG made ready for the page: its icons (symbol id, element, in the order they
    appear) and, unless it was left out (`error`), its size and packed text. `source` is the
    SVG it was made from: `pack_diagrams` uses it only for that very content."""

    source: bytes
    prefix: str
    icons: tuple[tuple[str, str], ...]
    height: float = 0.0
    width: float = 0.0
    svg: str | None = None
    error: str | None = None


def pack_view(content: bytes, prefix: str) -> PackedView:
    """A view's SVG checked, its ids prefixed, its icons taken out, packed (pure)."""
    icons: dict[str, str] = {}
    try:
        text = _take_icons(content.decode("utf-8"), icons)
        svg = inline_svg(text, prefix)
    except (UnsafeSvgError, UnicodeDecodeError) as error:
        return PackedView(content, prefix, tuple(icons.items()), error=str(error))
    size = _SIZE.search(svg)
    return PackedView(
        content,
        prefix,
        tuple(icons.items()),
        height=float(size.group(2)) if size else 0.0,
        width=float(size.group(1)) if size else 0.0,
        svg=_pack(svg),
    )


def pack_diagrams(
    views: Sequence[DiagramView],
    earlier: Mapping[str, bytes],
    packed_views: Mapping[str, PackedView] | None = None,
) -> PackedDiagrams:
    """The views, in the order given; a view without its SVG gets a note instead. A view of
    `packed_views` (by name) is used as it is when it was packed from the same SVG, with the
    prefix of its place here; any other is packed now."""
    packed = PackedDiagrams()
    given = packed_views or {}
    for number, spec in enumerate(views):
        content = earlier.get(f"{spec.name}.svg")
        entry: dict[str, Any] = {
            "kind": spec.kind,
            "name": spec.name,
            "title": spec.title,
            "unit": spec.unit,
        }
        if content is None:
            packed.notes.append(spec.title)
            continue
        prefix = view_prefix(number)
        view = given.get(spec.name)
        if view is None or view.prefix != prefix or view.source != content:
            view = pack_view(content, prefix)
        for key, symbol in view.icons:  # the first view that holds an icon gives its element
            packed.icons.setdefault(key, symbol)
        if view.svg is None:
            packed.notes.append(f"{spec.title} (left out: {view.error})")
            continue
        entry.update(
            {
                "height": view.height,
                "ids": f"{prefix}-{spec.name}-",
                "svg": view.svg,
                "width": view.width,
            }
        )
        packed.views.append(entry)
    if packed.icons:
        # the sprite is markup of its own: check it like a diagram
        inline_svg(packed.sprite(), "icons")
    return packed
