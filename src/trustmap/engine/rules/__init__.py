"""Graph rules: threats whose question needs a graph algorithm, not a condition.

Each rule is registered here under the id of its catalog threat (which has
`implementation: python`), so that its metadata, severity, mitigations and parameters live in
the catalog. A rule reads the context and yields each subject it fires on with the reason.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, cast

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic

if TYPE_CHECKING:  # the rules and the graph code they read are imported when a rule is used
    from trustmap.catalog.schema import Threat
    from trustmap.engine.context import EvalContext
    from trustmap.engine.rules.common import Hit

__all__ = ["BUILTIN_RULES", "Rule", "check_registry"]

#: a rule yields (target, why) where the graph shows the threat, or `Asks` where it applies
#: (`trustmap.engine.rules.common`)
Rule = Callable[["EvalContext", "Threat"], Iterable["Hit"]]


class _Registry(Mapping[str, Rule]):
    """Rules by threat id, each found in its module (`module:function`) when it is looked up:
    the ids are known without importing the graph code, which `trustmap validate` never needs."""

    def __init__(self, places: Mapping[str, str]) -> None:
        self._places = dict(places)

    def __getitem__(self, rule_id: str) -> Rule:
        module, _, name = self._places[rule_id].partition(":")
        return cast(Rule, getattr(importlib.import_module(module), name))

    def __contains__(self, rule_id: object) -> bool:  # without importing the rule
        return rule_id in self._places

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)


_IDENTITY = "trustmap.engine.rules.identity"
_NETWORK = "trustmap.engine.rules.network"
_PLACES = "trustmap.engine.rules.places"

BUILTIN_RULES: Mapping[str, Rule] = _Registry(
    {
        "cross-account-trust-without-conditions": f"{_IDENTITY}:cross_account_trust_without_conditions",
        "data-sent-outside-residency": f"{_PLACES}:data_sent_outside_residency",
        "data-stored-outside-residency": f"{_PLACES}:data_stored_outside_residency",
        "oidc-trust-without-subject": f"{_IDENTITY}:oidc_trust_without_subject",
        "privilege-escalation-path": f"{_IDENTITY}:privilege_escalation_path",
        "role-spans-data-classifications": f"{_IDENTITY}:role_spans_data_classifications",
        "service-principal-confused-deputy": f"{_IDENTITY}:service_principal_confused_deputy",
        "standing-human-admin": f"{_IDENTITY}:standing_human_admin",
        "workload-reaches-beyond-its-flows": f"{_IDENTITY}:workload_reaches_beyond_its_flows",
        "internet-entry-routes-to-internal-network-uninspected": (
            f"{_NETWORK}:internet_entry_routes_to_internal_network_uninspected"
        ),
        "internet-path-to-datastore-bypasses-waf": (
            "trustmap.engine.rules.paths:internet_path_to_datastore_bypasses_waf"
        ),
        "restricted-data-flows-to-lower-trust": (
            "trustmap.engine.rules.trust:restricted_data_flows_to_lower_trust"
        ),
        "route-domain-carries-no-flow": f"{_NETWORK}:route_domain_carries_no_flow",
        "unfiltered-egress": f"{_NETWORK}:unfiltered_egress",
    }
)


def check_registry(catalog: Catalog, rules: Mapping[str, Rule]) -> list[Diagnostic]:
    """Python threats and registered rules must pair up one to one."""
    problems = []
    for threat_id, threat in catalog.threats.items():
        if threat.implementation == "python" and threat_id not in rules:
            origin = catalog.origins.get(("threat", threat_id))
            problems.append(
                Diagnostic(
                    "E211",
                    f"threat '{threat_id}' says 'implementation: python' "
                    "but no rule is registered under that id",
                    origin.path if origin else "models",
                    origin.span if origin else None,
                )
            )
    for rule_id in sorted(set(rules) - set(catalog.threats)):
        problems.append(
            Diagnostic(
                "E211",
                f"rule '{rule_id}' is registered but the catalog has no threat with that id",
                "models",
                None,
            )
        )
    return problems
