r"""Escaping and wrapping of user text for DOT (HTML-like labels), SVG and Mermaid.

Model names may hold any Unicode, quotes, `<`, `>`, `&`, backslashes and newlines. In DOT
every user string goes into an HTML-like label, where `&`, `<`, `>` and `"` are markup, and
where Graphviz still expands `\G`, `\N`, `\E`, `\H`, `\T` and `\L` (after decoding
entities, so `&#92;` does not help): a backslash is written `\\`. Line breaks become `<BR/>`.
"""

from __future__ import annotations

import re

from trustmap.free_text import NONCHARACTERS

__all__ = [
    "clean",
    "dot_id",
    "html",
    "html_lines",
    "mermaid_id",
    "mermaid_text",
    "wrap",
]

# C0/C1 controls other than tab and newline, and the noncharacters U+FFFE and U+FFFF, are not
# allowed in XML 1.0 (Graphviz parses HTML labels with expat, and SVG is XML: one of them made
# Graphviz refuse every view), so they are shown as U+FFFD, as are the other noncharacters.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{NONCHARACTERS}]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029")


def clean(text: str) -> str:
    """Normalise line breaks and replace characters that XML cannot carry."""
    return _CONTROLS.sub("\ufffd", _LINE_BREAKS.sub("\n", text)).replace("\t", " ")


def shorten(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters: titles must stay far below Graphviz's label limit."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_BREAK_AFTER = re.compile(r"(?<=[./_@:,\-])")


def _pieces(word: str, width: int) -> list[str]:
    """A word too long for a line, cut after punctuation where possible, else hard (a word
    a few characters too long is left whole: that reads better than a cut)."""
    if len(word) <= width + 3:
        return [word]
    pieces: list[str] = []
    for part in _BREAK_AFTER.split(word):
        while len(part) > width:
            pieces.append(part[:width])
            part = part[width:]
        if part:
            pieces.append(part)
    return pieces


def _pack(words: list[list[str]], width: int) -> list[str]:
    """Greedy filling: a word's pieces join without a space, words with one."""
    lines: list[str] = []
    current = ""
    for pieces in words:
        for position, piece in enumerate(pieces):
            joined = current + ("" if position or not current else " ") + piece
            if current and len(joined) > width:
                lines.append(current)
                current = piece
            else:
                current = joined
    return [*lines, current]


def _balanced(paragraph: str, width: int) -> list[str]:
    """Wrapped into as few lines as `width` allows, with those lines about equally long
    ("Route 53 hosted zone" / "shop.example.de"); a word is cut only when it is too long."""
    words = [_pieces(word, width) for word in paragraph.split()]
    if not words:
        return [""]
    greedy = _pack(words, width)
    for narrower in range(max(len(paragraph) // len(greedy), 1), width):
        lines = _pack(words, narrower)
        if len(lines) <= len(greedy):
            return lines
    return greedy


def wrap(text: str, width: int, max_lines: int = 4) -> list[str]:
    """Lines of at most about `width` characters; user line breaks are kept.

    Long words are broken; beyond `max_lines` the last line ends with an ellipsis, so a
    pathological name cannot blow up a node.
    """
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        lines.extend(_balanced(paragraph, width))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: max(width - 1, 1)] + "…"]
    return lines


def html(text: str) -> str:
    """Text for a Graphviz HTML-like label (also valid XML character data)."""
    return (
        clean(text)
        .replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "<BR/>")
    )


def html_lines(lines: list[str], br: str = "<BR/>") -> str:
    """Escaped lines joined by `br` (`<BR ALIGN="LEFT"/>` for left-aligned text)."""
    return br.join(html(line) for line in lines)


def dot_id(text: str) -> str:
    """A quoted DOT identifier or attribute value."""
    escaped = clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def mermaid_id(prefix: str, identifier: str) -> str:
    """A Mermaid node id that is stable and injective: `_` -> `__`, `-` -> `_h`.

    Model ids are lower-case letters, digits, `-` and `_`; Mermaid ids with `-` are ambiguous
    next to arrows (`a-->b`), and the prefix keeps ids like `end` from being keywords.
    """
    encoded = "".join("__" if ch == "_" else "_h" if ch == "-" else ch for ch in identifier)
    encoded = re.sub(r"[^A-Za-z0-9_]", lambda m: f"_u{ord(m.group()):x}_", encoded)
    return f"{prefix}_{encoded}"


_MERMAID_ENTITIES = {
    "&": "&amp;",
    '"': "&quot;",
    "<": "&lt;",
    ">": "&gt;",
    "#": "&num;",
    "\\": "&bsol;",
}


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label, escaped as HTML (flowchart labels are HTML).

    Mermaid's own entity codes (`#quot;`) are not used, and `#` is escaped, because Mermaid 11
    leaves `#...;` codes undecoded in wrapped labels and edge labels; a backslash is escaped
    because Mermaid reads `\\n` as a line break and cuts subgraph titles at one; brackets, braces
    and pipes are literal inside quotes. Line breaks become `<br/>`.
    """
    body = "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in clean(text))
    return body.replace("\n", "<br/>")
