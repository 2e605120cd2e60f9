"""Plain-English descriptions of catalog conditions: the general phrase of each condition key.

`trustmap catalog` shows them, and the engine uses them for the "why" of checklist items and
for the keys whose reason needs none of the subject's own values (see
`trustmap.engine.conditions.CONDITION_KEYS`). They depend on the catalog's vocabulary alone.
"""

from __future__ import annotations

from typing import Any

from trustmap.catalog.schema import Condition

__all__ = ["about", "describe"]


def _list(values: Any) -> str:
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


#: letters whose names start with a vowel sound (ef, aitch, el, em, en, ar, ess, ex)
_VOWEL_SOUNDING_LETTERS = frozenset("fhlmnrsx")


def article(word: str) -> str:
    """`a` or `an`, as `word` is read aloud: an ec2, a container, and an s3 or an rds (short
    names without a vowel, or with a digit, are spelt out letter by letter)."""
    token = word.split("-", 1)[0].split(" ", 1)[0].lower()
    spelt = 0 < len(token) <= 3 and (any(c.isdigit() for c in token) or not set(token) & set("aeiouy"))
    if spelt:
        return "an" if token[0] in _VOWEL_SOUNDING_LETTERS or token[0] in "aeio" else "a"
    return "an" if token[:1] in ("a", "e", "i", "o") else "a"


def _a(values: Any) -> str:
    """The article of the first listed value."""
    return article(str(next(iter(values), "")))


def about(subject: str, phrase: str) -> str:
    """`phrase` said of `subject`; phrases about the whole model name it themselves."""
    return phrase if phrase.startswith("the model ") else f"{subject} {phrase}"


#: verbs that open a phrase, and how the phrase reads negated
_NEGATED = (
    ("the model has ", "the model does not have "),
    ("the model handles ", "the model does not handle "),
    ("is ", "is not "),
    ("has ", "does not have "),
    ("handles ", "does not handle "),
    ("sits in ", "does not sit in "),
    ("stores ", "does not store "),
    ("uses ", "does not use "),
    ("crosses ", "does not cross "),
    ("exchanges ", "does not exchange "),
    ("declares ", "does not declare "),
)


def _negate(phrase: str) -> str:
    """`is an ec2 service` -> `is not an ec2 service`; compound phrases keep `not (...)`."""
    simple = " and " not in phrase and " or " not in phrase and not phrase.startswith("not ")
    for verb, negated in _NEGATED if simple else ():
        if phrase.startswith(verb) and not phrase.startswith(negated):
            return negated + phrase.removeprefix(verb)
    return f"not ({phrase})"


def _flag(yes: str, no: str) -> Any:
    return lambda value: yes if value else no


