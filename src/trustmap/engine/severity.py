"""Rate a finding: impact from what is at stake on its subject, likelihood from its exposure.

docs/judgement.md is the reference. Impact weighs the data the subject stores, processes or
transmits (never data elsewhere in the model), capped by the threat's own ceiling; availability
findings weigh the subject's dependents instead, and a regulation raises impact only where one
of the finding's open controls maps to it. Likelihood comes from the exposure graph (gates on
the way in, attack paths) and the subject's own public settings, or is fixed by the threat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trustmap.catalog.schema import Control, Threat
from trustmap.engine.conditions import holds
from trustmap.engine.context import EvalContext, Target
from trustmap.engine.exposure import likelihood_of_gates
from trustmap.findings import LEVELS
from trustmap.graph import FlowInfo, classification_rank

__all__ = ["Rating", "rate"]

#: the compliance frameworks whose controls can raise impact, as data assets name them
_REGULATED_FRAMEWORKS = ("pci-dss", "hipaa")
_REGULATION_NAMES = {"pci-dss": "PCI DSS", "hipaa": "HIPAA"}
#: threats to a flow's contents on the wire: their likelihood is where the bytes travel
_IN_TRANSIT = frozenset({"tampering", "information-disclosure"})


@dataclass(frozen=True, slots=True)
class Rating:
    impact: str
    likelihood: str
    severity: str
    reasons: tuple[str, ...]  # one sentence on impact, one on likelihood


def _up(level: str, steps: int = 1) -> str:
    return LEVELS[min(LEVELS.index(level) + steps, len(LEVELS) - 1)]


def _lower(a: str, b: str) -> str:
    return a if LEVELS.index(a) <= LEVELS.index(b) else b


def _higher(a: str, b: str) -> str:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


def _listed(ids: Iterable[str], limit: int = 4) -> str:
    ids = list(ids)
    shown = ", ".join(f"'{i}'" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _named_list(ids: Sequence[str], limit: int = 4) -> str:
    """Components named in a sentence: `'a'`, `'a' and 'b'`, `'a', 'b', 'c' and 2 more`."""
    quoted = [f"'{i}'" for i in ids[:limit]]
    if len(ids) > limit:
        return f"{', '.join(quoted)} and {len(ids) - limit} more"
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _by_reach(threat: Threat, target: Target) -> bool:
    """Whether the data at stake is what the subject's identities reach (`impact_from`)."""
    if threat.impact_from == "reached" or target.principal is not None:
        return True
    return (
        threat.impact_from == "identity" and target.component is not None and bool(target.component.runs_as)
    )


def _routed_through(target: Target, context: EvalContext) -> list[str]:
    """The components joined by route flows (`kind: route`), either way, to a network component
    (a NAT or transit gateway), whose role is to carry them."""
    if target.component is None or target.component.service_kind != "network":
        return []
    me = target.subject.id
    joined = (*context.flows_into.get(me, ()), *context.flows_out_of.get(me, ()))
    return sorted(
        {
            f.flow.source if f.flow.target == me else f.flow.target
            for f in joined
            if f.flow and f.flow.kind == "route"
        }
    )


def _by_affected(threat: Threat, target: Target) -> bool:
    """Whether the data at stake is what the components a model-wide finding names handle."""
    return threat.impact_from == "affected" and target.subject.kind == "model" and bool(target.affected)


def _handled(component_id: str, context: EvalContext) -> tuple[str, ...]:
    """What a component handles, and for a link the data of the flows it carries."""
    handles = context.graph.component(component_id).handles
    carried = {d for f in context.carried.get(component_id, ()) for d in f.data}
    return tuple(sorted({*handles, *carried})) if carried else handles


def _data_at_stake(threat: Threat, target: Target, context: EvalContext) -> tuple[str, ...]:
    if _by_reach(threat, target):
        return context.data_reached(target)
    if _by_affected(threat, target):
        return tuple(sorted({d for c in target.affected for d in _handled(c, context)}))
    if target.component is not None:
        if threat.impact_from == "opened":
            return _opened_data(target.component.id, context)
        if threat.impact_from == "stored":
            return target.component.stores
        if threat.impact_from == "joined":
            return _joined_data(target.component.id, context)
        return _handled(target.component.id, context)
    if target.flow is not None:
        return target.flow.data
    return ()


def _joined_data(component_id: str, context: EvalContext) -> tuple[str, ...]:
    """What the stores that routes through the component open to less trusted networks hold."""
    graph = context.graph
    stores = {r.target for r in context.stale_routes.get(component_id, ())}
    return tuple(sorted({d for s in stores for d in graph.component(s).stores}))


def _opened_data(component_id: str, context: EvalContext) -> tuple[str, ...]:
    """What a component handles, and what the components its credentials open handle."""
    graph = context.graph
    handled = set(graph.component(component_id).handles)
    for served in context.opened(component_id):
        handled.update(graph.component(served).handles)
    return tuple(sorted(handled))


