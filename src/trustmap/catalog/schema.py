"""The catalog's schema: what `models/*.yaml` may say (see docs/catalog.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from trustmap.model import (
    BoundaryKind,
    Classification,
    ComponentProperty,
    DataKind,
    EncryptionAtRest,
    Interface,
    Protocol,
    Tenancy,
    TenantIsolation,
)
from trustmap.severities import LEVELS, Level, Severity

__all__ = [
    "CATEGORIES",
    "LAYERS",
    "OWNERS",
    "OWNER_WORDS",
    "STRIDE",
    "CategoryEntry",
    "CategoryFile",
    "Condition",
    "Control",
    "ControlFile",
    "LayerEntry",
    "LayerFile",
    "PlaceFile",
    "Places",
    "Service",
    "ServiceFile",
    "SeverityFile",
    "SeverityPolicy",
    "Threat",
    "ThreatFile",
    "owner_label",
]

CatalogId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,63}$")]

Layer = Literal[
    "data",
    "identity",
    "application",
    "os",
    "network-config",
    "client-encryption",
    "server-encryption",
    "traffic-protection",
    "service-software",
    "infrastructure",
    "physical",
]
LAYERS: tuple[str, ...] = Layer.__args__  # type: ignore[attr-defined]

Owner = Literal["aws", "customer", "shared"]
OWNERS: tuple[str, ...] = Owner.__args__  # type: ignore[attr-defined]
#: the contract's owners (docs/outputs.md); a layer a managed network construct does not have
#: for the customer (a NAT gateway's guest OS) is AWS's: nothing of it is the customer's to do
LayerOwner = Literal["aws", "customer", "shared", "third-party"]
#: each owner of a layer or duty as running text names it ("the customer's duty")
OWNER_WORDS: dict[str, str] = {
    "aws": "AWS",
    "customer": "customer",
    "shared": "shared",
    "third-party": "third party",
}


def owner_label(owner: str) -> str:
    """An owner as a table label (`AWS`, `Customer`, `Third party`); an unknown one as it is."""
    word = OWNER_WORDS.get(owner)
    return owner if word is None else word[:1].upper() + word[1:]


ServiceModelName = Literal["infrastructure", "container", "abstracted", "external"]

Category = Literal[
    "physical",
    "continuity",
    "network",
    "access",
    "design",
    "change",
    "compliance",
    "visibility",
    "auditability",
    "controllability",
    "agility",
    "automation",
    "scale",
    "monitoring",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]


StrideName = Literal[
    "spoofing",
    "tampering",
    "repudiation",
    "information-disclosure",
    "denial-of-service",
    "elevation-of-privilege",
]
STRIDE: tuple[str, ...] = StrideName.__args__  # type: ignore[attr-defined]

Scope = Literal["component", "flow", "model", "principal"]
ServiceKind = Literal[
    "compute",
    "datastore",
    "messaging",
    "edge",
    "network",
    "identity",
    "observability",
    "actor",
    "external",
]
DfdKind = Literal["process", "datastore", "external-entity"]
Placement = Literal["vpc", "regional", "global", "external"]
#: a service's default encryption at rest: the model's values, or none that applies
Encryption = Literal[EncryptionAtRest, "not-applicable"]
PropertyName = ComponentProperty


class _Entry(BaseModel):
    # Validators are built when a catalog file is first validated, not on import: a catalog
    # read from the compiled cache (catalog/cache.py) is never validated again.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class PropertyTest(_Entry):
    name: PropertyName
    equals: bool | str | None = None
    in_: list[str | bool] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> PropertyTest:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("a property test needs exactly one of 'equals' and 'in'")
        return self


class Condition(_Entry):
    """One test of the closed rule vocabulary; exactly one key may be set."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    service: list[str] | None = None
    service_model: list[ServiceModelName] | None = None
    kind: list[ServiceKind] | None = None
    dfd: list[DfdKind] | None = None
    aws: bool | None = None
    property: PropertyTest | None = None
    stores_data: bool | None = None
    classification_at_least: Classification | None = None
    #: a component stores, processes or transmits data at least this sensitive (its flows'
    #: data too, either way); a flow carries it
    handles_classification_at_least: Classification | None = None
    #: a flow hands its target data at least this sensitive that the target did not issue
    #: (a token presented to the registry that issued it discloses nothing)
    discloses_classification_at_least: Classification | None = None
    regulation: list[str] | None = None
    #: a component stores, processes or transmits data under one of these (compliance scope)
    handles_regulation: list[str] | None = None
    in_boundary_kind: list[BoundaryKind] | None = None
    in_public_subnet: bool | None = None
    trust_below: Annotated[int, Field(ge=0, le=101)] | None = None
    declared: str | None = None
    protocol: list[Protocol] | None = None
    encrypted: bool | None = None
    authenticated: bool | None = None
    crosses_boundary: bool | None = None
    crosses_boundary_kind: list[BoundaryKind] | None = None
    trust_decreases: bool | None = None
    port: list[int] | None = None
    #: a flow reaches a listener of its target that authenticates with IAM (`iam_auth_ports`)
    iam_authenticated: bool | None = None
    source: Condition | None = None
    target: Condition | None = None
    #: a component's flows: some inbound / outbound flow, or every one (at least one), matches
    inbound: Condition | None = None
    outbound: Condition | None = None
    every_inbound: Condition | None = None
    every_outbound: Condition | None = None
    #: a flow is network plumbing (`kind: route`); a flow's responses carry data too
    route: bool | None = None
    bidirectional: bool | None = None
    #: a component is the only one that stores some of its data (not a copy, cache or staging)
    sole_store: bool | None = None
    #: some component joined to this one by a flow, either way, matches
    linked: Condition | None = None
    #: some origin of the requests that reach the component (through load balancers, CDNs and
    #: gateways: the people or systems behind its callers) matches
    caller: Condition | None = None
    linked_service: list[str] | None = None
    model_has_service: list[str] | None = None
    model_regulation: list[str] | None = None
    model_classification_at_least: Classification | None = None
    #: format 1.2: what a component exposes (`interfaces`, written or inferred)
    interface: list[Interface] | None = None
    #: requests reach the component from a less trusted place (through forwarding components)
    untrusted_input: bool | None = None
    #: the component's service runs the customer's own code
    runs_code: bool | None = None
    #: requests reach the component from a place of trust below this (the internet: 30)
    caller_trust_below: Annotated[int, Field(ge=0, le=101)] | None = None
    #: the component states this tenancy, or lists one of these isolation mechanisms
    tenancy: list[Tenancy] | None = None
    tenant_isolation: list[TenantIsolation] | None = None
    #: format 1.2: the component stores data of one of these kinds (`kind` of a data asset)
    stores_data_kind: list[DataKind] | None = None
    #: format 1.2: a component stores data whose stated `integrity` is at least this
    stores_integrity_at_least: Level | None = None
    #: at least this many components send the component data along one-way data flows (its
    #: writers): more than one, and not only a release pipeline writes it
    writers_at_least: int | None = Field(default=None, ge=1)
    #: the component's stated security groups admit the internet (0.0.0.0/0, ::/0) on one of
    #: these ports (an empty list: on any port)
    internet_ingress: list[int] | None = None
    #: every security group of the component states its ingress
    ingress_stated: bool | None = None
    #: some stated ingress rule is needed by no flow into the component
    ingress_wider_than_flows: bool | None = None
    #: the component's service is on AWS's in-scope list of every program of the data it handles
    in_program_scope: bool | None = None
    #: the component runs as an IAM user with long-lived access keys (false: only as roles or
    #: users without keys)
    runs_with_access_keys: bool | None = None
    #: the component runs as a principal that holds admin on everything (`*`) of its account
    runs_as_admin: bool | None = None
    #: every security group of the component states its egress, and one admits private address
    #: space (or 0.0.0.0/0, which includes it): its code can reach internal addresses
    egress_reaches_internal: bool | None = None
    #: the component's place is known and lies outside all of these places
    place_outside: list[str] | None = None
    #: a resource policy on the component grants a principal of another account access, with
    #: no restricting condition written (true); or states grants and none is so (false)
    shared_by_resource_policy: bool | None = None
    #: the component states the principals it runs as (its access is judged on their grants
    #: and trust rather than guessed from its flows)
    runs_as_stated: bool | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        keys = self.keys()
        if len(keys) != 1:
            named = ", ".join(sorted(keys)) or "none"
            raise ValueError(f"a condition needs exactly one key, found {len(keys)} ({named})")
        return self

    def keys(self) -> list[str]:
        # The engine asks this for every condition and subject: reading `__dict__` (the fields,
        # in declaration order) is five times faster than `model_fields` plus `getattr`.
        return [
            _CONDITION_ALIASES.get(name, name) for name, value in self.__dict__.items() if value is not None
        ]

    def key(self) -> str:
        return self.keys()[0]


