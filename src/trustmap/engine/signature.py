"""Subjects that no condition can tell apart, found once per evaluation.

A large model repeats itself: hundreds of Lambda functions in the same kind of subnet, with the
same settings, sending the same kind of flows. A condition reads a subject's own facts (its
record without its id and name), a few relations seen from it (the services it is joined to,
whether it is the only home of its data), and, through `inbound`, `outbound`, `linked`,
`source` and the like, the same of the subjects one step away, as deep as the catalog's
conditions nest those keys. `subject_classes` gives two subjects the same class exactly when
all of that is equal up to that depth (colour refinement, as in the Weisfeiler-Lehman test),
so a condition's value on one is its value on the other: the engine works out which controls of
a checklist apply and which fixed status each has once per class (`trustmap.engine.evaluate`).

Identity is left out on purpose: ids and names of the subject and of the boundaries around it
(a boundary is seen through its kind, trust and whether it is public), and the ids of the other
subjects a record names (counted). Everything else of a record is kept, whether or not some
condition reads it today: a class may be smaller than it could be, never wider. A condition key
that reads what a class does not compare says so (`by_class=False` in
`trustmap.engine.conditions`), and a control that uses it is worked out for every subject.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from operator import attrgetter
from typing import Any

from trustmap.catalog import Catalog
from trustmap.catalog.schema import Condition
from trustmap.engine.conditions import CONDITION_KEYS, condition_value
from trustmap.engine.context import EvalContext
from trustmap.graph import ComponentInfo, FlowInfo

__all__ = ["catalog_depth", "condition_depth", "decided_by_class", "subject_classes"]

#: record fields that only name a subject or say where it is written: never read by a condition
_IDENTITY = frozenset({"id", "name", "description", "span", "icon", "index", "source", "target"})
#: record fields that hold boundary ids: kept as the facts of those boundaries
_BOUNDARY_IDS = frozenset({"boundary", "boundary_path", "crosses", "left", "entered"})
#: record fields that hold ids of other subjects (the components that call it, the identities it
#: runs as, its security groups): compared by how many there are. A condition key that reads
#: more of them, or a relation looked up by the subject's id, is not `by_class` (conditions.py)
#: and a control that uses one is worked out for each subject.
_COUNTED = frozenset({"callers", "runs_as", "security_groups"})


def _field_kinds(record_type: type[ComponentInfo | FlowInfo]) -> tuple[tuple[str, str], ...]:
    """(field, how its value becomes a fact) for every field but the identity ones."""
    kinds = []
    for item in fields(record_type):
        annotation = str(item.type)
        if item.name in _IDENTITY:
            continue
        if item.name in _BOUNDARY_IDS:
            kinds.append((item.name, "boundaries"))
        elif item.name in _COUNTED:
            kinds.append((item.name, "count"))
        elif annotation.startswith("Mapping"):
            kinds.append((item.name, "mapping"))
        elif annotation.startswith(("frozenset", "set")):
            kinds.append((item.name, "set"))
        else:
            kinds.append((item.name, "value"))
    return tuple(kinds)


class _Layout:
    """The fields of a record type by how their values become facts (`_field_kinds`)."""

    def __init__(self, kinds: tuple[tuple[str, str], ...]) -> None:
        def named(kind: str) -> tuple[str, ...]:
            return tuple(name for name, k in kinds if k == kind)

        plain = named("value")
        #: the plain values of a record, as one tuple (a single field still gives a tuple)
        self.values: Callable[[Any], tuple[Any, ...]] = (
            (lambda record: (getattr(record, plain[0]),)) if len(plain) == 1 else attrgetter(*plain)
        )
        self.boundaries, self.mappings = named("boundaries"), named("mapping")
        self.sets, self.counts = named("set"), named("count")


_COMPONENT_FIELDS = _Layout(_field_kinds(ComponentInfo))
_FLOW_FIELDS = _Layout(_field_kinds(FlowInfo))


def condition_depth(condition: Condition) -> int:
    """How many steps from its subject to other subjects a condition may take (`hops`)."""
    key = condition.key()
    value = condition_value(condition, key)
    children: Iterable[Condition] = ()
    if isinstance(value, Condition):
        children = (value,)
    elif isinstance(value, list) and value and isinstance(value[0], Condition):
        children = value
    deepest = max((condition_depth(child) for child in children), default=0)
    return CONDITION_KEYS[key].hops + deepest


def decided_by_class(condition: Condition) -> bool:
    """Whether every key of the condition is decided by the facts a class compares (`by_class`):
    otherwise it may tell apart two subjects of one class."""
    key = condition.key()
    if not CONDITION_KEYS[key].by_class:
        return False
    value = condition_value(condition, key)
    if isinstance(value, Condition):
        return decided_by_class(value)
    if isinstance(value, list) and value and isinstance(value[0], Condition):
        return all(decided_by_class(child) for child in value)
    return True


def catalog_depth(catalog: Catalog) -> int:
    """The deepest condition of the catalog: classes refined this far decide every condition."""
    conditions = [threat.when for threat in catalog.threats.values()]
    for control in catalog.controls.values():
        conditions += [control.applies_to, control.relevant_when, control.evidence, control.open_when]
    return max((condition_depth(c) for c in conditions if c is not None), default=0)


class _Numbers:
    """Each distinct fact gets a small number, so that rows of facts compare and hash fast."""

    def __init__(self, context: EvalContext) -> None:
        self.context = context
        self.numbers: dict[Any, int] = {}
        #: a mapping value (tags, responsibility) by identity: (the mapping, its number)
        self.mappings: dict[int, tuple[Any, int]] = {}
        self.boundaries: dict[Any, int] = {}

    def number(self, value: Any) -> int:
        return self.numbers.setdefault(value, len(self.numbers))

    def mapping(self, value: Mapping[Any, Any]) -> int:
        found = self.mappings.get(id(value))
        if found is None or found[0] is not value:
            found = self.mappings[id(value)] = (value, self.number(("mapping", tuple(sorted(value.items())))))
        return found[1]

    def boundary_ids(self, value: str | tuple[str, ...] | None) -> int:
        """Boundaries seen through their kind, trust, public flag and the kinds around them."""
        found = self.boundaries.get(value)
        if found is None:
            infos = self.context.graph.boundaries
            ids = (value,) if value is None or isinstance(value, str) else value
            facts = tuple(
                None
                if b is None
                else (
                    infos[b].kind,
                    infos[b].trust,
                    infos[b].public,
                    tuple(infos[p].kind for p in infos[b].path),
                )
                for b in ids
            )
            found = self.boundaries[value] = self.number(("boundaries", facts))
        return found

    def row(self, record: ComponentInfo | FlowInfo, layout: _Layout) -> tuple[Any, ...]:
        """The record's facts: its plain values read at once, then the others made comparable
        (a fixed order per record type, so equal facts give equal rows)."""
        return (
            *layout.values(record),
            *[self.boundary_ids(getattr(record, name)) for name in layout.boundaries],
            *[self.mapping(getattr(record, name)) for name in layout.mappings],
            *[tuple(sorted(getattr(record, name))) for name in layout.sets],
            *[len(getattr(record, name)) for name in layout.counts],
        )


class _StoreFacts:
    """The data relation as seen from a store: is it a copy of another, and for each of its data,
    how many of the other stores of that data are copies of it and how many are not.

    Counted once for the whole model: comparing each store with every other store of its data
    took a quadratic time (2,000 stores of one data asset at 10,000 components)."""

    def __init__(self, context: EvalContext) -> None:
        self.primaries = context.primaries
        self.assets = context.graph.model.data
        #: per data asset, how often each store is listed, and how many stores copy each store
        self.listed: dict[str, Counter[str]] = {}
        self.copies: dict[str, Counter[str | None]] = {}
        self.total: dict[str, int] = {}
        for data_id, stores in context.stored_by.items():
            self.total[data_id] = len(stores)
            self.listed[data_id] = Counter(stores)
            self.copies[data_id] = Counter(self.primaries.get(o) for o in stores)

    def of(self, component: ComponentInfo) -> tuple[Any, ...]:
        me = component.id
        own_copy = self.primaries.get(me) == me
        mine = []
        for data_id in component.stores:
            others, copies = self._others(data_id, me, own_copy)
            sources = self.assets[data_id].derived_from
            # made again from sources stored elsewhere (`sole_store`)
            made_again = bool(sources) and all(self._others(s, me, own_copy)[0] > 0 for s in sources)
            mine.append((others, copies, made_again, self.assets[data_id].disposable))
        return (me in self.primaries, tuple(mine))

    def _others(self, data_id: str, me: str, own_copy: bool) -> tuple[int, int]:
        """How many other stores of the data are not copies of `me`, and how many are."""
        listed = self.listed[data_id]
        copies = self.copies[data_id][me] - (listed[me] if own_copy else 0)
        return self.total[data_id] - listed[me] - copies, copies


def subject_classes(context: EvalContext, depth: int) -> dict[tuple[str, str], int]:
    """A class number for every component and flow, (kind, id) -> class: equal numbers, equal
    facts up to `depth` steps (see the module's docstring)."""
    numbers = _Numbers(context)
    number = numbers.number
    store_facts = _StoreFacts(context)
    components = context.targets("component")
    flows = context.targets("flow")
    component_colour: dict[str, int] = {}
    flow_colour: dict[str, int] = {}
    for target in components:
        record = target.component
        assert record is not None
        row = numbers.row(record, _COMPONENT_FIELDS)
        neighbours = tuple(sorted(context.neighbours[record.id]))
        component_colour[record.id] = number(("component", *row, neighbours, store_facts.of(record)))
    for target in flows:
        assert target.flow is not None
        flow_colour[target.flow.id] = number(("flow", *numbers.row(target.flow, _FLOW_FIELDS)))
    for _ in range(depth):
        components_next: dict[str, int] = {}
        for target in components:
            me = target.subject.id
            components_next[me] = number(
                (
                    component_colour[me],
                    tuple(sorted([flow_colour[f.subject.id] for f in context.flows_into[me]])),
                    tuple(sorted([flow_colour[f.subject.id] for f in context.flows_out_of[me]])),
                    tuple(sorted([component_colour[o] for o in context.linked[me]])),
                )
            )
        flows_next: dict[str, int] = {}
        for target in flows:
            flow = target.flow
            assert flow is not None
            flows_next[flow.id] = number(
                (flow_colour[flow.id], component_colour[flow.source], component_colour[flow.target])
            )
        component_colour, flow_colour = components_next, flows_next
    classes = {("component", c): n for c, n in component_colour.items()}
    classes.update({("flow", f): n for f, n in flow_colour.items()})
    return classes
