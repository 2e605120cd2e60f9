"""Graph rules: threats whose question needs a graph algorithm, not a condition.

Each rule is registered here under the id of its catalog threat (which has
`implementation: python`), so that its metadata, severity, mitigations and parameters live in
the catalog. A rule reads the context and yields each subject it fires on with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from trustmap.catalog import Catalog
from trustmap.catalog.schema import Threat
from trustmap.diagnostics import Diagnostic
from trustmap.engine.context import EvalContext
from trustmap.engine.rules.common import Asks, Hit
from trustmap.engine.rules.identity import (
    cross_account_trust_without_conditions,
    oidc_trust_without_subject,
    privilege_escalation_path,
    role_spans_data_classifications,
    service_principal_confused_deputy,
    standing_human_admin,
    workload_reaches_beyond_its_flows,
)
from trustmap.engine.rules.network import (
    internet_entry_routes_to_internal_network_uninspected,
    unfiltered_egress,
)
from trustmap.engine.rules.paths import internet_path_to_datastore_bypasses_waf
from trustmap.engine.rules.places import data_sent_outside_residency, data_stored_outside_residency
from trustmap.engine.rules.trust import restricted_data_flows_to_lower_trust

__all__ = ["BUILTIN_RULES", "Asks", "Rule", "check_registry"]

#: a rule yields (target, why) where the graph shows the threat, or `Asks` where it applies
Rule = Callable[[EvalContext, Threat], Iterable[Hit]]

BUILTIN_RULES: Mapping[str, Rule] = {
    "cross-account-trust-without-conditions": cross_account_trust_without_conditions,
    "data-sent-outside-residency": data_sent_outside_residency,
    "data-stored-outside-residency": data_stored_outside_residency,
    "oidc-trust-without-subject": oidc_trust_without_subject,
    "privilege-escalation-path": privilege_escalation_path,
    "role-spans-data-classifications": role_spans_data_classifications,
    "service-principal-confused-deputy": service_principal_confused_deputy,
    "standing-human-admin": standing_human_admin,
    "workload-reaches-beyond-its-flows": workload_reaches_beyond_its_flows,
    "internet-entry-routes-to-internal-network-uninspected": (
        internet_entry_routes_to_internal_network_uninspected
    ),
    "internet-path-to-datastore-bypasses-waf": internet_path_to_datastore_bypasses_waf,
    "restricted-data-flows-to-lower-trust": restricted_data_flows_to_lower_trust,
    "unfiltered-egress": unfiltered_egress,
}


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
