"""The one colour language of every view and page (docs/outputs.md, "Colours").

Three vocabularies, three disjoint palettes: severity (warm hues, dark red to amber) only for
open findings; owner of a duty (customer blue, AWS violet, shared teal, third-party brown)
only for the responsibility split; boundaries neutral grey (in `diagrams.style`).
The diagrams and the HTML pages both read these values, so the palette has one source.
"""

from __future__ import annotations

__all__ = ["OWNER_INK", "OWNER_STYLES", "SEVERITY_COLOURS", "SEVERITY_TINTS"]

#: severity of open findings, highest first: strong colour, and a tint for backgrounds
SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#7A0916",
    "high": "#C21A1A",
    "medium": "#C2570C",
    "low": "#8F6A00",
    "info": "#5F6670",
}
SEVERITY_TINTS: dict[str, str] = {
    "critical": "#F9DCDF",
    "high": "#FDE3E1",
    "medium": "#FDEBDD",
    "low": "#FBF1CF",
    "info": "#EEF0F2",
}

#: owner of a duty: (strong colour, tint); the strong colour fills matrix cells and badges
OWNER_STYLES: dict[str, tuple[str, str]] = {
    "customer": ("#1F5FA8", "#DCE9F7"),
    "aws": ("#5B45B0", "#E9E4F7"),
    "shared": ("#0D7A70", "#D8F0EC"),
    "third-party": ("#7A5A2E", "#F1E9DD"),
}
#: text on the strong owner colours
OWNER_INK: dict[str, str] = {
    "customer": "#FFFFFF",
    "aws": "#FFFFFF",
    "shared": "#FFFFFF",
    "third-party": "#FFFFFF",
}
