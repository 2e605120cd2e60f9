"""A model without its format 1.2 facts that OTM has no element for.

Principals, grants, security groups, route domains, the address ranges and regions of
boundaries and the residency of data travel in OTM's `attributes` (docs/interop.md); the round
trip of what OTM holds in its own elements is tested on the models this function makes, and
the whole examples' round trip in `test_otm_import`."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["FORMAT_12_OUTSIDE_OTM", "what_otm_holds"]

#: by section of the model (`model`: top-level keys)
FORMAT_12_OUTSIDE_OTM: dict[str, tuple[str, ...]] = {
    "model": ("principals", "grants", "security_groups", "route_domains"),
    "components": ("runs_as", "security_groups"),
    "boundaries": ("cidrs", "region"),
    "data": ("residency", "issued_by", "derived_from", "disposable", "integrity"),
}


def what_otm_holds(raw: bytes) -> bytes:
    """The model's YAML without the facts OTM cannot hold (comments are lost)."""
    document: dict[str, Any] = yaml.safe_load(raw)
    for key in FORMAT_12_OUTSIDE_OTM["model"]:
        document.pop(key, None)
    for section in ("components", "boundaries", "data"):
        for entry in (document.get(section) or {}).values():
            for key in FORMAT_12_OUTSIDE_OTM[section]:
                entry.pop(key, None)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
