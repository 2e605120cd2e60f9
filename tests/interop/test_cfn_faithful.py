"""CloudFormation imported as it would deploy with the defaults: each defect class of the review.

The templates under templates/faithful/ were written for these tests; each reproduces a
construct of the public templates the 2026-12 review imported (docs/interop.md). A few tests
read those public templates themselves, from the vendored corpus (tests/interop/corpus/files).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.interop.conftest import TEMPLATES, Imported, validated
from tests.interop.corpus.measure import CORPUS
from trustmap.analysis import analyze
from trustmap.catalog import Catalog
from trustmap.interop.cloudformation.importer import import_template
from trustmap.interop.cloudformation.reader import load_template
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import render_model

FAITHFUL = TEMPLATES / "faithful"


def _import(path: Path, mapping: ResourceTable, catalog: Catalog) -> Imported:
    document, problems = load_template(path.name, path.read_bytes())
    assert document is not None, problems
    result = import_template(document, mapping, catalog, name=path.stem, base=path.parent)
    assert result.draft is not None, result.diagnostics
    text = render_model(result.draft)
    return Imported(result, text, validated(text, catalog))


def _flows(imported: Imported) -> set[tuple[str, str, str, int | None]]:
    return {(f.source, f.target, f.protocol, f.port) for f in imported.model.flows}


def _logical_ids(path: Path) -> list[str]:
    document, _ = load_template(path.name, path.read_bytes())
    assert document is not None
    return [str(name) for name in document.data["Resources"]]


# -- conditions ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def conditions(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "conditions.yaml", mapping, catalog)


def test_a_conditional_key_is_not_read_as_a_customer_key(conditions: Imported) -> None:
    cluster = conditions.component("Cluster")
    # KmsKeyArn defaults to "": HasKmsKey is false, KmsKeyId is AWS::NoValue, StorageEncrypted false
    assert cluster.encryption_at_rest == "none"
    assert "(conditional: condition HasKmsKey is false with the parameter defaults)" in conditions.text


def test_cluster_instances_are_members_not_databases(conditions: Imported) -> None:
    cluster = conditions.component("Cluster")
    assert conditions.result.components["ClusterA"] == conditions.result.components["Cluster"]
    assert cluster.replicas == 2
    assert sum(c.service == "aurora" for c in conditions.model.components.values()) == 1


def test_a_read_replica_is_encrypted_as_its_source(conditions: Imported) -> None:
    assert conditions.component("Replica").encryption_at_rest == "aws-managed"
    assert ("source", "replica") in {(s, t) for s, t, _, _ in _flows(conditions)}


def test_resources_under_a_false_condition_are_left_out_and_named(conditions: Imported) -> None:
    assert "DevBucket" not in conditions.result.components
    assert (
        "DevBucket (AWS::S3::Bucket): condition IsDev is false with the parameter defaults" in conditions.text
    )
    assert "ProdQueue" in conditions.result.components
    assert "ProdQueue exists only when condition IsProd holds (it does" in conditions.text
    # a condition on a parameter without default: kept, and said to be unknown
    assert "IrishTable exists only when condition InIreland holds (unknown" in conditions.text


def test_an_undecided_choice_is_a_question_not_a_value(conditions: Imported) -> None:
    logs = conditions.component("Logs")
    assert logs.encryption_at_rest is None
    assert "question: encryption_at_rest depends on an expression" in conditions.text


def test_find_in_map_gives_the_port(conditions: Imported) -> None:
    assert ("app", "db", "postgres", 5432) in _flows(conditions)


# -- SAM -------------------------------------------------------------------------------------


def test_sam_events_become_flows_with_the_implicit_apis(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = _import(FAITHFUL / "sam.yaml", mapping, catalog)
    pairs = {(s, t) for s, t, _, _ in _flows(imported)}
    rest, http = (
        imported.result.components["ServerlessRestApi"],
        imported.result.components["ServerlessHttpApi"],
    )
    assert imported.model.components[rest].service == "api-gateway"
    assert {
        ("internet-clients", rest),
        ("internet-clients", http),
        (rest, "handler"),
        (http, "handler"),
        ("uploads", "handler"),  # S3 notification
        ("handler", "queue"),  # event source mappings: the function polls
        ("handler", "stream"),
        ("handler", "orders"),  # the DynamoDB stream, and the policy template
        ("topic", "handler"),  # SNS subscription
        ("handler", "table"),  # Globals: the environment names the table
    } <= pairs
    rules = [c for c in imported.model.components.values() if c.service == "eventbridge"]
    assert len(rules) == 2  # the schedule and the pattern rule, each a rule that triggers the function


def _inline(text: bytes, mapping: ResourceTable, catalog: Catalog) -> Imported:
    document, problems = load_template("t.yaml", text)
    assert document is not None, problems
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None, result.diagnostics
    rendered = render_model(result.draft)
    return Imported(result, rendered, validated(rendered, catalog))


def test_a_function_url_is_an_entry_to_its_function(mapping: ResourceTable, catalog: Catalog) -> None:
    # serverless-patterns cloudfront-lambdafunctionurl-oac-sam and lambda-function-url: SAM makes
    # `<Function>Url` from FunctionUrlConfig, and the distribution's origin names it
    imported = _inline(
        b"""Transform: AWS::Serverless-2016-10-31
