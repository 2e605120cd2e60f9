"""Escaping and wrapping of user text for DOT, SVG and Mermaid."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from trustmap.diagrams.text import clean, dot_id, html, mermaid_id, mermaid_text, wrap

IDS = st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True)


def test_html_escapes_markup_and_keeps_backslashes_literal() -> None:
    assert html('<<trust boundary>> & "q"') == "&lt;&lt;trust boundary&gt;&gt; &amp; &quot;q&quot;"
    assert html("C:\\new \\G") == "C:\\\\new \\\\G"  # dot expands \G even in HTML labels
    assert html("a\nb") == "a<BR/>b"


def test_clean_replaces_characters_xml_cannot_carry() -> None:
    assert clean("a\x07b\r\nc\td") == "a\ufffdb\nc d"


def test_dot_id_escapes_quotes_backslashes_and_newlines() -> None:
    assert dot_id('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


@given(IDS, IDS)
def test_mermaid_ids_are_injective_and_plain(first: str, second: str) -> None:
    a, b = mermaid_id("c", first), mermaid_id("c", second)
    assert re.fullmatch(r"c_[A-Za-z0-9_]+", a)
    assert (a == b) == (first == second)


@given(st.text())
def test_mermaid_text_has_no_syntax_characters(text: str) -> None:
    escaped = mermaid_text(text)
    assert not re.search(r'["<>#\\]', escaped.replace("<br/>", ""))
    assert "\n" not in escaped


def test_wrap_balances_lines_and_bounds_their_number() -> None:
    assert wrap("Route 53 hosted zone shop.example.de", 22) == ["Route 53 hosted zone", "shop.example.de"]
    assert wrap("threat-detection", 13) == ["threat-detection"]  # a slightly long word stays whole
    lines = wrap("x" * 200, 10, max_lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert wrap("", 10) == [""]
    assert wrap("first\nsecond", 40) == ["first", "second"]
