"""Identity rules over the permission graph (format 1.2): trust, escalation and reach.

Each rule yields a finding where the principals, trust statements and grants the model states
show the problem, and `Asks` where the rule applies but the model leaves the deciding fact unsaid
(a trust statement whose `conditions` are not written, a human role that does not say whether
its access is just in time). Findings state the path of grants.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from trustmap.catalog.schema import Threat
from trustmap.engine.context import EvalContext, Target, named
from trustmap.engine.rules.common import Asks, Hit, Through
from trustmap.graph import ComponentInfo, classification_rank
from trustmap.identities import PrincipalInfo, Reached, Step
from trustmap.model import TrustConditions

__all__ = [
    "cross_account_trust_without_conditions",
    "oidc_trust_without_subject",
    "privilege_escalation_path",
    "role_spans_data_classifications",
    "service_principal_confused_deputy",
    "standing_human_admin",
    "workload_reaches_beyond_its_flows",
]

_MAX_SHOWN = 3


def _roles(context: EvalContext) -> list[PrincipalInfo]:
    return [p for p in context.graph.permissions.principals.values() if p.kind == "role"]


def _pinned(subject: str | None) -> bool:
    """An OIDC `sub` pattern that names one repository, project or workload: not `*`, and no
    wildcard in the first value after the claim type (`repo:*`, `repo:acme/*` and
    `project_path:group/*` admit every repository of the service or of an organisation). A
    wildcard further on (`repo:acme/app:*`, any branch of one repository) still names it."""
    if not subject or subject.strip() in ("*", ""):
        return False
    _, colon, rest = subject.partition(":")
    first = rest.split(":", 1)[0]
    return not (colon and ("*" in first or "?" in first))


def _organisation(subject: str | None) -> str | None:
    """The organisation or group an unpinned `sub` still names (`repo:acme/*` -> `acme`), or
    None where it admits everyone on the service."""
    first = (subject or "").partition(":")[2].split(":", 1)[0]
    owner = first.split("/", 1)[0]
    if not first or first.startswith(("*", "?")) or "*" in owner or "?" in owner:
        return None
    return owner


def _whom(subject: str | None) -> str:
    """Who an unpinned `sub` admits: everyone on the service, or an organisation's repositories."""
    first = (subject or "").partition(":")[2].split(":", 1)[0]
    if first and not first.startswith(("*", "?")):
        return f" (every repository or project under '{first}')"
    return " (any repository or workload on that service)"


def _provider_host(identifier: str | None) -> str:
    """`https://token.actions.githubusercontent.com/x` -> token.actions.githubusercontent.com."""
    text = (identifier or "").strip().lower()
    return text.split("://", 1)[-1].split("/", 1)[0]


def _pins(threat: Threat, provider: PrincipalInfo) -> tuple[str, ...]:
    """The claims that pin the provider's tokens to the customer: `aud` alone for the threat's
    `audience_only` providers, else `sub` and `aud`."""
    audience_only = threat.parameters.get("audience_only", [])
    if isinstance(audience_only, list) and _provider_host(provider.identifier) in audience_only:
        return ("aud",)
    return ("sub", "aud")