Resources:
  Signed:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs24.x, FunctionUrlConfig: {AuthType: AWS_IAM}}
  Open:
    Type: AWS::Lambda::Function
  OpenUrl:
    Type: AWS::Lambda::Url
    Properties: {TargetFunctionArn: !GetAtt Open.Arn, AuthType: NONE}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Origins:
          - DomainName: !Select [2, !Split ["/", !GetAtt SignedUrl.FunctionUrl]]
            Id: fn
            CustomOriginConfig: {OriginProtocolPolicy: https-only}
        DefaultCacheBehavior: {TargetOriginId: fn, ViewerProtocolPolicy: https-only}
""",
        mapping,
        catalog,
    )
    entries = {
        (f.target, f.protocol, f.port, f.authenticated)
        for f in imported.model.flows
        if f.source == "internet-clients"
    }
    assert {
        ("signed", "https", 443, True),
        ("open", "https", 443, False),
        ("cdn", "https", 443, False),
    } == entries
    assert ("cdn", "signed", "https", 443) in _flows(imported)
    assert (
        "SignedUrl (AWS::Lambda::Url) is a public endpoint of it; its AuthType signs callers in"
        in imported.text
    )
    assert (
        "OpenUrl (AWS::Lambda::Url) is a public endpoint of it; its AuthType lets anyone call it"
        in imported.text
    )
    assert "SignedUrl (AWS::Lambda::Url): a function URL" in imported.text


def test_sam_connectors_give_flows_from_their_source(mapping: ResourceTable, catalog: Catalog) -> None:
    # aws-sam-cli-app-templates web-conn: `AWS::Serverless::Connector` names its ends by logical
    # id; a resource's `Connectors` property is the embedded form
    imported = _inline(
        b"""Transform: AWS::Serverless-2016-10-31
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.13}
  ReaderToTable:
    Type: AWS::Serverless::Connector
    Properties: {Source: {Id: Reader}, Destination: {Id: Table}, Permissions: [Read]}
  Writer:
    Type: AWS::Serverless::Function
    Connectors:
      ToBoth:
        Properties:
          Destination: [{Id: Table}, {Id: Queue}]
          Permissions: [Write]
    Properties: {Runtime: python3.13}
  Table:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
