"""The severity scale, shared by the catalog (a threat's severity) and the findings.

A module of its own so that loading the catalog does not import the findings' records.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LEVELS", "SEVERITY_ORDER", "Level", "Severity", "severity_rank"]

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITY_ORDER: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]


#: the scale of a finding's impact and likelihood, and of what a data asset's change costs
#: (its `integrity`), lowest first
Level = Literal["low", "medium", "high"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity)
