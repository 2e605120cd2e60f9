"""Raise a threat's base severity by what is at stake at its subject."""

from __future__ import annotations

from trustmap.catalog.schema import SeverityPolicy
from trustmap.engine.context import EvalContext, Target
from trustmap.findings import SEVERITY_ORDER, severity_rank

__all__ = ["raised_severity"]


def raised_severity(
    base: str, target: Target, context: EvalContext, policy: SeverityPolicy
) -> tuple[str, list[str]]:
    """The severity after raises, and a sentence per raise saying why."""
    reasons: list[str] = []
    steps = 0
    record = target.component or target.flow
    if record is None:
        classification = context.model_classification
        regulations = sorted(context.model_regulations)
        exposed = False
    else:
        classification = record.classification
        regulations = list(record.regulations)
        exposed = _exposed(target, context)
    by_class = policy.raise_for_classification.get(classification, 0) if classification else 0  # type: ignore[call-overload]
    if by_class:
        steps += by_class
        reasons.append(f"{classification} data")
    if regulations and policy.raise_for_regulations:
        steps += policy.raise_for_regulations
        reasons.append("regulated data (" + ", ".join(regulations) + ")")
    if exposed and policy.raise_for_internet_facing:
        steps += policy.raise_for_internet_facing
        reasons.append("internet exposure")
    steps = min(steps, policy.max_raise)
    rank = min(severity_rank(base) + steps, len(SEVERITY_ORDER) - 1)
    if rank == severity_rank(base):
        reasons = []
    return SEVERITY_ORDER[rank], reasons


def _exposed(target: Target, context: EvalContext) -> bool:
    if target.component is not None:
        return target.component.internet_facing
    assert target.flow is not None
    source = context.graph.component(target.flow.source)
    return source.internet_facing or "internet" in target.flow.crossed_kinds