""",
        mapping,
        catalog,
    )
    assert {(f.source, f.target, f.name) for f in imported.model.flows} == {
        ("reader", "table", "connector"),
        ("writer", "table", "connector"),
        ("writer", "queue", "connector"),
    }
    assert not [d for d in imported.result.diagnostics if d.code == "W402"]


def test_an_appsync_api_reaches_what_its_data_sources_name(mapping: ResourceTable, catalog: Catalog) -> None:
    # serverless-patterns appsync-dynamodb: the data source names the table; resolvers, the
    # schema and the API key are parts of the API
    imported = _inline(
        b"""Resources:
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: {Name: notes, AuthenticationType: API_KEY}
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: {ApiId: !GetAtt Api.ApiId}
  Table:
    Type: AWS::DynamoDB::Table
  Search:
    Type: AWS::Lambda::Function
  TableSource:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Type: AMAZON_DYNAMODB
      DynamoDBConfig: {TableName: !Ref Table, AwsRegion: !Ref "AWS::Region"}
  SearchSource:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Type: AWS_LAMBDA
      LambdaConfig: {LambdaFunctionArn: !GetAtt Search.Arn}
  GetNote:
    Type: AWS::AppSync::Resolver
    Properties: {ApiId: !GetAtt Api.ApiId, DataSourceName: !GetAtt TableSource.Name}
""",
        mapping,
        catalog,
    )
    assert {(f.source, f.target, f.name) for f in imported.model.flows if f.source != "internet-clients"} == {
        ("api", "table", "data source"),
        ("api", "search", "data source"),
    }
    assert not [d for d in imported.result.diagnostics if d.code == "W402"]


def test_a_distribution_invokes_its_lambda_at_edge_through_the_version(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # Solutions/CloudFrontCustomOriginLambda@Edge/CloudFront.yaml: the association names a version
    imported = _inline(
        b"""Resources:
  Edge:
    Type: AWS::Lambda::Function
  EdgeVersion:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Edge}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        DefaultCacheBehavior:
          ViewerProtocolPolicy: https-only
          LambdaFunctionAssociations:
            - {EventType: origin-request, LambdaFunctionARN: !Ref EdgeVersion}
""",
        mapping,
        catalog,
    )
    assert ("cdn", "edge", "aws-api", None) in _flows(imported)
    assert "EdgeVersion (AWS::Lambda::Version): part of its function" in imported.text


def test_a_sam_private_api_in_the_short_form_gets_no_internet_flow(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # serverless-patterns apigw-private-lambda: `EndpointConfiguration: PRIVATE`, a string
    imported = _inline(
        b"""Transform: AWS::Serverless-2016-10-31
Resources:
  Private:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, EndpointConfiguration: PRIVATE}
  Typed:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, EndpointConfiguration: {Type: PRIVATE}}
  Public:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod, EndpointConfiguration: REGIONAL}
""",
        mapping,
        catalog,
    )
    assert imported.component("Private").internet_facing is False
    assert imported.component("Typed").internet_facing is False
    assert [f.target for f in imported.model.flows if f.source == "internet-clients"] == ["public"]


def test_sam_api_globals_reach_every_api_the_implicit_one_too(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    imported = _inline(
        b"""Transform: AWS::Serverless-2016-10-31
Globals:
  Api: {EndpointConfiguration: PRIVATE}
Resources:
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
  Named:
    Type: AWS::Serverless::Api
    Properties: {StageName: Prod}