def oidc_trust_without_subject(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Roles whose trust lets an OIDC provider's tokens in without pinning the claims that name
    the customer's own tenant: `sub` and `aud`, or the provider's own (`pins`)."""
    principals = context.graph.permissions.principals
    for role in _roles(context):
        for statement in role.trust or ():
            provider = principals[statement.principal]
            if provider.kind != "oidc-provider":
                continue
            target = context.principal(role.id)
            conditions = statement.conditions
            if conditions is None:
                yield _asks(target, f"{_cap(named(target))} trusts OIDC provider '{provider.id}'")
                continue
            pins = _pins(threat, provider)
            missing = []
            if "sub" in pins and not _pinned(conditions.oidc_subject):
                missing.append(
                    "no `sub` condition"
                    if not conditions.oidc_subject
                    else f"a `sub` condition that names no single repository or workload"
                    f" ('{conditions.oidc_subject}')"
                )
            if "aud" in pins and not conditions.oidc_audience:
                missing.append("no `aud` condition")
            if missing:
                whom = _whom(conditions.oidc_subject) if "sub" in pins else ""
                organisation = _organisation(conditions.oidc_subject) if "sub" in pins else None
                if organisation and conditions.oidc_audience:
                    # the token must come from the customer's own organisation: an insider, or a
                    # compromised member account, not anyone on the service
                    target = replace(
                        target,
                        likelihood=(
                            "medium",
                            f"only a workload of '{organisation}' (a repository or project someone "
                            "there can create or push to) gets such a token",
                        ),
                    )
                yield (
                    target,
                    f"{_cap(named(target))} trusts OIDC provider '{provider.id}' with"
                    f" {' and '.join(missing)}: any identity that '{provider.id}' issues tokens to"
                    f"{whom} can assume it",
                )


def cross_account_trust_without_conditions(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Roles that another account, or a principal of another account, may assume without an
    ExternalId (third parties) or any restricting condition."""
    principals = context.graph.permissions.principals
    for role in _roles(context):
        for statement in role.trust or ():
            other = principals[statement.principal]
            if other.kind not in ("account", "role", "user") or not _other_account(role, other, context):
                continue
            target = context.principal(role.id)
            third = _third_party(other, context)
            where = f"{_cap(named(target))} trusts {other.kind} '{other.id}' of another account" + (
                " (a third party)" if third else ""
            )
            conditions = statement.conditions
            if conditions is None:
                yield _asks(target, where)
            elif third and not conditions.external_id:
                yield target, f"{where} without requiring an ExternalId: a confused deputy can use it"
            elif not third and not _restricted(conditions) and other.kind == "account":
                yield target, f"{where} with no condition: every principal of that account may assume it"


def _restricted(conditions: TrustConditions) -> bool:
    return bool(
        conditions.external_id
        or conditions.organization
        or conditions.source_account
        or conditions.source_arn
        or conditions.mfa
    )


def _other_account(role: PrincipalInfo, other: PrincipalInfo, context: EvalContext) -> bool:
    if other.kind == "account":
        return other.boundary is None or other.boundary != role.account
    return other.account is not None and role.account is not None and other.account != role.account


def _third_party(principal: PrincipalInfo, context: EvalContext) -> bool:
    boundaries = context.graph.boundaries
    if principal.boundary is None or principal.boundary not in boundaries:
        return False
    kinds = {boundaries[b].kind for b in boundaries[principal.boundary].path}
    return "third-party" in kinds


def service_principal_confused_deputy(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Resources whose resource or key policy grants an AWS service principal access without
    pinning the calling resource or account (aws:SourceArn, aws:SourceAccount)."""
    principals = context.graph.permissions.principals
    seen: set[str] = set()
    for grant in context.graph.permissions.grants:
        holder = principals[grant.principal]
        if holder.kind != "service" or grant.via == "identity-policy":
            continue
        for resource in grant.targets:
            if resource not in context.graph.component_records or resource in seen:
                continue
            target = context.component(resource)
            policy = grant.via.replace("-", " ")
            where = f"The {policy} of {named(target)} lets service '{holder.id}' {grant.access} it"
            conditions = grant.conditions
            if conditions is None:
                yield _asks(target, where)
            elif not (conditions.source_arn or conditions.source_account or conditions.organization):
                seen.add(resource)
                yield (
                    target,
                    f"{where} with no aws:SourceArn or aws:SourceAccount condition: the service can be"
                    " made to act on it for another account",
                )


def privilege_escalation_path(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Principals that can make themselves a role which reaches more than they do: by changing
    its policies, IAM, code that runs as it, or by passing it to compute they can write; and
    principals that can become an administrator of everything by any route, its trust included.

    "More powerful" compares reach: a role whose reach another role the principal can become
    covers is not listed, so a path through an administrator stops at the administrator."""
    identities = context.graph.permissions
    administrators = identities.administrators
    reaches: dict[str, dict[str, Reached]] = {}
    for principal in identities.principals.values():
        if principal.kind not in ("role", "user", "group") or principal.id in administrators:
            continue  # an administrator has nothing to escalate to
        own = {t for _, t, how in identities.graph.out_edges(principal.id, keys=True) if how in _ACCESS}
        # a pipeline's deploy role that passes the roles of the workloads it deploys does what
        # it is for; people who can do the same (developers) can become those roles at will
        deployed = (
            set()
            if principal.human
            else {
                r
                for t in own
                if t in context.graph.component_records
                for r in context.graph.component(t).runs_as
            }
        )
        paths = identities.acts_as([principal.id])
        examples: dict[str, Reached] = {}  # the strongest sensitive reach each role adds
        gains: list[str] = []
        for role, path in paths.items():
            if role == principal.id or role in deployed:
                continue
            admin = role in administrators
            if not admin and not any(step.how == "escalates" for step in path):
                continue  # a role its trust admits by design, short of an administrator
            if role not in reaches:
                reaches[role] = identities.reach([role])
            more = [r for t, r in reaches[role].items() if t not in own and _sensitive(t, context)]
            if more:
                examples[role] = max(more, key=lambda r: (_ACCESS.index(r.access), r.target))
            if admin or more:
                gains.append(role)
        # administrators first, then the nearest; a role that another listed covers (as an
        # administrator covers the roles of its account) is no escalation of its own
        gains.sort(key=lambda r: (r not in administrators, len(paths[r]), r))
        shown = [r for r in gains if not any(_covers(q, r, gains, reaches) for q in gains if q != r)]
        if not shown:
            continue
        target = context.principal(principal.id)
        first = shown[0]
        if first in administrators:
            account = identities.principals[first].account
            where = f"its account ('{account}')" if account else "its account"
            rest = shown[1:]
            lead = f"can become '{first}', which administers {where}" + (
                f", and {len(rest)} more powerful role{'s' if len(rest) > 1 else ''}"
                f" ({', '.join(repr(r) for r in rest[:_MAX_SHOWN])})"
                if rest
                else ""
            )
            then = ""
        else:
            lead = (
                f"can become {len(shown)} more powerful role{'s' if len(shown) > 1 else ''}"
                f" ({', '.join(repr(r) for r in shown[:_MAX_SHOWN])})"
            )
            then = f"; then {examples[first].path[-1].text()}"
        path_text = ", ".join(step.text() for step in paths[first])
        ends_at = first if len(shown) == 1 and _scoping_fixes(paths[first], first in administrators) else None
        yield Through(target, f"{_cap(named(target))} {lead}: {path_text}{then}", ends_at)


_ACCESS = ("read", "pass-role", "write", "admin")


def _scoping_fixes(path: tuple[Step, ...], administrator: bool) -> bool:
    """Whether scoping the grants of the role a path ends at is the fix of what the path gives.

    Not where a step rewrites a role's policies (or IAM): the writer would grant them again.
    Not where an administrator of everything is passed or its code changed: passing or
    deploying as an administrator is never the design, so the passer's grant is a fix of its
    own. A shared execution role that people and pipelines pass, or a role that a trust admits
    by design (a CI role assuming its deploy role), is fixed by scoping that role."""
    if any(step.rewrites for step in path):
        return False
    return not administrator or all(step.how != "escalates" for step in path)


def _covers(
    wider: str, narrower: str, order: list[str], reaches: Mapping[str, Mapping[str, Reached]]
) -> bool:
    """Whether role `wider` reaches everything `narrower` does with at least its access; of two
    roles that reach the same, the first in `order` stands for the other."""
    big, small = reaches[wider], reaches[narrower]
    if any(t not in big or _ACCESS.index(big[t].access) < _ACCESS.index(r.access) for t, r in small.items()):
        return False
    same = big.keys() == small.keys() and all(big[t].access == r.access for t, r in small.items())
    return not same or order.index(wider) < order.index(narrower)


def _sensitive(node: str, context: EvalContext) -> bool:
    """A component that holds confidential data or more, a data asset of that kind, or a role."""
    model = context.graph.model
    confidential = classification_rank("confidential")
    if node in context.graph.component_records:
        return classification_rank(context.graph.component(node).classification) >= confidential
    if node in model.data:
        return classification_rank(model.data[node].classification) >= confidential
    return False


def workload_reaches_beyond_its_flows(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Workloads whose identity can act on confidential data that none of their flows uses: the
    blast radius of their compromise is wider than the design needs. States the path of grants."""
    graph = context.graph
    identities = graph.permissions
    floor = classification_rank(str(threat.parameters.get("classification", "confidential")))
    for component in graph.components():
        # workloads on AWS; what a CI service or partner system may do through the role it
        # assumes is judged on that role's trust (deploy roles act on resources, not flows)
        if not component.runs_as or not component.aws:
            continue
        linked = set(context.linked[component.id])
        beyond: list[Reached] = []
        for node, reached in sorted(identities.reach([component.id]).items()):
            if node in linked or node == component.id or reached.access == "pass-role":
                continue
            rank = _rank(node, context)
            if rank >= floor:
                beyond.append(reached)
        if beyond:
            target = context.component(component.id)
            shown = "; ".join(f"'{r.target}' ({r.access}: {r.path_text()})" for r in beyond[:_MAX_SHOWN]) + (
                f"; and {len(beyond) - _MAX_SHOWN} more" if len(beyond) > _MAX_SHOWN else ""
            )
            why = (
                f"Compromising {named(target)} gives its identity, which can act on {len(beyond)} place"
                f"{'s' if len(beyond) > 1 else ''} holding sensitive data that no flow of it uses: {shown}"
            )
            # every place through one principal's grants (its own role's, or a role it can pass):
            # scoping that principal is the fix; else the grouping goes by the role it runs as
            holders = {r.path[-1].source for r in beyond}
            holder = holders.pop() if len(holders) == 1 else None
            admin = holder in identities.administrators
            if holder is not None and all(_scoping_fixes(r.path, admin) for r in beyond):
                yield Through(target, why, holder)
            else:
                yield target, why


def _rank(node: str, context: EvalContext) -> int:
    model = context.graph.model
    if node in context.graph.component_records:
        return classification_rank(context.graph.component(node).classification)
    if node in model.data:
        return classification_rank(model.data[node].classification)
    return -1


def role_spans_data_classifications(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """One identity reads restricted data in one store and writes another that holds less
    sensitive data (identified and pseudonymised, raw and curated): a single compromise joins
    what the design keeps apart."""
    graph = context.graph
    identities = graph.permissions
    restricted = classification_rank("restricted")
    for principal in identities.principals.values():
        if principal.kind not in ("role", "user"):
            continue
        # grants that name the stores: a span that only "*" gives is the breadth of the grant,
        # judged by the workload, standing-admin and access-key threats of the same principal
        named_targets = {
            t
            for g in identities.grants_by_principal.get(principal.id, ())
            if "*" not in g.to
            for t in g.targets
        }
        reads: list[str] = []
        writes: list[str] = []
        for _, node, how in sorted(identities.graph.out_edges(principal.id, keys=True)):
            if node not in graph.component_records or node not in named_targets:
                continue
            rank = classification_rank(graph.component(node).classification)
            if how in ("read", "write", "admin") and rank >= restricted:
                reads.append(node)
            if how in ("write", "admin") and 0 <= rank < restricted:
                writes.append(node)
        # restricted personal or regulated data (identified records, PHI), not the credentials
        # and keys a workload reads on the way: those carry no regulation and join nothing
        reads = [r for r in reads if graph.component(r).regulations]
        lower = [
            w
            for w in writes
            if classification_rank(graph.component(w).classification) >= classification_rank("confidential")
        ]
        if reads and lower and set(reads) != set(lower):
            target = context.principal(principal.id)
            read = ", ".join(repr(r) for r in reads[:_MAX_SHOWN])
            written = ", ".join(repr(w) for w in lower[:_MAX_SHOWN])
            yield (
                target,
                f"{_cap(named(target))} can read restricted data in {read} and write the less sensitive"
                f" {written}: whoever holds it joins what the design keeps apart (identified and"
                " de-identified data)",
            )


def standing_human_admin(context: EvalContext, threat: Threat) -> Iterator[Hit]:
    """Identities that people use and that administer the account (or IAM) with a standing
    assignment rather than access granted on request for a limited time."""
    identities = context.graph.permissions
    records = context.graph.component_records
    services = {cid: c.service for cid, c in records.items()}
    for principal in identities.principals.values():
        if not principal.human or principal.kind not in ("role", "user", "group"):
            continue
        grants = identities.grants_by_principal.get(principal.id, ())
        admin = [
            g
            for g in grants
            if g.administers_everything
            or (g.access in ("write", "admin") and any(services.get(t) == "iam" for t in g.targets))
        ]
        # or reads, outside the application, every tenant's data of a pooled store or
        # restricted regulated data (support engineers' standing read access)
        broad = sorted(
            {
                t
                for g in grants
                if "*" not in g.to
                for t in g.targets
                if t in records and _broad_data(records[t])
            }
        )
        if not admin and not broad:
            continue
        target = context.principal(principal.id)
        if admin:
            what = "administers its whole account" if any("*" in g.to for g in admin) else "can change IAM"
        else:
            what = (
                "reads "
                + ", ".join(repr(t) for t in broad[:_MAX_SHOWN])
                + " (every tenant's or restricted data)"
            )
        if principal.kind == "user" or principal.just_in_time is False:
            standing = "an IAM user" if principal.kind == "user" else "a standing assignment"
            yield target, f"People use {named(target)}, which {what}, through {standing}"
        elif principal.just_in_time is None:
            yield _asks(target, f"People use {named(target)}, which {what}")


def _broad_data(component: ComponentInfo) -> bool:
    """A store whose data is every tenant's (pooled) or restricted and regulated."""
    if not component.stores:
        return False
    restricted = classification_rank(component.classification) >= classification_rank("restricted")
    return component.tenancy == "pooled" or (restricted and bool(component.regulations))


def _asks(target: Target, why: str) -> Hit:
    return Asks(target, why)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
