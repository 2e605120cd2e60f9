"""Flows inferred from a template: security-group rules, references and internet entry points.

A rule of security group T that allows security group S becomes a flow from every component
using S to every component using T; a rule that allows an address range becomes a flow from the
component standing for that range (see `build.Build.peer_components`). A group that
allows itself lets every member reach every other: that becomes one two-way flow between its
first two members that stands for them all (N members would otherwise make N*(N-1) flows). The protocol
is guessed from the port through the mapping table's `ports`; the port is kept. Flows between
the same pair with the same protocol and port are merged, and pairs joined by several flows get
explicit ids, as the model format requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import Entry
from trustmap.interop.names import IdAllocator, slugify
from trustmap.interop.network import Rule, ip_protocol_name

__all__ = ["FlowDraft", "Flows", "rule_protocol", "sg_rule_flows", "within_group_note"]


@dataclass
class FlowDraft:
    source: str
    target: str
    protocol: str
    port: int | None
    name: str | None = None
    description: str | None = None
    reasons: list[str] = field(default_factory=list)
    bidirectional: bool = False
    #: `route`: plumbing with no data of its own (format 1.1)
    kind: str = "data"
    #: what it was inferred from: a security-group rule naming a group (`rule`) or an address
    #: range of the code (`range`), or what a resource states (`stated`: a reference, a listener)
    inferred: Literal["rule", "range", "stated"] = "stated"
    #: the receiver signs the sender in (a listener that authenticates); None: not stated
    authenticated: bool | None = None


def rule_protocol(rule: Rule, mapping: ResourceTable) -> tuple[str, int | None, str]:
    """The flow protocol, the port to keep, and a text form of what the rule allows."""
    ip = ip_protocol_name(rule.ip_protocol)
    if ip in ("-1", "all"):
        return "other", None, "all traffic"
    if ip not in ("tcp", "udp"):
        return "other", None, f"{ip} traffic"
    low, high = rule.from_port, rule.to_port
    if low is None or high is None or low != high:
        span = f"{low}-{high}" if low is not None and high is not None else "unknown (an expression)"
        if low == 0 and high == 65535:
            span = "all"
        return "other", None, f"{ip} ports {span}"
    port = low if 1 <= low <= 65535 else None
    protocol = mapping.ports.get(low, "other")
    if ip == "udp" and protocol != "dns":
        protocol = "other"
    return protocol, port, f"{ip} {low}"


@dataclass
class Flows:
    """Flows collected in the order they are found, merged by (source, target, protocol, port)."""

    items: dict[tuple[str, str, str, int | None], FlowDraft] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)

    def add(self, flow: FlowDraft) -> None:
        if flow.source == flow.target:
            return
        key = (flow.source, flow.target, flow.protocol, flow.port)
        existing = self.items.get(key)
        if existing is None:
            self.items[key] = flow
            self.pairs.add((flow.source, flow.target))
            return
        existing.reasons.extend(r for r in flow.reasons if r not in existing.reasons)
        existing.bidirectional = existing.bidirectional or flow.bidirectional
        if flow.inferred == "stated":
            existing.inferred = "stated"

    def settle(self) -> None:
        """Once every flow is in: a rule's flow that repeats a stated one on its port (a listener's
        `http 3000` and the rule that admits it) folds into it, and a range's flow from one of
        its target's own targets (a load balancer's tasks) goes: they answer, they do not call."""
        stated = {k: f for k, f in self.items.items() if f.inferred == "stated"}
        for key, flow in list(self.items.items()):
            if flow.inferred == "stated":
                continue
            source, target, _, port = key
            same = [f for (s, t, _, p), f in stated.items() if (s, t, p) == (source, target, port)]
            answers = flow.inferred == "range" and any((s, t) == (target, source) for s, t, _, _ in stated)
            if same and port is not None:
                same[0].reasons[:0] = [r for r in flow.reasons if r not in same[0].reasons]
            if (same and port is not None) or answers:
                del self.items[key]
        self.pairs = {(s, t) for s, t, _, _ in self.items}

    def has_flow_from(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    def entries(self, ids: IdAllocator) -> list[Entry]:
        """Model flow entries, with explicit ids for pairs joined more than once."""
        pairs: dict[tuple[str, str], int] = {}
        for source, target, _, _ in self.items:
            pairs[(source, target)] = pairs.get((source, target), 0) + 1
        out = []
        for (source, target, protocol, port), flow in self.items.items():
            fields: dict[str, object] = {"from": source, "to": target}
            if pairs[(source, target)] > 1:
                fields["id"] = ids.take(slugify(f"{source}-to-{target}-{port or protocol}", "flow"))
            if flow.name:
                fields["name"] = flow.name
            fields["protocol"] = protocol
            if port is not None:
                fields["port"] = port
            if flow.bidirectional:
                fields["bidirectional"] = True
            if flow.authenticated is not None:
                fields["authenticated"] = flow.authenticated
            if flow.description:
                fields["description"] = flow.description
            if flow.kind != "data":
                fields["kind"] = flow.kind
            out.append(Entry(fields, comments=list(flow.reasons)))
        return out


def sg_rule_flows(
    rule: Rule,
    members: Mapping[str, list[str]],
    mapping: ResourceTable,
    peers: Callable[[Rule], list[str]],
) -> list[FlowDraft]:
    """The flows one security-group rule allows (none when either side has no component)."""
    protocol, port, allows = rule_protocol(rule, mapping)
    own = members.get(rule.group, [])
    others = members.get(str(rule.peer), []) if rule.peer_kind == "group" else peers(rule)
    peer_text = rule.peer_text
    sources, targets = (others, own) if rule.direction == "ingress" else (own, others)
    verb = "from" if rule.direction == "ingress" else "to"
    reason = f"security group {rule.group} {rule.direction}: {allows} {verb} {peer_text} ({rule.origin})"
    if rule.description:
        reason += f" - {rule.description}"
    if rule.peer_kind == "group" and str(rule.peer) == rule.group:
        return _within_group(own, protocol, port, allows, reason)
    return [
        FlowDraft(
            source,
            target,
            protocol,
            port,
            description=allows if protocol == "other" else None,
            reasons=[reason],
            inferred="rule",
        )
        for source in sources
        for target in targets
        if source != target
    ]


def within_group_note(group: str, members: list[str]) -> str:
    """The attention item for a group that allows itself."""
    shown = ", ".join(members[:5]) + (f" and {len(members) - 5} more" if len(members) > 5 else "")
    return (
        f"security group {group} allows itself: its {len(members)} members ({shown}) may all reach each "
        f"other; one two-way flow between {members[0]} and {members[1]} stands for that traffic, add the "
        "flows that matter"
    )


def _within_group(
    members: list[str], protocol: str, port: int | None, allows: str, reason: str
) -> list[FlowDraft]:
    """One two-way flow between the first two members, for the traffic among all of them."""
    if len(members) < 2:
        return []
    among = f"stands for the traffic among all {len(members)} members of the group"
    return [
        FlowDraft(
            members[0],
            members[1],
            protocol,
            port,
            description=allows if protocol == "other" else None,
            reasons=[f"{reason}; {among}"],
            bidirectional=True,
            inferred="rule",
        )
    ]
