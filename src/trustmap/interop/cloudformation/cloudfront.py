"""CloudFront distributions: the protocols viewers and origins use, as the distribution states them.

Viewers: `ViewerProtocolPolicy` of every cache behaviour; `allow-all` lets viewers use HTTP as
well as HTTPS, so both are entry points (clear text is then visible to the engine), while
`redirect-to-https` and `https-only` give HTTPS alone. Origins: `OriginProtocolPolicy`
(`http-only`: HTTP on `HTTPPort`; `https-only`: HTTPS on `HTTPSPort`; `match-viewer`: HTTP when
viewers may use it, else HTTPS); an S3 origin, or one that states no custom configuration, is
HTTPS on 443. A policy with no value offline gives protocol `other` and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trustmap.interop.network import EntryPoint, Reference
from trustmap.interop.paths import literal, literal_port, references, values_at
from trustmap.interop.resources import Template

__all__ = ["DISTRIBUTION", "read_distributions"]

DISTRIBUTION = "AWS::CloudFront::Distribution"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _viewer_policies(template: Template, name: str) -> list[Any]:
    config = template.props(name).get("DistributionConfig")
    paths = ("DefaultCacheBehavior.ViewerProtocolPolicy", "CacheBehaviors[*].ViewerProtocolPolicy")
    found = [v for p in paths for v in values_at(config if isinstance(config, dict) else {}, p)]
    return [literal(v, template.parameters) for v in found]


def _entry_points(name: str, policies: list[Any]) -> list[EntryPoint]:
    if not policies or any(not isinstance(p, str) for p in policies):
        return [
            EntryPoint("other", None, f"{name}'s ViewerProtocolPolicy has no value offline", "HTTP or HTTPS")
        ]
    if "allow-all" in policies:
        why = f"{name}: ViewerProtocolPolicy allow-all, viewers may use HTTP or HTTPS"
        return [EntryPoint("https", 443, why), EntryPoint("http", 80, why)]
    return [EntryPoint("https", 443, f"{name}: ViewerProtocolPolicy {', '.join(sorted(set(policies)))}")]


def _origin_protocol(
    origin: Mapping[str, Any], parameters: Mapping[str, Any], viewers_http: bool
) -> tuple[str, int | None, str]:
    custom = origin.get("CustomOriginConfig")
    if not isinstance(custom, dict):
        return (
            "https",
            443,
            "an S3 origin" if "S3OriginConfig" in origin else "no custom origin configuration",
        )
    policy = literal(custom.get("OriginProtocolPolicy"), parameters)
    if policy == "match-viewer":
        protocol = "http" if viewers_http else "https"
        said = f"OriginProtocolPolicy match-viewer, viewers {'may use HTTP' if viewers_http else 'use HTTPS'}"
    elif policy in ("http-only", "https-only"):
        protocol, said = str(policy).split("-")[0], f"OriginProtocolPolicy {policy}"
    else:
        return "other", None, "OriginProtocolPolicy has no value offline"
    key = "HTTPPort" if protocol == "http" else "HTTPSPort"
    port = literal_port(custom.get(key), parameters) if key in custom else _DEFAULT_PORTS[protocol]
    return protocol, port, said


def _origins(template: Template, name: str, viewers_http: bool) -> list[Reference]:
    config = template.props(name).get("DistributionConfig")
    found: list[Reference] = []
    for index, origin in enumerate(values_at(config if isinstance(config, dict) else {}, "Origins[*]")):
        if not isinstance(origin, dict):
            continue
        protocol, port, said = _origin_protocol(origin, template.parameters, viewers_http)
        reason = f"{name} ({DISTRIBUTION}) origin {index + 1}: {said}"
        found.extend(
            Reference(name, target, protocol, port, "origin", reason)
            for target in references(origin.get("DomainName"), template.resources)
            if target != name
        )
    return found


def read_distributions(template: Template) -> tuple[dict[str, list[EntryPoint]], list[Reference]]:
    """Each distribution's entry points, and a flow to each origin with the origin's protocol."""
    entries: dict[str, list[EntryPoint]] = {}
    origins: list[Reference] = []
    for name in template.of_type(DISTRIBUTION):
        policies = _viewer_policies(template, name)
        entries[name] = _entry_points(name, policies)
        origins.extend(_origins(template, name, "allow-all" in policies))
    return entries, origins
