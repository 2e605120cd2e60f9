"""Why a condition holds (or fails) for one subject, in words and with the subject's own values.

`describe` phrases a condition in general ("is a rds or aurora service"); `explain` says what
made it true here ("is an rds service"), following only the branches that decided, so that a
finding's "why" reads as a reason rather than as the rule's source. Each key's own wording is
its `explain` in `trustmap.engine.conditions.CONDITION_KEYS`.
"""

from __future__ import annotations

from trustmap.catalog.describe import describe
from trustmap.catalog.schema import Condition
from trustmap.engine.conditions import CONDITION_KEYS, condition_value, holds
from trustmap.engine.context import EvalContext, Target

__all__ = ["explain"]

#: a `not` around one of these, among the conditions that all hold, is an exemption (not a
#: datastore of this service, no proxy at the source, not a stated public bucket): it says
#: which subjects the rule leaves out, not why this one is in, so a reason does not recite it.
#: A negated fact of the subject itself (no such control declared, not in a VPC, not over
#: aws-api, a property's stated value) is kept: it is part of the reason.
_EXEMPTING = frozenset(
    {"service", "kind", "dfd", "all", "any", "source", "target", "linked"}
    | {"inbound", "outbound", "every_inbound", "every_outbound"}
)


def explain(condition: Condition, target: Target, context: EvalContext, *, positive: bool = True) -> str:
    """A phrase saying why `condition` is `positive` (true) or not for `target`."""
    key = context.condition_key(condition)
    if key == "all" and positive:
        return _every(list(condition.all or ()), target, context)
    if key in ("all", "any"):
        children = list(condition.all or condition.any or ())
        # any+false needs every child; all+false and any+true need one deciding child.
        if key == "any" and not positive:
            parts = (explain(c, target, context, positive=positive) for c in children)
            return " and ".join(part for part in parts if part)
        decider = next(c for c in children if holds(c, target, context) == positive)
        return explain(decider, target, context, positive=positive)
    if key == "not":
        assert condition.not_ is not None
        return explain(condition.not_, target, context, positive=not positive)
    if key in ("source", "target") and target.flow is not None:
        inner = condition.source if key == "source" else condition.target
        assert inner is not None
        end = context.component(target.flow.source if key == "source" else target.flow.target)
        verb = "comes from" if key == "source" else "goes to"
        return f"{verb} '{end.subject.id}', which " + explain(inner, end, context, positive=positive)
    if key in ("inbound", "outbound", "every_inbound", "every_outbound"):
        return _flows(condition, key, target, context, positive)
    if key == "linked":
        return _linked(condition, target, context, positive)
    if key == "caller":
        return _caller(condition, target, context, positive)
    leaf = CONDITION_KEYS[key].explain
    if leaf is not None:
        return leaf(condition_value(condition, key), target, context, positive)
    phrase = describe(condition)
    if target.subject.kind == "model":
        phrase = phrase.removeprefix("the model ")
    return phrase if positive else f"not ({phrase})"


def _every(children: list[Condition], target: Target, context: EvalContext) -> str:
    """Why conditions that all hold do: the subject's own facts, then what is said of each end
    of a flow, once per end ("goes to 'db', which is a data store and sits in a VPC"), and no
    exemption (`_EXEMPTING`)."""
    own: list[str] = []
    ends: dict[str, list[str]] = {}
    for child in _flattened(children, context):
        key = context.condition_key(child)
        if key == "not" and child.not_ is not None and _exempts(child.not_, target, context):
            continue
        if key in ("source", "target") and target.flow is not None:
            inner = child.source if key == "source" else child.target
            assert inner is not None
            end = context.component(target.flow.source if key == "source" else target.flow.target)
            head = f"{'comes from' if key == 'source' else 'goes to'} '{end.subject.id}'"
            ends.setdefault(head, []).append(explain(inner, end, context))
            continue
        part = explain(child, target, context)
        if part:
            own.append(part)
    said = [
        f"{head}, which {_listed([p for p in parts if p])}" if any(parts) else head
        for head, parts in ends.items()
    ]
    if not said:
        return _listed(own)
    if not own:
        return _listed(said, serial=True)
    return _listed([_listed(own), *said], serial=True)


