"""The severity scale, shared by the catalog (a threat's severity) and the findings.

A module of its own so that loading the catalog does not import the findings' records.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["SEVERITY_ORDER", "Severity", "severity_rank"]

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITY_ORDER: tuple[str, ...] = Severity.__args__  # type: ignore[attr-defined]


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity)