_CONDITION_ALIASES = {name: info.alias for name, info in Condition.model_fields.items() if info.alias}


class LayerEntry(_Entry):
    title: str
    side: Literal["in", "of"]
    description: str | None = None


class ServiceModelEntry(_Entry):
    title: str
    description: str
    responsibility: dict[Layer, LayerOwner]

    @model_validator(mode="after")
    def _every_layer(self) -> ServiceModelEntry:
        missing = [layer for layer in LAYERS if layer not in self.responsibility]
        if missing:
            raise ValueError("responsibility lacks the layers " + ", ".join(missing))
        return self


class LayerFile(_Entry):
    layers: dict[Layer, LayerEntry]
    service_models: dict[ServiceModelName, ServiceModelEntry]


class CategoryEntry(_Entry):
    title: str
    description: str
    topics: list[str] = Field(default_factory=list)


class CategoryFile(_Entry):
    categories: dict[Category, CategoryEntry]


_MATRIX: dict[Level, dict[Level, Severity]] = {
    "low": {"low": "low", "medium": "low", "high": "medium"},
    "medium": {"low": "low", "medium": "medium", "high": "high"},
    "high": {"low": "medium", "medium": "high", "high": "critical"},
}
_DATA_IMPACT: dict[Classification, Level] = {
    "public": "low",
    "internal": "low",
    "confidential": "medium",
    "restricted": "high",
}


