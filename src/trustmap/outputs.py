"""Which files `trustmap build` writes, and the producers that render them.

A producer is a pure function from an analysis to files (name -> bytes) plus notes for the
user (for example that Graphviz is missing). The diagrams are laid out first, by `dot`
processes running beside this one; meanwhile the producers that do not read them run in table
order, then, once the images are made, those that do (the HTML report embeds the diagrams' SVG;
the Markdown checklist links the images that exist), each seeing what the earlier ones made.
The table is explicit: adding an output means adding one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trustmap.analysis import Analysis

if TYPE_CHECKING:
    from trustmap.render.diagram_embed import PackedView

__all__ = ["PRODUCERS", "BuildOptions", "Produced", "Producer", "produce_all"]


@dataclass(frozen=True)
class BuildOptions:
    """Options that change what is rendered (not where it is written)."""

    graphviz_timeout: float = 120.0
    formats: tuple[str, ...] = ("svg", "png")
    #: `dot` processes at once (how fast, not what: left out of the build's manifest)
    layouts_at_once: int = 0


@dataclass
class Produced:
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: outputs that could not be made (a diagram Graphviz failed on): the build is incomplete
    failures: list[str] = field(default_factory=list)
    #: each view's SVG packed for report.html in the thread that drew it, by view name
    packed_views: dict[str, PackedView] = field(default_factory=dict)

    def add(self, other: Produced) -> None:
        overlap = set(self.files) & set(other.files)
        assert not overlap, f"two producers write {sorted(overlap)}"
        self.files.update(other.files)
        self.notes.extend(other.notes)
        self.failures.extend(other.failures)
        self.packed_views.update(other.packed_views)


Producer = Callable[[Analysis, BuildOptions, Produced], Produced]


def _report_json(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    from trustmap.render.report_json import render_report_json

    return Produced({"report.json": render_report_json(analysis).encode()})


def _checklist_md(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    from trustmap.render.checklist_md import render_checklist_md

    return Produced({"checklist.md": render_checklist_md(analysis, set(earlier.files)).encode()})


def _checklist_csv(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    from trustmap.render.checklist_csv import render_checklist_csv

    return Produced({"checklist.csv": render_checklist_csv(analysis).encode()})


def _sarif(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    from trustmap.render.sarif import render_sarif

    return Produced({"findings.sarif": render_sarif(analysis).encode()})


def _report_html(analysis: Analysis, options: BuildOptions, earlier: Produced) -> Produced:
    """After the diagrams: the page embeds the SVG of every view of the plan from `earlier`."""
    from trustmap.diagrams.plan import view_plan
    from trustmap.render.diagram_embed import DiagramView
    from trustmap.render.html import render_html

    views = [
        DiagramView(spec.name, spec.kind, spec.title, spec.unit.key if spec.unit else None)
        for spec in view_plan(analysis.graph)
    ]
    html = render_html(analysis, earlier.files, views, earlier.packed_views)
    return Produced({"report.html": html.encode()})


#: name, producer, whether it reads the diagrams (then it runs once they are made)
PRODUCERS: tuple[tuple[str, Producer, bool], ...] = (
    ("report", _report_json, False),
    ("checklist.csv", _checklist_csv, False),
    ("findings.sarif", _sarif, False),
    ("checklist.md", _checklist_md, True),
    ("report.html", _report_html, True),
)


def produce_all(analysis: Analysis, options: BuildOptions) -> Produced:
    """Render every output of a build, in memory; nothing is written here.

    The DOT, Mermaid and image files of every view come with the others (images need
    Graphviz; a note says when it is missing)."""
    from trustmap.diagrams import DiagramOptions, PendingDiagrams
    from trustmap.render.diagram_embed import pack_view, view_prefix

    def pack(number: int, svg: bytes) -> PackedView:
        return pack_view(svg, view_prefix(number))

    produced = Produced()
    settings = DiagramOptions(options.graphviz_timeout, options.formats, options.layouts_at_once)
    diagrams: PendingDiagrams[PackedView] | None = None
    try:
        # report.html lists the views in plan order too (`_report_html`): a view's number in the
        # plan is its place on the page
        diagrams = PendingDiagrams(analysis, settings, pack)
        for _, producer, reads_diagrams in PRODUCERS:
            if not reads_diagrams:
                produced.add(producer(analysis, options, produced))
    except BaseException:
        if diagrams is not None:
            diagrams.cancel()
        raise
    made = diagrams.result()
    produced.add(Produced(made.files, made.notes, made.failures, diagrams.prepared))
    for _, producer, reads_diagrams in PRODUCERS:
        if reads_diagrams:
            produced.add(producer(analysis, options, produced))
    return produced
