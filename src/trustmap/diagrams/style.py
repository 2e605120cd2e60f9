"""Colours and wording shared by the views: one place to change the look.

Boundary colours follow the AWS architecture icon guidelines (AWS Cloud, Region, VPC,
availability zone, public and private subnet, security group); the non-AWS kinds use neutral
or warning tones so that the untrusted side reads as such.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOUNDARY_STYLES",
    "FONT",
    "OWNER_STYLES",
    "RESPONSIBILITY_BADGES",
    "SEVERITY_COLOURS",
    "Badge",
    "BoundaryStyle",
    "boundary_style",
    "responsibility_badge",
]

FONT = "DejaVu Sans,Arial,Helvetica,sans-serif"


@dataclass(frozen=True, slots=True)
class BoundaryStyle:
    colour: str  # border and label
    fill: str
    style: str  # Graphviz cluster style
    title: str  # the kind as the label shows it


BOUNDARY_STYLES: dict[str, BoundaryStyle] = {
    "internet": BoundaryStyle("#5F6B7A", "#F2F3F5", "dashed,rounded,filled", "internet"),
    "third-party": BoundaryStyle("#8D3FB0", "#F7F0FA", "dashed,rounded,filled", "third party"),
    "corporate": BoundaryStyle("#7A5C2E", "#FBF6EE", "rounded,filled", "corporate network"),
    "on-premises": BoundaryStyle("#7A5C2E", "#FBF6EE", "rounded,filled", "on-premises"),
    "aws-cloud": BoundaryStyle("#232F3E", "#FFFFFF", "rounded,filled", "AWS cloud"),
    "organization": BoundaryStyle("#E7157B", "#FFFFFF", "rounded,filled", "AWS organization"),
    "account": BoundaryStyle("#E7157B", "#FFFFFF", "rounded,filled", "AWS account"),
    "region": BoundaryStyle("#00A4A6", "#FFFFFF", "dashed,rounded,filled", "region"),
    "vpc": BoundaryStyle("#8C4FFF", "#FFFFFF", "rounded,filled", "VPC"),
    "availability-zone": BoundaryStyle("#147EBA", "#FFFFFF", "dashed,rounded,filled", "availability zone"),
    "subnet-public": BoundaryStyle("#7AA116", "#F2F6E8", "rounded,filled", "public subnet"),
    "subnet-private": BoundaryStyle("#00A4A6", "#E6F6F7", "rounded,filled", "private subnet"),
    "security-group": BoundaryStyle("#DD344C", "#FFFFFF", "rounded,filled", "security group"),
    "custom": BoundaryStyle("#5F6B7A", "#FFFFFF", "rounded,filled", "boundary"),
}


def boundary_style(kind: str, public: bool) -> BoundaryStyle:
    if kind == "subnet":
        return BOUNDARY_STYLES["subnet-public" if public else "subnet-private"]
    return BOUNDARY_STYLES.get(kind, BOUNDARY_STYLES["custom"])


@dataclass(frozen=True, slots=True)
class Badge:
    text: str
    colour: str  # badge fill and node border
    ink: str  # badge text


# The responsibility split of a component, by the service model of its service.
RESPONSIBILITY_BADGES: dict[str, Badge] = {
    "infrastructure": Badge("customer-managed OS", "#C45500", "#FFFFFF"),
    "container": Badge("AWS-managed OS", "#1F6FB2", "#FFFFFF"),
    "abstracted": Badge("AWS-managed service", "#2E7D32", "#FFFFFF"),
    "external": Badge("external (not AWS)", "#6B7280", "#FFFFFF"),
}

BADGE_MEANING: dict[str, str] = {
    "infrastructure": "you run the OS and everything above it",
    "container": "AWS runs OS and platform; you configure it",
    "abstracted": "AWS runs the service; you own data and access",
    "external": "outside AWS: you or a third party run every layer",
}


def responsibility_badge(service_model: str) -> Badge:
    return RESPONSIBILITY_BADGES.get(service_model, RESPONSIBILITY_BADGES["external"])


# Owner of a layer in the responsibility matrix: (fill, text).
OWNER_STYLES: dict[str, tuple[str, str]] = {
    "customer": ("#1F6FB2", "#FFFFFF"),
    "shared": ("#B9D7F0", "#0B2A45"),
    "aws": ("#FF9900", "#232F3E"),
    "third-party": ("#9CA3AF", "#111827"),
    # the layer does not exist for the service (a NAT gateway has no guest OS to secure)
    "none": ("#F3F4F6", "#6B7280"),
}

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#8B0000",
    "high": "#D13212",
    "medium": "#E07000",
    "low": "#B8860B",
    "info": "#5F6B7A",
}

EDGE_PLAIN = "#545B64"
EDGE_CROSSING = "#232F3E"
EDGE_UNENCRYPTED = "#D13212"
