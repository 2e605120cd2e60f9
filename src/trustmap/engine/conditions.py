"""The catalog's condition keys: a closed vocabulary, one table entry per key.

Conditions are data checked by the catalog schema; nothing here evaluates strings. Each key of
`CONDITION_KEYS` says how a condition with that key is tested (`build`) and why it holds or
fails for one subject, in words with that subject's own values (`explain`); the general
phrase for catalog readers is `trustmap.catalog.describe`. A key that does not apply to the
subject's kind (a flow test on a component) is simply false.

Each condition is turned once into a predicate (a closure over its value, with lists made
into sets) and kept in the evaluation context: a run asks the same few hundred conditions
about every component and flow, and finding a condition's key walks all its fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from trustmap.catalog.describe import article
from trustmap.catalog.schema import Condition, PropertyTest
from trustmap.engine.context import EvalContext, Target
from trustmap.graph import classification_rank
from trustmap.severities import LEVELS

__all__ = ["CONDITION_KEYS", "ConditionKey", "Predicate", "condition_value", "holds", "predicate"]

Predicate = Callable[[Target, EvalContext], bool]
#: (the condition's value, the target, the context, whether it holds) -> why, in words
Explainer = Callable[[Any, Target, EvalContext, bool], str]


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """What the engine does with one key of the condition vocabulary."""

    #: the condition's value -> a predicate over targets (made once per evaluation)
    build: Callable[[Any, EvalContext], Predicate]
    #: why a leaf holds (or fails) for a target; None: the general phrase says it all.
    #: `all`, `any`, `not`, `source` and `target` are explained by walking into them.
    explain: Explainer | None = None
    #: steps to other subjects before the inner condition is tested (a flow's source, a
    #: component's flows or linked components): how far `trustmap.engine.signature` must look
    hops: int = 0
    #: whether the facts that `trustmap.engine.signature` compares decide the key's value;
    #: False for a key that looks up a relation of the model by the subject's id (security
    #: group rules, identities, callers): a control that uses it is worked out for each subject
    by_class: bool = True


def condition_value(condition: Condition, key: str) -> Any:
    """The value under `key` (`not` is the field `not_`)."""
    return getattr(condition, "not_" if key == "not" else key)


def holds(condition: Condition, target: Target, context: EvalContext) -> bool:
    """Whether `condition` is true for `target`."""
    return predicate(condition, context)(target, context)


def predicate(condition: Condition, context: EvalContext) -> Predicate:
    """The condition as a function of a target, made once per context."""
    # The entry keeps the condition alive, so its id cannot be reused while it is cached.
    found = context.conditions.get(id(condition))
    if found is None or found[0] is not condition:
        key = context.condition_key(condition)
        test = CONDITION_KEYS[key].build(condition_value(condition, key), context)
        found = (condition, test)
        context.conditions[id(condition)] = found
    return found[1]


# -- words shared by the explainers -------------------------------------------------------

_DFD = {"process": "a process", "datastore": "a data store", "external-entity": "an external entity"}


def _article(word: str) -> str:
    return f"{article(word)} {word}"


def _quoted(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _not(positive: bool) -> str:
    return "" if positive else "not "


# -- combinations ---------------------------------------------------------------------------


def _all(value: list[Condition], context: EvalContext) -> Predicate:
    parts = tuple(predicate(c, context) for c in value)

    def test(target: Target, context: EvalContext) -> bool:
        for part in parts:  # noqa: SIM110 (a loop, not all(genexpr): this runs millions of times)
            if not part(target, context):
                return False
        return True

    return test


def _any(value: list[Condition], context: EvalContext) -> Predicate:
    parts = tuple(predicate(c, context) for c in value)

    def test(target: Target, context: EvalContext) -> bool:
        for part in parts:  # noqa: SIM110 (as in _all)
            if part(target, context):
                return True
        return False

    return test


def _negation(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: not inner(t, c)


def _source(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.source), c)


def _target(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)
    return lambda t, c: t.flow is not None and inner(c.component(t.flow.target), c)


# -- components -----------------------------------------------------------------------------


def _service(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service in allowed


def _explain_service(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    if not positive:
        return f"uses none of the services {_quoted(value)}"
    component = target.component
    if component is not None and not component.aws:
        # a person, a third party's or an on-premises system: named as the catalog names it
        return f"is {_article(component.service_name[:1].lower() + component.service_name[1:])}"
    return f"uses service '{component.service if component else None}'"


def _service_model(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_model in allowed


def _explain_service_model(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    model = target.component.service_model if target.component else "?"
    return f"is {_not(positive)}{_article(model)} service"


def _kind(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.service_kind in allowed


def _explain_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    kind = target.component.service_kind if target.component else "?"
    return f"is {_not(positive)}{_article(kind)} component"


def _dfd(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.component is not None and t.component.dfd in allowed


def _explain_dfd(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    dfd = target.component.dfd if target.component else ""
    return f"is {_not(positive)}{_DFD.get(dfd, 'an element')}"


def _aws(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.aws == value


def _property(value: PropertyTest, _: EvalContext) -> Predicate:
    name, equals, in_ = value.name, value.equals, value.in_

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        # Only what the model states: a property it says nothing about matches no test, so
        # that a default is never evidence and never a finding (judgement.md).
        actual = target.component.stated_value(name)
        if actual is None:
            return False
        if equals is not None:
            return bool(actual == equals)
        return actual in (in_ or ())

    return test


def _explain_property(value: PropertyTest, target: Target, _: EvalContext, positive: bool) -> str:
    actual = target.component.stated_value(value.name) if target.component else None
    if actual is None:
        return f"says nothing of {value.name}"
    shown = str(actual).lower() if isinstance(actual, bool) else actual
    if target.component is not None and value.name in target.component.defaulted:
        # the model leaves AWS's default: say so, or a reader looks for the line that sets it
        return f"has {value.name}: {shown} (the {target.component.service} default, which the model leaves)"
    return f"has {value.name}: {shown}"


def _stores_data(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and bool(t.component.stores) == value


def _handles_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.handles_regulations)


def _explain_handles_regulation(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(target.component.handles_regulations if target.component else ()))
    return f"stores, processes or transmits {', '.join(found)} data" if found else "handles no such data"


def _in_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.boundary_kinds)


def _explain_in_boundary_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(target.component.boundary_kinds if target.component else ()))
    return f"sits in {_article(found[0])} boundary" if found else f"sits in no {'/'.join(value)} boundary"


def _in_public_subnet(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.in_public_subnet == value


def _trust_below(value: int, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.trust < value


def _linked_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(c.neighbours[t.subject.id])


def _explain_linked_service(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(context.neighbours.get(target.subject.id, ())))
    if found:
        return f"exchanges data with a component of service '{found[0]}'"
    return f"exchanges no data with a component of service {_quoted(value)}"


# -- components, flows and the model -----------------------------------------------------


def _classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return classification_rank(context.model_classification) >= floor
        return classification_rank(record.classification) >= floor

    return test


def _handles_classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is not None:
            return classification_rank(target.component.handles_classification) >= floor
        if target.flow is not None:
            return classification_rank(target.flow.classification) >= floor
        return classification_rank(context.model_classification) >= floor

    return test


def _discloses_classification_at_least(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)
    return lambda t, c: t.flow is not None and classification_rank(t.flow.disclosed) >= floor


def _explain_discloses_classification(
    value: str, target: Target, context: EvalContext, positive: bool
) -> str:
    flow = target.flow
    if flow is None:
        return "is not a flow"
    if flow.disclosed == flow.classification:
        return _said_of_classification(target, context, handled=False)
    issued = [d for d in flow.data if context.graph.model.data[d].issued_by == flow.target]
    shown = ", ".join(f"'{d}'" for d in issued)
    told = f"carries {flow.disclosed} data besides" if flow.disclosed else "carries only"
    return f"{told} what '{flow.target}' issued itself ({shown}, {flow.classification})"


def _explain_handles_classification(value: str, target: Target, context: EvalContext, positive: bool) -> str:
    return _said_of_classification(target, context, handled=True)


def _explain_classification(value: str, target: Target, context: EvalContext, positive: bool) -> str:
    return _said_of_classification(target, context, handled=False)


def _said_of_classification(target: Target, context: EvalContext, *, handled: bool) -> str:
    """The classification a flow carries, or a component stores (or, `handled`, also receives
    and sends), or the model handles."""
    if target.flow is not None:
        actual = target.flow.classification
        return f"carries {actual} data" if actual else "carries no data the model names"
    component = target.component
    if component is None:
        actual = context.model_classification
    else:
        actual = component.handles_classification if handled else component.classification
    return f"handles {actual} data" if actual else "handles no classified data"


def _regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        record = target.component or target.flow
        if record is None:
            return not wanted.isdisjoint(context.model_regulations)
        return not wanted.isdisjoint(record.regulations)

    return test


def _explain_regulation(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    record = target.component or target.flow
    regulations = context.model_regulations if record is None else record.regulations
    found = sorted(set(value) & set(regulations))
    return f"handles {', '.join(found)} data" if found else f"handles no {'/'.join(value)} data"


def _declared(value: str, context: EvalContext) -> Predicate:
    control = context.catalog.canonical_control(value) or value

    def test(target: Target, context: EvalContext) -> bool:
        if control in context.model_controls:
            return True
        return target.component is not None and control in target.component.controls

    return test


def _explain_declared(value: str, target: Target, _: EvalContext, positive: bool) -> str:
    return f"{'declares' if positive else 'does not declare'} control '{value}'"


# -- flows ----------------------------------------------------------------------------------


def _protocol(value: list[str], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.protocol in allowed


def _explain_protocol(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    protocol = target.flow.protocol if target.flow else None
    return "uses a protocol the model calls 'other'" if protocol == "other" else f"uses {protocol}"


def _port(value: list[int], _: EvalContext) -> Predicate:
    allowed = frozenset(value)
    return lambda t, c: t.flow is not None and t.flow.port in allowed


def _iam_authenticated(value: bool, context: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and c.iam_listener(t.flow) == value


def _explain_iam_authenticated(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    flow = target.flow
    if flow is None:
        return ""
    if positive == value:
        return f"reaches the IAM-authenticated listener of '{flow.target}' on port {flow.port}"
    return ""  # the absence of an IAM listener is no reason worth reading


def _encrypted(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.encrypted == value


def _explain_encrypted(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    flow = target.flow
    state = "encrypted" if flow and flow.encrypted else "not encrypted"
    return f"is {state} ({flow.protocol if flow else None})"


def _authenticated(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.authenticated == value


def _crosses(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and bool(t.flow.crosses) == value


def _explain_crosses(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    crosses = target.flow.crosses if target.flow else ()
    return f"crosses the trust boundaries {_quoted(crosses)}" if crosses else "stays inside its boundary"


def _crosses_boundary_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.flow is not None and not wanted.isdisjoint(t.flow.crossed_kinds)


def _explain_crosses_kind(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    kinds = sorted(set(value) & set(target.flow.crossed_kinds if target.flow else ()))
    if kinds:
        return f"crosses {_article(' and '.join(kinds))} boundary"
    return f"crosses no {'/'.join(value)} boundary"


def _trust_decreases(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.trust_decreases == value


def _explain_trust_decreases(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    trusts = (target.flow.source_trust, target.flow.target_trust) if target.flow else (None, None)
    return f"goes from trust {trusts[0]} to {trusts[1]}"


# -- the whole model ------------------------------------------------------------------------


def _inbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for flow in context.flows_into[target.subject.id]:  # noqa: SIM110 (hot loop, as in _any)
            if inner(flow, context):
                return True
        return False

    return test


def _outbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for flow in context.flows_out_of[target.subject.id]:  # noqa: SIM110 (as in _any)
            if inner(flow, context):
                return True
        return False

    return test


def _every_inbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        flows = context.flows_into[target.subject.id]
        return bool(flows) and all(inner(flow, context) for flow in flows)

    return test


def _every_outbound(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        flows = context.flows_out_of[target.subject.id]
        return bool(flows) and all(inner(flow, context) for flow in flows)

    return test


def _route(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and (t.flow.kind == "route") == value


def _bidirectional(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.flow is not None and t.flow.bidirectional == value


def _sole_store(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        me, primaries = target.subject.id, context.primaries
        if me in primaries:
            return not value  # a replica or backup copy: its primary is the data's home
        stored, assets = context.stored_by, context.graph.model.data

        def elsewhere(data_id: str) -> bool:
            return any(o != me and primaries.get(o) != me for o in stored[data_id])

        def made_again(data_id: str) -> bool:  # from sources stored elsewhere (`derived_from`)
            sources = assets[data_id].derived_from
            return bool(sources) and all(elsewhere(s) for s in sources)

        # the only home of some data that is wanted back: not a copy, not made again, not disposable
        sole = any(
            not elsewhere(d) and not made_again(d) and not assets[d].disposable
            for d in target.component.stores
        )
        return sole == value

    return test


def _linked(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        if target.component is None:
            return False
        for other in context.linked[target.subject.id]:  # noqa: SIM110 (as in _any)
            if inner(context.component(other), context):
                return True
        return False

    return test


def _caller(value: Condition, context: EvalContext) -> Predicate:
    inner = predicate(value, context)

    def test(target: Target, context: EvalContext) -> bool:
        component = target.component
        if component is None:
            return False
        for origin in component.callers:  # noqa: SIM110 (as in _any)
            if inner(context.component(origin), context):
                return True
        return False

    return test


def _model_has_service(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_services)


def _explain_model_has_service(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & context.model_services)
    owner = "has" if target.subject.kind == "model" else "is in a model with"
    if found:
        return f"{owner} a component of service '{found[0]}'"
    return f"{owner} no component of service {_quoted(value)}"


def _explain_authenticated(value: bool, target: Target, _: EvalContext, positive: bool) -> str:
    return (
        "is authenticated"
        if target.flow is not None and target.flow.authenticated
        else "is not authenticated"
    )


def _explain_trust_below(value: int, target: Target, _: EvalContext, positive: bool) -> str:
    return f"sits where trust is {target.component.trust if target.component else None}"


def _model_regulation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: not wanted.isdisjoint(c.model_regulations)


def _model_classification(value: str, _: EvalContext) -> Predicate:
    floor = classification_rank(value)
    return lambda t, c: classification_rank(c.model_classification) >= floor


# -- format 1.2: interfaces, tenancy, security groups, program scope ------------------------


def _interface(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and not wanted.isdisjoint(t.component.exposes)


def _explain_interface(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = sorted(set(value) & set(target.component.exposes if target.component else ()))
    if not found:
        return f"exposes no {'/'.join(value)} interface"
    written = target.component is not None and target.component.interfaces is not None
    return f"exposes {_quoted(found)} ({'stated' if written else 'inferred from its callers'})"


def _untrusted_input(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        component = target.component
        if component is None:
            return False
        less = any(context.graph.component(o).trust < component.trust for o in component.callers)
        return less == value

    return test


def _explain_untrusted_input(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    component = target.component
    if component is None:
        return ""
    less = [o for o in component.callers if context.graph.component(o).trust < component.trust]
    if less:
        return f"receives requests from less trusted {_quoted(less[:3])}"
    return "receives no request from a less trusted place"


def _caller_trust_below(value: int, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        component = target.component
        return component is not None and any(
            context.graph.component(o).trust < value for o in component.callers
        )

    return test


def _explain_caller_trust(value: int, target: Target, context: EvalContext, positive: bool) -> str:
    component = target.component
    found = [o for o in (component.callers if component else ()) if context.graph.component(o).trust < value]
    return f"is reached by {_quoted(found[:3])}" if found else "is reached by no caller of such low trust"


def _runs_code(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and t.component.runs_code == value


def _tenancy(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)
    return lambda t, c: t.component is not None and t.component.tenancy in wanted


def _explain_tenancy(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    tenancy = target.component.tenancy if target.component else None
    return f"has tenancy {tenancy}" if tenancy else "says nothing of its tenancy"


def _tenant_isolation(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        found = target.component.tenant_isolation if target.component else None
        return found is not None and not wanted.isdisjoint(found)

    return test


def _explain_tenant_isolation(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    found = target.component.tenant_isolation if target.component else None
    if found is None:
        return "says nothing of what isolates its tenants"
    if not positive:
        return f"isolates its tenants by none of {', '.join(value)}"
    return f"isolates its tenants by {', '.join(found)}"


def _stores_data_kind(value: list[str], _: EvalContext) -> Predicate:
    wanted = frozenset(value)

    def test(target: Target, context: EvalContext) -> bool:
        data = context.graph.model.data
        stores = target.component.stores if target.component else ()
        return any(data[asset].kind in wanted for asset in stores if asset in data)

    return test


def _writers(target: Target, context: EvalContext) -> list[str]:
    """The components that send a component data along one-way data flows, by id."""
    if target.component is None:
        return []
    return sorted(
        {
            ref.flow.source
            for ref in context.flows_into.get(target.subject.id, ())
            if ref.flow is not None
            and ref.flow.kind == "data"
            and ref.flow.data
            and not ref.flow.bidirectional
        }
    )


def _writers_at_least(value: int, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and len(_writers(t, c)) >= value


def _explain_writers(value: int, target: Target, context: EvalContext, positive: bool) -> str:
    writers = _writers(target, context)
    if not writers:
        return "is written by no component"
    return f"is written by {len(writers)} component{'s' if len(writers) > 1 else ''} ({_quoted(writers)})"


def _explain_stores_data_kind(value: list[str], target: Target, context: EvalContext, positive: bool) -> str:
    data = context.graph.model.data
    stores = target.component.stores if target.component else ()
    found = sorted(asset for asset in stores if asset in data and data[asset].kind in value)
    if found:
        return f"stores {', '.join(repr(asset) for asset in found)} ({'/'.join(value)})"
    return f"stores no {'/'.join(value)} data"


def _stored_integrity(target: Target, context: EvalContext) -> list[tuple[str, str]]:
    """The data a component stores that states an `integrity`, with it."""
    data = context.graph.model.data
    stores = target.component.stores if target.component else ()
    return [(a, level) for a in stores if a in data and (level := data[a].integrity) is not None]


def _stores_integrity_at_least(value: str, _: EvalContext) -> Predicate:
    floor = LEVELS.index(value)
    return lambda t, c: any(LEVELS.index(level) >= floor for _, level in _stored_integrity(t, c))


def _explain_stores_integrity(value: str, target: Target, context: EvalContext, positive: bool) -> str:
    stated = _stored_integrity(target, context)
    if not stated:
        return "stores no data whose integrity the model rates"
    return "stores " + ", ".join(f"'{asset}' (integrity {level})" for asset, level in sorted(stated))


def _internet_ingress(value: list[int], _: EvalContext) -> Predicate:
    ports = tuple(value) or None

    def test(target: Target, context: EvalContext) -> bool:
        stated = context.network.ingress.get(target.subject.id) if target.component else None
        return stated is not None and stated.admits_internet(ports)

    return test


def _explain_internet_ingress(value: list[int], target: Target, context: EvalContext, positive: bool) -> str:
    stated = context.network.ingress.get(target.subject.id)
    if stated is None:
        return "states no security group ingress"
    shown = [v.text() for v in stated.rules if v.from_internet]
    return "has the ingress rule " + "; ".join(shown) if shown else "admits nothing from the internet"


def _ingress_stated(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and (t.subject.id in c.network.ingress) == value


def _ingress_wider(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        stated = context.network.ingress.get(target.subject.id) if target.component else None
        return stated is not None and stated.wider_than_flows == value

    return test


def _explain_ingress_wider(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    stated = context.network.ingress.get(target.subject.id)
    if stated is None:
        return "states no security group ingress"
    if not stated.wider_than_flows:
        return "admits only what its flows need"
    return "admits more than its flows need: " + "; ".join(stated.wider_text())


def _in_program_scope(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        component = target.component
        if component is None:
            return False
        service = context.catalog.services[component.service]
        wanted = {r for r in component.handles_regulations if r in ("pci-dss", "hipaa")}
        return (
            bool(wanted) and wanted <= set(service.programs)
            if value
            else bool(wanted - set(service.programs))
        )

    return test


def _explain_in_program_scope(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    component = target.component
    if component is None:
        return ""
    service = context.catalog.services[component.service]
    wanted = sorted({r for r in component.handles_regulations if r in ("pci-dss", "hipaa")})
    missing = [r for r in wanted if r not in service.programs]
    if missing:
        return (
            f"handles {', '.join(missing)} data, and AWS's list for that program does not name {service.name}"
        )
    return f"handles {', '.join(wanted)} data, and AWS's lists name {service.name}"


def _runs_with_access_keys(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        component = target.component
        if component is None or not component.runs_as:
            return False
        principals = context.graph.permissions.principals
        keys = [principals[p].access_keys for p in component.runs_as if principals[p].kind == "user"]
        if value:
            return True in keys
        return all(k is False for k in keys)  # only roles, or users stated to have no keys

    return test


def _explain_runs_with_access_keys(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    component = target.component
    if component is None or not component.runs_as:
        return "runs as no principal the model names"
    principals = context.graph.permissions.principals
    users = [p for p in component.runs_as if principals[p].kind == "user" and principals[p].access_keys]
    if users:
        return f"runs as IAM user {_quoted(users)}, which has long-lived access keys"
    return f"runs as {_quoted(component.runs_as)}, with no long-lived access keys"


def _admins(target: Target, context: EvalContext) -> list[str]:
    """The principals a component runs as that hold admin on everything (`*`) of their account."""
    component = target.component
    if component is None:
        return []
    administrators = context.graph.permissions.administrators
    return [p for p in component.runs_as if p in administrators]


def _runs_as_admin(value: bool, _: EvalContext) -> Predicate:
    return lambda t, c: t.component is not None and bool(_admins(t, c)) == value


def _explain_runs_as_admin(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    admins = _admins(target, context)
    if admins:
        return f"runs as {_quoted(admins)}, which holds admin on everything ('*') in its account"
    return "runs as no principal that holds admin on everything"


def _egress_reaches_internal(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        found = context.network.egress_internal.get(target.subject.id) if target.component else None
        return found is not None and found == value

    return test


def _explain_egress(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    found = context.network.egress_internal.get(target.subject.id)
    if found is None:
        return "states no security group egress"
    if found:
        return "has a security group egress rule to internal addresses (a private range or 0.0.0.0/0)"
    return "has security group egress to no internal address range"


def _place_outside(value: list[str], _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        place = target.component.place if target.component else None
        return place is not None and context.catalog.places.within(place, value) is False

    return test


def _explain_place(value: list[str], target: Target, _: EvalContext, positive: bool) -> str:
    place = target.component.place if target.component else None
    return f"is in {place}" if place else "is somewhere the model does not say"


def _open_resource_grants(target: Target, context: EvalContext) -> list[str]:
    """Principals of another account that a resource policy on the component lets in with no
    restricting condition written (ExternalId, SourceArn, SourceAccount, PrincipalOrgID)."""
    component = target.component
    if component is None:
        return []
    identities = context.graph.permissions
    boundaries = context.graph.boundaries
    account = next((b for b in reversed(component.boundary_path) if boundaries[b].kind == "account"), None)
    found = []
    for grant in identities.grants:
        if grant.via != "resource-policy" or component.id not in grant.targets:
            continue
        holder = identities.principals[grant.principal]
        elsewhere = holder.account != account if holder.kind != "account" else holder.boundary != account
        c = grant.conditions
        restricted = c is not None and any((c.external_id, c.organization, c.source_account, c.source_arn))
        if elsewhere and holder.kind != "service" and not restricted:
            found.append(grant.principal)
    return sorted(set(found))


def _shared_by_resource_policy(value: bool, _: EvalContext) -> Predicate:
    def test(target: Target, context: EvalContext) -> bool:
        return bool(_open_resource_grants(target, context)) == value

    return test


def _explain_shared(value: bool, target: Target, context: EvalContext, positive: bool) -> str:
    found = _open_resource_grants(target, context)
    if found:
        return f"has a resource policy that lets {_quoted(found)} of another account in, with no condition"
    return "has no resource policy grant to another account without conditions"


def _runs_as_stated(value: bool, _: EvalContext) -> Predicate:
    return lambda target, _: target.component is not None and bool(target.component.runs_as) == value


#: Every key of `trustmap.catalog.schema.Condition` (a test checks that none is missing).
CONDITION_KEYS: Mapping[str, ConditionKey] = {
    "all": ConditionKey(_all),
    "any": ConditionKey(_any),
    "not": ConditionKey(_negation),
    "service": ConditionKey(_service, _explain_service),
    "service_model": ConditionKey(_service_model, _explain_service_model),
    "kind": ConditionKey(_kind, _explain_kind),
    "dfd": ConditionKey(_dfd, _explain_dfd),
    "aws": ConditionKey(_aws),
    "property": ConditionKey(_property, _explain_property),
    "stores_data": ConditionKey(_stores_data),
    "classification_at_least": ConditionKey(_classification_at_least, _explain_classification),
    "handles_classification_at_least": ConditionKey(
        _handles_classification_at_least, _explain_handles_classification
    ),
    "discloses_classification_at_least": ConditionKey(
        _discloses_classification_at_least, _explain_discloses_classification
    ),
    "regulation": ConditionKey(_regulation, _explain_regulation),
    "handles_regulation": ConditionKey(_handles_regulation, _explain_handles_regulation),
    "in_boundary_kind": ConditionKey(_in_boundary_kind, _explain_in_boundary_kind),
    "in_public_subnet": ConditionKey(_in_public_subnet),
    "trust_below": ConditionKey(_trust_below, _explain_trust_below),
    "declared": ConditionKey(_declared, _explain_declared),
    "protocol": ConditionKey(_protocol, _explain_protocol),
    "encrypted": ConditionKey(_encrypted, _explain_encrypted),
    "authenticated": ConditionKey(_authenticated, _explain_authenticated),
    "crosses_boundary": ConditionKey(_crosses, _explain_crosses),
    "crosses_boundary_kind": ConditionKey(_crosses_boundary_kind, _explain_crosses_kind),
    "trust_decreases": ConditionKey(_trust_decreases, _explain_trust_decreases),
    "port": ConditionKey(_port),
    # reads the target's service: one step from the flow
    "iam_authenticated": ConditionKey(_iam_authenticated, _explain_iam_authenticated, hops=1),
    "source": ConditionKey(_source, hops=1),
    "target": ConditionKey(_target, hops=1),
    "linked_service": ConditionKey(_linked_service, _explain_linked_service),
    # explained by walking into the flows or components they name (trustmap.engine.explain)
    "inbound": ConditionKey(_inbound, hops=1),
    "outbound": ConditionKey(_outbound, hops=1),
    "every_inbound": ConditionKey(_every_inbound, hops=1),
    "every_outbound": ConditionKey(_every_outbound, hops=1),
    "linked": ConditionKey(_linked, hops=1),
    # callers are found by the subject's id, any number of forwarding hops away: never decided
    # by a class, so its depth does not count (hops 0)
    "caller": ConditionKey(_caller, by_class=False),
    "route": ConditionKey(_route, lambda value, target, context, positive: ""),
    "bidirectional": ConditionKey(_bidirectional),
    "sole_store": ConditionKey(_sole_store),
    "model_has_service": ConditionKey(_model_has_service, _explain_model_has_service),
    "model_regulation": ConditionKey(_model_regulation),
    "model_classification_at_least": ConditionKey(_model_classification),
    "interface": ConditionKey(_interface, _explain_interface),
    "untrusted_input": ConditionKey(_untrusted_input, _explain_untrusted_input, by_class=False),
    "runs_code": ConditionKey(_runs_code),
    "caller_trust_below": ConditionKey(_caller_trust_below, _explain_caller_trust, by_class=False),
    "tenancy": ConditionKey(_tenancy, _explain_tenancy),
    "tenant_isolation": ConditionKey(_tenant_isolation, _explain_tenant_isolation),
    # the kinds of the stored data are not among the facts a class compares
    "stores_data_kind": ConditionKey(_stores_data_kind, _explain_stores_data_kind, by_class=False),
    "stores_integrity_at_least": ConditionKey(
        _stores_integrity_at_least, _explain_stores_integrity, by_class=False
    ),
    "internet_ingress": ConditionKey(_internet_ingress, _explain_internet_ingress, by_class=False),
    "ingress_stated": ConditionKey(_ingress_stated, by_class=False),
    "ingress_wider_than_flows": ConditionKey(_ingress_wider, _explain_ingress_wider, by_class=False),
    "in_program_scope": ConditionKey(_in_program_scope, _explain_in_program_scope),
    "runs_with_access_keys": ConditionKey(
        _runs_with_access_keys, _explain_runs_with_access_keys, by_class=False
    ),
    "writers_at_least": ConditionKey(_writers_at_least, _explain_writers, by_class=False),
    "runs_as_admin": ConditionKey(_runs_as_admin, _explain_runs_as_admin, by_class=False),
    "egress_reaches_internal": ConditionKey(_egress_reaches_internal, _explain_egress, by_class=False),
    "place_outside": ConditionKey(_place_outside, _explain_place),
    "shared_by_resource_policy": ConditionKey(_shared_by_resource_policy, _explain_shared, by_class=False),
    "runs_as_stated": ConditionKey(_runs_as_stated),
}