""",
        mapping,
        catalog,
    )
    assert imported.component("ServerlessRestApi").internet_facing is False
    assert imported.component("Named").internet_facing is False
    assert not [f for f in imported.model.flows if f.source == "internet-clients"]


# -- entry points, gateways, groups ---------------------------------------------------------------


@pytest.fixture(scope="module")
def edges(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "edges.yaml", mapping, catalog)


def test_listeners_are_read_as_written(edges: Imported) -> None:
    flows = _flows(edges)
    assert ("internet-clients", "alb", "http", 80) in flows  # not an invented https:443
    assert ("internet-clients", "classic", "http", 80) in flows
    assert ("internet-clients", "bare", "other", None) in flows
    assert "question: Bare's listeners are not in the template" in edges.text


def test_a_classic_elb_reaches_the_group_that_names_it(edges: Imported) -> None:
    assert ("classic", "web", "http", 8080) in _flows(edges)


def test_nat_gateways_per_zone_are_one_group_routed_to_the_internet_gateway(edges: Imported) -> None:
    nat = edges.component("Nat")
    assert edges.result.components["NatB"] == edges.result.components["Nat"] == "nat-gateways"
    assert (nat.zones, nat.boundary) == (["a", "b"], "public-a")
    routes = [f for f in edges.model.flows if f.kind == "route"]
    assert [(f.source, f.target) for f in routes] == [("nat-gateways", "igw")]


def test_a_group_over_two_zones_names_them(edges: Imported) -> None:
    assert edges.component("Web").zones == ["a", "b"]
    assert edges.component("Alb").zones is None  # not a group: a load balancer is multi-AZ by service


# -- peers the template does not resolve -----------------------------------------------------


def test_unresolved_peers_are_questions_not_internet_parties(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    imported = _import(FAITHFUL / "peers.yaml", mapping, catalog)
    outside = {cid: c for cid, c in imported.model.components.items() if c.boundary == "internet"}
    # the only party on the internet is the range the rule states
    assert list(outside) == ["network-198-51-100-0-24"]
    questions = re.findall(r"# question: Group\.SecurityGroupIngress\[(\d)\]", imported.text)
    assert questions == ["0", "1", "2", "3"]
    assert [f.source for f in imported.model.flows] == ["network-198-51-100-0-24"]


def test_every_resource_is_named_in_the_model(mapping: ResourceTable, catalog: Catalog) -> None:
    for name in ("peers.yaml", "edges.yaml", "conditions.yaml", "sam.yaml", "rain.yaml", "foreach.yaml"):
        imported = _import(FAITHFUL / name, mapping, catalog)
        missing = [n for n in _logical_ids(FAITHFUL / name) if not re.search(rf"\b{n}\b", imported.text)]
        assert missing == [], name
    imported = _import(FAITHFUL / "peers.yaml", mapping, catalog)
    assert "Policy (AWS::IAM::Policy): not modelled: permissions (review them by hand)" in imported.text
    assert "Address (AWS::EC2::EIP): not modelled: an address" in imported.text


# -- constructs that used to refuse the whole template -----------------------------------------


def test_rain_tags_are_reported_per_resource(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = _import(FAITHFUL / "rain.yaml", mapping, catalog)
    assert set(imported.result.components) == {"Fn", "Bucket"}
    warnings = [(d.code, d.message) for d in imported.result.diagnostics]
    assert [code for code, _ in warnings] == ["W403", "W403"]
    assert "Site (Rain module): a Rain module" in imported.text


def test_for_each_is_expanded(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = _import(FAITHFUL / "foreach.yaml", mapping, catalog)
    assert {"OrdersTable", "UsersTable"} <= set(imported.result.components)
    assert imported.component("UsersTable").encryption_at_rest == "aws-managed"
    assert ("reader", "orders-table") in {(s, t) for s, t, _, _ in _flows(imported)}
    assert "Fn::ForEach::Unknown (Fn::ForEach): its collection has no static value" in imported.text


def test_local_nested_stacks_are_merged_and_remote_ones_named(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    imported = _import(FAITHFUL / "nested" / "parent.yaml", mapping, catalog)
    # the child's resources, prefixed; the parameter passed down and the output passed across
    assert imported.model.boundaries["network-vpc"].description == "CIDR 10.8.0.0/16"
    assert imported.component("AppServer").boundary == "network-private"
    assert [d.code for d in imported.result.diagnostics] == ["W401"]
    assert (
        "Shared (AWS::CloudFormation::Stack): nested stack not imported: its template is remote"
        in imported.text
    )


def test_nested_stacks_without_a_folder_are_named_not_refused(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    path = FAITHFUL / "nested" / "parent.yaml"
    document, _ = load_template(path.name, path.read_bytes())
    assert document is not None
    result = import_template(document, mapping, catalog, name="p")
    assert result.draft is None  # nothing else to import: E404, with the stacks named as W401
    assert [d.code for d in result.diagnostics] == ["W401", "W401", "W401", "E404"]


def test_a_bucket_policy_open_to_anyone_makes_its_bucket_public(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    text = b"""Resources:
  Site: {Type: AWS::S3::Bucket}
  Logs: {Type: AWS::S3::Bucket}
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: !Sub "${Site.Arn}/*"}
  LogsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs
      PolicyDocument:
        Statement:
          - {Effect: Deny, Principal: "*", Action: "s3:*", Condition: {Bool: {"aws:SecureTransport": false}}}
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: "s3:PutObject"
            Condition: {StringEquals: {"aws:SourceAccount": "1"}}
