"""EventBridge Scheduler universal targets: a schedule whose target is an AWS API call.

A target ARN `arn:aws:scheduler:::aws-sdk:<service>:<action>` (`aws-sdk:sqs:sendMessage`) names
no resource: the call's parameters, in the target's input, do (`{"QueueUrl": ...}`). The flow
goes to the component the input names, of that service; else to the model's one component of
that service; else nothing is drawn and the model says what to add.
"""

from __future__ import annotations

import re

__all__ = ["SDK_SERVICES", "universal_target"]

_ARN = re.compile(r"arn:aws[\w-]*:scheduler:::aws-sdk:([a-z0-9-]+):([A-Za-z0-9]+)")

#: the SDK's service names (as in the ARN), and the catalog services whose resources its calls
#: act on (the RDS API stops Aurora clusters too; the ECS API updates Fargate services)
SDK_SERVICES: dict[str, tuple[str, ...]] = {
    "sqs": ("sqs",),
    "sns": ("sns",),
    "lambda": ("lambda",),
    "sfn": ("step-functions",),
    "dynamodb": ("dynamodb",),
    "s3": ("s3",),
    "ecs": ("ecs", "fargate"),
    "eks": ("eks",),
    "kinesis": ("kinesis",),
    "eventbridge": ("eventbridge",),
    "cloudwatchevents": ("eventbridge",),
    "ses": ("ses",),
    "sesv2": ("ses",),
    "rds": ("rds", "aurora"),
    "ec2": ("ec2",),
    "autoscaling": ("auto-scaling",),
    "codebuild": ("codebuild",),
    "codepipeline": ("codepipeline",),
    "athena": ("athena",),
    "secretsmanager": ("secrets-manager",),
    "ssm": ("systems-manager",),
    "backup": ("backup",),
    "cloudwatch": ("cloudwatch",),
    "elasticache": ("elasticache",),
    "redshift": ("redshift",),
    "redshiftdata": ("redshift",),
    "databasemigration": ("dms",),
    "ecr": ("ecr",),
    "kms": ("kms",),
    "emr": ("emr",),
    "memorydb": ("memorydb",),
    "apprunner": ("app-runner",),
    "iot": ("iot-core",),
}


def universal_target(value: object) -> tuple[str, str] | None:
    """(SDK service, action) of a universal target ARN; None for any other value."""
    match = _ARN.fullmatch(value) if isinstance(value, str) else None
    return (match.group(1), match.group(2)) if match else None
