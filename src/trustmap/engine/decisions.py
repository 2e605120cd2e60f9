"""Risk decisions: match the model's `accepted` entries to findings and checklist items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from trustmap.findings import Decision
from trustmap.model import Decision as DecisionEntry

__all__ = ["DecisionTable", "Glob"]


@dataclass(frozen=True, slots=True)
class Glob:
    """A decision's pattern: `*` matches any run of characters; everything else is literal.

    Matched without backtracking, in time linear in the key: the literal parts between the
    stars must appear in order, the first at the start and the last at the end, and taking
    the leftmost place of each middle part never loses a match. (A regular expression of
    `.*` groups backtracks exponentially on patterns such as `*a*a*a*a*a*a*Z`.)
    """

    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Glob:
        return cls(tuple(text.split("*")))

    def matches(self, key: str) -> bool:
        parts = self.parts
        if len(parts) == 1:
            return key == parts[0]
        first, last = parts[0], parts[-1]
        end = len(key) - len(last)
        if end < len(first) or not key.startswith(first) or not key.endswith(last):
            return False
        position = len(first)
        for part in parts[1:-1]:
            found = key.find(part, position, end)
            if found < 0:
                return False
            position = found + len(part)
        return True


@dataclass
class DecisionTable:
    """The decisions in force, and which of them matched something."""

    entries: list[tuple[int, DecisionEntry, Glob]]
    used: set[int]

    @classmethod
    def from_model(cls, entries: Iterable[DecisionEntry], today: dt.date) -> DecisionTable:
        active = [
            (index, entry, Glob.parse(entry.finding))
            for index, entry in enumerate(entries)
            if entry.expires is None or entry.expires >= today
        ]
        return cls(active, set())

    def lookup(self, key: str) -> Decision | None:
        """The first decision (in file order) whose pattern matches `key`."""
        for index, entry, pattern in self.entries:
            if pattern.matches(key):
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
