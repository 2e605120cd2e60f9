"""Diagrams: architecture, data-flow and responsibility views as DOT, SVG, PNG, PDF and Mermaid.

Each view is a pure function from the annotated graph to DOT text (`architecture`,
`dataflow`, `responsibility`, plus `mermaid`); `graphviz` runs `dot` once per view, `svg` and
`pdf` make the results portable and reproducible, and `produce` puts it all together for
`trustmap build` and `trustmap diagram`.
"""

from __future__ import annotations

from trustmap.diagrams.graphviz import GraphvizError, GraphvizMissingError, GraphvizTimeoutError
from trustmap.diagrams.produce import (
    DIAGRAM_FORMATS,
    VIEWS,
    DiagramFiles,
    DiagramOptions,
    PendingDiagrams,
    diagram,
    diagram_files,
)

__all__ = [
    "DIAGRAM_FORMATS",
    "VIEWS",
    "DiagramFiles",
    "DiagramOptions",
    "GraphvizError",
    "GraphvizMissingError",
    "GraphvizTimeoutError",
    "PendingDiagrams",
    "diagram",
    "diagram_files",
]
