"""The mapping table: its content, its schema, and how a broken table is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.interop.conftest import TEMPLATES
from trustmap.catalog import Catalog
from trustmap.cli import app
from trustmap.interop.mapping import ResourceTable, load_mapping
from trustmap.interop.paths import PathError, parse_path, references, values_at

runner = CliRunner()

REQUIRED = {
    "AWS::EC2::Instance": "ec2",
    "AWS::EC2::Volume": "ebs",
    "AWS::AutoScaling::AutoScalingGroup": "auto-scaling",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "elb",
    "AWS::ElasticLoadBalancing::LoadBalancer": "elb",
    "AWS::RDS::DBInstance": "rds",
    "AWS::RDS::DBCluster": "rds",
    "AWS::EMR::Cluster": "emr",
    "AWS::ElasticBeanstalk::Environment": "elastic-beanstalk",
    "AWS::Glacier::Vault": "glacier",
    "AWS::S3::Bucket": "s3",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::SES::ConfigurationSet": "ses",
    "AWS::Lambda::Function": "lambda",
    "AWS::ApiGateway::RestApi": "api-gateway",
    "AWS::ApiGatewayV2::Api": "api-gateway",
    "AWS::CloudFront::Distribution": "cloudfront",
    "AWS::KMS::Key": "kms",
    "AWS::CloudTrail::Trail": "cloudtrail",
    "AWS::Config::ConfigurationRecorder": "config",
    "AWS::EKS::Cluster": "eks",
    "AWS::ECS::Service": "ecs",
    "AWS::ElastiCache::ReplicationGroup": "elasticache",
    "AWS::Redshift::Cluster": "redshift",
    "AWS::EFS::FileSystem": "efs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::StepFunctions::StateMachine": "step-functions",
    "AWS::Cognito::UserPool": "cognito",
    "AWS::SecretsManager::Secret": "secrets-manager",
    "AWS::WAFv2::WebACL": "waf",
    "AWS::GuardDuty::Detector": "guardduty",
    "AWS::Route53::HostedZone": "route53",
    "AWS::EC2::NatGateway": "nat-gateway",
    "AWS::EC2::InternetGateway": "internet-gateway",
    "AWS::EC2::TransitGateway": "transit-gateway",
    "AWS::EC2::VPNGateway": "vpn",
    "AWS::ECR::Repository": "ecr",
    "AWS::CloudHSM::Cluster": "cloudhsm",
    "AWS::SecurityHub::Hub": "security-hub",
    "AWS::Inspector::AssessmentTarget": "inspector",
    "AWS::Macie::Session": "macie",
}


def test_the_table_maps_the_required_types(mapping: ResourceTable) -> None:
    assert len(mapping.resources) >= 40
    assert {t: mapping.resources[t].service for t in REQUIRED if t in mapping.resources} == REQUIRED


def test_aurora_is_chosen_by_engine(mapping: ResourceTable) -> None:
    rules = mapping.resources["AWS::RDS::DBCluster"].when
    assert [(r.path, r.starts_with, r.service) for r in rules] == [("Engine", "aurora", "aurora")]


def test_the_port_table_covers_the_common_protocols(mapping: ResourceTable) -> None:
    expected = {
        443: "https",
        80: "http",
        22: "ssh",
        3389: "rdp",
        5432: "postgres",
        3306: "mysql",
        6379: "redis",
        21: "ftp",
        25: "smtp",
    }
    assert {port: mapping.ports[port] for port in expected} == expected


def test_every_section_names_each_type_once(mapping: ResourceTable) -> None:
    sections = [mapping.resources, mapping.relations, mapping.evidence, mapping.structural, mapping.ignored]
    seen: list[str] = [t for section in sections for t in section]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("A.B", {"A": {"B": 1}}, [1]),
        ("A[*].B", {"A": [{"B": 1}, {"C": 2}, {"B": 3}]}, [1, 3]),
        ("A[1]", {"A": ["x", "y"]}, ["y"]),
        ("A[5]", {"A": ["x"]}, []),
        (
            "A[K=access_logs.s3.enabled].V",
            {"A": [{"K": "access_logs.s3.enabled", "V": "true"}, {"K": "o"}]},
            ["true"],
        ),
        ("Missing.Key", {"A": 1}, []),
        ("A.B", {"A": [1]}, []),
    ],
)
def test_values_at_follows_paths(path: str, data: object, expected: list[object]) -> None:
    assert values_at(data, path) == expected


@pytest.mark.parametrize("path", ["", ".A", "A.", "A..B", "A[", "A[x y]"])
def test_malformed_paths_are_refused(path: str) -> None:
    with pytest.raises(PathError):
        parse_path(path)


def test_references_find_ref_getatt_and_sub_placeholders() -> None:
    value = {
        "x": [{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}, {"Fn::GetAtt": "C.Arn"}],
        "y": {"Fn::Sub": ["${D.Arn}/${AWS::Region}/${Var}/${!Literal}", {"Var": {"Ref": "E"}}]},
        "z": {"Ref": "NotAResource"},
    }
    assert references(value, {"A", "B", "C", "D", "E", "Literal"}) == ["A", "B", "C", "D", "E"]


BROKEN = """\
cloudformation:
  network: {vpc: AWS::EC2::VPC, subnet: AWS::EC2::Subnet, security_group: AWS::EC2::SecurityGroup}
  defaults:
    subnets: [SubnetId]
  resources:
    AWS::EC2::Instance:
      service: ec3
      properties:
        multi_az:
          - {path: MultiAZ, equals: true, value: yes-please}
    AWS::S3::Bucket:
      service: s3
      subnets: ["A..B"]
      controls:
        - {path: X, equals: true, control: no-such-control}
  structural:
    AWS::S3::Bucket: twice
