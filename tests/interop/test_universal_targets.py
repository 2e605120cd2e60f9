"""EventBridge Scheduler universal targets (`arn:aws:scheduler:::aws-sdk:<service>:<action>`): a
flow to the component of that service the input names, else to the model's only one; else
nothing drawn, W404 at the schedule and a note in the model (CloudFormation and Terraform)."""

from __future__ import annotations

import pytest

from tests.interop.conftest import HERE, TEMPLATES, import_cfn, import_tf
from trustmap.catalog import Catalog
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.universal import SDK_SERVICES, universal_target


def test_terraform_universal_targets(tf_table: ResourceTable, catalog: Catalog) -> None:
    result, model, text = import_tf(HERE / "terraform" / "universal-schedule", tf_table, catalog)
    flows = {(f.source, f.target, f.protocol) for f in model.flows}
    assert ("send", "jobs", "aws-api") in flows  # the input names the queue
    assert ("count", "counters", "aws-api") in flows  # the model's only table
    assert ("stop", "devbox", "aws-api") in flows  # InstanceIds = [aws_instance.devbox.id]
    assert not [f for f in model.flows if f.source in ("start", "publish")]  # nothing guessed
    warnings = {(d.line, d.message.split(" calls ")[0]) for d in result.diagnostics if d.code == "W404"}
    assert warnings == {(48, "aws_scheduler_schedule.start"), (60, "aws_scheduler_schedule.publish")}
    words = " ".join(text.replace("#", " ").split())  # the notes at the top are wrapped
    assert "the model has no step-functions component" in words
    assert "add the flow by hand (one of one, two)" in words
    assert "its input names jobs" in words and "counters is the model's only dynamodb component" in words


def test_cloudformation_universal_targets(mapping: ResourceTable, catalog: Catalog) -> None:
    imported = import_cfn(TEMPLATES / "universal-schedule.yaml", mapping, catalog)
    assert {(f.source, f.target) for f in imported.model.flows} == {("send", "jobs")}
    [warning] = [d for d in imported.result.diagnostics if d.code == "W404"]
    assert warning.line == 18 and warning.message.startswith("Start calls the sfn API (startExecution)")


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:scheduler:::aws-sdk:sqs:sendMessage", ("sqs", "sendMessage")),
        ("arn:aws-cn:scheduler:::aws-sdk:sfn:startExecution", ("sfn", "startExecution")),
        ("arn:aws:sqs:eu-west-1:123456789012:jobs", None),
        ({"Ref": "Queue"}, None),
    ],
)
def test_universal_target_arns(arn: object, expected: tuple[str, str] | None) -> None:
    assert universal_target(arn) == expected


def test_every_sdk_service_is_a_catalog_service(catalog: Catalog) -> None:
    assert {s for services in SDK_SERVICES.values() for s in services} <= set(catalog.services)