class SeverityPolicy(_Entry):
    """How impact and likelihood make a severity (docs/judgement.md)."""

    #: impact -> likelihood -> severity
    matrix: dict[Level, dict[Level, Severity]] = Field(default_factory=lambda: dict(_MATRIX))
    #: impact of data of each classification at stake on a subject
    data_impact: dict[Classification, Level] = Field(default_factory=lambda: dict(_DATA_IMPACT))
    #: availability findings: how many dependent components make the impact medium, high
    dependents_for_medium: Annotated[int, Field(ge=1)] = 1
    dependents_for_high: Annotated[int, Field(ge=1)] = 3
    #: services that are attack-path targets whatever data they hold
    control_planes: list[str] = Field(
        default_factory=lambda: ["iam", "kms", "secrets-manager", "organizations"]
    )
    #: components in a place of trust below this are where an attacker can stand (an entry)
    entry_trust_below: Annotated[int, Field(ge=0, le=101)] = 50

    @model_validator(mode="after")
    def _whole_matrix(self) -> SeverityPolicy:
        for impact in LEVELS:
            for likelihood in LEVELS:
                if likelihood not in self.matrix.get(impact, {}):  # type: ignore[call-overload]
                    raise ValueError(f"the matrix lacks impact {impact} with likelihood {likelihood}")
        return self


class SeverityFile(_Entry):
    severity: SeverityPolicy


class Caveat(_Entry):
    date: dt.date
    text: str


class Deprecation(_Entry):
    date: dt.date
    replacement: str | None = None
    note: str | None = None


class ServiceDefaults(_Entry):
    """AWS's own behaviour when a model does not say: a default given here is a statement
    (judgement.md), a value the catalog leaves out is unknown."""

    encryption_at_rest: Encryption | None = None
    multi_az: bool | None = None
    internet_facing: bool | None = None
    logging: bool | None = None
    #: passes the data it receives on to its outgoing flows (proxies and gateways)
    forwards: bool | None = None


