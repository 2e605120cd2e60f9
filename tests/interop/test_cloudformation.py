"""Importing CloudFormation templates: services, boundaries, properties, flows, warnings."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from tests.interop.conftest import TEMPLATES, Imported, import_cfn, validated
from trustmap.catalog import Catalog
from trustmap.interop.cloudformation.importer import import_template
from trustmap.interop.cloudformation.reader import load_template
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import render_model
from trustmap.model import Flow


@pytest.fixture(scope="module")
def three_tier(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return import_cfn(TEMPLATES / "three-tier.yaml", mapping, catalog)


def _flows(imported: Imported) -> set[tuple[str, str, str, int | None]]:
    return {(f.source, f.target, f.protocol, f.port) for f in imported.model.flows}


def _id(imported: Imported, logical: str) -> str:
    return imported.result.components[logical]


# -- the mapping table, type by type ---------------------------------------------------------


def test_every_mapped_type_appears_in_the_fixture(mapping: ResourceTable) -> None:
    resources = yaml.safe_load((TEMPLATES / "every-type.yaml").read_text())["Resources"]
    assert set(mapping.resources) <= {r["Type"] for r in resources.values()}


def test_every_type_becomes_its_expected_service(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "every-type.yaml", mapping, catalog)
    resources = yaml.safe_load((TEMPLATES / "every-type.yaml").read_text())["Resources"]
    wrong = {}
    for logical, resource in resources.items():
        expected = resource["Metadata"]["ExpectedService"]
        got = imported.component(logical).service
        if got != expected:
            wrong[f"{logical} ({resource['Type']})"] = got
    assert wrong == {}
    assert not [d for d in imported.result.diagnostics if d.code in ("W401", "W402")]


def test_singleton_types_fold_into_one_component(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "every-type.yaml", mapping, catalog)
    assert _id(imported, "IAMRole") == _id(imported, "IAMUser") == "iam"
    assert _id(imported, "LogsLogGroup") == _id(imported, "CloudWatchAlarm") == "cloudwatch"
    assert Counter(c.service for c in imported.model.components.values())["iam"] == 1


# -- a realistic three-tier template ------------------------------------------------------------


def test_three_tier_uses_the_services(three_tier: Imported) -> None:
    services = {c.service for c in three_tier.model.components.values()}
    assert {
        "ec2",
        "rds",
        "s3",
        "elb",
        "emr",
        "elastic-beanstalk",
        "glacier",
        "lambda",
        "sqs",
        "auto-scaling",
        "ebs",
        "kms",
        "cloudtrail",
        "iam",
    } <= services


def test_three_tier_boundaries_nest_vpc_and_subnets(three_tier: Imported) -> None:
    boundaries = three_tier.model.boundaries
    assert boundaries["account"].kind == "account"
    assert boundaries["vpc"].kind == "vpc" and boundaries["vpc"].parent == "account"
    subnets = {b: v for b, v in boundaries.items() if v.kind == "subnet"}
    assert set(subnets) == {
        "public-subnet-a",
        "public-subnet-b",
        "app-subnet-a",
        "app-subnet-b",
        "data-subnet-a",
        "data-subnet-b",
    }
    assert all(v.parent == "vpc" for v in subnets.values())
    # public by a route to the internet gateway; PublicSubnetA maps public addresses but has no
    # route table of its own, and its VPC's main table routes only within the VPC
    assert {b for b, v in subnets.items() if v.public} == {"public-subnet-b"}


def test_three_tier_places_resources_in_their_subnets(three_tier: Imported) -> None:
    placed = {
        logical: three_tier.component(logical).boundary
        for logical in (
            "LoadBalancer",
            "WebGroup",
            "AdminHost",
            "Database",
            "Analytics",
            "AppEnvironment",
            "Worker",
            "Igw",
            "Documents",
            "Archive",
        )
    }
    assert placed == {
        "LoadBalancer": "public-subnet-b",  # Subnets: the first public one
        "WebGroup": "app-subnet-a",  # VPCZoneIdentifier
        "AdminHost": "app-subnet-a",  # SubnetId
        "Database": "data-subnet-a",  # through its DB subnet group
        "Analytics": "data-subnet-a",  # Instances.Ec2SubnetId
        "AppEnvironment": "app-subnet-a",  # OptionSettings Subnets, a !Join
        "Worker": "app-subnet-a",  # VpcConfig
        "Igw": "vpc",  # attached to the VPC
        "Documents": "account",
        "Archive": "account",
    }


def test_three_tier_carries_properties_over(three_tier: Imported) -> None:
    database = three_tier.component("Database")
    assert database.encryption_at_rest == "aws-managed"
    assert database.multi_az is True  # MultiAZ: !Ref DbMultiAz, whose default is "true"
    assert database.backup is True
    assert database.internet_facing is False
    balancer = three_tier.component("LoadBalancer")
    assert balancer.internet_facing is True and balancer.logging is True
    documents = three_tier.component("Documents")
    assert documents.encryption_at_rest == "customer-kms"
    assert documents.public_access is False
    assert "s3-block-public-access" in documents.controls
    assert three_tier.component("AdminData").encryption_at_rest == "none"
    assert three_tier.component("AdminHost").encryption_at_rest == "aws-managed"
    assert three_tier.component("Analytics").logging is True
    assert three_tier.component("AppEnvironment").internet_facing is False
    assert three_tier.component("DataKey").controls == ["kms-key-rotation"]
    assert set(three_tier.model.controls) == {"cloudtrail-integrity", "vpc-flow-logs"}


def test_three_tier_flows_come_from_every_security_group_rule(three_tier: Imported) -> None:
    flows = _flows(three_tier)
    anyone, lb, web, admin = "internet-clients", "load-balancer", "web-group", "admin-host"
    expected = {
        # LbSecurityGroup: two CIDR rules, both read
        (anyone, lb, "https", 443),
        (anyone, lb, "http", 80),
        # WebSecurityGroup: four rules; the group is used by the ASG (launch template) and AdminHost
        (lb, web, "http", 80),
        (lb, admin, "http", 80),
        (lb, web, "https", 443),
        (lb, admin, "https", 443),
        ("network-10-20-0-0-16", web, "ssh", 22),
        ("network-10-20-0-0-16", admin, "ssh", 22),
        ("network-198-51-100-0-24", web, "rdp", 3389),
        ("network-198-51-100-0-24", admin, "rdp", 3389),
        # DbSecurityGroup: an inline rule and two standalone ingress resources
        (web, "database", "postgres", 5432),
        (admin, "database", "postgres", 5432),
        ("worker", "database", "postgres", 5432),
        ("analytics", "database", "postgres", 5432),
        # EmrSecurityGroup: a group rule and a port range from a parameter without default
        (web, "analytics", "https", 8443),
        (admin, "analytics", "https", 8443),
        # AppEnvSecurityGroup
        (lb, "app-environment", "http", 80),
    }
    assert expected <= flows
    # a range from a parameter without default names no one: a question on the target, no component
    assert not [f for f in three_tier.model.flows if f.target == "analytics" and f.protocol == "other"]
    assert "# question: EmrSecurityGroup.SecurityGroupIngress[1] lets parameter" in three_tier.text


def test_three_tier_flows_from_references(three_tier: Imported) -> None:
    flows = {(s, t) for s, t, _, _ in _flows(three_tier)}
    assert {
        ("worker", "orders"),  # event source mapping: the function polls the queue
        ("worker", "documents"),  # Environment.Variables: !Ref Documents
        ("worker", "archive"),  # Environment.Variables: a !Sub naming ${Archive}
        ("documents", "orders"),  # bucket notification
        ("admin-host", "admin-data"),  # volume attachment
        ("trail", "documents"),  # trail delivery
    } <= flows


def test_address_ranges_become_named_placeholders(three_tier: Imported) -> None:
    components = three_tier.model.components
    assert components["internet-clients"].service == "actor"
    assert components["internet-clients"].boundary == "internet"
    assert components["network-10-20-0-0-16"].service == "on-premises"  # RFC 1918: the office
    assert components["network-198-51-100-0-24"].service == "external-system"
    assert three_tier.model.boundaries["internet"].kind == "internet"


def test_pairs_joined_twice_get_explicit_ids(three_tier: Imported) -> None:
    ids = [f.flow_id for f in three_tier.model.flows]
    assert len(ids) == len(set(ids))
    twice = [
        f for f in three_tier.model.flows if (f.source, f.target) == ("internet-clients", "load-balancer")
    ]
    assert len(twice) == 2 and all(f.id for f in twice)


def test_the_output_is_commented_for_the_architect(three_tier: Imported) -> None:
    text = three_tier.text
    assert text.startswith("# Generated by `trustmap import cloudformation` from three-tier.yaml.")
    assert "# Needs the architect's attention:" in text
    assert "# CloudFormation: Database (AWS::RDS::DBInstance)" in text
    assert "not imported (Custom::SlackNotifier): Notifier" in text
    assert (
        "# security group DbSecurityGroup ingress: tcp 5432 from security group LambdaSecurityGroup "
        "(DbFromLambda)" in text
    )
    assert "multi_az: true  # from Database.MultiAZ" in text
    assert "/" + "work" not in text  # no absolute paths


def test_unmapped_resources_are_warned_with_positions(three_tier: Imported) -> None:
    warnings = [(d.code, d.line) for d in three_tier.result.diagnostics]
    line = next(
        i
        for i, text in enumerate((TEMPLATES / "three-tier.yaml").read_text().splitlines(), 1)
        if "Custom::SlackNotifier" in text
    )
    assert ("W402", line) in warnings


def test_import_is_deterministic(mapping: ResourceTable, catalog: Catalog) -> None:
    first = import_cfn(TEMPLATES / "three-tier.yaml", mapping, catalog).text
    second = import_cfn(TEMPLATES / "three-tier.yaml", mapping, catalog).text
    assert first == second


# -- other templates ----------------------------------------------------------------------------


def test_short_forms_template_imports(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "short-forms.yaml", mapping, catalog)
    assert imported.component("Proxy").boundary == "front"  # SubnetId: !Ref Front
    assert imported.model.boundaries["back"].parent == "network"  # VpcId: !GetAtt Network.VpcId
    # MapPublicIpOnLaunch, but no route table: its VPC's main table routes only within the VPC
    assert imported.model.boundaries["front"].public is False
    assert ("network-203-0-113-0-24", "proxy", "https", 443) in _flows(
        imported
    )  # CidrIp from a parameter default
    assert ("proxy", "app", "http", 8080) in _flows(imported)  # SourceSecurityGroupId: !GetAtt [G, GroupId]
    # IsProd holds with the default of Env: the !If picks Back, and says so
    assert imported.component("App").boundary == "back"
    assert (
        "encryption_at_rest: aws-managed  # from App.BlockDeviceMappings[*].Ebs.Encrypted "
        "(conditional: condition IsProd is true with the parameter defaults)" in imported.text
    )
    assert (
        "Proxy exists only when condition IsProd holds (it does with the parameter defaults)" in imported.text
    )


def test_json_template_imports(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "serverless.json", mapping, catalog)
    flows = {(s, t) for s, t, _, _ in _flows(imported)}
    assert {
        ("api", "handler"),
        ("api", "users"),
        ("handler", "orders"),
        ("handler", "jobs"),
        ("alerts", "jobs"),
        ("internet-clients", "api"),
    } <= flows
    orders = imported.component("Orders")
    assert (orders.service, orders.encryption_at_rest, orders.backup) == ("dynamodb", "customer-kms", True)
    assert imported.component("Key").controls == []  # EnableKeyRotation: false


def test_nested_stacks_are_warned_and_skipped(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "nested-stack.yaml", mapping, catalog)
    assert [(d.code, d.line) for d in imported.result.diagnostics] == [("W401", 4), ("W402", 11)]
    assert set(imported.model.components) == {"uploads"}
    assert "nested stack NetworkStack was not imported" in imported.text


def test_a_private_endpoint_gets_no_internet_flow(mapping: ResourceTable, catalog: Catalog) -> None:
    text = b"""Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {EndpointConfiguration: {Types: [PRIVATE]}}
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Scheme: internal}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties: {DistributionConfig: {Enabled: true, WebACLId: !Ref Acl}}
  Acl:
    Type: AWS::WAFv2::WebACL
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    flows = [e.fields for e in result.draft.flows]
    assert [(f["from"], f["to"]) for f in flows] == [("internet-clients", "cdn")]
    assert result.draft.components["cdn"].fields["controls"] == ["waf"]
    assert "internet_facing" not in result.draft.components["cdn"].fields


