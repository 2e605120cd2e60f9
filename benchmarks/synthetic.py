"""Synthetic models of any size, as a trustmap YAML file and as the equivalent OWASP pytm script.

The shape imitates a landing zone: accounts hold up to three VPCs, a VPC holds up to four
subnets, and each subnet holds one "cell" of 20 components (a user on the internet, a load
balancer, application servers, functions, databases, buckets, queues, a key and a partner
system) joined by 30 flows, so about 1.5 flows per component; one flow per cell goes on to
the next cell, crossing subnets, VPCs and accounts. Every cell is alike, so the cost per
component stays the same at every size and growth can be read straight off the timings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["CELL", "Synthetic", "pytm_script", "synthetic", "trustmap_yaml"]

CELL = 20

#: role in the cell -> (trustmap service, pytm class, where it sits, data it stores)
_ROLES: tuple[tuple[str, str, str, str | None], ...] = (
    ("actor", "Actor", "internet", None),
    ("elb", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("ec2", "Server", "subnet", None),
    ("lambda", "Lambda", "subnet", None),
    ("lambda", "Lambda", "subnet", None),
    ("ecs", "Server", "subnet", None),
    ("rds", "Datastore", "subnet", "pii"),
    ("elasticache", "Datastore", "subnet", None),
    ("dynamodb", "Datastore", "account", "orders"),
    ("s3", "Datastore", "account", "logs"),
    ("s3", "Datastore", "account", "catalogue"),
    ("sqs", "Datastore", "account", None),
    ("sns", "Datastore", "account", None),
    ("kms", "Datastore", "account", None),
    ("external-system", "ExternalEntity", "outside", None),
)

#: flows inside a cell: (from role, to role, protocol, port, data carried)
_FLOWS: tuple[tuple[int, int, str, int | None, str | None], ...] = (
    (0, 1, "https", 443, "pii"),
    *((1, app, "http", 8080, None) for app in range(2, 8)),
    *((app, 11, "postgres", 5432, "pii") for app in range(2, 8)),
    (2, 12, "redis", 6379, None),
    (3, 12, "redis", 6379, None),
    (8, 13, "aws-api", None, "orders"),
    (9, 13, "aws-api", None, "orders"),
    (10, 14, "aws-api", None, "logs"),
    (5, 14, "aws-api", None, "logs"),
    (2, 15, "https", 443, "catalogue"),
    (4, 15, "https", 443, "catalogue"),
    (8, 16, "aws-api", None, None),
    (16, 9, "aws-api", None, None),
    (3, 16, "aws-api", None, None),
    (9, 17, "aws-api", None, None),
    (4, 17, "aws-api", None, None),
    (17, 19, "https", 443, None),
    (10, 18, "aws-api", None, None),
    (19, 1, "https", 443, None),
)
#: the flow from one cell to the next: application server to the next cell's container service
_CROSS = (2, 10, "grpc", 50051)

_DATA = {
    "pii": ("Customer records", "restricted", ("gdpr",)),
    "orders": ("Orders and payments", "confidential", ("pci-dss",)),
    "logs": ("Access logs", "internal", ()),
    "catalogue": ("Product catalogue", "public", ()),
}
_PYTM_CLASSIFICATION = {
    "restricted": "TOP_SECRET",
    "confidential": "SECRET",
    "internal": "RESTRICTED",
    "public": "PUBLIC",
}


@dataclass(frozen=True)
class Boundary:
    id: str
    kind: str
    parent: str | None
    public: bool = False


@dataclass(frozen=True)
class Component:
    id: str
    service: str
    pytm_class: str
    boundary: str | None
    stores: str | None


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    protocol: str
    port: int | None
    data: str | None


@dataclass(frozen=True)
class Synthetic:
    boundaries: tuple[Boundary, ...]
    components: tuple[Component, ...]
    flows: tuple[Flow, ...]


def synthetic(size: int) -> Synthetic:
    """A model with `size` components (a multiple of 20 keeps every cell whole)."""
    cells = max(1, math.ceil(size / CELL))
    vpcs = math.ceil(cells / 4)
    accounts = math.ceil(vpcs / 3)
    boundaries = [Boundary("internet", "internet", None)]
    boundaries += [Boundary(f"account-{a}", "account", None) for a in range(accounts)]
    boundaries += [Boundary(f"vpc-{v}", "vpc", f"account-{v // 3}") for v in range(vpcs)]
    boundaries += [
        Boundary(f"subnet-{c}", "subnet", f"vpc-{c // 4}", public=c % 2 == 0) for c in range(cells)
    ]
    components: list[Component] = []
    for index in range(size):
        cell, role = divmod(index, CELL)
        service, pytm_class, where, stores = _ROLES[role]
        boundary = {
            "internet": "internet",
            "subnet": f"subnet-{cell}",
            "account": f"account-{cell // 4 // 3}",
            "outside": None,
        }[where]
        components.append(Component(f"c{index}", service, pytm_class, boundary, stores))
    flows: list[Flow] = []
    for cell in range(cells):
        base = cell * CELL
        for source, target, protocol, port, data in _FLOWS:
            if base + max(source, target) < size:
                flows.append(Flow(f"c{base + source}", f"c{base + target}", protocol, port, data))
        source, target, protocol, port = _CROSS
        following = ((cell + 1) % cells) * CELL
        if cells > 1 and base + source < size and following + target < size:
            flows.append(Flow(f"c{base + source}", f"c{following + target}", protocol, port, None))
    return Synthetic(tuple(boundaries), tuple(components), tuple(flows))


def trustmap_yaml(model: Synthetic) -> str:
    """The model in trustmap's format."""
    lines = [
        "trustmap: 1",
        f"name: Synthetic landing zone ({len(model.components)} components)",
        "data:",
    ]
    for data_id, (name, classification, regulations) in _DATA.items():
        lines += [f"  {data_id}:", f"    name: {name}", f"    classification: {classification}"]
        if regulations:
            lines.append(f"    regulations: [{', '.join(regulations)}]")
    lines.append("boundaries:")
    for boundary in model.boundaries:
        lines += [f"  {boundary.id}:", f"    kind: {boundary.kind}"]
        if boundary.parent:
            lines.append(f"    parent: {boundary.parent}")
        if boundary.public:
            lines.append("    public: true")
    lines.append("components:")
    for component in model.components:
        lines += [f"  {component.id}:", f"    service: {component.service}"]
        if component.boundary:
            lines.append(f"    boundary: {component.boundary}")
        if component.stores:
            lines.append(f"    stores: [{component.stores}]")
    lines.append("flows:")
    for flow in model.flows:
        lines += [f"  - from: {flow.source}", f"    to: {flow.target}", f"    protocol: {flow.protocol}"]
        if flow.port is not None:
            lines.append(f"    port: {flow.port}")
        if flow.data:
            lines.append(f"    data: [{flow.data}]")
    lines.append("controls: [cloudtrail]")
    return "\n".join(lines) + "\n"


