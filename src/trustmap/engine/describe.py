"""Plain-English descriptions of conditions, for the "why" of findings and checklist items."""

from __future__ import annotations

from typing import Any

from trustmap.catalog.schema import Condition

__all__ = ["describe"]


def _list(values: Any) -> str:
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _flag(yes: str, no: str) -> Any:
    return lambda value: yes if value else no


_PHRASES: dict[str, Any] = {
    "service": lambda v: f"is a {_list(v)} service",
    "service_model": lambda v: f"is an {_list(v)} service",
    "kind": lambda v: f"is a {_list(v)} component",
    "dfd": lambda v: f"is a {_list(v)}",
    "aws": _flag("is an AWS service", "is not an AWS service"),
    "stores_data": _flag("stores data", "stores no data"),
    "classification_at_least": lambda v: f"handles {v} data or more sensitive",
    "regulation": lambda v: f"handles {_list(v)} data",
    "in_boundary_kind": lambda v: f"sits in a {_list(v)} boundary",
    "in_public_subnet": _flag("sits in a public subnet", "is not in a public subnet"),
    "trust_below": lambda v: f"sits where trust is below {v}",
    "declared": lambda v: f"declares control '{v}'",
    "protocol": lambda v: f"uses {_list(v)}",
    "encrypted": _flag("is encrypted", "is not encrypted"),
    "authenticated": _flag("is authenticated", "is not authenticated"),
    "crosses_boundary": _flag("crosses a trust boundary", "stays inside its trust boundary"),
    "crosses_boundary_kind": lambda v: f"crosses a {_list(v)} boundary",
    "trust_decreases": _flag("goes to a less trusted place", "does not go to a less trusted place"),
    "port": lambda v: f"uses port {_list(v)}",
    "linked_service": lambda v: f"exchanges data with a {_list(v)} component",
    "model_has_service": lambda v: f"the model has a {_list(v)} component",
    "model_regulation": lambda v: f"the model handles {_list(v)} data",
    "model_classification_at_least": lambda v: f"the model handles {v} data",
}


def describe(condition: Condition) -> str:
    """A short phrase such as "crosses a trust boundary and is not encrypted"."""
    key = condition.key()
    if key == "all":
        return " and ".join(describe(c) for c in condition.all or ())
    if key == "any":
        parts = [describe(c) for c in condition.any or ()]
        return "either " + " or ".join(parts) if len(parts) > 1 else "".join(parts)
    if key == "not":
        assert condition.not_ is not None
        return f"not ({describe(condition.not_)})"
    if key in ("source", "target"):
        inner = condition.source if key == "source" else condition.target
        assert inner is not None
        return f"its {key} {describe(inner)}"
    if key == "property":
        test = condition.property
        assert test is not None
        if test.equals is not None:
            value = str(test.equals).lower() if isinstance(test.equals, bool) else test.equals
            return f"{test.name} is {value}"
        return f"{test.name} is {_list(test.in_ or ())}"
    return str(_PHRASES[key](getattr(condition, key)))