def test_egress_rules_to_groups_become_flows(mapping: ResourceTable, catalog: Catalog) -> None:
    text = b"""Resources:
  A: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: a, SecurityGroupEgress: [
       {IpProtocol: tcp, FromPort: 6379, ToPort: 6379, DestinationSecurityGroupId: !Ref B},
       {IpProtocol: "-1", CidrIp: 0.0.0.0/0}]}}
  B: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: b}}
  App: {Type: AWS::EC2::Instance, Properties: {SecurityGroupIds: [!Ref A]}}
  Cache: {Type: AWS::ElastiCache::ReplicationGroup, Properties: {SecurityGroupIds: [!Ref B]}}
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    flows = [Flow.model_validate(e.fields) for e in result.draft.flows]
    assert [(f.source, f.target, f.protocol, f.port) for f in flows] == [("app", "cache", "redis", 6379)]


def test_a_rule_naming_the_vpc_range_reaches_its_components(mapping: ResourceTable, catalog: Catalog) -> None:
    text = b"""Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.9.0.0/16}}
  Net: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.9.1.0/24}}
  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x, SecurityGroupIngress: [
        {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.9.1.0/24}]}}
  Jump: {Type: AWS::EC2::Instance, Properties: {SubnetId: !Ref Net}}
  Host: {Type: AWS::EC2::Instance, Properties: {SubnetId: !Ref Net, SecurityGroupIds: [!Ref Sg]}}
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    assert [(e.fields["from"], e.fields["to"]) for e in result.draft.flows] == [("jump", "host")]
    assert "on-premises" not in render_model(result.draft)


