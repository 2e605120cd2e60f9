"""One colour language for every view and page: one place to change the look.

Three vocabularies, three disjoint palettes (docs/outputs.md, "Colours"):

- severity: warm hues from dark red to amber, used for open findings and nothing else;
- owner of a duty (customer, AWS, shared, third party, none): cool hues and brown, used for
  the responsibility split (matrix cells, the badge and border of a component card) and
  nothing else;
- boundaries: neutral greys; their kind is written in the label and the line style tells
  trusted (solid) from untrusted or logical (dashed) boundaries.

Flows are ink-coloured; an unencrypted flow is dashed, a flow that crosses a boundary is heavier.
Colour is never the only signal: every mark also has a word, a line style or a symbol.
Severity and owner colours live in `trustmap.colours`, which the HTML pages read too.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustmap.colours import OWNER_INK, OWNER_STYLES, SEVERITY_COLOURS, SEVERITY_TINTS

__all__ = [
    "BADGE_MEANING",
    "BOUNDARY_STYLES",
    "EDGE_CROSSING",
    "EDGE_PLAIN",
    "EDGE_UNENCRYPTED",
    "FONT",
    "INK",
    "MUTED",
    "OWNER_INK",
    "OWNER_STYLES",
    "RESPONSIBILITY_BADGES",
    "SEVERITY_COLOURS",
    "SEVERITY_TINTS",
    "Badge",
    "BoundaryStyle",
    "boundary_style",
    "responsibility_badge",
]

FONT = "DejaVu Sans,Arial,Helvetica,sans-serif"
INK = "#232F3E"
MUTED = "#545B64"


@dataclass(frozen=True, slots=True)
class BoundaryStyle:
    colour: str  # border and label
    fill: str
    style: str  # Graphviz cluster style
    title: str  # the kind as the label shows it


_TRUSTED = "#3F4A56"
_INNER = "#6B7682"
_UNTRUSTED = "#7D8590"

BOUNDARY_STYLES: dict[str, BoundaryStyle] = {
    "internet": BoundaryStyle(_UNTRUSTED, "#F3F4F6", "dashed,rounded,filled", "internet"),
    "third-party": BoundaryStyle(_UNTRUSTED, "#F3F4F6", "dashed,rounded,filled", "third party"),
    "corporate": BoundaryStyle(_TRUSTED, "#F8F8F6", "rounded,filled", "corporate network"),
    "on-premises": BoundaryStyle(_TRUSTED, "#F8F8F6", "rounded,filled", "on-premises"),
    "aws-cloud": BoundaryStyle(_TRUSTED, "#FFFFFF", "rounded,filled", "AWS cloud"),
    "organization": BoundaryStyle(_TRUSTED, "#FFFFFF", "rounded,filled", "AWS organization"),
    "account": BoundaryStyle(_TRUSTED, "#FFFFFF", "rounded,filled", "AWS account"),
    "region": BoundaryStyle(_INNER, "#FFFFFF", "dashed,rounded,filled", "region"),
    "vpc": BoundaryStyle(_TRUSTED, "#FAFAFB", "rounded,filled", "VPC"),
    "availability-zone": BoundaryStyle(_INNER, "#FFFFFF", "dashed,rounded,filled", "availability zone"),
    "subnet-public": BoundaryStyle(_INNER, "#F4F5F7", "rounded,filled", "public subnet"),
    "subnet-private": BoundaryStyle(_INNER, "#FFFFFF", "rounded,filled", "private subnet"),
    "security-group": BoundaryStyle(_INNER, "#FFFFFF", "dotted,rounded,filled", "security group"),
    "custom": BoundaryStyle(_INNER, "#FFFFFF", "rounded,filled", "boundary"),
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
    owner: str  # whose colour it wears: the owner of the operating system and platform


def _badge(text: str, owner: str) -> Badge:
    return Badge(text, OWNER_STYLES[owner][0], OWNER_INK[owner], owner)


# The responsibility split of a component, by the service model of its service, in the colour
# of who runs its operating system and platform.
RESPONSIBILITY_BADGES: dict[str, Badge] = {
    "infrastructure": _badge("customer-managed OS", "customer"),
    "container": _badge("AWS-managed OS", "shared"),
    "abstracted": _badge("AWS-managed service", "aws"),
    "external": _badge("external (not AWS)", "third-party"),
    # a managed network construct (NAT or transit gateway, VPN, Direct Connect): no guest OS
    "network": _badge("AWS-managed network", "aws"),
}

BADGE_MEANING: dict[str, str] = {
    "infrastructure": "you run the OS and everything above it",
    "container": "AWS runs OS and platform; you configure it",
    "abstracted": "AWS runs the service; you own data and access",
    "external": "outside AWS: you or a third party run every layer",
    "network": "no OS of yours: AWS runs it; you configure routes and access",
}


def responsibility_badge(service_model: str, os_owner: str | None = None) -> Badge:
    """The badge of a service model; an infrastructure service whose OS is AWS's is a managed
    network construct (a NAT or transit gateway): no OS of the customer's."""
    if service_model == "infrastructure" and os_owner == "aws":
        return RESPONSIBILITY_BADGES["network"]
    return RESPONSIBILITY_BADGES.get(service_model, RESPONSIBILITY_BADGES["external"])


EDGE_PLAIN = "#6B7682"
EDGE_CROSSING = INK
EDGE_UNENCRYPTED = INK  # dashed: the line style, not a colour, says "clear text"