def _exempts(negated: Condition, target: Target, context: EvalContext) -> bool:
    """Whether `not: negated` only leaves other subjects out: `_EXEMPTING`, or a property the
    subject does not state ("says nothing of public_access" is no reason)."""
    key = context.condition_key(negated)
    if key == "property":
        assert negated.property is not None
        return target.component is None or target.component.stated_value(negated.property.name) is None
    return key in _EXEMPTING


def _flattened(children: list[Condition], context: EvalContext) -> list[Condition]:
    """Conditions nested in `all` lifted into their parent: they hold together just the same."""
    flat: list[Condition] = []
    for child in children:
        if context.condition_key(child) == "all":
            flat.extend(_flattened(list(child.all or ()), context))
        else:
            flat.append(child)
    return flat


def _listed(parts: list[str], *, serial: bool = False) -> str:
    """ "a, b and c"; "a, b, and c" with `serial` or when an item has a "which" clause, which
    the comma keeps apart from the last item."""
    serial = serial or any(", which " in part for part in parts[:-1])
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]}, and {parts[1]}" if serial else f"{parts[0]} and {parts[1]}"
    return ", ".join(parts[:-1]) + ("," if serial else "") + f" and {parts[-1]}"


def _flows(condition: Condition, key: str, target: Target, context: EvalContext, positive: bool) -> str:
    """Name the flow that decided: one that matches (some, true) or one that does not (every,
    false); a rule that needs every flow, or none, is said of the flows as a whole."""
    inner = getattr(condition, key)
    assert inner is not None
    inbound = key.endswith("inbound")
    flows = (context.flows_into if inbound else context.flows_out_of).get(target.subject.id, ())
    verb = "receives" if inbound else "sends"
    some = not key.startswith("every_")
    if some == positive:
        cited = sorted(flows, key=lambda f: _citation_rank(f, inbound, context))
        decider = next((f for f in cited if holds(inner, f, context) == positive), None)
        if decider is not None:
            said = explain(inner, decider, context, positive=positive)
            return f"{verb} flow '{decider.subject.id}'" + (f", which {said}" if said else "")
    if some:
        return f"{verb} no flow that {describe(inner)}"
    if not flows:
        return f"{verb} no flow at all"
    return f"{verb} only flows that {describe(inner)}"


#: protocols of people's interactive sessions: a host reached only by them is a jump host
_INTERACTIVE = frozenset({"ssh", "rdp"})


def _citation_rank(flow: Target, inbound: bool, context: EvalContext) -> tuple[bool, bool, bool]:
    """Which of several deciding flows a reason names first: one whose other end is a workload
    (the applications' logins to a database), then other systems, people's sessions (from a
    person, or through a jump host) last; the sort is stable, so flow ids break ties."""
    assert flow.flow is not None
    other_id = flow.flow.source if inbound else flow.flow.target
    other = context.graph.component(other_id)
    sessions = [f.flow for f in context.flows_into.get(other_id, ()) if f.flow is not None]
    jump_host = bool(sessions) and all(f.protocol in _INTERACTIVE for f in sessions)
    return other.service_kind == "actor", jump_host, not other.runs_code


def _caller(condition: Condition, target: Target, context: EvalContext, positive: bool) -> str:
    inner = condition.caller
    assert inner is not None
    callers = target.component.callers if target.component is not None else ()
    for origin in callers:
        end = context.component(origin)
        if positive and holds(inner, end, context):
            return f"is reached by '{origin}', which " + explain(inner, end, context)
    return f"is reached by nobody who {describe(inner)}"


def _linked(condition: Condition, target: Target, context: EvalContext, positive: bool) -> str:
    inner = condition.linked
    assert inner is not None
    for other in context.linked.get(target.subject.id, ()):
        if positive and holds(inner, context.component(other), context):
            return f"is joined to '{other}', which " + explain(inner, context.component(other), context)
    return f"is joined to no component that {describe(inner)}"

    phrase = describe(condition)
    if target.subject.kind == "model":
        phrase = phrase.removeprefix("the model ")
    return phrase if positive else f"not ({phrase})"