"""


def test_a_broken_table_gives_positioned_diagnostics(catalog: Catalog, tmp_path: Path) -> None:
    file = tmp_path / "mapping.yaml"
    file.write_text(BROKEN)
    found, problems = load_mapping(catalog, file, "mapping.yaml")
    assert found is None
    assert all(p.path == "mapping.yaml" and p.span is not None for p in problems)
    # schema errors first: the cross-checks (unknown service, duplicates) wait until the shape is right
    assert sorted((p.code, p.line, p.column) for p in problems) == [("E103", 10, 50), ("E103", 13, 17)]
    assert "'value' must be true or false" in problems[0].message
    assert "invalid path 'A..B'" in problems[1].message


def test_cross_checks_point_at_unknown_services_controls_and_duplicates(
    catalog: Catalog, tmp_path: Path
) -> None:
    file = tmp_path / "mapping.yaml"
    file.write_text(BROKEN.replace("value: yes-please", "value: true").replace('["A..B"]', "[A.B]"))
    found, problems = load_mapping(catalog, file, "mapping.yaml")
    assert found is None
    assert sorted((p.code, p.line) for p in problems) == [("E204", 7), ("E205", 15), ("E209", 17)]
    assert "'ec2'" in next(p.message for p in problems if p.code == "E204")  # among the suggestions


def test_the_cli_reports_a_broken_table_and_exits_2(tmp_path: Path) -> None:
    file = tmp_path / "mapping.yaml"
    file.write_text(BROKEN.replace("value: yes-please", "value: true").replace('["A..B"]', "[A.B]"))
    result = runner.invoke(
        app,
        [
            "import",
            "cloudformation",
            str(TEMPLATES / "serverless.json"),
            "-o",
            str(tmp_path / "m.yaml"),
            "--mapping",
            str(file),
        ],
    )
    assert result.exit_code == 2
    assert ":7:" in result.output and "E204 unknown service 'ec3'" in result.output
    assert not (tmp_path / "m.yaml").exists()