"""
    document, _ = load_template("t.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="t")
    assert result.draft is not None
    model = validated(render_model(result.draft), catalog)
    assert model.components["site"].public_access is True
    assert "public_access" not in model.components["logs"].model_fields_set  # a condition: not stated
    assert (
        "public_access: true  # from SitePolicy.PolicyDocument.Statement[Effect=Allow].Principal"
        in render_model(result.draft)
    )


# -- reachability from the internet ----------------------------------------------------------


@pytest.fixture(scope="module")
def reach(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "reach.yaml", mapping, catalog)


def test_an_open_rule_reaches_only_what_the_internet_can_route_to(reach: Imported) -> None:
    from_internet = {t for s, t, _, _ in _flows(reach) if s == "internet-clients"}
    assert from_internet == {"web"}
    assert reach.model.boundaries["closed-a"].public is False  # maps addresses, no route: not public
    assert reach.model.boundaries["edge"].public is True  # maps addresses, routing not in the template


def test_an_open_rule_on_an_unreachable_resource_is_a_note(reach: Imported) -> None:
    note = r"OpenGroup admits the internet \(tcp 5432, .*\), but Db is not reachable from it"
    assert re.search(note, reach.text)
    assert "no route to an internet gateway" in reach.text


def test_reachability_the_template_does_not_decide_is_a_question(reach: Imported) -> None:
    assert re.search(r"# question: WebGroup\.SecurityGroupIngress\[0\] admits the internet.*App", reach.text)


def test_cloudfront_protocols_are_read_not_invented(mapping: ResourceTable, catalog: Catalog) -> None:
    flows = _flows(_import(FAITHFUL / "cloudfront.yaml", mapping, catalog))
    assert {f for f in flows if f[1] == "clear"} == {
        ("internet-clients", "clear", "http", 80),  # allow-all: viewers may use HTTP
        ("internet-clients", "clear", "https", 443),
    }
    assert ("clear", "server", "http", 8080) in flows  # http-only (a parameter's default), HTTPPort
    assert ("clear", "api", "http", 80) in flows  # match-viewer, and viewers may use HTTP
    assert {f for f in flows if f[1] == "secure"} == {("internet-clients", "secure", "https", 443)}
    assert {("secure", "site", "https", 443), ("secure", "api", "https", 8443)} <= flows
    assert not {f for f in flows if f[0] in ("clear", "secure") and f[2] == "https" and f[1] == "server"}


def test_an_elastic_ip_makes_its_instance_internet_facing(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = _import(FAITHFUL / "eip.yaml", mapping, catalog)
    for name in ("Bastion", "Jump", "Multi"):
        assert imported.component(name).internet_facing is True, name
    assert imported.component("Hidden").internet_facing is None
    from_internet = {(t, p, port) for s, t, p, port in _flows(imported) if s == "internet-clients"}
    assert from_internet == {("bastion", "ssh", 22), ("jump", "ssh", 22), ("multi", "ssh", 22)}
    assert "Assoc (AWS::EC2::EIPAssociation): gives Bastion a public address" in imported.text
    assert "Address (AWS::EC2::EIP): gives Bastion a public address" in imported.text
    assert "internet_facing: true  # from Assoc (AWS::EC2::EIPAssociation), an Elastic IP" in imported.text


def test_a_range_stands_for_the_callers_in_it_and_a_listener_flow_is_drawn_once(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    imported = _import(FAITHFUL / "callers.yaml", mapping, catalog)
    flows = _flows(imported)
    into_alb = {s for s, t, _, _ in flows if t == "alb"}
    assert into_alb == {"client"}  # not the NAT gateway, the endpoint or the ALB's own target
    assert {f for f in flows if (f[0], f[1]) == ("alb", "service")} == {("alb", "service", "http", 3000)}
    assert "security group TaskGroup ingress: tcp 3000 from security group AlbGroup" in imported.text


def test_a_classic_elb_reaches_its_instances_on_the_listener_port(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    text = b"""Resources:
  Web: {Type: AWS::EC2::Instance}
  Elb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      Instances: [!Ref Web]
      Listeners: [{LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}]
