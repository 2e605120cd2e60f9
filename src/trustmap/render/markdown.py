"""Escaping for GitHub-flavoured Markdown, and the table helper the Markdown outputs share.

User text (names, descriptions, reasons) may hold any character. In Markdown it must not open
emphasis, links, code, HTML, table cells, mentions or issue references, so every character
with a meaning is escaped: `<`, `>` and `&` as HTML entities (GitHub renders them literally),
and `\\`, backticks, `*`, `_`, `[`, `]`, `|`, `~`, `#` (issue links), `@` (mentions) and `$`
(math) with a backslash. Punctuation that only matters at the start of a line (`-`, `+`, `1.`)
is left alone: these helpers never start a line. Line breaks become `<br>` in table cells and
spaces elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["code", "md_cell", "md_text", "table"]

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Backslash first so that the escapes added for the others are not escaped again.
_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#@$])")
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")
# C0 and C1 controls (terminal escapes among them), DEL, and what XML cannot carry.
_CONTROLS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def md_text(text: object) -> str:
    """Text that renders literally in a paragraph, heading or list item (one line)."""
    return _escape(str(text), " ")


def md_cell(text: object) -> str:
    """Text that renders literally inside a table cell; line breaks are kept as `<br>`."""
    return _escape(str(text), "<br>")


def _escape(text: str, newline: str) -> str:
    escaped = "".join(_ENTITIES.get(ch, ch) for ch in text)
    escaped = _PUNCTUATION.sub(r"\\\1", escaped)
    # Other control characters would be dropped or shown as boxes; a space keeps words apart.
    escaped = _CONTROLS.sub(" ", escaped)
    lines = [line.strip() for line in _NEWLINES.split(escaped)]
    return newline.join(line for line in lines if line) if len(lines) > 1 else escaped.strip()


def code(identifier: str) -> str:
    """An identifier (catalog or model id, never free text) as inline code."""
    fence = "``" if "`" in identifier else "`"
    body = identifier.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GitHub table; cells must already be escaped (or be trusted markup such as links)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines
