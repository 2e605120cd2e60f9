"""How graph rules name components in a finding's `why`, as the engine does for conditions."""

from __future__ import annotations

from trustmap.graph import ComponentInfo

__all__ = ["named"]


def named(component: ComponentInfo) -> str:
    """`Web tier ('web')`, or `'web'` when the component has no display name of its own."""
    return f"'{component.id}'" if component.name == component.id else f"{component.name} ('{component.id}')"
