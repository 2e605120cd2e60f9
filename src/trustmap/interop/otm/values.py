"""Small readers for OTM values: ids, booleans, ratings, tags, protocols and risk decisions."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from trustmap.interop.model_writer import Entry
from trustmap.interop.names import is_model_id, slugify
from trustmap.interop.otm.reader import Element, OtmFlow
from trustmap.model import PROTOCOLS, STATED_PROPERTIES, Component

__all__ = [
    "UUID",
    "boolean",
    "decision_entry",
    "guess_protocol",
    "preferred_id",
    "rating",
    "stated_value",
    "tag_map",
]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PORT_PROTOCOLS = {
    "443": "https",
    "80": "http",
    "22": "ssh",
    "3389": "rdp",
    "5432": "postgres",
    "3306": "mysql",
}


def preferred_id(element: Element, fallback: str) -> str:
    own = element.attributes.get("trustmap_id", "")
    if is_model_id(own):
        return own
    generated = UUID.search(element.otm_id.lower()) is not None or len(element.otm_id) > 40
    if generated or sum(c.isalpha() for c in element.otm_id) < 2:
        return slugify(element.name, fallback)  # generated, path-like or numeric ids say less than the name
    return element.otm_id if is_model_id(element.otm_id) else slugify(element.otm_id, fallback)


def boolean(text: str | None) -> bool | None:
    return {"true": True, "false": False}.get((text or "").strip().lower())


def guess_protocol(flow: OtmFlow, ports: Mapping[int, str]) -> tuple[str | None, int | None]:
    """The flow's protocol (None when nothing says) and port, from attributes, tags or name."""
    port_text = flow.attributes.get("port", "")
    numbers = [int(t) for t in [port_text, *flow.tags] if t.isdigit() and 0 < int(t) < 65536]
    port = numbers[0] if numbers else None
    stated = flow.attributes.get("protocol") or next(
        (t.split(":", 1)[1] for t in flow.tags if t.startswith("protocol:")), ""
    )
    if stated.lower() in PROTOCOLS:
        return stated.lower(), port
    if port is not None and (ports.get(port) or _PORT_PROTOCOLS.get(str(port))):
        return str(ports.get(port) or _PORT_PROTOCOLS[str(port)]), port
    for word in re.findall(r"[a-z0-9-]+", " ".join([flow.name or "", *flow.tags]).lower()):
        if word in PROTOCOLS and word != "other":
            return word, port
    return None, port


def rating(risk: Any) -> int | None:
    value = risk.get("trustRating") if isinstance(risk, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, min(100, round(value)))


def tag_map(tags: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    plain = []
    for tag in tags:
        key, sep, value = tag.partition(":")
        if sep and key and "::" not in tag and not key.startswith("trustmap"):
            found[key] = value
        else:
            plain.append(tag)
    if plain:
        found["otm-tags"] = ", ".join(plain)
    return found


def decision_entry(decision: dict[str, str]) -> Entry:
    fields: dict[str, Any] = {
        key: decision[key] for key in ("finding", "status", "reason", "owner") if decision.get(key)
    }
    expires = decision.get("expires")
    if expires:
        try:
            fields["expires"] = dt.date.fromisoformat(expires)
        except ValueError:
            fields["expires"] = expires  # validation will point at it
    if decision.get("ticket"):
        fields["ticket"] = decision["ticket"]
    return Entry(fields)


def stated_value(key: str, text: str) -> Any:
    """The value of a component's stated property `key` from its OTM attribute text (as
    `exporter._text` writes it), checked against the format's type of that key; None when the
    key is not a property or the text is no value of its type."""
    adapter = _property_types().get(key)
    if adapter is None:
        return None
    for candidate in _readings(text):
        try:
            return adapter.validate_python(candidate)
        except ValidationError:
            continue
    return None


def _readings(text: str) -> list[Any]:
    """What the text may stand for, most specific first: JSON, a flag, a number, a list, a word."""
    readings: list[Any] = []
    if text[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):  # not JSON: one of the plainer readings
            readings.append(json.loads(text))
    flag = boolean(text)
    if flag is not None:
        readings.append(flag)
    if text.isdigit():
        readings.append(int(text))
    readings += [[part for part in text.split(",") if part], text]
    return readings


@functools.cache
def _property_types() -> dict[str, TypeAdapter[Any]]:
    """A strict validator per stated property, from the format's own field types."""
    strict = ConfigDict(strict=True)
    adapters: dict[str, TypeAdapter[Any]] = {}
    for key in STATED_PROPERTIES:
        info = Component.model_fields[key]
        kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        adapters[key] = TypeAdapter(kind, config=strict)
    return adapters
