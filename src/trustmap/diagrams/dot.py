"""A small DOT emitter: statements as lines of text, attributes in a fixed order.

Writing DOT ourselves keeps the output byte-for-byte deterministic and every string escaped
(docs/performance.md, "Diagram sources and layout"). Attribute values are either `Html` (an
HTML-like label, already escaped by the caller with `text.html`) or plain values that are
quoted here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from trustmap.diagrams.text import dot_id

__all__ = ["Attrs", "Html", "attr_list", "edge", "graph", "label_box", "node", "subgraph"]


@dataclass(frozen=True, slots=True)
class Html:
    """An HTML-like label body (without the outer angle brackets), escaped by the caller."""

    body: str


Value = str | int | float | bool | Html
Attrs = Mapping[str, Value]


def _value(value: Value) -> str:
    if isinstance(value, Html):
        return f"<{value.body}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return dot_id(f"{value:g}")
    return dot_id(str(value))


def label_box(body: str) -> Html:
    """An edge label on a mostly opaque white box, so that lines dot routes behind it do not
    cross out its text (dot places edge labels between ranks, where other edges pass)."""
    return Html(
        f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" BGCOLOR="#FFFFFFD9">'
        f"<TR><TD>{body}</TD></TR></TABLE>"
    )


def attr_list(attrs: Attrs) -> str:
    """`[a="1", b=<...>]` with the keys in the order given (callers pass them sorted or fixed)."""
    if not attrs:
        return ""
    return " [" + ", ".join(f"{key}={_value(value)}" for key, value in attrs.items()) + "]"


def node(node_id: str, attrs: Attrs) -> str:
    return f"{dot_id(node_id)}{attr_list(attrs)};"


def edge(source: str, target: str, attrs: Attrs) -> str:
    return f"{dot_id(source)} -> {dot_id(target)}{attr_list(attrs)};"


def _defaults(kind: str, attrs: Attrs) -> list[str]:
    return [f"{kind}{attr_list(attrs)};"] if attrs else []


def _indent(lines: Iterable[str]) -> list[str]:
    return ["  " + line if line else line for line in lines]


def subgraph(name: str, attrs: Attrs, body: Iterable[str]) -> list[str]:
    """A (cluster) subgraph; its attributes are graph attributes of the subgraph."""
    inner = [f"{key}={_value(value)};" for key, value in attrs.items()]
    return [f"subgraph {dot_id(name)} {{", *_indent([*inner, *body]), "}"]


def graph(
    name: str,
    graph_attrs: Attrs,
    node_attrs: Attrs,
    edge_attrs: Attrs,
    body: Iterable[str],
    comments: Iterable[str] = (),
) -> str:
    """A whole `digraph`, ending with a newline."""
    head = [f"// {line}" for line in comments]
    lines = [
        *_defaults("graph", graph_attrs),
        *_defaults("node", node_attrs),
        *_defaults("edge", edge_attrs),
        *body,
    ]
    return "\n".join([*head, f"digraph {dot_id(name)} {{", *_indent(lines), "}"]) + "\n"