"""
    document, _ = load_template("elb.yaml", text)
    assert document is not None
    result = import_template(document, mapping, catalog, name="elb")
    assert result.draft is not None
    model = validated(render_model(result.draft), catalog)
    assert [(f.source, f.target, f.protocol, f.port) for f in model.flows if f.target == "web"] == [
        ("elb", "web", "http", 80)  # InstanceProtocol unstated: the port's, not aws-api
    ]


# -- presence of values with no value offline ----------------------------------------------------


@pytest.fixture(scope="module")
def presence(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "presence.yaml", mapping, catalog)


def test_a_key_from_a_parameter_without_default_is_a_question(presence: Imported) -> None:
    # !Ref KeyParam (no default) may be any key or none: not customer-kms, and asked about
    assert presence.component("Unknown").encryption_at_rest is None  # not stated: unknown
    question = "question: encryption_at_rest depends on an expression with no value offline"
    assert f"{question} (Unknown: KmsKeyId = parameter KeyParam, which has no default)" in presence.text
    assert presence.component("Empty").encryption_at_rest is None  # the default is "": no key
    assert presence.component("Own").encryption_at_rest == "customer-kms"


def _entry(text: str, component_id: str) -> str:
    """The lines of one component's entry in the written model."""
    match = re.search(rf"\n  {re.escape(component_id)}:\n((?:    .*\n)*)", text)
    assert match is not None, component_id
    return match.group(1)


def test_a_later_rule_that_holds_keeps_the_question_of_an_earlier_one(presence: Imported) -> None:
    # StorageEncrypted: true holds, KmsKeyId may or may not name a customer key: the least it can
    # be (aws-managed) is written, and the question stays
    assert presence.component("Encrypted").encryption_at_rest == "aws-managed"
    entry = _entry(presence.text, "encrypted")
    assert "encryption_at_rest: aws-managed  # from Encrypted.StorageEncrypted, at least" in entry
    assert "(Encrypted: KmsKeyId = parameter KeyParam, which has no default)" in presence.text


def test_a_later_value_stronger_than_an_undecided_one_is_not_written(
    mapping: ResourceTable, catalog: Catalog, tmp_path: Path
) -> None:
    # public_access: AccessControl (undecided) would make the bucket public; RestrictPublicBuckets
    # says it is not. The later, safer value is not a bound: only the question is written.
    path = tmp_path / "bucket.yaml"
    path.write_text(
        "Parameters: {Acl: {Type: String}}\n"
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      AccessControl: !Ref Acl\n"
        "      PublicAccessBlockConfiguration: {RestrictPublicBuckets: true}\n"
    )
    imported = _import(path, mapping, catalog)
    assert "public_access:" not in _entry(imported.text, "bucket")
    assert "question: public_access depends on an expression with no value offline" in imported.text


