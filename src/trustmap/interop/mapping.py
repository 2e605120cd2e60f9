"""The mapping tables of the importers: their schema and one loader for every table.

`models/cloudformation.yaml` and `models/terraform.yaml` share one schema (`ResourceTable`,
under a root key naming the wing): per resource type, which catalog service a resource becomes, where it sits
(the property paths that name its subnets, VPC and security groups), which properties carry
over to the model and how (`properties`: ordered tests over property paths, the first match
sets the value), which controls it evidences, and which flows its references imply (`links`).
It also lists the types consumed for boundaries and flows (`structural`), the types left out
on purpose (`ignored`) and the port-to-protocol table used for security-group rules.

`load_table` reads any of the tables (the OTM table too). A broken table is reported like a
broken model: positioned `path:line:column: CODE message`
diagnostics (E1xx from the schema, E204/E205 for unknown services or controls).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from trustmap.catalog import Catalog, builtin_catalog_dir
from trustmap.diagnostics import Diagnostic, did_you_mean
from trustmap.input_file import read_input_file
from trustmap.interop.paths import PathError, parse_path
from trustmap.model import EncryptionAtRest, Protocol
from trustmap.schema_errors import diagnostics_from_validation_error
from trustmap.source import Document, load_yaml

__all__ = [
    "WINGS",
    "EncryptionRule",
    "FlagRule",
    "Held",
    "Link",
    "ListenerRules",
    "Listeners",
    "NetworkTypes",
    "PropertyRules",
    "ResourceMapping",
    "ResourceTable",
    "SignIn",
    "Test",
    "check_mapping",
    "default_mapping_path",
    "load_mapping",
    "load_table",
]

#: the wings whose tables share this schema, by their root key (the file is models/<wing>.yaml)
WINGS = ("cloudformation", "terraform")

Scalar = bool | int | float | str


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=False)


def _check_path(value: str) -> str:
    try:
        parse_path(value)
    except PathError as error:
        raise ValueError(str(error)) from None
    return value


#: a property path such as `VpcConfig.SubnetIds` or `Rules[*].Status`, checked when read
PathText = Annotated[str, AfterValidator(_check_path)]


class Test(_Entry):
    """A test of one property path; exactly one of the tests is set."""

    path: PathText
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    present: bool | None = None
    greater_than: float | None = None
    starts_with: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Test:
        names = ("equals", "in_", "present", "greater_than", "starts_with")
        if sum(getattr(self, n) is not None for n in names) != 1:
            raise ValueError("a test needs exactly one of equals, in, present, greater_than, starts_with")
        return self


class _Rule(Test):
    #: further tests that must all hold too
    and_: list[Test] = Field(default_factory=list, alias="and")


class EncryptionRule(_Rule):
    value: EncryptionAtRest


class FlagRule(_Rule):
    value: bool


class PropertyRules(_Entry):
    """Per model property, the rules tried in order; the first that holds sets the value."""

    encryption_at_rest: list[EncryptionRule] = Field(default_factory=list)
    multi_az: list[FlagRule] = Field(default_factory=list)
    backup: list[FlagRule] = Field(default_factory=list)
    public_access: list[FlagRule] = Field(default_factory=list)
    logging: list[FlagRule] = Field(default_factory=list)
    internet_facing: list[FlagRule] = Field(default_factory=list)

    def items(self) -> list[tuple[str, list[EncryptionRule] | list[FlagRule]]]:
        return [(name, getattr(self, name)) for name in type(self).model_fields if getattr(self, name)]


class ControlRule(_Rule):
    control: str


class ServiceRule(_Rule):
    service: str


class Link(_Entry):
    """A flow implied by references: from `from` to `to` (paths; an omitted end is the resource)."""

    from_: PathText | None = Field(default=None, alias="from")
    to: PathText | None = None
    protocol: Protocol = "aws-api"
    protocol_path: PathText | None = None
    port_path: PathText | None = None
    #: read `protocol_path` and `port_path` on the resource named at `to` (a target group) or `from`
    read_from: Literal["self", "to", "from"] = "self"
    name: str | None = None
    #: where `to` holds an EventBridge Scheduler universal target (`arn:aws:scheduler:::aws-sdk:
    #: sqs:sendMessage`): the path of the call's input, whose references name the resource
    universal_input: PathText | None = None


class Placement(_Entry):
    """Property paths that place a resource or let other resources find what it holds."""

    subnets: list[PathText] = Field(default_factory=list)
    vpc: list[PathText] = Field(default_factory=list)
    security_groups: list[PathText] = Field(default_factory=list)


class ListenerRules(_Entry):
    """The rules of a listener: resources of type `resource` that name it at `by`, with their
    actions at `actions`."""

    resource: str
    by: PathText
    actions: PathText


class SignIn(_Entry):
    """How a listener signs its users in before it forwards (an ALB's `authenticate-cognito`):
    its actions at `actions` and its rules', each action's kind at `type` and its place at
    `order` (else its place in the list). A list of actions signs in when an action of a kind
    in `authenticate` comes before its first of a kind in `forward`."""

    actions: PathText
    rules: ListenerRules | None = None
    type: PathText
    order: PathText
    authenticate: list[str]
    forward: list[str]


class Listeners(_Entry):
    """Where the listeners of a public entry point are written: at `path` on the resource
    itself, or on resources of type `resource` that name it at `by`; `protocol` and `port` are
    paths within one listener; `sign_in`, where its actions may sign users in."""

    path: PathText | None = None
    resource: str | None = None
    by: PathText | None = None
    protocol: PathText
    port: PathText
    sign_in: SignIn | None = None


class Held(_Entry):
    """Resources of other types that hold one of this type: {type: path naming it} in `by`.
    One that is held is part of its holder, not a component (a task definition an ECS service
    runs); a reference to it stands for what its `targets` name (the role its tasks run as)."""

    by: dict[str, PathText]
    targets: list[PathText] = Field(default_factory=list)
    note: str | None = None


class ResourceMapping(Placement):
    service: str
    when: list[ServiceRule] = Field(default_factory=list)
    properties: PropertyRules = PropertyRules()
    controls: list[ControlRule] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    #: resources of another type that place this one: {type: path naming this resource}
    #: (an EFS mount target gives its file system a subnet and security groups)
    attached_by: dict[str, PathText] = Field(default_factory=dict)
    #: every resource of the type folds into one component named after the service
    singleton: bool = False
    #: clients on the internet reach it directly (when it is internet facing)
    internet_entry: Protocol | None = None
    #: the service authenticates every client of that entry itself (IoT Core's device gateway
    #: takes only certificates, signed requests or an authorizer's verdict): the flow says so
    entry_authenticated: bool = False
    #: the entry's protocols and ports as its listeners state them (else `internet_entry`)
    listeners: Listeners | None = None
    #: how it gets a public address, where its properties do not say: `subnet` (from a subnet
    #: that maps public addresses on launch: EC2 instances and their groups), `never` (it has
    #: none of its own: a function, a file system); unset: the table does not say
    public_address: Literal["subnet", "never"] | None = None
    #: a group of members spread over its subnets (an Auto Scaling group): `zones` / `multi_az`
    group: bool = False
    #: every resource of the type in one VPC is one component, a group over their zones (a NAT
    #: gateway per zone)
    fold_per_vpc: bool = False
    #: paths naming the resource this one is a member of (an instance of an Aurora cluster): it
    #: folds into that component, which counts its members as `replicas`
    member_of: list[PathText] = Field(default_factory=list)
    #: paths naming the resource whose properties this one takes where it states none (a read
    #: replica is encrypted as its source)
    inherit_from: list[PathText] = Field(default_factory=list)
    #: when another resource holds it, it is part of that one and not a component
    held: Held | None = None
    #: why the security groups the code names are not all that admit traffic to it (the
    #: service adds groups or rules of its own): its `security_groups` are not written
    groups_incomplete: str | None = None
    note: str | None = None


class Relation(Placement):
    """A resource that is not a component but leads to subnets, groups, components or flows.

    A subnet group lends its subnets to the database that names it; a launch template its
    security groups to the Auto Scaling group; a target group stands for its targets (named in
    `targets`, or the resources that name it at a `referenced_by` path); an event source
    mapping implies a flow (`links`).
    """

    targets: list[PathText] = Field(default_factory=list)
    referenced_by: list[PathText] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    #: the path naming the resource this one configures (Terraform's aws_s3_bucket_logging
    #: names its bucket): its `properties` and `controls` are set on that resource's component
    applies_to: PathText | None = None
    properties: PropertyRules = PropertyRules()
    controls: list[ControlRule] = Field(default_factory=list)
    #: it is a public endpoint of what it stands for (`targets`: a Lambda function URL's
    #: function): a flow from the internet's clients to them, on this protocol
    internet_entry: Protocol | None = None
    #: the entry signs its callers in when these tests hold (a function URL's `AuthType: AWS_IAM`)
    authenticated_when: list[Test] = Field(default_factory=list)
    note: str | None = None


class NetworkTypes(_Entry):
    """The resource types that are boundaries and security groups rather than components."""

    vpc: str
    subnet: str
    security_group: str


class ResourceTable(_Entry):
    network: NetworkTypes
    defaults: Placement
    resources: dict[str, ResourceMapping]
    relations: dict[str, Relation] = Field(default_factory=dict)
    #: resource types whose presence evidences a control (a flow log: `vpc-flow-logs`)
    evidence: dict[str, str] = Field(default_factory=dict)
    structural: dict[str, str] = Field(default_factory=dict)
    ignored: dict[str, str] = Field(default_factory=dict)
    ports: dict[int, Protocol] = Field(default_factory=dict)
    protocol_names: dict[str, Protocol] = Field(default_factory=dict)
    #: address ranges of private networks: a rule from one of them comes from on-premises
    private_ranges: list[str] = Field(default_factory=list)

    @field_validator("private_ranges")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                ipaddress.ip_network(text)
            except ValueError:
                raise ValueError(f"'{text}' is not an address range such as 10.0.0.0/8") from None
        return value


class _CloudFormationFile(_Entry):
    cloudformation: ResourceTable


class _TerraformFile(_Entry):
    terraform: ResourceTable


_FILES: dict[str, type[_Entry]] = {"cloudformation": _CloudFormationFile, "terraform": _TerraformFile}


def default_mapping_path(wing: str = "cloudformation") -> Path:
    return builtin_catalog_dir() / f"{wing}.yaml"


def _types_clash(mapping: ResourceTable, document: Document, wing: str) -> list[Diagnostic]:
    sections = ("resources", "relations", "evidence", "structural", "ignored")
    owner: dict[str, str] = {}
    found = []
    for section in sections:
        for type_name in getattr(mapping, section):
            if type_name in owner:
                found.append(
                    Diagnostic(
                        "E209",
                        f"resource type '{type_name}' is listed in both '{owner[type_name]}' and '{section}'",
                        document.path,
                        document.source_map.key((wing, section, type_name)),
                    )
                )
            owner[type_name] = section
    return found


def check_mapping(
    mapping: ResourceTable, document: Document, catalog: Catalog, wing: str = "cloudformation"
) -> list[Diagnostic]:
    """Cross-checks the schema cannot make: services and controls exist, types appear once."""
    found = _types_clash(mapping, document, wing)
    at = document.source_map
    for type_name, entry in mapping.resources.items():
        base = (wing, "resources", type_name)
        services: list[tuple[str, tuple[str | int, ...]]] = [(entry.service, (*base, "service"))]
        services += [(rule.service, (*base, "when", i, "service")) for i, rule in enumerate(entry.when)]
        for service, path in services:
            if catalog.canonical_service(service) is None:
                found.append(
                    Diagnostic(
                        "E204",
                        f"unknown service '{service}'{did_you_mean(service, catalog.services)}",
                        document.path,
                        at.value(path),
                    )
                )
        for index, rule in enumerate(entry.controls):
            if catalog.canonical_control(rule.control) is None:
                found.append(
                    Diagnostic(
                        "E205",
                        f"unknown control '{rule.control}'{did_you_mean(rule.control, catalog.controls)}",
                        document.path,
                        at.value((*base, "controls", index, "control")),
                    )
                )
    for type_name, control in mapping.evidence.items():
        if catalog.canonical_control(control) is None:
            found.append(
                Diagnostic(
                    "E205",
                    f"unknown control '{control}'{did_you_mean(control, catalog.controls)}",
                    document.path,
                    at.value((wing, "evidence", type_name)),
                )
            )
    return found


Table = TypeVar("Table", bound=BaseModel)


def load_table(
    file: Path, label: str, schema: type[Table]
) -> tuple[Table | None, Document | None, list[Diagnostic]]:
    """Read a YAML table and check it against its schema, with positioned diagnostics."""
    raw, unreadable = read_input_file(file, label)
    if raw is None:
        return None, None, unreadable
    document, problems = load_yaml(label, raw)
    if document is None:
        return None, None, problems
    try:
        return schema.model_validate(document.data), document, problems
    except ValidationError as error:
        return None, document, [*problems, *diagnostics_from_validation_error(error, document, schema)]


def load_mapping(
    catalog: Catalog, path: Path | None = None, shown: str | None = None, wing: str = "cloudformation"
) -> tuple[ResourceTable | None, list[Diagnostic]]:
    """Read and check the mapping table of a wing (the built-in one by default)."""
    file = path or default_mapping_path(wing)
    label = shown or (f"models/{wing}.yaml" if path is None else file.as_posix())
    found, document, problems = load_table(file, label, _FILES[wing])
    if found is None or document is None:
        return None, problems
    mapping: ResourceTable = getattr(found, wing)
    problems.extend(check_mapping(mapping, document, catalog, wing))
    return (None if problems else mapping), problems
