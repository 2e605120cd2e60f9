"""index.html: one page that links the report of every model a batch build wrote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from trustmap import __version__
from trustmap.findings import SEVERITY_ORDER
from trustmap.render.html import palette_css, template_environment

__all__ = ["IndexEntry", "render_index"]


@dataclass(frozen=True)
class IndexEntry:
    stem: str
    source: str
    status: str  # built | unchanged | invalid | failed
    name: str | None = None
    open_counts: Mapping[str, int] = field(default_factory=dict)
    has_report: bool = False


def render_index(entries: Sequence[IndexEntry]) -> str:
    """The page, models sorted by output folder; links are relative (`<stem>/report.html`)."""
    rows = [
        {
            "href": quote(f"{entry.stem}/report.html") if entry.has_report else None,
            "name": entry.name or entry.stem,
            # built and unchanged look the same: the page must not change when a build is skipped
            "ok": entry.status in ("built", "unchanged"),
            "open": [(s, entry.open_counts.get(s, 0)) for s in reversed(SEVERITY_ORDER)],
            "open_total": sum(entry.open_counts.values()),
            "source": entry.source,
            "status": entry.status,
            "stem": entry.stem,
        }
        for entry in sorted(entries, key=lambda e: e.stem)
    ]
    severities = list(reversed(SEVERITY_ORDER))
    template = template_environment().get_template("index.html.j2")
    return template.render(rows=rows, severities=severities, version=__version__, palette=palette_css())
