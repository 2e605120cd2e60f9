"""Identifiers for imported and exported elements: slugs, and allocation without collisions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from trustmap.model import is_id as is_model_id

__all__ = ["IdAllocator", "is_model_id", "slugify"]

# "MyEC2Instance" -> "My-EC2-Instance": a lower-case letter or digit before a capital, or an
# acronym before a capitalised word.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_ID = re.compile(r"[^a-z0-9]+")
MAX_ID = 64


def slugify(text: str, fallback: str = "item") -> str:
    """A trustmap id from free text or a CloudFormation logical id: lower case, words joined by `-`.

    The result starts with a letter and holds at most 64 characters; `fallback` is used (and
    prefixed to ids that start with a digit) when the text has nothing usable.
    """
    words = _NOT_ID.sub("-", _CAMEL.sub("-", text).lower()).strip("-")
    if not words:
        words = fallback
    elif not words[0].isalpha():
        words = f"{fallback}-{words}"
    return words[:MAX_ID].rstrip("-")


@dataclass
class IdAllocator:
    """Hands out ids that are unique within one namespace, adding `-2`, `-3` on collisions."""

    taken: set[str] = field(default_factory=set)

    @classmethod
    def reserving(cls, ids: Iterable[str]) -> IdAllocator:
        return cls(set(ids))

    def take(self, wanted: str) -> str:
        candidate = wanted
        counter = 2
        while candidate in self.taken:
            suffix = f"-{counter}"
            candidate = wanted[: MAX_ID - len(suffix)].rstrip("-") + suffix
            counter += 1
        self.taken.add(candidate)
        return candidate
