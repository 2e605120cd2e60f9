"""The evaluation engine: catalog rules over the annotated graph -> checklist and findings."""

from __future__ import annotations

from trustmap.engine.evaluate import EvaluationOptions, evaluate

__all__ = ["EvaluationOptions", "evaluate"]