def pytm_script(model: Synthetic) -> str:
    """The same model as an OWASP pytm script (run it with `--json FILE`)."""
    lines = [
        "from pytm import TM, Actor, Boundary, Classification, Data, Dataflow, Datastore,"
        " ExternalEntity, Lambda, Server",
        "",
        f'tm = TM("Synthetic landing zone ({len(model.components)} components)")',
        'tm.description = "Synthetic model generated by trustmap benchmarks"',
        "tm.isOrdered = True",
        "B = {}",
    ]
    for boundary in model.boundaries:
        lines.append(f'B["{boundary.id}"] = Boundary("{boundary.id}")')
        if boundary.parent:
            lines.append(f'B["{boundary.id}"].inBoundary = B["{boundary.parent}"]')
    lines.append("D = {}")
    for data_id, (name, classification, _) in _DATA.items():
        level = _PYTM_CLASSIFICATION[classification]
        lines.append(f'D["{data_id}"] = Data("{name}", classification=Classification.{level})')
    lines.append("E = {}")
    for component in model.components:
        lines.append(f'E["{component.id}"] = {component.pytm_class}("{component.id}")')
        if component.boundary:
            lines.append(f'E["{component.id}"].inBoundary = B["{component.boundary}"]')
    for flow in model.flows:
        name = f"{flow.source}->{flow.target}"
        lines.append(f'f = Dataflow(E["{flow.source}"], E["{flow.target}"], "{name}")')
        lines.append(f'f.protocol = "{flow.protocol}"')
        if flow.port is not None:
            lines.append(f"f.dstPort = {flow.port}")
        if flow.protocol in ("https", "aws-api", "grpc"):
            lines.append("f.controls.isEncrypted = True")
        if flow.data:
            lines.append(f'f.data = D["{flow.data}"]')
    lines += ["", 'if __name__ == "__main__":', "    tm.process()"]
    return "\n".join(lines) + "\n"