def _impact(
    threat: Threat, target: Target, controls: Sequence[Control], context: EvalContext
) -> tuple[str, str]:
    policy = context.catalog.severity
    ceiling = threat.impact
    if target.subject.kind == "model" and not _by_affected(threat, target):
        return ceiling, f"impact {ceiling}: an account-wide duty"
    if set(threat.stride) == {"denial-of-service"}:
        dependents = context.dependents.get(target.subject.id, ()) if target.component else ()
        if len(dependents) >= policy.dependents_for_high:
            level = "high"
        elif len(dependents) >= policy.dependents_for_medium:
            level = "medium"
        else:
            level = "low"
        level = _lower(level, ceiling)
        if dependents:
            role = f"{_listed(dependents)} depend{'s' if len(dependents) == 1 else ''} on it"
        elif routed := _routed_through(target, context):
            # network plumbing (a NAT gateway): what routes through it is named, not counted
            role = f"no data flow depends on it; routes join it to {_listed(routed)}"
        else:
            role = "nothing depends on it"
        return level, f"impact {level}: {role}"
    repudiation = set(threat.stride) == {"repudiation"}
    if repudiation:
        level, why = ceiling, "what cannot be proven afterwards"
    else:
        data = _data_at_stake(threat, target, context)
        assets = context.graph.model.data
        if data:
            top = max(data, key=lambda d: classification_rank(assets[d].classification))
            weight: str = policy.data_impact[assets[top].classification]
            weighty = sorted(d for d in data if assets[d].classification == assets[top].classification)
            what, others = f"{assets[top].classification} data", "less sensitive"
            altered = _integrity_at_stake(threat, data, context)
            if altered is not None and LEVELS.index(altered[0]) > LEVELS.index(weight):
                # changing or losing it costs more than reading it: the model says so
                weight, weighty = altered
                top = weighty[0]
                what, others = f"data whose integrity weighs {weight}", "weighing less"
            level = _lower(_higher(weight, threat.impact_floor), ceiling)
            reached = "reached " if _by_reach(threat, target) else ""
            why = f"{what} {reached}at stake ({_listed(weighty)})"
            if _by_affected(threat, target):
                # a finding about the model weighs the workloads it names: say which hold the data
                holders = [c for c in target.affected if set(weighty) & set(_handled(c, context))]
                verb = "handles" if len(holders) == 1 else "handle"
                why = f"{_named_list(holders)} {verb} {what} ({_listed(weighty)})"
            elif threat.impact_from == "opened" and target.component is not None:
                why += _opened_by(target.component.id, top, context)
            elif threat.impact_from == "joined":
                why += ", which its routes open to a less trusted network"
            elif carried := [f.id for f in context.carried.get(target.subject.id, ()) if top in f.data]:
                # a link handles nothing itself: what weighs is what travels through it
                why += f", which it carries ({_listed(carried)})"
            if len(weighty) < len(data):
                why += f"; {others}: {_listed(sorted(set(data) - set(weighty)))}"
            if LEVELS.index(level) > LEVELS.index(weight):
                # the data alone weighs less: say what lifts it, not only the data
                why += f"; this threat is never below {level} (its floor), whatever the data"
        else:
            level = _lower(threat.impact_floor, ceiling)
            if _by_reach(threat, target):
                why = "it reaches no data"
            elif _by_affected(threat, target):
                verb = "handles" if len(target.affected) == 1 else "handle"
                why = f"{_named_list(target.affected)} {verb} no data of the model"
            else:
                why = "no data of the model at stake"
    # A regulation weighs where its requirements are the finding's controls: it raises data that
    # is regulated but rated below the threat's ceiling, and raises what cannot be proven (the
    # regulations ask for those records in their own right).
    regulated = _regulated(threat, target, controls, context)
    limit = "high" if repudiation else ceiling
    if regulated and LEVELS.index(level) < LEVELS.index(limit):
        raised = _up(level)
        return raised, f"impact {raised}: {why}, raised from {level} for {regulated}"
    return level, f"impact {level}: {why}"


def _integrity_at_stake(
    threat: Threat, data: Sequence[str], context: EvalContext
) -> tuple[str, list[str]] | None:
    """The highest `integrity` stated on the data at stake and the data stating it, for a
    threat that changes or destroys data (STRIDE tampering); None where none is stated."""
    if "tampering" not in threat.stride:
        return None
    assets = context.graph.model.data
    stated = [(d, level) for d in data if (level := assets[d].integrity) is not None]
    if not stated:
        return None
    highest = max((level for _, level in stated), key=LEVELS.index)
    return highest, sorted(d for d, level in stated if level == highest)


def _opened_by(component_id: str, top: str, context: EvalContext) -> str:
    """Where the weightiest data is opened, when the subject handles none as weighty itself."""
    graph = context.graph
    assets = graph.model.data
    rank = classification_rank(assets[top].classification)
    if any(
        classification_rank(assets[d].classification) >= rank for d in graph.component(component_id).handles
    ):
        return ""
    where = [s for s in context.opened(component_id) if top in graph.component(s).handles]
    return f", which its own credentials open at {_listed(where)}"


