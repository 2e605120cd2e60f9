"""Risk decisions: match the model's `accepted` entries to findings and checklist items."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from trustmap.findings import Decision
from trustmap.model import Decision as DecisionEntry

__all__ = ["DecisionTable"]


def _pattern(text: str) -> re.Pattern[str]:
    """`*` matches any run of characters; everything else is literal."""
    return re.compile(
        "".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", text)) + r"\Z"
    )


@dataclass
class DecisionTable:
    """The decisions in force, and which of them matched something."""

    entries: list[tuple[int, DecisionEntry, re.Pattern[str]]]
    used: set[int]

    @classmethod
    def from_model(cls, entries: Iterable[DecisionEntry], today: dt.date) -> DecisionTable:
        active = [
            (index, entry, _pattern(entry.finding))
            for index, entry in enumerate(entries)
            if entry.expires is None or entry.expires >= today
        ]
        return cls(active, set())

    def lookup(self, key: str) -> Decision | None:
        """The first decision (in file order) whose pattern matches `key`."""
        for index, entry, pattern in self.entries:
            if pattern.match(key):
                self.used.add(index)
                return Decision(
                    pattern=entry.finding,
                    status=entry.status,
                    reason=entry.reason,
                    owner=entry.owner,
                    expires=entry.expires.isoformat() if entry.expires else None,
                    ticket=entry.ticket,
                )
        return None

    def unused(self) -> list[tuple[int, DecisionEntry]]:
        return [(index, entry) for index, entry, _ in self.entries if index not in self.used]
