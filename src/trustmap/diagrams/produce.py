"""Every diagram file of a build, and single diagrams for `trustmap diagram`.

The DOT and Mermaid sources are always made. Images come from one Graphviz run per view; when
`dot` is missing, the images are left out and a note says why. When a run fails or times out,
the images of that view are left out and the failure is reported as such: a build does not
go on without them unless asked to (`trustmap build --allow-missing-diagrams`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from trustmap.analysis import Analysis
from trustmap.cores import usable_cores
from trustmap.diagrams.architecture import architecture_view
from trustmap.diagrams.dataflow import dataflow_view
from trustmap.diagrams.graphviz import (
    GRAPHVIZ_FORMATS,
    GraphvizError,
    GraphvizMissingError,
    GraphvizOptions,
    GraphvizTimeoutError,
    find_dot,
    install_hint,
    run_dot,
)
from trustmap.diagrams.icons import icon_files
from trustmap.diagrams.mermaid import mermaid_architecture, mermaid_dataflow, mermaid_responsibility
from trustmap.diagrams.pdf import normalise_pdf
from trustmap.diagrams.plan import ViewSpec, view_plan
from trustmap.diagrams.responsibility import responsibility_view
from trustmap.diagrams.svg import embed_icons
from trustmap.diagrams.text import shorten
from trustmap.diagrams.view import DotView

__all__ = [
    "DIAGRAM_FORMATS",
    "PNG_NODE_LIMIT",
    "VIEWS",
    "DiagramFiles",
    "DiagramOptions",
    "PendingDiagrams",
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

#: what a build makes of each view's SVG in the view's thread (`PendingDiagrams`)
_Prepared = TypeVar("_Prepared")


@dataclass(frozen=True)
class DiagramOptions:
    timeout: float = 120.0
    #: image formats a build writes for each view (a subset of svg, png, pdf)
    formats: tuple[str, ...] = ("svg", "png")
    #: `dot` processes run at once; 0: one per core this process may use (`build -j N` gives
    #: each of its N workers a share of the cores)
    layouts_at_once: int = 0

    def graphviz(self) -> GraphvizOptions:
        return GraphvizOptions(self.timeout)


@dataclass
class DiagramFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: views whose images Graphviz could not make (error or time limit), and why
    failures: list[str] = field(default_factory=list)


def view_source(analysis: Analysis, view: str, outside_labels: bool = False) -> DotView:
    """The DOT source of one whole-model view."""
    if view == "architecture":
        return architecture_view(analysis.graph, outside_labels=outside_labels)
    if view == "dataflow":
        return dataflow_view(analysis.graph, analysis.report, outside_labels=outside_labels)
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


def spec_view(analysis: Analysis, spec: ViewSpec, outside_labels: bool = False) -> DotView:
    """The DOT source of one view of the plan."""
    unit = spec.unit
    if unit is None:
        return view_source(analysis, spec.name, outside_labels)
    part = f", part {unit.part[0]} of {unit.part[1]}" if unit.part else ""
    where = f"{shorten(unit.boundary.name)} ({unit.boundary.kind} {unit.boundary.id}{part})"
    graph = analysis.graph
    if spec.kind == "dataflow":
        subtitle = f"data flows of {where}"
        return dataflow_view(graph, analysis.report, unit.members, spec.name, subtitle, outside_labels)
    return architecture_view(graph, unit.members, spec.name, f"architecture of {where}", outside_labels)


def _formats_for(view: DotView, formats: list[str], notes: list[str]) -> list[str]:
    if "png" not in formats or view.nodes <= PNG_NODE_LIMIT:
        return formats
    elsewhere = f", or the per-boundary {view.name}-*.png views" if view.name in VIEWS else ""
    notes.append(
        f"{view.name}.png was not made: {view.nodes} components are too many for a legible "
        f"bitmap; use {view.name}.svg{elsewhere}"
    )
    return [fmt for fmt in formats if fmt != "png"]


def _render_spec(
    analysis: Analysis,
    spec: ViewSpec,
    view: DotView,
    formats: list[str],
    options: DiagramOptions,
    notes: list[str],
) -> dict[str, bytes]:
    """The images of one view. When dot fails on it (its spline router gives up on some large
    clustered graphs with "lost edge"), it is laid out again with the edge labels placed after
    the layout (xlabel), and a note says so; a timeout or a missing dot is not retried."""
    wanted = _formats_for(view, formats, notes)
    try:
        return render_view(view, wanted, options.graphviz())
    except (GraphvizMissingError, GraphvizTimeoutError):
        raise
    except GraphvizError as error:
        if spec.kind == "responsibility":
            raise
        first = str(error)
    fallback = spec_view(analysis, spec, outside_labels=True)
    rendered = render_view(fallback, wanted, options.graphviz())
    notes.append(
        f"{spec.name}: laid out with external edge labels (dot xlabel) because the usual layout "
        f"failed ({first[:160]})"
    )
    return rendered


@dataclass(frozen=True)
class _Rendered(Generic[_Prepared]):
    """One view's images, notes and failure, merged into the build in plan order, with what
    the build's `prepare_svg` made of its SVG (None: no SVG, or nothing asked)."""

    files: dict[str, bytes]
    notes: list[str]
    failure: str | None = None
    prepared: _Prepared | None = None


