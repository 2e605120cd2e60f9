"""Pausing Python's cyclic garbage collector around the stages that build large models.

Loading, validating, building the graph and evaluating create millions of small, long-lived
objects and no reference cycles. The cyclic collector would rescan them again and again (up to
half the time of a stage on a 10,000-component model) and free nothing; reference counting
still frees everything. See docs/performance.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector is off inside the block, and back as it was afterwards (nesting is
    fine: only the outermost block turns it back on)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # What the block made goes straight to the oldest generation (frozen, then thawed
            # there): the collector's next young passes do not rescan it all (0.3 s after the
            # evaluation of 10,000 components), and a full collection still frees any cycle.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
