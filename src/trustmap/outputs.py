"""Which files `trustmap build` writes, and the producers that render them.

A producer is a pure function from an analysis to files (name -> bytes) plus notes for the
user (for example that Graphviz is missing). Producers run in table order and see what the
earlier ones made (the HTML report embeds the diagrams' SVG). The table is explicit: adding
an output means adding one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from trustmap.analysis import Analysis

__all__ = ["PRODUCERS", "BuildOptions", "Produced", "Producer", "produce_all"]


@dataclass(frozen=True)
class BuildOptions:
    """Options that change what is rendered (not where it is written)."""

    graphviz_timeout: float = 120.0
    dot_binary: str = "dot"
    formats: tuple[str, ...] = ("svg", "png")


@dataclass
class Produced:
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, other: Produced) -> None:
        overlap = set(self.files) & set(other.files)
        assert not overlap, f"two producers write {sorted(overlap)}"
        self.files.update(other.files)
        self.notes.extend(other.notes)


Producer = Callable[[Analysis, BuildOptions, Produced], Produced]


def _report_json(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    from trustmap.render.report_json import render_report_json

    return Produced({"report.json": render_report_json(analysis).encode()})


PRODUCERS: tuple[tuple[str, Producer], ...] = (("report", _report_json),)


def produce_all(analysis: Analysis, options: BuildOptions) -> Produced:
    """Render every output of a build, in memory; nothing is written here."""
    produced = Produced()
    for _, producer in PRODUCERS:
        produced.add(producer(analysis, options, produced))
    return produced
