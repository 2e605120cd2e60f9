"""Every diagram file of a build, and single diagrams for `trustmap diagram`.

The DOT and Mermaid sources are always made. Images come from one Graphviz run per view; when
`dot` is missing, the images are left out and a note says why. When a run fails or times out,
the images of that view are left out and the failure is reported as such: a build does not
go on without them unless asked to (`trustmap build --allow-missing-diagrams`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trustmap.analysis import Analysis
from trustmap.diagrams.architecture import architecture_view
from trustmap.diagrams.dataflow import dataflow_view
from trustmap.diagrams.graphviz import (
    GRAPHVIZ_FORMATS,
    GraphvizError,
    GraphvizOptions,
    find_dot,
    install_hint,
    run_dot,
)
from trustmap.diagrams.icons import icon_files
from trustmap.diagrams.mermaid import mermaid_architecture
from trustmap.diagrams.pdf import normalise_pdf
from trustmap.diagrams.responsibility import responsibility_view
from trustmap.diagrams.split import LARGE_MODEL, file_stem, units
from trustmap.diagrams.svg import embed_icons
from trustmap.diagrams.text import shorten
from trustmap.diagrams.view import DotView

__all__ = [
    "DIAGRAM_FORMATS",
    "PNG_NODE_LIMIT",
    "VIEWS",
    "DiagramFiles",
    "DiagramOptions",
    "diagram",
    "diagram_files",
    "render_view",
    "view_source",
]

VIEWS = ("architecture", "dataflow", "responsibility")
DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
#: Graph views with more nodes than this get no PNG in a build: the bitmap would be scaled
#: down to illegibility by cairo's size limit and costs most of the render time; SVG stays.
PNG_NODE_LIMIT = 200


@dataclass(frozen=True)
class DiagramOptions:
    timeout: float = 120.0
    #: image formats a build writes for each view (a subset of svg, png, pdf)
    formats: tuple[str, ...] = ("svg", "png")

    def graphviz(self) -> GraphvizOptions:
        return GraphvizOptions(self.timeout)


@dataclass
class DiagramFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: views whose images Graphviz could not make (error or time limit), and why
    failures: list[str] = field(default_factory=list)


def view_source(analysis: Analysis, view: str) -> DotView:
    """The DOT source of one whole-model view."""
    if view == "architecture":
        return architecture_view(analysis.graph)
    if view == "dataflow":
        return dataflow_view(analysis.graph, analysis.report)
    if view == "responsibility":
        return responsibility_view(analysis.graph, analysis.catalog)
    raise ValueError(f"unknown view '{view}'; choose from {', '.join(VIEWS)}")


def render_view(view: DotView, formats: Sequence[str], options: GraphvizOptions) -> dict[str, bytes]:
    """Images of a view, made portable: SVG with embedded icons, PDF without dates."""
    icons = icon_files(view.icons)
    rendered = run_dot(view.source, formats, icons, options, what=f"{view.name} view")
    if "svg" in rendered:
        rendered["svg"] = embed_icons(rendered["svg"].decode("utf-8"), icons).encode("utf-8")
    if "pdf" in rendered:
        rendered["pdf"] = normalise_pdf(rendered["pdf"])
    return rendered


def _all_views(analysis: Analysis) -> list[DotView]:
    views = [view_source(analysis, name) for name in VIEWS]
    graph = analysis.graph
    if len(graph.component_records) > LARGE_MODEL:
        for unit in units(graph):
            where = f"{unit.boundary.kind} {unit.boundary.id}"
            subtitle = f"architecture of {shorten(unit.boundary.name)} ({where})"
            views.append(architecture_view(graph, unit.members, file_stem(unit.boundary.id), subtitle))
    return views


def diagram_files(analysis: Analysis, options: DiagramOptions) -> DiagramFiles:
    """Every diagram file of a build, in memory (name -> bytes), with notes for the user."""
    views = _all_views(analysis)
    out = DiagramFiles({f"{view.name}.dot": view.source.encode("utf-8") for view in views})
    out.files["diagram.mmd"] = mermaid_architecture(analysis.graph).encode("utf-8")
    formats = [fmt for fmt in GRAPHVIZ_FORMATS if fmt in options.formats]
    if not formats:
        return out
    if find_dot() is None:
        out.notes.append(
            f"{install_hint()}. The SVG/PNG images were skipped; the .dot and .mmd sources were written"
        )
        return out
    for view in views:
        wanted = formats
        if "png" in wanted and view.nodes > PNG_NODE_LIMIT:
            wanted = [fmt for fmt in wanted if fmt != "png"]
            elsewhere = ", or the per-boundary architecture-*.png views" if view.name in VIEWS else ""
            out.notes.append(
                f"{view.name}.png was not made: {view.nodes} components are too many for a legible "
                f"bitmap; use {view.name}.svg{elsewhere}"
            )
        try:
            rendered = render_view(view, wanted, options.graphviz())
        except GraphvizError as error:
            out.failures.append(str(error))
            continue
        out.files.update({f"{view.name}.{fmt}": content for fmt, content in rendered.items()})
    return out


def diagram(analysis: Analysis, view: str, fmt: str, options: DiagramOptions) -> bytes:
    """One diagram in one format. Raises GraphvizError (with a message) for images without dot."""
    if fmt not in DIAGRAM_FORMATS:
        raise ValueError(f"unknown format '{fmt}'; choose from {', '.join(DIAGRAM_FORMATS)}")
    if fmt == "mermaid":
        if view != "architecture":
            raise ValueError("the Mermaid format is available for the architecture view only")
        return mermaid_architecture(analysis.graph).encode("utf-8")
    source = view_source(analysis, view)
    if fmt == "dot":
        return source.source.encode("utf-8")
    return render_view(source, [fmt], options.graphviz())[fmt]