_PHRASES: dict[str, Any] = {
    "route": _flag("is a route (network plumbing)", "is a data flow"),
    "handles_regulation": lambda v: f"stores, processes or transmits {_list(v)} data",
    "bidirectional": _flag("carries data both ways", "carries data one way"),
    "sole_store": _flag(
        "is the only store of some of its data",
        "only keeps copies of data stored elsewhere, data made from it, or disposable data",
    ),
    "service": lambda v: f"is {_a(v)} {_list(v)} service",
    "service_model": lambda v: f"is {_a(v)} {_list(v)} service",
    "kind": lambda v: f"is {_a(v)} {_list(v)} component",
    "dfd": lambda v: f"is {_a(v)} {_list(v)}",
    "aws": _flag("is an AWS service", "is not an AWS service"),
    "stores_data": _flag("stores data", "stores no data"),
    "iam_authenticated": _flag(
        "reaches a listener that authenticates with IAM", "reaches no listener that authenticates with IAM"
    ),
    "classification_at_least": lambda v: f"handles {v} data or more sensitive",
    "handles_classification_at_least": lambda v: f"stores, processes or transmits {v} data or more sensitive",
    "discloses_classification_at_least": lambda v: (
        f"hands its target {v} data or more sensitive that the target did not issue"
    ),
    "regulation": lambda v: f"handles {_list(v)} data",
    "in_boundary_kind": lambda v: f"sits in {_a(v)} {_list(v)} boundary",
    "in_public_subnet": _flag("sits in a public subnet", "is not in a public subnet"),
    "trust_below": lambda v: f"sits where trust is below {v}",
    "declared": lambda v: f"declares control '{v}'",
    "protocol": lambda v: f"uses {_list(v)}",
    "encrypted": _flag("is encrypted", "is not encrypted"),
    "authenticated": _flag("is authenticated", "is not authenticated"),
    "crosses_boundary": _flag("crosses a trust boundary", "stays inside its trust boundary"),
    "crosses_boundary_kind": lambda v: f"crosses {_a(v)} {_list(v)} boundary",
    "trust_decreases": _flag("goes to a less trusted place", "does not go to a less trusted place"),
    "port": lambda v: f"uses port {_list(v)}",
    "linked_service": lambda v: f"exchanges data with {_a(v)} {_list(v)} component",
    "model_has_service": lambda v: f"the model has {_a(v)} {_list(v)} component",
    "model_regulation": lambda v: f"the model handles {_list(v)} data",
    "model_classification_at_least": lambda v: f"the model handles {v} data",
    "interface": lambda v: f"exposes {_a(v)} {_list(v)} interface",
    "untrusted_input": _flag(
        "receives requests from a less trusted place", "receives no request from a less trusted place"
    ),
    "caller_trust_below": lambda v: f"receives requests from a place of trust below {v}",
    "runs_code": _flag("runs the customer's code", "runs no code of the customer's"),
    "tenancy": lambda v: f"has {_list(v)} tenancy",
    "tenant_isolation": lambda v: f"isolates tenants by {_list(v)}",
    "stores_data_kind": lambda v: f"stores {_list(v)} data",
    "stores_integrity_at_least": lambda v: f"stores data whose integrity weighs {v} or more",
    "internet_ingress": lambda v: (
        f"has a security group rule that admits the internet on port {_list(v)}"
        if v
        else "has a security group rule that admits the internet"
    ),
    "ingress_stated": _flag("states its security group ingress", "does not state its security group ingress"),
    "ingress_wider_than_flows": _flag("admits more than its flows need", "admits only what its flows need"),
    "runs_with_access_keys": _flag(
        "runs as an IAM user with long-lived access keys", "runs only as roles or users without access keys"
    ),
    "writers_at_least": lambda v: f"is written by at least {v} components",
    "runs_as_admin": _flag(
        "runs as a principal that holds admin on everything ('*')",
        "runs as no principal that holds admin on everything",
    ),
    "egress_reaches_internal": _flag(
        "has security group egress to internal addresses",
        "has no security group egress to internal addresses",
    ),
    "place_outside": lambda v: f"is in a place outside {_list(v)}",
    "shared_by_resource_policy": _flag(
        "has a resource policy that lets another account in with no condition",
        "has no resource policy that lets another account in with no condition",
    ),
    "runs_as_stated": _flag("states the principals it runs as", "does not state the principals it runs as"),
    "in_program_scope": _flag(
        "is on AWS's in-scope list of every program of the data it handles",
        "is not on AWS's in-scope list of a program of the data it handles",
    ),
}


#: how a condition on a component's flows reads; the phrase of the flow condition follows
_FLOW_SETS = {
    "inbound": "receives a flow that",
    "outbound": "sends a flow that",
    "every_inbound": "receives flows that all",
    "every_outbound": "sends flows that all",
}


def describe(condition: Condition) -> str:
    """A short phrase such as "crosses a trust boundary and is not encrypted"."""
    key = condition.key()
    if key == "all":
        return " and ".join(describe(c) for c in condition.all or ())
    if key == "any":
        parts = [describe(c) for c in condition.any or ()]
        return "either " + " or ".join(parts) if len(parts) > 1 else "".join(parts)
    if key == "not":
        assert condition.not_ is not None
        return _negate(describe(condition.not_))
    if key in ("source", "target"):
        inner = condition.source if key == "source" else condition.target
        assert inner is not None
        # "sends a flow that goes to a component that is a cloudwatch service"
        return f"{'comes from' if key == 'source' else 'goes to'} a component that {describe(inner)}"
    if key in _FLOW_SETS:
        inner = getattr(condition, key)
        assert inner is not None
        return f"{_FLOW_SETS[key]} {describe(inner)}"
    if key == "linked":
        assert condition.linked is not None
        return f"is joined by a flow to a component that {describe(condition.linked)}"
    if key == "caller":
        assert condition.caller is not None
        return f"is reached by someone who {describe(condition.caller)}"
    if key == "property":
        test = condition.property
        assert test is not None
        if test.equals is not None:
            value = str(test.equals).lower() if isinstance(test.equals, bool) else test.equals
            return f"has {test.name}: {value}"
        return f"has {test.name}: {_list(test.in_ or ())}"
    return str(_PHRASES[key](getattr(condition, key)))