def _regulated(threat: Threat, target: Target, controls: Sequence[Control], context: EvalContext) -> str:
    """The regulations of the data at stake on the subject that the finding's open controls map to."""
    assets = context.graph.model.data
    at_stake = {r for d in _data_at_stake(threat, target, context) for r in assets[d].regulations}
    mapped = {
        framework
        for control in controls
        for framework, refs in control.compliance.as_dict().items()
        if refs and framework in _REGULATED_FRAMEWORKS
    }
    found = sorted(at_stake & mapped)
    return " and ".join(_REGULATION_NAMES[f] for f in found) + (" requirements" if found else "")


def _transit(flow: FlowInfo, context: EvalContext) -> tuple[str, str]:
    """Where a flow's bytes travel: over the internet, through a less trusted network, or AWS."""
    ends = [context.graph.component(flow.source), context.graph.component(flow.target)]
    # a person or system on the internet (or outside every boundary), or a third party's; staff
    # on a corporate network are not on the internet
    if any("internet" in c.boundary_kinds or c.trust < 30 for c in ends):
        return "high", "it travels over the internet"
    if _leaves_to_internet(flow.target, context):
        return "high", f"'{flow.target}' passes it on to the internet"
    if any(not c.aws or {"corporate", "on-premises", "third-party"} & set(c.boundary_kinds) for c in ends):
        return "medium", "it travels outside AWS, through a corporate or on-premises network"
    return "low", "it stays on AWS networks"


def _leaves_to_internet(component_id: str, context: EvalContext, depth: int = 4) -> bool:
    """Whether traffic reaching a forwarding component goes on to the internet (NAT -> IGW)."""
    component = context.graph.component(component_id)
    if not component.forwards or depth == 0:
        return False
    onward = context.flows_out_of.get(component_id, ())
    if not onward:
        return component.internet_facing
    return any(f.flow is not None and _leaves_to_internet(f.flow.target, context, depth - 1) for f in onward)


def _likelihood(threat: Threat, target: Target, context: EvalContext) -> tuple[str, str]:
    if target.likelihood is not None:
        found, because = target.likelihood
        return found, f"likelihood {found}: {because}"
    for case in threat.likelihood_when:
        if holds(case.when, target, context):
            return case.likelihood, f"likelihood {case.likelihood}: {case.because}"
    if threat.likelihood is not None:
        return (
            threat.likelihood,
            f"likelihood {threat.likelihood}: the catalog's rating for this threat, which needs no "
            "network path",
        )
    if target.subject.kind == "model":
        return "medium", "likelihood medium: an account-wide duty"
    if target.principal is not None:
        return "medium", "likelihood medium: an identity, reached by whoever holds what can act as it"
    level, why = _exposed(threat, target, context)
    cap = threat.likelihood_cap
    if cap is not None and LEVELS.index(level) > LEVELS.index(cap.at_most):
        return cap.at_most, f"likelihood {cap.at_most}: {why}, but {cap.because}"
    return level, f"likelihood {level}: {why}"


def _exposed(threat: Threat, target: Target, context: EvalContext) -> tuple[str, str]:
    """The likelihood that exposure gives a component or flow, and why."""
    on_path = context.on_paths.get(target.subject.id)
    level: str
    if target.component is not None:
        component = target.component
        if component.stated_value("public_access") is True:
            return "high", "it allows anonymous access"
        gates = context.exposure.gates.get(component.id)
        level = likelihood_of_gates(gates)
        if gates is None:
            why = "not reachable from an entry along flows"
        elif gates == 0:
            why = "reachable from an entry without compromising anything first"
        else:
            why = context.exposure.ways[component.id].text()
        if on_path is not None and LEVELS.index(on_path) > LEVELS.index(level):
            level, why = on_path, "on an attack path to a sensitive target"
        return level, why
    assert target.flow is not None
    if set(threat.stride) <= _IN_TRANSIT:
        # Reading or altering the flow on the wire: where its bytes travel.
        level, why = _transit(target.flow, context)
    else:
        # Impersonating the sender, or abusing what the flow lets through: who can stand at
        # its source.
        gates = context.exposure.gates.get(target.flow.source)
        level = likelihood_of_gates(gates)
        why = (
            f"its source '{target.flow.source}' is not reachable from an entry"
            if gates is None
            else f"its source '{target.flow.source}': {context.exposure.ways[target.flow.source].text()}"
            if gates
            else f"an attacker can stand at or reach its source '{target.flow.source}'"
        )
    if on_path is not None and LEVELS.index(on_path) > LEVELS.index(level):
        level, why = on_path, "on an attack path to a sensitive target"
    return level, why


def rate(threat: Threat, target: Target, controls: Sequence[Control], context: EvalContext) -> Rating:
    """Impact, likelihood and the severity the matrix gives them, with the reasons."""
    impact, impact_why = _impact(threat, target, controls, context)
    likelihood, likelihood_why = _likelihood(threat, target, context)
    severity = context.catalog.severity.matrix[impact][likelihood]  # type: ignore[index]
    return Rating(impact, likelihood, severity, (impact_why, likelihood_why))
