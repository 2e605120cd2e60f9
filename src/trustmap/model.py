"""The architecture model format, version 1, as pydantic models.

This module is the executable form of `docs/model-format.md`: the shape of each entry, its
types, enumerations and defaults that do not depend on the catalog. References between
entries (flows to components, components to services) are checked in `trustmap.validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from trustmap.free_text import MAX_NAME_LENGTH, MAX_REASON_LENGTH, shorten
from trustmap.severities import Level

__all__ = [
    "ACCESS_CLASSES",
    "BOUNDARY_KINDS",
    "CLASSIFICATIONS",
    "DATA_KINDS",
    "DEFAULT_TRUST",
    "ENCRYPTED_PROTOCOLS",
    "ENCRYPTIONS_AT_REST",
    "FLOW_KINDS",
    "ID_PATTERN",
    "INTERFACES",
    "PRINCIPAL_KINDS",
    "PROTOCOLS",
    "STATED_PROPERTIES",
    "TENANT_ISOLATIONS",
    "Boundary",
    "BoundaryKind",
    "Classification",
    "Component",
    "ComponentProperty",
    "DataAsset",
    "DataKind",
    "Decision",
    "EncryptionAtRest",
    "Flow",
    "Grant",
    "Integrity",
    "Model",
    "Principal",
    "Protocol",
    "RouteDomain",
    "SecurityGroup",
    "SecurityGroupRule",
    "TrustConditions",
    "TrustStatement",
    "is_id",
]

_ID = r"[a-z][a-z0-9_-]{0,63}"
ID_PATTERN = f"^{_ID}$"
_ID_REGEX = re.compile(_ID)
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
#: Free text, kept as written; each output escapes it for its format.
Text = str
#: A display name: free text, cut at 200 characters (names repeat in every checklist row and
#: diagram label, so a long one would multiply the size of the outputs).
Name = Annotated[str, AfterValidator(lambda text: shorten(text, MAX_NAME_LENGTH))]
#: A decision's reason, cut at 1,000 characters: it repeats on every item the decision matches.
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(lambda text: shorten(text, MAX_REASON_LENGTH)),
]
#: A decision's pattern: at most 256 characters, more than the longest finding key.
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=256)]

Classification = Literal["public", "internal", "confidential", "restricted"]
CLASSIFICATIONS: tuple[Classification, ...] = ("public", "internal", "confidential", "restricted")

BoundaryKind = Literal[
    "internet",
    "third-party",
    "corporate",
    "on-premises",
    "aws-cloud",
    "organization",
    "account",
    "region",
    "vpc",
    "availability-zone",
    "subnet",
    "security-group",
    "custom",
]
BOUNDARY_KINDS: tuple[str, ...] = BoundaryKind.__args__  # type: ignore[attr-defined]

#: Default trust rating per boundary kind (a public subnet is rated 40, see `Boundary.rating`).
DEFAULT_TRUST: dict[str, int] = {
    "internet": 0,
    "third-party": 20,
    "corporate": 50,
    "on-premises": 60,
    "aws-cloud": 70,
    "organization": 70,
    "account": 70,
    "region": 70,
    "vpc": 75,
    "availability-zone": 75,
    "subnet": 80,
    "security-group": 85,
    "custom": 50,
}
PUBLIC_SUBNET_TRUST = 40
#: How deep boundaries may nest through `parent:` (E212): an organization, accounts, regions,
#: VPCs, zones, subnets and security groups need about ten levels.
MAX_BOUNDARY_DEPTH = 32

Protocol = Literal[
    "https",
    "http",
    "tls",
    "ssh",
    "rdp",
    "sftp",
    "ftp",
    "smtp",
    "smtps",
    "postgres",
    "mysql",
    "redis",
    "amqp",
    "kafka",
    "grpc",
    "dns",
    "aws-api",
    "ipsec",
    "other",
]
PROTOCOLS: tuple[str, ...] = Protocol.__args__  # type: ignore[attr-defined]
ENCRYPTED_PROTOCOLS = frozenset({"https", "tls", "ssh", "rdp", "sftp", "smtps", "ipsec", "aws-api", "grpc"})

EncryptionAtRest = Literal["none", "aws-managed", "customer-kms", "cloudhsm", "client-side"]
FlowKind = Literal["data", "route"]
FLOW_KINDS: tuple[str, ...] = FlowKind.__args__  # type: ignore[attr-defined]
#: an availability zone as architects write it: `a`, `eu-west-1a`, `use1-az1`
Zone = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
ENCRYPTIONS_AT_REST: tuple[str, ...] = EncryptionAtRest.__args__  # type: ignore[attr-defined]
#: the component keys that the catalog's `property` condition can test
ComponentProperty = Literal[
    "encryption_at_rest", "multi_az", "backup", "public_access", "logging", "internet_facing"
]
DecisionStatus = Literal["accepted", "mitigated", "false-positive", "in-progress"]

#: format 1.2: what a principal is (docs/model-format.md, "Principals")
PrincipalKind = Literal["role", "user", "group", "oidc-provider", "saml-provider", "account", "service"]
PRINCIPAL_KINDS: tuple[str, ...] = PrincipalKind.__args__  # type: ignore[attr-defined]
#: format 1.2: the classes of actions a grant allows
Access = Literal["read", "write", "admin", "pass-role"]
ACCESS_CLASSES: tuple[str, ...] = Access.__args__  # type: ignore[attr-defined]
GrantVia = Literal["identity-policy", "resource-policy", "key-policy"]
#: format 1.2: what a component exposes to callers it does not control
Interface = Literal["web-ui", "api", "webhook", "url-fetch", "file-upload", "admin", "batch", "payment-page"]
INTERFACES: tuple[str, ...] = Interface.__args__  # type: ignore[attr-defined]
Tenancy = Literal["pooled", "siloed"]
#: format 1.2: what a data asset is. `records`: the business's data; `sessions`: bearer
#: session state of signed-in users (whoever holds a copy acts as them); `code`: executable
#: artifacts a component loads and runs (images, packages, model files, templates)
DataKind = Literal["records", "sessions", "code"]
DATA_KINDS: tuple[str, ...] = DataKind.__args__  # type: ignore[attr-defined]
#: format 1.2: what an unauthorised change to the data, or its loss, costs, where that weighs
#: more than its classification says (a ledger of balances, payment instructions, doses)
Integrity = Level
TenantIsolation = Literal[
    "application", "database-policy", "scoped-credentials", "per-tenant-keys", "network"
]
TENANT_ISOLATIONS: tuple[str, ...] = TenantIsolation.__args__  # type: ignore[attr-defined]
RuleProtocol = Literal["tcp", "udp", "icmp", "all"]
#: a place: an AWS region, a country or a jurisdiction (checked against the catalog's regions)
Place = Annotated[str, StringConstraints(min_length=1, max_length=32)]
#: a port (1..65535) or a range written "from-to" (checked in `trustmap.validate`)
PortSpec = int | str


def _as_list(value: Any) -> Any:
    """A single id where a list of ids is allowed (`runs_as: app-role`, `to: bucket`)."""
    return [value] if isinstance(value, str) else value


def _as_ports(value: Any) -> Any:
    """`ports: 443`, `ports: all` and `ports: "1024-65535"` as one-item lists."""
    return [value] if isinstance(value, int | str) and not isinstance(value, bool) else value


#: the JSON Schema says what the validator reads: one id, or a list of them
IdList = Annotated[list[Id], BeforeValidator(_as_list, json_schema_input_type=Id | list[Id])]


def is_id(text: str) -> bool:
    """True when `text` is a valid id of a boundary, data asset, component or flow."""
    return _ID_REGEX.fullmatch(text) is not None


class _Entry(BaseModel):
    # strict: YAML already gives real types, so "1" must not quietly become 1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False)


class DataAsset(_Entry):
    name: Name | None = None
    classification: Classification = "internal"
    regulations: list[Name] = Field(default_factory=list)  # labels, repeated like names
    description: Text | None = None
    #: format 1.2: where the data may be stored and sent (None: anywhere)
    residency: Annotated[list[Place], Field(min_length=1)] | None = None
    #: format 1.2: what the data is (`DataKind`)
    kind: DataKind = "records"
    #: format 1.2: the component that issued this credential or key (a registry's token, a
    #: partner's API key): presenting it to that component discloses nothing to it
    issued_by: Id | None = None
    #: format 1.2: the data this is made from (a build from its source code, a search index
    #: from its records): a store of data made from data stored elsewhere can be made again
    derived_from: list[Id] = Field(default_factory=list)
    #: format 1.2: the data is not wanted back once lost: kept briefly for diagnosis or as a
    #: working copy (crash dumps, temporary uploads); a store of only such data needs no backup
    disposable: bool = False
    #: format 1.2: the cost of the data being altered or lost (None: what its classification
    #: says); weighs the findings that change or destroy data (STRIDE tampering)
    integrity: Integrity | None = None


class Boundary(_Entry):
    kind: BoundaryKind
    parent: Id | None = None
    name: Name | None = None
    trust: Annotated[int, Field(ge=0, le=100)] | None = None
    public: bool = False
    description: Text | None = None
    #: format 1.2: where the boundary is, and the address ranges of the network it is
    region: Place | None = None
    cidrs: list[str] = Field(default_factory=list)

    def rating(self) -> int:
        """The trust rating: explicit, or the default of the kind."""
        if self.trust is not None:
            return self.trust
        if self.kind == "subnet" and self.public:
            return PUBLIC_SUBNET_TRUST
        return DEFAULT_TRUST[self.kind]


class Component(_Entry):
    service: str
    name: Name | None = None
    boundary: Id | None = None
    description: Text | None = None
    stores: list[Id] = Field(default_factory=list)
    internet_facing: bool | None = None
    encryption_at_rest: EncryptionAtRest | None = None
    multi_az: bool | None = None
    backup: bool = False
    public_access: bool = False
    logging: bool = False
    controls: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
    #: format 1.1: one component stands for a group spread over these zones, or of N members
    zones: Annotated[list[Zone], Field(min_length=1)] | None = None
    replicas: Annotated[int, Field(ge=1, le=100_000)] | None = None
    #: format 1.1: passes on the data it receives (true), some of it (data ids) or none (false)
    forwards: bool | list[Id] | None = None
    #: format 1.2: identities, network attachment, what it exposes, tenancy and place
    runs_as: IdList = Field(default_factory=list)
    security_groups: list[Id] = Field(default_factory=list)
    interfaces: list[Interface] | None = None
    tenancy: Tenancy | None = None
    tenant_isolation: Annotated[list[TenantIsolation], Field(min_length=1)] | None = None
    region: Place | None = None


#: keys of a component that name, place or describe it, or list its controls: every other key
#: states a property of it (`STATED_PROPERTIES`)
#: (format 1.2: `runs_as` and `security_groups` name principals and security groups, objects of
#: their own that an OTM document has no place for)
_NOT_PROPERTIES = frozenset(
    {"service", "name", "boundary", "description", "stores", "controls", "tags", "runs_as", "security_groups"}
)
#: the keys that state a property of a component, in the order of the format: what an OTM
#: export records as stated and `import otm` writes back
STATED_PROPERTIES: tuple[str, ...] = tuple(
    key for key in Component.model_fields if key not in _NOT_PROPERTIES
)


class Flow(_Entry):
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    id: Id | None = None
    name: Name | None = None
    protocol: Protocol
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    encrypted: bool | None = None
    authenticated: bool = False
    data: list[Id] = Field(default_factory=list)
    bidirectional: bool = False
    description: Text | None = None
    #: format 1.1: `route` is network plumbing with no application data of its own
    kind: FlowKind = "data"

    @property
    def flow_id(self) -> str:
        return self.id if self.id is not None else f"{self.source}->{self.target}"

    @property
    def is_encrypted(self) -> bool:
        """Explicit `encrypted`, or derived from the protocol."""
        return self.encrypted if self.encrypted is not None else self.protocol in ENCRYPTED_PROTOCOLS


class TrustConditions(_Entry):
    """Format 1.2: the IAM conditions a trust statement or grant requires; a key not written is
    a condition it does not have."""

    external_id: bool | None = None
    oidc_subject: Text | None = None
    oidc_audience: Text | None = None
    source_arn: bool | Text | None = None
    source_account: bool | Text | None = None
    organization: bool | None = None
    mfa: bool | None = None


class TrustStatement(_Entry):
    """Format 1.2: one principal that may assume a role."""

    principal: Id
    #: None: the model does not say which conditions the statement has
    conditions: TrustConditions | None = None
    description: Text | None = None


class Principal(_Entry):
    """Format 1.2: an identity that AWS authorises."""

    kind: PrincipalKind
    name: Name | None = None
    description: Text | None = None
    boundary: Id | None = None
    identifier: Text | None = None
    #: roles: the trust policy (None: not said)
    trust: list[TrustStatement] | None = None
    #: groups: their users
    members: list[Id] = Field(default_factory=list)
    #: users: long-lived access keys
    access_keys: bool | None = None
    #: identities people use: elevated on request for a limited time, or standing
    just_in_time: bool | None = None
    controls: list[str] = Field(default_factory=list)


#: what a grant names: a component, data asset or principal id, or `account`
GrantTarget = Annotated[str, StringConstraints(min_length=1)]


class Grant(_Entry):
    """Format 1.2: a principal may act on components, data, principals or its whole account."""

    principal: Id
    access: Access
    to: Annotated[
        list[GrantTarget],
        BeforeValidator(_as_list, json_schema_input_type=GrantTarget | list[GrantTarget]),
        Field(min_length=1),
    ]
    data: list[Id] = Field(default_factory=list)
    via: GrantVia = "identity-policy"
    conditions: TrustConditions | None = None
    description: Text | None = None


class SecurityGroupRule(_Entry):
    """Format 1.2: one ingress or egress rule; exactly one peer (checked in validation)."""

    cidr: Text | None = None
    security_group: Id | None = None
    prefix_list: Text | None = None
    #: ports and "from-to" ranges, or `all` (checked in `trustmap.validate`)
    ports: Annotated[
        list[PortSpec],
        BeforeValidator(_as_ports, json_schema_input_type=PortSpec | list[PortSpec]),
        Field(min_length=1),
    ]
    protocol: RuleProtocol = "tcp"
    description: Text | None = None


class SecurityGroup(_Entry):
    """Format 1.2: a security group; `None` rules: the model does not say."""

    name: Name | None = None
    description: Text | None = None
    boundary: Id | None = None
    ingress: list[SecurityGroupRule] | None = None
    egress: list[SecurityGroupRule] | None = None


class RouteDomain(_Entry):
    """Format 1.2: networks that can reach each other through one route table."""

    name: Name | None = None
    description: Text | None = None
    via: Id | None = None
    members: Annotated[list[Id], Field(min_length=2)]
    inspected_by: Id | None = None


def _iso_date(value: Any) -> Any:
    """A date written as text, `'2027-06-30'` (a JSON model has no other way): the date."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # not a day of the calendar: refused as the string it is
    return value


class Decision(_Entry):
    finding: Pattern
    status: DecisionStatus
    reason: Reason
    owner: Name | None = None
    expires: Annotated[dt.date, BeforeValidator(_iso_date)] | None = None
    ticket: Name | None = None


class Model(_Entry):
    trustmap: Literal[1]
    name: Name
    description: Text | None = None
    owner: Text | None = None
    region: Text | None = None
    data: dict[Id, DataAsset] = Field(default_factory=dict)
    boundaries: dict[Id, Boundary] = Field(default_factory=dict)
    components: Annotated[dict[Id, Component], Field(min_length=1)]
    flows: list[Flow] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)
    accepted: list[Decision] = Field(default_factory=list)
    #: format 1.2
    principals: dict[Id, Principal] = Field(default_factory=dict)
    grants: list[Grant] = Field(default_factory=list)
    security_groups: dict[Id, SecurityGroup] = Field(default_factory=dict)
    route_domains: dict[Id, RouteDomain] = Field(default_factory=dict)
