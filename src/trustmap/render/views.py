"""Plain views of an analysis that the review outputs share (Markdown, CSV, HTML).

Each subject (the model, every component, every flow, every principal) becomes a `SubjectView` with its
checklist grouped by whitepaper category, in the catalog's category order, and its findings.
Anchors are computed once here so that every output links the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trustmap.analysis import Analysis
from trustmap.catalog.schema import CATEGORIES
from trustmap.findings import ChecklistItem, Finding, Subject
from trustmap.graph import ComponentInfo, FlowInfo
from trustmap.identities import PrincipalInfo

__all__ = [
    "FRAMEWORKS",
    "MODEL_SUBJECT",
    "CategoryGroup",
    "SubjectView",
    "Views",
    "anchors",
    "category_order",
    "category_title",
    "compliance_text",
    "finding_anchors",
    "group_by_category",
    "subject_views",
]

MODEL_SUBJECT = Subject("model", "model")

#: Compliance frameworks in the order every output shows them, with their display names.
FRAMEWORKS: tuple[tuple[str, str], ...] = (
    ("iso27001", "ISO 27001"),
    ("pci-dss", "PCI DSS"),
    ("hipaa", "HIPAA"),
)


@dataclass(frozen=True)
class CategoryGroup:
    category: str
    title: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class SubjectView:
    """One subject of the checklist: its items by category and the findings about it, and the
    record of a component, a flow or a principal (none for the model and boundaries)."""

    subject: Subject
    name: str
    anchor: str
    groups: tuple[CategoryGroup, ...]
    findings: tuple[Finding, ...]
    component: ComponentInfo | None = None
    flow: FlowInfo | None = None
    principal: PrincipalInfo | None = None

    @property
    def items(self) -> list[ChecklistItem]:
        return [item for group in self.groups for item in group.items]


def category_order(analysis: Analysis) -> list[str]:
    """The catalog's category order, then any category it does not list (never dropped)."""
    order = list(analysis.catalog.categories)
    return order + [c for c in CATEGORIES if c not in order]


def category_title(analysis: Analysis, category: str) -> str:
    entry = analysis.catalog.categories.get(category)
    return entry.title if entry is not None else category


def group_by_category(analysis: Analysis, items: Iterable[ChecklistItem]) -> tuple[CategoryGroup, ...]:
    """Items grouped by category in catalog order; within a category the engine's order holds."""
    by_category: dict[str, list[ChecklistItem]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    return tuple(
        CategoryGroup(category, category_title(analysis, category), tuple(by_category[category]))
        for category in category_order(analysis)
        if category in by_category
    )


def compliance_text(compliance: Mapping[str, Sequence[str]]) -> str:
    """All references on one line: "ISO 27001: A.8.24, A.8.20; PCI DSS: 4.2.1"."""
    return "; ".join(
        f"{label}: {', '.join(compliance[key])}" for key, label in FRAMEWORKS if compliance.get(key)
    )


def _slug(kind: str, subject_id: str) -> str:
    # Ids are [a-z0-9_-]; only generated flow ids add "->", spelled "-to-" in anchors.
    return "model" if kind == "model" else f"{kind}-{subject_id.replace('->', '-to-')}"


def _unique(base: str, taken: set[str]) -> str:
    anchor, counter = base, 2
    while anchor in taken:
        anchor, counter = f"{base}-{counter}", counter + 1
    taken.add(anchor)
    return anchor


def anchors(subjects: Iterable[Subject]) -> dict[Subject, str]:
    """A stable anchor per subject; a clash (an explicit id spelled like a generated one) gets a suffix."""
    taken: set[str] = set()
    return {
        subject: _unique(_slug(subject.kind, subject.id), taken)
        for subject in sorted(set(subjects), key=lambda s: (s.kind, s.id))
    }


def finding_anchors(findings: Iterable[Finding]) -> dict[str, str]:
    """A stable anchor per finding key, such as `finding-web-to-db.unencrypted-flow`."""
    taken: set[str] = set()
    return {
        key: _unique("finding-" + _slug(kind, sid).removeprefix(f"{kind}-") + "." + rule, taken)
        for key, kind, sid, rule in sorted({(f.key, f.subject.kind, f.subject.id, f.rule) for f in findings})
    }


@dataclass(frozen=True)
class Views:
    """Every subject of a report, in the order outputs list them."""

    model: SubjectView
    components: tuple[SubjectView, ...]
    flows: tuple[SubjectView, ...]
    #: format 1.2: the principals (sorted by id)
    principals: tuple[SubjectView, ...]
    #: only boundaries that findings are about (boundaries have no checklist)
    boundaries: tuple[SubjectView, ...]
    anchors: Mapping[Subject, str]
    #: finding key -> anchor
    finding_anchors: Mapping[str, str]

    def all(self) -> list[SubjectView]:
        return [self.model, *self.components, *self.flows, *self.principals, *self.boundaries]


def subject_views(analysis: Analysis) -> Views:
    """The model, its components (sorted by id), its flows (in YAML order), its principals (sorted
    by id), boundaries with findings."""
    graph, report = analysis.graph, analysis.report
    principals = sorted(graph.permissions.principals.values(), key=lambda p: p.id)
    findings: dict[Subject, list[Finding]] = {}
    for finding in report.findings:
        findings.setdefault(finding.subject, []).append(finding)
    subjects = [
        MODEL_SUBJECT,
        *(Subject("component", c.id) for c in graph.components()),
        *(Subject("flow", flow.id) for flow in graph.flows()),
        *(Subject("principal", p.id) for p in principals),
        *findings,
    ]
    anchor = anchors(subjects)

    def view(
        subject: Subject,
        name: str,
        component: ComponentInfo | None = None,
        flow: FlowInfo | None = None,
        principal: PrincipalInfo | None = None,
    ) -> SubjectView:
        items = report.checklists.get(subject, ())
        return SubjectView(
            subject=subject,
            name=name,
            anchor=anchor[subject],
            groups=group_by_category(analysis, items),
            findings=tuple(findings.get(subject, ())),
            component=component,
            flow=flow,
            principal=principal,
        )

    boundary_ids = sorted({s.id for s in findings if s.kind == "boundary"})
    return Views(
        model=view(MODEL_SUBJECT, graph.model.name),
        components=tuple(view(Subject("component", c.id), c.name, component=c) for c in graph.components()),
        flows=tuple(view(Subject("flow", f.id), f.name or f.id, flow=f) for f in graph.flows()),
        principals=tuple(view(Subject("principal", p.id), p.name, principal=p) for p in principals),
        boundaries=tuple(
            view(Subject("boundary", bid), graph.boundaries[bid].name if bid in graph.boundaries else bid)
            for bid in boundary_ids
        ),
        anchors=anchor,
        finding_anchors=finding_anchors(report.findings),
    )
