r"""Free text from an input, made safe to land in a terminal or a text file.

Names, descriptions, reasons and tags may hold any Unicode, and the model keeps them as
written (JSON outputs carry them exactly, escaped). Some characters do harm in the outputs
that show text as it is:

- terminal controls (ESC, BEL and the other C0 and C1 controls, DEL) redraw a terminal or set
  its title when an output is printed or `cat`; `clean_text` removes them (a tab and a line
  break stay);
- line breaks come in many spellings (`\r\n`, a lone `\r`, vertical tab, form feed, NEL,
  U+2028, U+2029...): CSV readers and spreadsheets end a row at some of them, other tools at
  others, so `clean_text` makes every one of them `\n`, which each output then escapes or
  quotes in its own way;
- characters that XML cannot carry (the noncharacters U+FFFE and U+FFFF, and the others of
  each plane) make SVG invalid and Graphviz refuse a label; they are removed.

JSON outputs keep every value exactly: `json_text` only writes the controls that the encoder
leaves raw as escapes. Everything else, including right-to-left text and emoji, is kept. The escaping for each
format (HTML, Markdown, DOT, Mermaid, CSV) still happens where that output is written.
"""

from __future__ import annotations

import re

__all__ = [
    "LINE_BREAK",
    "MAX_NAME_LENGTH",
    "MAX_REASON_LENGTH",
    "NONCHARACTERS",
    "clean_text",
    "json_text",
    "shorten",
]

#: every character or pair that some reader takes for the end of a line
LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: the Unicode noncharacters, as the inside of a regular-expression class: U+FFFE and U+FFFF
#: are not XML characters (Graphviz refuses a label holding one), the others are meaningless
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_UNWANTED = re.compile(f"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f{NONCHARACTERS}]")
# What JSON (with ensure_ascii=False) leaves raw although a terminal (C1 controls such as CSI
# U+009B, DEL) or a JavaScript parser (U+2028, U+2029) takes it for a control, and the
# noncharacters that XML (SARIF viewers, the OTM tools) refuses.
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{NONCHARACTERS}]")
#: A display name longer than this is cut, with an ellipsis: names repeat in every checklist
#: row and diagram label, so one long name would multiply the size of the outputs.
MAX_NAME_LENGTH = 200
#: The same for a risk decision's reason, which repeats on every item the decision matches.
MAX_REASON_LENGTH = 1000


def clean_text(text: str) -> str:
    """`text` without terminal controls or XML-invalid characters, every line break as `\n`."""
    if text.isprintable():  # the common case: nothing to do
        return text
    return _UNWANTED.sub("", LINE_BREAK.sub("\n", text))


def json_text(encoded: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with the controls that the encoder
    leaves raw written as `\\uXXXX` escapes: the same value, and nothing a terminal runs."""
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    return _RAW_IN_JSON.sub(_json_escape, encoded)


def _json_escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the first plane: a surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the last of them an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
