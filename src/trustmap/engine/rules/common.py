"""What every graph rule yields, and the knobs it reads from its catalog threat."""

from __future__ import annotations

from dataclasses import dataclass

from trustmap.catalog.schema import Threat
from trustmap.engine.context import Target

__all__ = ["Asks", "Hit", "Through", "strings"]


@dataclass(frozen=True, slots=True)
class Asks:
    """A rule's hit that does not show the threat, only that it applies: its mitigating controls
    decide, as for a catalog condition (open: a finding with `why`; unknown: a question)."""

    target: Target
    why: str


@dataclass(frozen=True, slots=True)
class Through:
    """A hit whose risk is the grants of one principal, the one its paths of grants end at (not
    necessarily the subject's own role): `group_by: principal` groups it with that principal's
    findings, since scoping those grants is the one fix. None: no one principal's (the hit is
    grouped with nothing)."""

    target: Target
    why: str
    principal: str | None


#: (target, why) where the graph shows the threat, `Through` where it also names the principal
#: whose grants it rests on, or `Asks` where it only applies
Hit = tuple[Target, str] | Through | Asks


def strings(threat: Threat, key: str, default: tuple[str, ...]) -> frozenset[str]:
    """A list parameter of the threat, or the default."""
    value = threat.parameters.get(key)
    return frozenset(value) if isinstance(value, list) else frozenset(default)