def test_unknown_types_are_warned_at_their_own_file_and_line(
    mapping: ResourceTable, catalog: Catalog, tmp_path: Path
) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "child.yaml").write_text(
        "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n  Odd:\n    Type: AWS::Example::Thing\n"
    )
    parent = tmp_path / "parent.yaml"
    parent.write_text(
        "Resources:\n"
        "  Child:\n"
        "    Type: AWS::CloudFormation::Stack\n"
        "    Properties: {TemplateURL: stacks/child.yaml}\n"
        "  Strange: {Type: AWS::Example::Other}\n"
    )
    document, problems = load_template(str(parent), parent.read_bytes())
    assert document is not None, problems
    result = import_template(document, mapping, catalog, name="p", base=tmp_path)
    found = [(d.code, d.path, d.span.line, d.span.column) for d in result.diagnostics if d.span]
    assert found == [
        ("W402", str(tmp_path / "stacks" / "child.yaml"), 4, 11),
        ("W402", str(parent), 5, 19),
    ]


# -- an ALB that signs users in ----------------------------------------------------------------


@pytest.fixture(scope="module")
def alb_authenticate(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "alb-authenticate.yaml", mapping, catalog)


def test_a_listener_that_authenticates_before_forwarding_gives_an_authenticated_entry(
    alb_authenticate: Imported,
) -> None:
    alb = alb_authenticate.result.components["LoadBalancer"]
    entry = {f.port: f.authenticated for f in alb_authenticate.model.flows if f.target == alb}
    # 443: its default actions sign in first; 8443: its only forward is a rule that signs in;
    # 80 signs no one in, and 9443 has a rule that forwards without signing in
    assert entry == {443: True, 8443: True, 80: False, 9443: False}
    assert "9443" in alb_authenticate.text and "rule BypassedPublic forwards without" in alb_authenticate.text


def test_a_listener_that_signs_in_with_cognito_calls_its_user_pool(alb_authenticate: Imported) -> None:
    ids = alb_authenticate.result.components
    assert (ids["LoadBalancer"], ids["UserPool"], "https", None) in _flows(alb_authenticate)


# -- a task that no ECS service runs -----------------------------------------------------------


@pytest.fixture(scope="module")
def standalone_task(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "standalone-task.yaml", mapping, catalog)


def test_a_task_definition_no_service_runs_is_a_task(standalone_task: Imported) -> None:
    ids = standalone_task.result.components
    assert standalone_task.component("Task").service == "fargate"
    flows = {(f.source, f.target, f.name) for f in standalone_task.model.flows}
    assert (ids["StateMachine"], ids["Task"], "invokes") in flows
    assert (ids["Task"], ids["TaskRole"], "runs as") in flows
    # the task's role is what the task runs as, not something the state machine invokes
    assert (ids["StateMachine"], ids["TaskRole"], "invokes") not in flows


def test_a_task_definition_a_service_runs_stays_part_of_it(standalone_task: Imported) -> None:
    ids = standalone_task.result.components
    assert "ServiceTask" not in ids
    assert "ServiceTask (AWS::ECS::TaskDefinition): part of its ECS service" in standalone_task.text
    flows = {(f.source, f.target, f.name) for f in standalone_task.model.flows}
    assert (ids["Service"], ids["TaskRole"], "runs as") in flows


# -- security groups stated in the model ------------------------------------------------------


@pytest.fixture(scope="module")
def groups(mapping: ResourceTable, catalog: Catalog) -> Imported:
    return _import(FAITHFUL / "groups.yaml", mapping, catalog)


def _group_ids(imported: Imported, *logical_ids: str) -> list[str]:
    return [imported.component(name).security_groups for name in logical_ids]


def test_a_group_whose_rules_all_resolve_is_stated_with_them(groups: Imported) -> None:
    stated = groups.model.security_groups
    (ssh,) = stated["ssh"].ingress or []
    assert (ssh.cidr, ssh.ports, ssh.protocol) == ("0.0.0.0/0", [22], "tcp")
    assert "the default of parameter SSHLocation" in groups.text
    (web,) = stated["web"].ingress or []  # a standalone AWS::EC2::SecurityGroupIngress
    assert (web.security_group, web.ports) == ("ssh", ["8000-8080"])
    egress = [(r.cidr, r.ports, r.protocol) for r in stated["web"].egress or []]
    assert egress == [("10.0.0.0/8", ["all"], "all"), ("0.0.0.0/0", [53], "udp")]
    # without inline egress rules, AWS's default allows all outbound: the model says nothing
    assert stated["ssh"].egress is None
    assert _group_ids(groups, "Bastion", "App", "Cache") == [["ssh"], ["web"], ["shared"]]