class Service(_Entry):
    name: str
    service_model: ServiceModelName
    kind: ServiceKind
    dfd: DfdKind
    icon: Annotated[str, StringConstraints(pattern=r"^diagrams(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    placement: Placement | None = None  # where it runs: for readers (`trustmap catalog services ID`)
    aws: bool = True
    defaults: ServiceDefaults = Field(default_factory=ServiceDefaults)
    responsibility: dict[Layer, LayerOwner] = Field(default_factory=dict)
    customer_duties: str | None = None
    aws_duties: str | None = None
    evidences: list[str] = Field(default_factory=list)
    caveats: list[Caveat] = Field(default_factory=list)
    deprecated: Deprecation | None = None
    aliases: list[str] = Field(default_factory=list)
    aws_ids: list[str] = Field(default_factory=list)
    description: str | None = None
    #: runs the customer's own code (application threats apply to what it exposes)
    runs_code: bool = False
    #: compliance programs whose AWS in-scope service list names it (see `programs.yaml`)
    programs: list[Literal["pci-dss", "hipaa"]] = Field(default_factory=list)
    #: ports of its listeners that authenticate clients with IAM (SigV4 from the caller's role):
    #: a client that connects there holds no secret of its own (MSK's IAM listeners)
    iam_auth_ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(default_factory=list)

    def default_multi_az(self) -> bool:
        """Multi-AZ unless a component says otherwise: the catalog's default for the service,
        else true for abstracted services (AWS runs them across zones)."""
        if self.defaults.multi_az is not None:
            return self.defaults.multi_az
        return self.service_model == "abstracted"


class ServiceFile(_Entry):
    services: dict[CatalogId, Service]


class Compliance(_Entry):
    iso27001: list[str] = Field(default_factory=list)
    pci_dss: list[str] = Field(default_factory=list, alias="pci-dss")
    hipaa: list[str] = Field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "hipaa": list(self.hipaa),
            "iso27001": list(self.iso27001),
            "pci-dss": list(self.pci_dss),
        }


class AwsIds(_Entry):
    security_hub: list[str] = Field(default_factory=list)
    cis: list[str] = Field(default_factory=list)
    checkov: list[str] = Field(default_factory=list)


class Control(_Entry):
    id: CatalogId
    code: str | None = None
    title: str
    #: what to ask when the model says nothing about the control
    question: str | None = None
    description: str | None = None
    category: Category
    owner: Owner
    scope: Scope
    severity: Severity = "medium"
    applies_to: Condition | None = None
    relevant_when: Condition | None = None
    evidence: Condition | None = None
    #: what the model states that leaves the control unmet (a finding, not a question)
    open_when: Condition | None = None
    #: declared on some components of a service, its absence on another of that service is a
    #: statement (judgement.md): for controls applied uniformly to a fleet (IMDSv2, patching)
    contrast: bool = False
    #: a flow control that one piece of infrastructure provides to a group of flows: declared
    #: for one flow of the group (by its source), it is met for all (one VPC endpoint serves
    #: every flow from the VPC to the service)
    shared_by: Literal["source-vpc-and-target-service"] | None = None
    evidence_text: str | None = None
    remediation: str | None = None
    compliance: Compliance = Field(default_factory=Compliance)
    aws_ids: AwsIds = Field(default_factory=AwsIds)
    aliases: list[str] = Field(default_factory=list)
    caveats: list[Caveat] = Field(default_factory=list)
    #: the expected configuration the engine works out from the model and adds to the
    #: checklist row (format 1.2: the ingress a component's flows need)
    expected: Literal["ingress-from-flows"] | None = None


class ControlFile(_Entry):
    controls: list[Control]


class References(_Entry):
    cwe: list[str] = Field(default_factory=list)
    capec: list[str] = Field(default_factory=list)
    other: list[str] = Field(default_factory=list)


class LikelihoodCase(_Entry):
    """A likelihood the catalog knows for the subjects a condition picks out, and why."""

    when: Condition
    likelihood: Level
    #: the likelihood's reason, after "likelihood <level>: "
    because: str


class LikelihoodCap(_Entry):
    """The most likely a threat gets from exposure alone, where exploiting it needs a step the
    model cannot show (an exploitable flaw, a forged request, the host taken first)."""

    at_most: Level
    #: why, after ", but " in the likelihood's reason
    because: str


class Threat(_Entry):
    id: CatalogId
    code: str | None = None
    title: str
    description: str
    stride: Annotated[list[StrideName], Field(min_length=1)]
    category: Category
    owner: Literal["customer", "shared"] = "customer"
    scope: Scope
    #: impact when realised on a subject with restricted data at stake: the ceiling (judgement.md)
    impact: Level = "medium"
    #: catalogs written before 1.1 rate threats with a base severity; it stands for `impact`
    #: when that is not given (info and low: low, medium: medium, high and critical: high)
    severity: Severity | None = None
    #: impact when no data is at stake on the subject
    impact_floor: Level = "low"
    #: which data weighs: all the subject handles, or only what it stores (threats to data at
    #: rest), or what its identities reach; `identity`: what the identities a component runs as
    #: reach where the model states them (`runs_as`), else what it handles (stolen credentials);
    #: `opened`: what it handles and what the components its own credentials authenticate to
    #: handle (a leaked API key or password); `affected`: on a finding about the model, what the
    #: components it names handle (the workloads a model-wide graph rule found), else `handled`;
    #: `joined`: for a peering or transit gateway, what the stores that its unused routes open to
    #: less trusted networks hold
    impact_from: Literal["handled", "stored", "reached", "identity", "opened", "affected", "joined"] = (
        "handled"
    )
    #: the `when` condition is itself what the model states is wrong: mitigating controls the
    #: model says nothing of do not turn it into a question (graph rules always work so)
    finding_unless_met: bool = False
    #: findings that one fix covers are one finding: flows from one VPC to one service, a store
    #: and its copies, the stores of one place, the members of one security group (the rules no
    #: flow needs), the subjects whose risk is one role's grants (a role, the workloads that run
    #: as it; across the threats grouped so)
    group_by: (
        Literal[
            "source-vpc-and-target-service",
            "target-and-protocol",
            "replicas",
            "place",
            "security-group",
            "principal",
        ]
        | None
    ) = None
    #: raised on a subject that also has a finding of one of these threats, it is part of that
    #: finding (one root cause, one fix) rather than a finding of its own
    folds_into: list[str] = Field(default_factory=list)
    #: a fixed likelihood (failures, account-wide duties); None: from the subject's exposure
    likelihood: Level | None = None
    #: likelihoods for the subjects a condition picks out, the first that holds winning over
    #: `likelihood` and the exposure (a host people reach only over RDP serves no request to
    #: forge)
    likelihood_when: list[LikelihoodCase] = Field(default_factory=list)
    #: a ceiling on the likelihood that exposure gives (reachable from the internet with nothing
    #: to compromise is high; an unpatched host there still needs an exploitable flaw)
    likelihood_cap: LikelihoodCap | None = None
    when: Condition | None = None
    implementation: Literal["python"] | None = None
    mitigated_by: list[str] = Field(default_factory=list)
    see_also: list[str] = Field(default_factory=list)
    references: References = Field(default_factory=References)
    example_bad: str | None = None
    example_good: str | None = None
    aliases: list[str] = Field(default_factory=list)
    #: knobs for a python rule, so that its knowledge stays in the catalog
    parameters: dict[str, list[str] | str | int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _when_or_python(self) -> Threat:
        if self.when is not None and self.implementation is not None:
            raise ValueError("a threat has either 'when' or 'implementation: python', not both")
        return self

    @model_validator(mode="before")
    @classmethod
    def _impact_from_severity(cls, data: object) -> object:
        if isinstance(data, dict) and "severity" in data and "impact" not in data:
            legacy = {"info": "low", "low": "low", "medium": "medium", "high": "high", "critical": "high"}
            return {**data, "impact": legacy.get(str(data["severity"]), "medium")}
        return data


class ThreatFile(_Entry):
    threats: list[Threat]


class RegionEntry(_Entry):
    name: str
    country: str


class Jurisdiction(_Entry):
    name: str
    countries: list[str]


class Places(_Entry):
    """Where things can be (docs/model-format.md, "Residency and regions"): AWS regions with
    their countries, country codes, and jurisdictions that group countries."""

    as_of: dt.date | None = None
    regions: dict[str, RegionEntry] = Field(default_factory=dict)
    jurisdictions: dict[str, Jurisdiction] = Field(default_factory=dict)
    countries: list[str] = Field(default_factory=list)

    def known(self) -> frozenset[str]:
        """Every place a model may name."""
        return frozenset(self.regions) | frozenset(self.jurisdictions) | frozenset(self.countries)

    def countries_of(self, place: str) -> frozenset[str]:
        """The countries a place covers: one for a region or country, several for a jurisdiction."""
        if place in self.regions:
            return frozenset({self.regions[place].country})
        if place in self.jurisdictions:
            return frozenset(self.jurisdictions[place].countries)
        return frozenset({place}) if place in self.countries else frozenset()

    def within(self, place: str, allowed: Iterable[str]) -> bool | None:
        """Whether `place` lies inside one of the `allowed` places: True, False when it is
        outside all of them, None when it overlaps one without lying inside it (a country
        against an allowed region of that country)."""
        allowed = list(allowed)
        if place in allowed:
            return True
        mine = self.countries_of(place)
        if not mine:
            return None
        overlap = False
        for other in allowed:
            if other in self.regions and place not in self.regions:
                # a region is narrower than its country: `de` is not inside `eu-central-1`
                if mine & self.countries_of(other):
                    overlap = True
                continue
            if other in self.regions:
                continue  # another region (`place` is a region, and not this one)
            theirs = self.countries_of(other)
            if mine <= theirs:
                return True
            overlap = overlap or bool(mine & theirs)
        return None if overlap else False


class PlaceFile(_Entry):
    places: Places