def test_a_group_that_allows_itself_gives_one_two_way_flow(mapping: ResourceTable, catalog: Catalog) -> None:
    members = "".join(
        f"  I{i}: {{Type: AWS::EC2::Instance, Properties: {{SecurityGroupIds: [!Ref Sg]}}}}\n"
        for i in range(50)
    )
    text = (
        "Resources:\n  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: m, "
        "SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, "
        "SourceSecurityGroupId: !Ref Sg}]}}\n" + members
    ).encode()
    document, _ = load_template("mesh.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="mesh")
    assert result.draft is not None
    assert [e.fields for e in result.draft.flows] == [
        {"from": "i0", "to": "i1", "protocol": "https", "port": 443, "bidirectional": True}
    ]
    assert any("allows itself: its 50 members" in item for item in result.draft.attention)


def test_a_rule_naming_the_vpc_range_by_getatt_reaches_its_components(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # `CidrIp: !GetAtt VPC.CidrBlock`, as real templates often admit their own VPC
    text = b"""Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Sub:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.1.0/24}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref VPC
      GroupDescription: db
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: !GetAtt VPC.CidrBlock}
        - {IpProtocol: tcp, FromPort: 6379, ToPort: 6379, CidrIp: {"Fn::GetAtt": [Sub, CidrBlock]}}
  App:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref Sub}
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {VPCSecurityGroups: [!Ref Sg], DBSubnetGroupName: !Ref G}
  G:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {SubnetIds: [!Ref Sub]}
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    rendered = render_model(result.draft)
    model = validated(rendered, catalog)
    assert {("app", "db", 5432), ("app", "db", 6379)} <= {(f.source, f.target, f.port) for f in model.flows}
    assert "question" not in rendered
    assert [r.cidr for r in model.security_groups["sg"].ingress or []] == ["10.0.0.0/16", "10.0.1.0/24"]


def test_a_load_balancer_takes_the_internet_only_on_its_listeners(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # ECS/ECS_Schedule_Example.yaml: the load balancer shares its group with the instances, whose
    # rule admits SSH from anywhere; the load balancer listens on 80 alone
    text = b"""Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: shared}
  Http:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
  Ssh:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Scheme: internet-facing, SecurityGroups: [!Ref Sg]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Alb, Port: 80, Protocol: HTTP, DefaultActions: []}
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    rendered = render_model(result.draft)
    model = validated(rendered, catalog)
    assert [(f.source, f.target, f.protocol, f.port) for f in model.flows] == [
        ("internet-clients", "alb", "http", 80)
    ]
    assert "admits the internet (tcp 22, Ssh), but Alb listens only on 80; no flow drawn" in rendered


