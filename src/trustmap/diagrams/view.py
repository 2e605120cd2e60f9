"""What a view is once emitted, and small facts about flows that several views show."""

from __future__ import annotations

from dataclasses import dataclass

from trustmap.findings import Report, severity_rank
from trustmap.graph import FlowInfo

__all__ = ["DotView", "open_findings_by_subject", "protocol_text", "worst_severity"]


@dataclass(frozen=True)
class DotView:
    """A Graphviz view: its file stem, DOT source, the icon keys it uses and its node count."""

    name: str
    source: str
    icons: tuple[str, ...] = ()
    nodes: int = 0


def protocol_text(flow: FlowInfo) -> str:
    """`https:443`, or the protocol alone when the flow names no port."""
    return f"{flow.protocol}:{flow.port}" if flow.port else flow.protocol


def open_findings_by_subject(report: Report) -> dict[tuple[str, str], list[str]]:
    """Severities of the open findings, keyed by (subject kind, subject id)."""
    found: dict[tuple[str, str], list[str]] = {}
    for finding in report.findings:
        if finding.status == "open":
            found.setdefault((finding.subject.kind, finding.subject.id), []).append(finding.severity)
    return found


def worst_severity(severities: list[str]) -> str:
    return max(severities, key=severity_rank)