def _render_one(
    analysis: Analysis,
    spec: ViewSpec,
    view: DotView,
    formats: list[str],
    options: DiagramOptions,
    number: int,
    prepare_svg: Callable[[int, bytes], _Prepared] | None,
) -> _Rendered[_Prepared]:
    notes: list[str] = []
    try:
        rendered = _render_spec(analysis, spec, view, formats, options, notes)
    except GraphvizError as error:
        return _Rendered({}, notes, str(error))
    svg = rendered.get("svg")
    prepared = None if prepare_svg is None or svg is None else prepare_svg(number, svg)
    files = {f"{spec.name}.{fmt}": content for fmt, content in rendered.items()}
    return _Rendered(files, notes, None, prepared)


class PendingDiagrams(Generic[_Prepared]):
    """Every diagram file of a build, its images being laid out: `dot` runs side by side in a
    pool of threads (Graphviz is most of a build's time) while the caller renders outputs that
    do not need the images. The largest views start first, so the last one to finish is a
    small one; the results are merged in plan order, so outputs and notes do not depend on
    timing. `prepare_svg(number in the plan, SVG)` runs in the view's thread as soon as its SVG
    is made (the HTML report packs it there); its results are `prepared`, by view name."""

    def __init__(
        self,
        analysis: Analysis,
        options: DiagramOptions,
        prepare_svg: Callable[[int, bytes], _Prepared] | None = None,
    ) -> None:
        plan = view_plan(analysis.graph)
        views = [spec_view(analysis, spec) for spec in plan]
        self._out = DiagramFiles({f"{view.name}.dot": view.source.encode("utf-8") for view in views})
        self._out.files["diagram.mmd"] = mermaid_architecture(analysis.graph).encode("utf-8")
        self._out.files["dataflow.mmd"] = mermaid_dataflow(analysis.graph, analysis.report).encode("utf-8")
        self.prepared: dict[str, _Prepared] = {}
        self._pool: ThreadPoolExecutor | None = None
        #: each view's name and its layout, in plan order
        self._futures: list[tuple[str, Future[_Rendered[_Prepared]]]] = []
        formats = [fmt for fmt in GRAPHVIZ_FORMATS if fmt in options.formats]
        if not formats or not views:
            return
        if find_dot() is None:
            self._out.notes.append(
                f"{install_hint()}. The SVG/PNG images were skipped; the .dot and .mmd sources were written"
            )
            return
        workers = max(1, min(len(views), options.layouts_at_once or usable_cores()))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trustmap-dot")
        started: dict[int, Future[_Rendered[_Prepared]]] = {}
        try:
            for index in sorted(range(len(views)), key=lambda i: -len(views[i].source)):
                started[index] = self._pool.submit(
                    _render_one, analysis, plan[index], views[index], formats, options, index, prepare_svg
                )
            self._futures = [(plan[index].name, started[index]) for index in range(len(views))]
        except BaseException:
            self.cancel()
            raise

    def result(self) -> DiagramFiles:
        """The files, once every view is laid out (waits for the running `dot`s)."""
        try:
            for name, future in self._futures:
                rendered = future.result()
                self._out.notes.extend(rendered.notes)
                if rendered.failure is not None:
                    self._out.failures.append(rendered.failure)
                self._out.files.update(rendered.files)
                if rendered.prepared is not None:
                    self.prepared[name] = rendered.prepared
        except BaseException:
            self.cancel()
            raise
        self._futures = []
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        return self._out

    def cancel(self) -> None:
        """Start no other `dot`; the running ones finish (each within the time limit: dot runs in
        a session of its own, see graphviz.run_dot) and their temporary folders are removed before
        this returns, so an interrupt leaves nothing behind."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def diagram_files(analysis: Analysis, options: DiagramOptions) -> DiagramFiles:
    """Every diagram file of a build, in memory (name -> bytes), with notes for the user."""
    return PendingDiagrams(analysis, options).result()


def diagram(analysis: Analysis, view: str, fmt: str, options: DiagramOptions) -> bytes:
    """One diagram in one format. Raises GraphvizError (with a message) for images without dot."""
    if fmt not in DIAGRAM_FORMATS:
        raise ValueError(f"unknown format '{fmt}'; choose from {', '.join(DIAGRAM_FORMATS)}")
    if fmt == "mermaid":
        if view == "architecture":
            return mermaid_architecture(analysis.graph).encode("utf-8")
        if view == "dataflow":
            return mermaid_dataflow(analysis.graph, analysis.report).encode("utf-8")
        if view == "responsibility":
            return mermaid_responsibility(analysis.graph, analysis.catalog).encode("utf-8")
        raise ValueError(f"unknown view '{view}'")
    source = view_source(analysis, view)
    if fmt == "dot":
        return source.source.encode("utf-8")
    return render_view(source, [fmt], options.graphviz())[fmt]