def test_cdk_logical_ids_lose_their_hash_in_component_ids(mapping: ResourceTable, catalog: Catalog) -> None:
    # a synthesised template (cdk.out/*.template.json): `ServiceLBE9A1ADBC` is construct ServiceLB
    text = b"""{"Resources": {
  "ServiceLBE9A1ADBC": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "Properties": {"Scheme": "internal"},
    "Metadata": {"aws:cdk:path": "app/Service/LB/Resource"}},
  "Service9571FDD8": {"Type": "AWS::ECS::Service",
    "Metadata": {"aws:cdk:path": "app/Service/Service/Service"}},
  "QueueFACADEBE": {"Type": "AWS::SQS::Queue",
    "Metadata": {"aws:cdk:path": "app/Queue/Resource"}},
  "TableB4246D30": {"Type": "AWS::DynamoDB::Table"}
}}"""
    document, _ = load_template("t.template.json", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    model = validated(render_model(result.draft), catalog)
    assert result.components == {
        "ServiceLBE9A1ADBC": "service-lb",
        "Service9571FDD8": "service",
        "QueueFACADEBE": "queue-facadebe",  # no digit: not a hash
        "TableB4246D30": "table-b4246-d30",  # no CDK metadata: the id as written
    }
    assert model.components["service-lb"].name == "ServiceLBE9A1ADBC"


def test_a_template_of_known_resources_none_a_component_says_what_became_of_them(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # a CDK app's stack before any construct: only its metadata (no W402 to see)
    document, _ = load_template("t.json", b'{"Resources": {"CDKMetadata": {"Type": "AWS::CDK::Metadata"}}}')
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is None
    assert [(d.code, d.message) for d in result.diagnostics] == [
        (
            "E404",
            "no resource of the template maps to a component; a model needs at least one "
            "(CDKMetadata: not modelled: deployment plumbing)",
        )
    ]
