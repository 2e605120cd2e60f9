"""Whether a listener signs its users in before it forwards them (an ALB's authenticate actions).

A listener's requests reach its targets through its default actions or through one of its
rules' actions. Each list of actions either forwards (after signing the user in, or not), or
answers by itself (a fixed response, a redirect): only the lists that forward matter. The
entry flow into the load balancer on that listener's port is authenticated only when every
list that forwards signs in first; one that forwards without signing in, or whose kinds have no
value offline, leaves it as the model's default and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from trustmap.interop.mapping import SignIn
from trustmap.interop.paths import literal, values_at
from trustmap.interop.resources import Template

__all__ = ["ListenerSignIn", "actions_verdict", "listener_sign_in"]

#: what one list of actions does: None when it does not forward at all
Verdict = Literal["signs in", "open", "undecided"]


@dataclass(frozen=True)
class ListenerSignIn:
    """Whether every way the listener forwards signs in first, and why (or why not)."""

    authenticated: bool
    reasons: tuple[str, ...]


def _kind(action: Any, spec: SignIn, template: Template) -> str | None:
    kinds = [literal(v, template.parameters) for v in values_at(action, spec.type)]
    return kinds[0] if kinds and isinstance(kinds[0], str) else None


def actions_verdict(actions: Iterable[Any], spec: SignIn, template: Template) -> Verdict | None:
    """What a list of actions does with a request: signs in then forwards, forwards without
    signing in, cannot be told offline, or (None) does not forward."""
    ordered = []
    for index, action in enumerate(actions):
        orders = [literal(v, template.parameters) for v in values_at(action, spec.order)]
        order = (
            orders[0] if orders and isinstance(orders[0], int) and not isinstance(orders[0], bool) else None
        )
        ordered.append(((order if order is not None else index + 1, index), action))
    signed_in = False
    for _, action in sorted(ordered, key=lambda item: item[0]):
        kind = _kind(action, spec, template)
        if kind is None:
            return "undecided"
        if kind in spec.authenticate:
            signed_in = True
        elif kind in spec.forward:
            return "signs in" if signed_in else "open"
    return None


def listener_sign_in(listener: str, spec: SignIn, template: Template) -> ListenerSignIn | None:
    """Whether `listener` signs in everyone it forwards; None when none of its actions sign in
    (nothing to say: the model's default stands)."""
    lists = [
        (f"listener {listener}", actions_verdict(template.literals(listener, spec.actions), spec, template))
    ]
    if spec.rules is not None:
        lists += [
            (f"rule {rule}", actions_verdict(template.literals(rule, spec.rules.actions), spec, template))
            for rule in template.of_type(spec.rules.resource)
            if listener in template.refs(rule, [spec.rules.by])
        ]
    forwarding = [(where, verdict) for where, verdict in lists if verdict is not None]
    signing = [where for where, verdict in forwarding if verdict == "signs in"]
    if not signing:
        return None
    if len(signing) == len(forwarding):
        verb = "signs" if len(signing) == 1 else "sign"
        return ListenerSignIn(True, (f"{' and '.join(signing)} {verb} users in before forwarding",))
    reasons = [f"{signing[0]} signs users in before forwarding"]
    for where, verdict in forwarding:
        if verdict == "open":
            reasons.append(f"not authenticated: {where} forwards without signing users in")
        elif verdict == "undecided":
            reasons.append(f"question: whether {where} signs users in has no value offline")
    return ListenerSignIn(False, tuple(reasons))
