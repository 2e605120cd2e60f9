"""What `trustmap export otm` carries in OTM's attributes because OTM has no element for it.

The format 1.2 sections (principals, grants, security groups, route domains) travel as JSON
text in the project's `trustmap_<section>` attributes, exactly as the model wrote them; a
component's `runs_as` and `security_groups` among its attributes. Each entry is checked against
the format's own schema on the way back: one that does not fit (an edited document) is left
out and named, never dropped silently, and so is a reference to one that was left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from trustmap.interop.model_writer import Draft, Entry
from trustmap.model import Grant, Principal, RouteDomain, SecurityGroup, is_id

__all__ = ["OUTSIDE_OTM_LISTS", "OUTSIDE_OTM_MAPS", "Carried", "read_carried"]

#: the model's sections that OTM has no element for (format 1.2), carried in the project's
#: attributes: maps of id to entry, and lists
OUTSIDE_OTM_MAPS = ("principals", "security_groups", "route_domains")
OUTSIDE_OTM_LISTS = ("grants",)

#: each carried section: its schema, and what one entry is called in messages
_SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "principals": (Principal, "principal"),
    "security_groups": (SecurityGroup, "security group"),
    "route_domains": (RouteDomain, "route domain"),
    "grants": (Grant, "grant"),
}
#: a component's attributes that name entries of a carried section
COMPONENT_REFERENCES = {"runs_as": "principals", "security_groups": "security_groups"}


@dataclass
class Carried:
    """The carried sections that were read back, and what could not be."""

    maps: dict[str, dict[str, Entry]] = field(default_factory=dict)
    lists: dict[str, list[Entry]] = field(default_factory=dict)
    attention: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.maps.values()) or any(self.lists.values())

    def references(self, component_id: str, attributes: Mapping[str, str]) -> dict[str, list[str]]:
        """A component's `runs_as` and `security_groups`, those that name a carried entry."""
        found: dict[str, list[str]] = {}
        for key, section in COMPONENT_REFERENCES.items():
            named = [part for part in attributes.get(key, "").split(",") if part]
            kept = [name for name in named if name in self.maps.get(section, {})]
            for name in named:
                if name not in kept:
                    self.attention.append(
                        f"component '{component_id}': {key} '{name}' is not among the document's "
                        f"{section.replace('_', ' ')}; left out"
                    )
            if kept:
                found[key] = kept
        return found

    def fill(self, draft: Draft) -> None:
        draft.principals = self.maps.get("principals", {})
        draft.security_groups = self.maps.get("security_groups", {})
        draft.route_domains = self.maps.get("route_domains", {})
        draft.grants = self.lists.get("grants", [])


def read_carried(attributes: Mapping[str, Any], taken: set[str]) -> Carried:
    """The carried sections of a document's project attributes; `taken` holds the ids of the
    data, boundaries and components already imported (one id names one thing)."""
    carried = Carried()
    for section in (*OUTSIDE_OTM_MAPS, *OUTSIDE_OTM_LISTS):
        text = attributes.get(f"trustmap_{section}")
        if not isinstance(text, str) or not text:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            carried.attention.append(
                f"the project's trustmap_{section} is not JSON; the {_plural(section)} were left out"
            )
            continue
        if section in OUTSIDE_OTM_MAPS:
            carried.maps[section] = _read_map(section, value, taken, carried.attention)
        else:
            carried.lists[section] = _read_list(section, value, carried.attention)
    _drop_orphan_grants(carried)
    return carried


def _drop_orphan_grants(carried: Carried) -> None:
    """A grant of a principal that was left out would fail validation: it goes too, named."""
    principals = carried.maps.get("principals", {})
    kept = []
    for index, grant in enumerate(carried.lists.get("grants", []), start=1):
        principal = grant.fields.get("principal")
        if principal in principals:
            kept.append(grant)
        else:
            carried.attention.append(
                f"grant {index} from the document: its principal '{principal}' is not among the "
                "document's principals; left out"
            )
    if "grants" in carried.lists:
        carried.lists["grants"] = kept


def _read_map(section: str, value: Any, taken: set[str], attention: list[str]) -> dict[str, Entry]:
    schema, what = _SCHEMAS[section]
    if not isinstance(value, dict):
        attention.append(f"the project's trustmap_{section} is not a map of id to {what}; left out")
        return {}
    found: dict[str, Entry] = {}
    for entry_id, entry in value.items():
        if not is_id(entry_id) or entry_id in taken:
            reason = "not a valid id" if not is_id(entry_id) else "the id of another element"
            attention.append(f"{what} '{entry_id}' from the document: {reason}; left out")
            continue
        problem = _problem(schema, entry)
        if problem is not None:
            attention.append(
                f"{what} '{entry_id}' from the document does not fit the format ({problem}); left out"
            )
            continue
        taken.add(entry_id)
        found[entry_id] = Entry(dict(entry))
    return found


def _read_list(section: str, value: Any, attention: list[str]) -> list[Entry]:
    schema, what = _SCHEMAS[section]
    if not isinstance(value, list):
        attention.append(f"the project's trustmap_{section} is not a list of {_plural(section)}; left out")
        return []
    found = []
    for index, entry in enumerate(value, start=1):
        problem = _problem(schema, entry)
        if problem is not None:
            attention.append(
                f"{what} {index} from the document does not fit the format ({problem}); left out"
            )
            continue
        found.append(Entry(dict(entry)))
    return found


def _problem(schema: type[BaseModel], entry: Any) -> str | None:
    """What is wrong with an entry for its schema (the first error), or None."""
    if not isinstance(entry, dict):
        return "not a mapping"
    try:
        schema.model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return None


def _plural(section: str) -> str:
    return section.replace("_", " ")
