"""The pipeline up to evaluation: bytes of a model file -> validated, annotated, evaluated."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, has_errors
from trustmap.source import Limits
from trustmap.validate import LoadedModel, load_model

if TYPE_CHECKING:  # the graph (networkx) and the engine are imported when a model is evaluated
    from trustmap.findings import Report
    from trustmap.graph import ModelGraph

__all__ = ["Analysis", "analyze", "check"]


@dataclass(frozen=True)
class Analysis:
    """A model that loaded: its graph and report, and every diagnostic (warnings included)."""

    graph: ModelGraph
    report: Report
    diagnostics: tuple[Diagnostic, ...]
    catalog: Catalog
    #: the date decisions expired against (`--today`), and the SHA-256 of the model file's
    #: bytes: what a signed review page names so that it identifies what was reviewed
    today: dt.date | None = None
    model_sha256: str = ""


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
    analysis, diagnostics = _evaluated(loaded, diagnostics, catalog, today, allow_unmatched)
    if analysis is None:
        return None, diagnostics
    return replace(analysis, today=today, model_sha256=hashlib.sha256(raw).hexdigest()), diagnostics


def check(
    path: str,
    raw: bytes,
    catalog: Catalog,
    *,
    today: dt.date | None = None,
    allow_unmatched: bool = False,
    limits: Limits = Limits(),
) -> list[Diagnostic]:
    """Every diagnostic of a model, as `analyze` finds them, for `trustmap validate`.

    The evaluation adds diagnostics only about risk decisions (one that matches nothing is an
    error), so a model without decisions is not evaluated: validating it does not even import
    the graph and the engine, which halves the start-up time of the command.
    """
    today = today or dt.date.today()
    loaded, diagnostics = load_model(path, raw, catalog, limits=limits, today=today)
    if loaded is None or not loaded.model.accepted:
        return diagnostics
    return _evaluated(loaded, diagnostics, catalog, today, allow_unmatched)[1]


def _evaluated(
    loaded: LoadedModel,
    diagnostics: list[Diagnostic],
    catalog: Catalog,
    today: dt.date,
    allow_unmatched: bool,
) -> tuple[Analysis | None, list[Diagnostic]]:
    from trustmap.engine.evaluate import EvaluationOptions, evaluate
    from trustmap.graph import build_graph

    graph = build_graph(loaded, catalog)
    options = EvaluationOptions(today=today, allow_unmatched_decisions=allow_unmatched)
    report = evaluate(graph, catalog, options)
    diagnostics = sorted([*diagnostics, *report.diagnostics], key=Diagnostic.sort_key)
    if has_errors(diagnostics):
        return None, diagnostics
    return Analysis(graph, report, tuple(diagnostics), catalog), diagnostics
