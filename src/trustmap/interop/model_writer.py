"""Write an imported model as readable YAML, with comments for the architect who finishes it.

Importers build a `Draft` (plain values plus comment lines per entry); `render_model` turns it
into the text of a trustmap model. Scalars are emitted by PyYAML's safe dumper one at a time,
so that any name or description (quotes, `#`, newlines, Unicode) is quoted correctly, while the
layout and the comments stay under our control.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Draft", "Entry", "render_model"]


@dataclass
class Entry:
    """One entry of a section: its fields in the order to write them, and comments above it."""

    fields: dict[str, Any]
    comments: list[str] = field(default_factory=list)
    #: comments written at the end of one field's line, by field name
    trailing: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """A model being imported, before it is written out."""

    name: str
    header: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    description: str | None = None
    owner: str | None = None
    region: str | None = None
    data: dict[str, Entry] = field(default_factory=dict)
    boundaries: dict[str, Entry] = field(default_factory=dict)
    components: dict[str, Entry] = field(default_factory=dict)
    flows: list[Entry] = field(default_factory=list)
    #: account-wide controls in place (the model's top-level `controls`)
    controls: list[str] = field(default_factory=list)
    #: risk decisions (the model's `accepted` list)
    accepted: list[Entry] = field(default_factory=list)
    #: what of the input did not become a component, each named with what became of it
    left_out: list[str] = field(default_factory=list)
    #: format 1.2: identities, what they may do, security groups and route domains
    principals: dict[str, Entry] = field(default_factory=dict)
    grants: list[Entry] = field(default_factory=list)
    security_groups: dict[str, Entry] = field(default_factory=dict)
    route_domains: dict[str, Entry] = field(default_factory=dict)


def _dump(value: Any, style: str | None) -> str:
    text = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, default_style=style, width=2**31 - 1
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def _scalar(value: Any) -> str:
    """One scalar on one line: plain when YAML allows it, else double-quoted with escapes."""
    if isinstance(value, str) and not all(map(_printable, value)):
        return _dump(value, '"')  # escapes line breaks and control characters
    return _dump(value, None)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [t for item in value for t in _strings(item)]
    return [value] if isinstance(value, str) else []


def _value(value: Any) -> str:
    """A field's value on one line; collections in flow style, quoted as flow context needs."""
    if isinstance(value, list | dict):
        plain = all(_printable(c) for text in _strings(value) for c in text)
        return _dump(value, None if plain else '"')
    return _scalar(value)


def _printable(char: str) -> bool:
    # YAML's printable set, less the characters that PyYAML also reads as line breaks
    code = ord(char)
    return (
        char == "\t"
        or 0x20 <= code <= 0x7E
        or (0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029))
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or code >= 0x10000
    )


def _comment(text: str) -> str:
    """Text safe inside a `#` comment: one line, no character that YAML would refuse."""
    return "".join(c if _printable(c) else f"\\x{ord(c):02x}" for c in text)


def _comment_lines(lines: Iterable[str], indent: str) -> list[str]:
    out = []
    for line in lines:
        for part in line.splitlines() or [""]:
            out.append(f"{indent}# {_comment(part)}".rstrip())
    return out


def _fields(entry: Entry, indent: str, first_prefix: str | None = None) -> list[str]:
    out = []
    for index, (key, value) in enumerate(entry.fields.items()):
        prefix = first_prefix if first_prefix is not None and index == 0 else indent
        line = f"{prefix}{key}: {_value(value)}"
        if key in entry.trailing:
            line += f"  # {_comment(' '.join(entry.trailing[key].splitlines()))}"
        out.append(line)
    return out


def _section(name: str, entries: dict[str, Entry], intro: str) -> list[str]:
    if not entries:
        return []
    out = ["", f"{name}:  # {intro}"]
    for entry_id, entry in entries.items():
        out.extend(_comment_lines(entry.comments, "  "))
        out.append(f"  {_scalar(entry_id)}:" + ("" if entry.fields else " {}"))
        out.extend(_fields(entry, "    "))
    return out


def _list(name: str, entries: list[Entry], intro: str) -> list[str]:
    if not entries:
        return []
    out = ["", f"{name}:  # {intro}"]
    for entry in entries:
        out.extend(_comment_lines(entry.comments, "  "))
        out.extend(_fields(entry, "    ", first_prefix="  - "))
    return out


def render_model(draft: Draft) -> str:
    """The model as YAML text: header comments, then the sections in the format's order."""
    out = _comment_lines(draft.header, "")
    if draft.attention:
        out.append("#")
        out.append("# Needs the architect's attention:")
        for item in draft.attention:
            wrapped = textwrap.wrap(item, width=96, break_long_words=False, break_on_hyphens=False)
            out.extend(_comment_lines(["- " + wrapped[0], *("  " + rest for rest in wrapped[1:])], ""))
    if draft.left_out:
        out.append("#")
        out.append("# Not components (every other resource of the input, and what became of it):")
        for item in draft.left_out:
            wrapped = textwrap.wrap(item, width=96, break_long_words=False, break_on_hyphens=False)
            out.extend(_comment_lines(["- " + wrapped[0], *("  " + rest for rest in wrapped[1:])], ""))
    out.append("")
    out.append("trustmap: 1")
    out.append(f"name: {_scalar(draft.name)}")
    if draft.description:
        out.append(f"description: {_scalar(draft.description)}")
    if draft.owner:
        out.append(f"owner: {_scalar(draft.owner)}")
    if draft.region:
        out.append(f"region: {_scalar(draft.region)}")
    out.extend(_section("data", draft.data, "data assets: classify what each component stores"))
    out.extend(_section("boundaries", draft.boundaries, "trust boundaries, nested by parent"))
    out.extend(_section("components", draft.components, "one per resource"))
    out.extend(_section("principals", draft.principals, "identities that AWS authorises"))
    out.extend(_list("grants", draft.grants, "what each principal may do"))
    out.extend(_section("security_groups", draft.security_groups, "ingress and egress rules"))
    out.extend(_section("route_domains", draft.route_domains, "networks joined by one route table"))
    out.extend(_list("flows", draft.flows, "direction of the request"))
    if draft.controls:
        out.extend(["", f"controls: {_value(sorted(draft.controls))}  # account-wide controls in place"])
    out.extend(_list("accepted", draft.accepted, "risk decisions"))
    return "\n".join(out) + "\n"
