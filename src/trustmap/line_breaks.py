"""Lines as an editor counts them, for files PyYAML counts differently.

PyYAML and libyaml follow YAML 1.1, which also ends a line at NEL (U+0085), LINE SEPARATOR
(U+2028) and PARAGRAPH SEPARATOR (U+2029); so does `str.splitlines`. Editors, `grep -n` and
YAML 1.2 end lines only at LF, CR LF and CR. A file holding one of those three characters would
get positions (and excerpts) lines below the place an editor shows; `EditorPositions` moves
PyYAML's positions to the editor's. Files without them, nearly all, are left as read.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from trustmap.diagnostics import Span

__all__ = ["EditorPositions", "editor_lines", "source_lines"]

#: line ends to YAML 1.1 only
_YAML11_ONLY = ("\x85", "\u2028", "\u2029")
_EDITOR_BREAK = re.compile(r"\r\n|\r|\n")
_YAML11_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def editor_lines(text: str) -> tuple[str, ...]:
    """The lines of `text` as an editor numbers them (`str.splitlines` also splits at NEL,
    U+2028 and U+2029, and at form feeds and other separators)."""
    # `str.split` is three times as fast as the pattern; most files have no CR
    lines = _EDITOR_BREAK.split(text) if "\r" in text else text.split("\n")
    if lines and not lines[-1]:
        lines.pop()  # a final line break ends the last line; it does not start another
    return tuple(lines)


def _starts(breaks: re.Pattern[str], text: str) -> list[int]:
    return [0, *(found.end() for found in breaks.finditer(text))]


class EditorPositions:
    """Moves (line, column) from YAML 1.1's count to an editor's; both start at 1."""

    __slots__ = ("_editor", "_yaml")

    def __init__(self, text: str) -> None:
        self._yaml = _starts(_YAML11_BREAK, text)
        self._editor = _starts(_EDITOR_BREAK, text)

    @classmethod
    def needed(cls, text: str) -> EditorPositions | None:
        """The mapping for `text`, or None when both counts agree (no YAML 1.1-only break)."""
        return cls(text) if any(c in text for c in _YAML11_ONLY) else None

    def point(self, line: int, column: int) -> tuple[int, int]:
        offset = self._yaml[min(line, len(self._yaml)) - 1] + column - 1
        editor_line = bisect_right(self._editor, offset)
        return editor_line, offset - self._editor[editor_line - 1] + 1

    def line(self, line: int) -> int:
        return self.point(line, 1)[0]

    def span(self, span: Span) -> Span:
        return Span(*self.point(span.line, span.column), *self.point(span.end_line, span.end_column))

    def spans(self, table: dict[tuple[str | int, ...], Span]) -> None:
        """Moves every span of a source-map table, in place."""
        for path, span in table.items():
            table[path] = self.span(span)

    def optional(self, span: Span | None) -> Span | None:
        return None if span is None else self.span(span)


def source_lines(raw: bytes) -> tuple[str, ...]:
    """The lines of a file's bytes for excerpts, as an editor numbers them; bytes that are not
    UTF-8 show as U+FFFD."""
    return editor_lines(raw.decode("utf-8", errors="replace"))