def test_a_rule_with_no_value_offline_leaves_its_groups_ingress_unwritten(groups: Imported) -> None:
    stated = groups.model.security_groups
    # a peer from a parameter without default; a rule under an undecided condition; a peer
    # group whose members are not all known
    assert [stated[g].ingress for g in ("loose", "maybe", "shared")] == [None, None, None]
    assert "ingress not written: Loose.SecurityGroupIngress[0]: it names parameter Peer" in groups.text
    assert "ingress not written: MaybeOpen: it exists only when condition Open holds" in groups.text
    # the groups still say who their members are
    assert _group_ids(groups, "Db", "Desktop") == [["loose"], ["maybe"]]


def test_a_component_with_a_group_outside_the_template_lists_none(groups: Imported) -> None:
    # a parameter, an import, and a service that adds a group of its own: listing only the
    # template's groups would tell the engine it knows every way in
    assert _group_ids(groups, "Worker", "Imported", "Cluster") == [[], [], []]
    assert "security_groups not written: Worker names security groups that are not in the code" in groups.text
    assert "security_groups not written: EKS adds a cluster security group of its own" in groups.text


def test_stated_rules_are_judged_and_unknown_ones_are_not(groups: Imported, catalog: Catalog) -> None:
    analysis, problems = analyze("groups.yaml", groups.text.encode(), catalog)
    assert analysis is not None, problems
    ids = groups.result.components
    open_ports = {
        f.subject.id for f in analysis.report.findings if f.rule == "sensitive-port-open-to-internet"
    }
    # SSH open to the world on an instance in a subnet passed as a parameter; the RDP rule of
    # Desktop exists only under an undecided condition, so nothing is said of it
    assert open_ports == {ids["Bastion"]}
    assert not [d for d in analysis.diagnostics if d.code == "W310"]


ACFT = CORPUS / "aws-cloudformation+aws-cloudformation-templates"


def test_a_public_template_with_ssh_open_to_the_world_is_judged_by_its_rules(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    # the instances' subnets are a parameter: whether the internet reaches them is a question,
    # and the group that opens SSH to 0.0.0.0/0 is judged as written
    imported = _import(ACFT / "EFS" / "efs_with_automount_to_ec2.yaml", mapping, catalog)
    group = imported.component("AutoScalingGroup")
    assert group.security_groups == ["instance-security-group"]
    analysis, problems = analyze("efs.yaml", imported.text.encode(), catalog)
    assert analysis is not None, problems
    found = {(f.rule, f.subject.id) for f in analysis.report.findings}
    assert ("sensitive-port-open-to-internet", imported.result.components["AutoScalingGroup"]) in found
    # the file system admits the instances' group on NFS: stated, and not open to the internet
    efs = imported.component("EFSFileSystem")
    (nfs,) = imported.model.security_groups[efs.security_groups[0]].ingress or []
    assert (nfs.security_group, nfs.ports) == ("instance-security-group", [2049])


def test_a_rule_naming_a_classic_load_balancers_own_group_is_not_written(
    mapping: ResourceTable, catalog: Catalog
) -> None:
    path = ACFT / "ElasticLoadBalancing" / "ELBWithLockedDownAutoScaledInstances.yaml"
    imported = _import(path, mapping, catalog)
    (group,) = imported.component("WebServerGroup").security_groups
    assert imported.model.security_groups[group].ingress is None
    assert "names the security group of ElasticLoadBalancer, which the code does not resolve" in imported.text
