"""Flows implied by references between resources, and by public entry points.

The mapping table's `links` say which property of a resource names the other end of a flow (a
function's environment variables, an event source mapping's queue, a listener's target group).
A reference stands for a component, or for the members of a relation resource: a target group
stands for its targets and for the groups that name it. Resources that the table marks as
`internet_entry` get a flow from the internet actor when nothing else already gives them one.
"""

from __future__ import annotations

from trustmap.interop.build import Build
from trustmap.interop.flows import FlowDraft
from trustmap.interop.mapping import Link

__all__ = ["add_entry_flows", "add_link_flows"]

#: the usual port of an entry protocol
ENTRY_PORTS = {"https": 443, "http": 80, "dns": 53, "tls": 443}
MAX_DEPTH = 3


def _resolve(build: Build, name: str, depth: int) -> list[str]:
    """Components a reference stands for: the resource itself, or a relation's members."""
    if name in build.component_of:
        return [build.component_of[name]]
    template = build.template
    relation = build.mapping.relations.get(template.type_of(name))
    if relation is None or depth >= MAX_DEPTH:
        return []
    found = [c for ref in template.refs(name, relation.targets) for c in _resolve(build, ref, depth + 1)]
    for other in template.resources:
        if relation.referenced_by and name in template.refs(other, relation.referenced_by):
            found.extend(_resolve(build, other, depth + 1))
    return list(dict.fromkeys(found))


def _ends(build: Build, name: str, path: str | None) -> list[str]:
    if path is None:
        return [build.component_of[name]] if name in build.component_of else []
    found: list[str] = []
    for ref in build.template.refs(name, [path]):
        found.extend(c for c in _resolve(build, ref, 0) if c not in found)
    return found


def _protocol_and_port(build: Build, name: str, link: Link) -> tuple[str, int | None]:
    template, mapping = build.template, build.mapping
    read = name
    if link.read_from == "to" and link.to is not None:
        named = template.refs(name, [link.to])
        read = named[0] if named else name
    protocol: str = link.protocol
    if link.protocol_path:
        values = [v for v in template.literals(read, link.protocol_path) if isinstance(v, str)]
        protocol = mapping.protocol_names.get(values[0].lower(), protocol) if values else protocol
    port = None
    if link.port_path:
        ports = [str(v) for v in template.literals(read, link.port_path) if isinstance(v, int | str)]
        port = int(ports[0]) if ports and ports[0].isdigit() and 0 < int(ports[0]) < 65536 else None
        if port is not None and protocol == "other":
            protocol = mapping.ports.get(port, "other")
    return protocol, port


def add_link_flows(build: Build) -> None:
    for name in build.template.resources:
        type_name = build.template.type_of(name)
        entry = build.mapping.resources.get(type_name) or build.mapping.relations.get(type_name)
        for link in entry.links if entry is not None else []:
            protocol, port = _protocol_and_port(build, name, link)
            reason = f"{name} ({type_name}) {link.name or 'refers to'} {link.to or link.from_ or 'it'}"
            for source in _ends(build, name, link.from_):
                for target in _ends(build, name, link.to):
                    build.flows.add(
                        FlowDraft(source, target, protocol, port, name=link.name, reasons=[reason])
                    )


def add_entry_flows(build: Build) -> None:
    for component in list(build.components.values()):
        for name, type_name in component.sources:
            protocol = build.mapping.resources[type_name].internet_entry
            if protocol is None or component.properties.get("internet_facing") is False:
                continue
            anyone = build.anyone()
            if not build.flows.has_flow_from(anyone, component.id):
                reason = f"{name} is a public endpoint ({type_name})"
                build.flows.add(
                    FlowDraft(anyone, component.id, protocol, ENTRY_PORTS.get(protocol), reasons=[reason])
                )
