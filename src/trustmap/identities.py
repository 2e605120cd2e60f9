"""The permission graph (format 1.2): who can act as whom, and what each identity can reach.

Principals, their trust and group membership, the components that run as them and their grants
become typed records and one networkx graph beside the flow graph. Its edges say how an
attacker who holds one node gets the next:

- `runs-as`: compromising a component gives the principals it runs as;
- `member`: a user holds the grants of its groups;
- `assumes`: a principal that a role's trust policy names can assume the role (an `account`
  principal stands for every principal of that account's boundary, a provider for every
  identity it federates);
- `escalates`: writing a role's policies (or IAM itself), writing compute that runs as a role,
  or passing a role while able to write compute, gives that role;
- grant edges (`read`, `write`, `admin`, `pass-role`) from a principal to what it may act on.

`acts_as` follows the first four from a start; `reach` adds the grants of every principal
reached, each with the path that leads to it, so findings can state the path of grants.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from trustmap.diagnostics import Span
from trustmap.model import Model, TrustConditions

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ACTS_AS",
    "GrantInfo",
    "Identities",
    "PrincipalInfo",
    "Reached",
    "Step",
    "TrustInfo",
    "build_identities",
]

#: edges along which an attacker becomes another principal
ACTS_AS = frozenset({"runs-as", "member", "assumes", "escalates"})
#: services whose components run code that a `write` grant changes (and so acts as its role)
CODE_SERVICES_FALLBACK = frozenset(
    {
        "ec2",
        "auto-scaling",
        "lambda",
        "ecs",
        "eks-workload",
        "fargate",
        "elastic-beanstalk",
        "emr",
        "codebuild",
    }
)


@dataclass(frozen=True, slots=True)
class TrustInfo:
    """One statement of a role's trust policy."""

    principal: str
    #: None: the model does not say which conditions it has
    conditions: TrustConditions | None
    span: Span | None


@dataclass(frozen=True, slots=True)
class PrincipalInfo:
    id: str
    name: str
    kind: str
    boundary: str | None
    #: the innermost `account` boundary around it (None: not said)
    account: str | None
    identifier: str | None
    description: str | None
    #: None: the trust policy is not said (roles only)
    trust: tuple[TrustInfo, ...] | None
    members: tuple[str, ...]
    access_keys: bool | None
    just_in_time: bool | None
    controls: tuple[str, ...]
    #: people use it: an actor runs as it, it is a SAML provider, or it trusts one of those
    human: bool
    #: components that run as it
    used_by: tuple[str, ...]
    span: Span | None


@dataclass(frozen=True, slots=True)
class GrantInfo:
    index: int
    principal: str
    access: str
    #: as written (`*` included)
    to: tuple[str, ...]
    #: what it reaches: components, data assets and principals (`*` expanded to the account)
    targets: tuple[str, ...]
    data: tuple[str, ...]
    via: str
    conditions: TrustConditions | None
    span: Span | None

    @property
    def administers_everything(self) -> bool:
        """Admin on `*`: everything of the holder's account (AdministratorAccess)."""
        return self.access == "admin" and "*" in self.to


@dataclass(frozen=True, slots=True)
class Step:
    """One edge of a path in the permission graph, in words a finding can print."""

    source: str
    target: str
    how: str  # runs-as, member, assumes, escalates, read, write, admin, pass-role
    why: str  # for escalations: how the step is possible
    #: an escalation by rewriting the role's policies (or IAM): scoping the role fixes nothing
    rewrites: bool = False

    def text(self) -> str:
        words = {
            "runs-as": "runs as",
            "member": "is a member of",
            "assumes": "can assume",
            "escalates": "can make itself",
            "read": "can read",
            "write": "can write",
            "admin": "administers",
            "pass-role": "can pass",
        }
        detail = f" ({self.why})" if self.why else ""
        return f"'{self.source}' {words.get(self.how, self.how)} '{self.target}'{detail}"


@dataclass(frozen=True, slots=True)
class Reached:
    """Something a start can act on, the strongest access, and the path of grants to it."""

    target: str
    access: str
    path: tuple[Step, ...]

    def path_text(self) -> str:
        return ", ".join(step.text() for step in self.path)


_ACCESS_ORDER = ("read", "pass-role", "write", "admin")


