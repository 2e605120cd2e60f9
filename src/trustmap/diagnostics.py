"""Diagnostics: positioned problems in a model or catalog file.

Every problem that trustmap reports about an input file is a `Diagnostic` with a stable code:

- ``E0xx`` the file cannot be read as YAML (syntax, encoding, duplicate keys, unsafe tags, size);
- ``E1xx`` the document does not fit the schema (missing or unknown keys, wrong types or values);
- ``E2xx`` references that do not resolve and other cross-entry rules (unknown ids, cycles);
- ``W3xx`` warnings: the file is valid but probably not what the author meant.

They are printed as ``path:line:column: CODE message`` followed by the source line and a caret,
in the style of ruff, so that editors and CI logs can jump to them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = [
    "Diagnostic",
    "Span",
    "closest",
    "did_you_mean",
    "format_diagnostic",
    "format_diagnostics",
    "has_errors",
    "printable",
]

Level = Literal["error", "warning"]


class Span(NamedTuple):
    """A region of a source file; lines and columns start at 1, the end is exclusive.

    A named tuple rather than a frozen dataclass: the YAML loader makes one per key and value
    (millions for a large model), and a frozen dataclass costs five times as much to build.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column + 1)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one file."""

    code: str
    message: str
    path: str
    span: Span | None = None

    @property
    def level(self) -> Level:
        return "warning" if self.code.startswith("W") else "error"

    @property
    def line(self) -> int:
        return self.span.line if self.span else 1

    @property
    def column(self) -> int:
        return self.span.column if self.span else 1

    def headline(self) -> str:
        path = self.path if self.path.isprintable() else printable(self.path, len(self.path))
        return f"{path}:{self.line}:{self.column}: {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "level": self.level,
            "message": self.message,
        }


def printable(text: str, limit: int = 80) -> str:
    r"""A value from the input as a message quotes it: control and invisible formatting characters
    escaped (`\x1b`, `\u202e`), so that a model cannot drive the terminal or hide text, and cut
    to `limit` characters (hostile files hold megabyte-long values)."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    if cut.isprintable():
        return cut
    return "".join(c if c.isprintable() else _escape(c) for c in cut)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.level == "error" for d in diagnostics)


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to `word`, best first (for "did you mean" hints)."""
    pool = sorted(set(candidates))
    word = _comparable(word, pool)
    if word in pool:
        return [word]
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not found:
        # Prefix matches catch truncated ids ("cloudfr") that difflib ranks too low.
        found = [c for c in pool if c.startswith(word) or word.startswith(c)][:n] if word else []
    return found


_VENDOR_PREFIXES = ("amazon-", "aws-", "amazon ", "aws ")


def _comparable(word: str, pool: list[str]) -> str:
    """`word` as the names are spelled: ids and keys are lower case and name no vendor, so
    'RDS', 'Amazon-RDS' and 'aws-lambda' are compared as 'rds' and 'lambda'."""
    lowered = word.lower()
    for prefix in _VENDOR_PREFIXES:
        if lowered.startswith(prefix) and lowered[len(prefix) :] in pool:
            return lowered[len(prefix) :]
    return lowered if lowered != word and lowered in pool else word


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint such as `` (did you mean 'db'?)``, or an empty string."""
    found = closest(word, candidates)
    if not found:
        return ""
    quoted = [f"'{c}'" for c in found]
    options = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {options}?)"


def _excerpt(diagnostic: Diagnostic, lines: Sequence[str]) -> list[str]:
    span = diagnostic.span
    if span is None or not 1 <= span.line <= len(lines):
        return []
    text = lines[span.line - 1].rstrip("\r\n").expandtabs(1)
    if len(text) > 200:
        # Keep excerpts of minified or hostile files readable.
        text = text[:200] + "…"
    if not text.isprintable():
        # Terminal escapes, bidi overrides: shown as one replacement character each, so the
        # caret stays under the right column and the source line cannot drive the terminal.
        text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    width = len(str(span.line))
    start = min(span.column - 1, len(text))
    end = span.end_column - 1 if span.end_line == span.line else len(text)
    length = max(1, min(end, len(text)) - start)
    gutter = " " * width
    return [f" {span.line} | {text}", f" {gutter} | {' ' * start}{'^' * length}"]


def format_diagnostic(diagnostic: Diagnostic, lines: Sequence[str] = ()) -> str:
    """The diagnostic as text: the headline, then the source line with a caret under the span."""
    return "\n".join([diagnostic.headline(), *_excerpt(diagnostic, lines)])


def format_diagnostics(diagnostics: Iterable[Diagnostic], lines: Sequence[str] = ()) -> str:
    return "\n".join(format_diagnostic(d, lines) for d in sorted(diagnostics, key=Diagnostic.sort_key))
