"""How graph rules name components in a finding's `why`, as the engine does for conditions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["named"]


def named(attrs: Mapping[str, Any]) -> str:
    """`Web tier ('web')`, or `'web'` when the component has no display name of its own."""
    name, component_id = str(attrs.get("name") or attrs["id"]), str(attrs["id"])
    return f"'{component_id}'" if name == component_id else f"{name} ('{component_id}')"