@dataclass(frozen=True)
class Identities:
    """Principals, grants and the permission graph of a model."""

    principals: Mapping[str, PrincipalInfo]
    grants: tuple[GrantInfo, ...]
    graph: nx.MultiDiGraph[str]

    @cached_property
    def grants_by_principal(self) -> Mapping[str, tuple[GrantInfo, ...]]:
        """Each principal's grants in the model's order: rules and conditions that ask about one
        principal's grants look them up here instead of scanning every grant."""
        found: dict[str, list[GrantInfo]] = {}
        for grant in self.grants:
            found.setdefault(grant.principal, []).append(grant)
        return {principal: tuple(grants) for principal, grants in found.items()}

    @cached_property
    def administrators(self) -> frozenset[str]:
        """Principals that hold admin on everything (`*`) of their account."""
        return frozenset(g.principal for g in self.grants if g.administers_everything)

    def acts_as(self, starts: Iterable[str]) -> dict[str, tuple[Step, ...]]:
        """Every principal an attacker holding `starts` (components or principals) can act as,
        with the shortest path to it (breadth first, ties broken by id)."""
        found: dict[str, tuple[Step, ...]] = {}
        queue: deque[str] = deque()
        for start in sorted(set(starts)):
            if start in self.graph:
                found.setdefault(start, ())
                queue.append(start)
        while queue:
            node = queue.popleft()
            for _, nxt, how, attrs in sorted(self.graph.out_edges(node, keys=True, data=True)):
                if how not in ACTS_AS or nxt in found:
                    continue
                step = Step(node, nxt, how, str(attrs.get("why", "")), bool(attrs.get("rewrites")))
                found[nxt] = (*found[node], step)
                queue.append(nxt)
        return {node: path for node, path in found.items() if node in self.principals}

    def reach(self, starts: Iterable[str]) -> dict[str, Reached]:
        """Everything the principals reachable from `starts` hold a grant on, with the strongest
        access and the shortest path; data assets also through the components that store them."""
        reached: dict[str, Reached] = {}
        for principal, path in sorted(self.acts_as(starts).items(), key=lambda item: (len(item[1]), item[0])):
            for _, target, how, attrs in sorted(self.graph.out_edges(principal, keys=True, data=True)):
                if how not in _ACCESS_ORDER:
                    continue
                step = Step(principal, target, how, str(attrs.get("why", "")))
                known = reached.get(target)
                if known is None or _ACCESS_ORDER.index(how) > _ACCESS_ORDER.index(known.access):
                    reached[target] = Reached(target, how, (*path, step))
        return reached


def _account(model: Model, boundary: str | None) -> str | None:
    seen: set[str] = set()
    while boundary is not None and boundary in model.boundaries and boundary not in seen:
        seen.add(boundary)
        if model.boundaries[boundary].kind == "account":
            return boundary
        boundary = model.boundaries[boundary].parent
    return None


def build_identities(
    model: Model,
    span: Callable[[tuple[str | int, ...]], Span | None],
    code_services: frozenset[str] = CODE_SERVICES_FALLBACK,
    services: Mapping[str, str] | None = None,
) -> Identities:
    """The records and the permission graph of a validated model.

    `span` says where a path of the document is written (principals by key, trust statements
    and grants by list item); `services` maps each component to its canonical catalog service.
    """
    import networkx as nx

    services = services or {cid: c.service for cid, c in model.components.items()}
    used_by: dict[str, list[str]] = {}
    for component_id in sorted(model.components):
        for principal in model.components[component_id].runs_as:
            used_by.setdefault(principal, []).append(component_id)
    human = _humans(model, used_by)
    principals: dict[str, PrincipalInfo] = {}
    for pid in sorted(model.principals):
        entry = model.principals[pid]
        principals[pid] = PrincipalInfo(
            id=pid,
            name=entry.name or pid,
            kind=entry.kind,
            boundary=entry.boundary,
            account=_account(model, entry.boundary),
            identifier=entry.identifier,
            description=entry.description,
            trust=None
            if entry.trust is None
            else tuple(
                TrustInfo(t.principal, t.conditions, span(("principals", pid, "trust", i)))
                for i, t in enumerate(entry.trust)
            ),
            members=tuple(sorted(entry.members)),
            access_keys=entry.access_keys,
            just_in_time=entry.just_in_time,
            controls=tuple(sorted(entry.controls)),
            human=pid in human,
            used_by=tuple(used_by.get(pid, ())),
            span=span(("principals", pid)),
        )
    component_accounts = {cid: _account(model, c.boundary) for cid, c in model.components.items()}
    grants = tuple(
        GrantInfo(
            index=index,
            principal=grant.principal,
            access=grant.access,
            to=tuple(grant.to),
            targets=_expand(
                grant.to, principals[grant.principal].account, model, component_accounts, principals
            ),
            data=tuple(grant.data),
            via=grant.via,
            conditions=grant.conditions,
            span=span(("grants", index)),
        )
        for index, grant in enumerate(model.grants)
    )
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_nodes_from(sorted(principals))
    for cid in sorted(model.components):
        for principal in model.components[cid].runs_as:
            graph.add_edge(cid, principal, key="runs-as")
    for pid, info in principals.items():
        for member in info.members:
            graph.add_edge(member, pid, key="member")
        for statement in info.trust or ():
            for holder in _who(statement.principal, principals):
                # a statement that names the holder itself says more than one naming its account
                if holder != pid and (
                    holder == statement.principal or not graph.has_edge(holder, pid, "assumes")
                ):
                    admits = "it" if holder == statement.principal else f"its account '{statement.principal}'"
                    graph.add_edge(holder, pid, key="assumes", why=f"its trust policy admits {admits}")
    for grant in grants:
        for target in grant.targets:
            known = graph.get_edge_data(grant.principal, target, key=grant.access)
            if known is None:
                graph.add_edge(grant.principal, target, key=grant.access, via=grant.via)
    _escalations(graph, grants, principals, model, code_services, services)
    return Identities(principals, grants, graph)


