"""Make cairo's PDF reproducible: blank out the creation and modification dates.

cairo 1.16 writes `/CreationDate (D:20261128173715Z)` and ignores SOURCE_DATE_EPOCH. The
entry is overwritten with spaces of the same length, so every byte offset in the cross-reference
table stays valid and the document stays well-formed.
"""

from __future__ import annotations

import re

__all__ = ["normalise_pdf"]

_DATES = re.compile(rb"/(?:CreationDate|ModDate)\s*\([^)]*\)")


def normalise_pdf(content: bytes) -> bytes:
    return _DATES.sub(lambda match: b" " * len(match.group()), content)
