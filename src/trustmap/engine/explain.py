"""Why a condition holds (or fails) for one subject, in words and with the subject's own values.

`describe` phrases a condition in general ("is a rds or aurora service"); `explain` says what
made it true here ("is an rds service"), following only the branches that decided, so that a
finding's "why" reads as a reason rather than as the rule's source.
"""

from __future__ import annotations

from typing import Any

from trustmap.catalog.schema import Condition
from trustmap.engine.conditions import holds
from trustmap.engine.context import EvalContext, Target
from trustmap.engine.describe import describe

__all__ = ["explain"]

_DFD = {"process": "a process", "datastore": "a data store", "external-entity": "an external entity"}


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeio" else "a ") + word


def _quoted(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


def explain(condition: Condition, target: Target, context: EvalContext, *, positive: bool = True) -> str:
    """A phrase saying why `condition` is `positive` (true) or not for `target`."""
    key = condition.key()
    if key in ("all", "any"):
        children = list(condition.all or condition.any or ())
        # all+true and any+false need every child; all+false and any+true need one deciding child.
        if (key == "all") == positive:
            parts = (explain(c, target, context, positive=positive) for c in children)
            return " and ".join(part for part in parts if part)
        decider = next(c for c in children if holds(c, target, context) == positive)
        return explain(decider, target, context, positive=positive)
    if key == "not":
        assert condition.not_ is not None
        return explain(condition.not_, target, context, positive=not positive)
    if key in ("source", "target"):
        inner = condition.source if key == "source" else condition.target
        assert inner is not None
        assert target.flow is not None  # an end condition holds only for flows
        end = context.component(target.flow.source if key == "source" else target.flow.target)
        verb = "comes from" if key == "source" else "goes to"
        return f"{verb} '{end.subject.id}', which " + explain(inner, end, context, positive=positive)
    if key in ("inbound", "outbound", "every_inbound", "every_outbound"):
        return _flows(condition, key, target, context, positive)
    if key == "linked":
        return _linked(condition, target, context, positive)
    return _leaf(condition, key, target, context, positive)


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
        decider = next((f for f in flows if holds(inner, f, context) == positive), None)
        if decider is not None:
            said = explain(inner, decider, context, positive=positive)
            return f"{verb} flow '{decider.subject.id}'" + (f", which {said}" if said else "")
    if some:
        return f"{verb} no flow that {describe(inner)}"
    if not flows:
        return f"{verb} no flow at all"
    return f"{verb} only flows that {describe(inner)}"


def _linked(condition: Condition, target: Target, context: EvalContext, positive: bool) -> str:
    inner = condition.linked
    assert inner is not None
    for other in context.linked.get(target.subject.id, ()):
        if positive and holds(inner, context.component(other), context):
            return f"is joined to '{other}', which " + explain(inner, context.component(other), context)
    return f"is joined to no component that {describe(inner)}"


def _leaf(condition: Condition, key: str, target: Target, context: EvalContext, positive: bool) -> str:
    component, flow = target.component, target.flow
    record = component or flow
    value = getattr(condition, key, None)
    no = "" if positive else "not "
    if key == "service":
        return (
            f"uses service '{component.service if component else None}'"
            if positive
            else f"uses none of the services {_quoted(value)}"
        )
    if key == "service_model":
        return f"is {no}{_article(component.service_model if component else '?')} service"
    if key == "kind":
        return f"is {no}{_article(component.service_kind if component else '?')} component"
    if key == "dfd":
        return f"is {no}{_DFD.get(component.dfd if component else '', 'an element')}"
    if key == "property":
        assert condition.property is not None
        actual = component.stated_value(condition.property.name) if component else None
        if actual is None:
            return f"says nothing of {condition.property.name}"
        shown = str(actual).lower() if isinstance(actual, bool) else actual
        return f"has {condition.property.name}: {shown}"
    if key == "crosses_boundary":
        crosses = flow.crosses if flow else ()
        return f"crosses the trust boundaries {_quoted(crosses)}" if crosses else "stays inside its boundary"
    if key == "crosses_boundary_kind":
        kinds = sorted(set(value or ()) & set(flow.crossed_kinds if flow else ()))
        return (
            f"crosses {_article(' and '.join(kinds))} boundary"
            if kinds
            else f"crosses no {'/'.join(value or ())} boundary"
        )
    if key == "encrypted":
        state = "encrypted" if flow and flow.encrypted else "not encrypted"
        return f"is {state} ({flow.protocol if flow else None})"
    if key == "protocol":
        return f"uses {flow.protocol if flow else None}"
    if key == "classification_at_least":
        actual = context.model_classification if record is None else record.classification
        return f"handles {actual} data" if actual else "handles no classified data"
    if key == "regulation":
        regulations = context.model_regulations if record is None else record.regulations
        found = sorted(set(value or ()) & set(regulations))
        return f"handles {', '.join(found)} data" if found else f"handles no {'/'.join(value or ())} data"
    if key == "in_boundary_kind":
        found = sorted(set(value or ()) & set(component.boundary_kinds if component else ()))
        return (
            f"sits in {_article(found[0])} boundary"
            if found
            else f"sits in no {'/'.join(value or ())} boundary"
        )
    if key == "trust_decreases":
        trusts = (flow.source_trust, flow.target_trust) if flow else (None, None)
        return f"goes from trust {trusts[0]} to {trusts[1]}"
    if key == "linked_service":
        found = sorted(set(value or ()) & set(context.neighbours.get(target.subject.id, ())))
        return (
            f"exchanges data with a component of service '{found[0]}'"
            if found
            else (f"exchanges no data with a component of service {_quoted(value or ())}")
        )
    if key == "model_has_service":
        found = sorted(set(value or ()) & context.model_services)
        owner = "has" if target.subject.kind == "model" else "is in a model with"
        return (
            f"{owner} a component of service '{found[0]}'"
            if found
            else (f"{owner} no component of service {_quoted(value or ())}")
        )
    if key == "declared":
        return f"{'declares' if positive else 'does not declare'} control '{value}'"
    if key == "route":
        return ""  # that a flow is a data flow goes without saying in a reason
    if key == "authenticated":
        state = "authenticated" if flow and flow.authenticated else "not authenticated"
        return f"is {state}"
    if key == "trust_below":
        return f"sits where trust is {component.trust if component else None}"
    phrase = describe(condition)
    if target.subject.kind == "model":
        phrase = phrase.removeprefix("the model ")
    return phrase if positive else f"not ({phrase})"