def _humans(model: Model, used_by: Mapping[str, list[str]]) -> set[str]:
    """Principals people use, and the roles those can assume (to a fixed point)."""
    found = {
        pid
        for pid, entry in model.principals.items()
        if entry.kind == "saml-provider"
        or any(model.components[c].service == "actor" for c in used_by.get(pid, ()))
    }
    changed = True
    while changed:
        changed = False
        for pid, entry in model.principals.items():
            if pid in found:
                continue
            via_group = entry.kind == "group" and any(m in found for m in entry.members)
            trusted = any(t.principal in found for t in entry.trust or ())
            if via_group or trusted:
                found.add(pid)
                changed = True
    return found


def _who(name: str, principals: Mapping[str, PrincipalInfo]) -> list[str]:
    """The principals a trust statement lets in: an `account` principal stands for itself and
    every principal in its boundary."""
    principal = principals[name]
    if principal.kind != "account" or principal.boundary is None:
        return [name]
    return [
        name,
        *sorted(p.id for p in principals.values() if p.boundary == principal.boundary and p.id != name),
    ]


def _expand(
    to: Iterable[str],
    account: str | None,
    model: Model,
    component_accounts: Mapping[str, str | None],
    principals: Mapping[str, PrincipalInfo],
) -> tuple[str, ...]:
    """A grant's targets, `*` made into every component and principal of the holder's account."""
    found: set[str] = set()
    for target in to:
        if target != "*":
            found.add(target)
            continue
        found.update(cid for cid, acc in component_accounts.items() if account is None or acc == account)
        found.update(
            pid
            for pid, p in principals.items()
            if p.kind in ("role", "user", "group") and (account is None or p.account in (account, None))
        )
    return tuple(sorted(found))


def _escalations(
    graph: nx.MultiDiGraph[str],
    grants: tuple[GrantInfo, ...],
    principals: Mapping[str, PrincipalInfo],
    model: Model,
    code_services: frozenset[str],
    services: Mapping[str, str],
) -> None:
    """Escalation edges: what a principal's grants let it become."""
    holders: dict[str, dict[str, set[str]]] = {}
    for grant in grants:
        for target in grant.targets:
            holders.setdefault(grant.principal, {}).setdefault(grant.access, set()).add(target)
    for holder, by_access in sorted(holders.items()):
        writes = by_access.get("write", set()) | by_access.get("admin", set())
        iam_write = any(t in model.components and services.get(t) == "iam" for t in writes)
        compute = sorted(t for t in writes if t in model.components and services.get(t) in code_services)
        for target in sorted(writes):
            if target in principals and principals[target].kind == "role" and target != holder:
                graph.add_edge(
                    holder,
                    target,
                    key="escalates",
                    why=f"it can change the policies of '{target}'",
                    rewrites=True,
                )
        if iam_write:
            account = principals[holder].account
            for pid, p in sorted(principals.items()):
                if p.kind == "role" and pid != holder and (account is None or p.account in (account, None)):
                    graph.add_edge(
                        holder,
                        pid,
                        key="escalates",
                        why="it can change any IAM policy of its account",
                        rewrites=True,
                    )
        for component in compute:
            for role in model.components[component].runs_as:
                if role != holder:
                    graph.add_edge(
                        holder,
                        role,
                        key="escalates",
                        why=f"it can change the code of '{component}', which runs as it",
                    )
        if compute:
            for role in sorted(by_access.get("pass-role", set())):
                if role != holder:
                    graph.add_edge(
                        holder,
                        role,
                        key="escalates",
                        why=f"it can pass '{role}' to compute it can create or change ('{compute[0]}')",
                    )
