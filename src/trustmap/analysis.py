"""The pipeline up to evaluation: bytes of a model file -> validated, annotated, evaluated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, has_errors
from trustmap.engine.evaluate import EvaluationOptions, evaluate
from trustmap.findings import Report
from trustmap.graph import ModelGraph, build_graph
from trustmap.source import Limits
from trustmap.validate import load_model

__all__ = ["Analysis", "analyze"]


@dataclass(frozen=True)
class Analysis:
    """A model that loaded: its graph and report, and every diagnostic (warnings included)."""

    graph: ModelGraph
    report: Report
    diagnostics: tuple[Diagnostic, ...]
    catalog: Catalog


def analyze(
    path: str,
    raw: bytes,
    catalog: Catalog,
    *,
    today: dt.date | None = None,
    allow_unmatched: bool = False,
    limits: Limits = Limits(),
) -> tuple[Analysis | None, list[Diagnostic]]:
    """Validate, build the graph and evaluate; None (with diagnostics) when the model is invalid."""
    today = today or dt.date.today()
    loaded, diagnostics = load_model(path, raw, catalog, limits=limits, today=today)
    if loaded is None:
        return None, diagnostics
    graph = build_graph(loaded, catalog)
    report = evaluate(
        graph, catalog, EvaluationOptions(today=today, allow_unmatched_decisions=allow_unmatched)
    )
    diagnostics = sorted([*diagnostics, *report.diagnostics], key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        return None, diagnostics
    return Analysis(graph, report, tuple(diagnostics), catalog), diagnostics
