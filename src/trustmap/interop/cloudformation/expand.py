"""Template constructs that stand for other resources: `Fn::ForEach` loops and SAM.

- `Fn::ForEach::Name: [Identifier, [items], {KeyTemplate: Resource}]` (the
  `AWS::LanguageExtensions` transform) is expanded into one resource per item, with
  `${Identifier}` / `&{Identifier}` replaced in keys and `Fn::Sub` strings and `Ref Identifier`
  replaced by the item. A collection that is not static (an import, a parameter without default)
  cannot be expanded: the loop is left out and named.
- SAM (`AWS::Serverless-2016-10-31`): `Globals.Function` is merged into each function (and
  `Globals.Api` / `Globals.HttpApi` into each API, the implicit ones included); each
  function event becomes the resource SAM itself generates for it (an event source mapping, an
  SNS subscription, an EventBridge rule, an API integration, a bucket notification), so that the
  common link rules of the mapping table give the flows; `Api` and `HttpApi` events without an
  API of their own get SAM's implicit `ServerlessRestApi` / `ServerlessHttpApi`; a function's
  `FunctionUrlConfig` becomes its `AWS::Lambda::Url`; connectors name their ends as references.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Expansion", "expand_for_each", "expand_sam", "is_sam"]

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_FOR_EACH = "Fn::ForEach::"


@dataclass
class Expansion:
    """Resources made by an expansion, and what the expansion could not do."""

    #: synthesized resource -> where it comes from (shown next to what it becomes)
    origin: dict[str, str] = field(default_factory=dict)
    #: (name, what, why) of what was left out
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- Fn::ForEach ------------------------------------------------------------------------------


def _collection(value: Any, parameters: dict[str, Any]) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value]
    if isinstance(value, dict) and set(value) == {"Ref"}:
        parameter = parameters.get(str(value["Ref"]))
        default = parameter.get("Default") if isinstance(parameter, dict) else None
        if isinstance(default, list):
            return [str(v) for v in default]
        if isinstance(default, str):
            return [part.strip() for part in default.split(",") if part.strip()]
    return None


def _substitute(value: Any, identifier: str, item: str) -> Any:
    alphanumeric = re.sub(r"[^A-Za-z0-9]", "", item)

    def text(s: str) -> str:
        return s.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", alphanumeric)

    if isinstance(value, dict):
        if value == {"Ref": identifier}:
            return item
        return {text(str(k)): _substitute(v, identifier, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, identifier, item) for v in value]
    return text(value) if isinstance(value, str) else value


def expand_for_each(
    resources: dict[str, Any], parameters: dict[str, Any], expansion: Expansion, depth: int = 0
) -> dict[str, Any]:
    """The resources with every `Fn::ForEach` loop expanded (nested loops included)."""
    result: dict[str, Any] = {}
    for key, value in resources.items():
        if not str(key).startswith(_FOR_EACH):
            result[key] = value
            continue
        loop = str(key)
        items = (
            _collection(value[1], parameters)
            if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            else None
        )
        if items is None or depth > 4 or not isinstance(value[2], dict):
            expansion.left_out.append(
                (
                    loop,
                    "Fn::ForEach",
                    "its collection has no static value (an import or a parameter without default)",
                )
            )
            continue
        identifier = value[0]
        made: dict[str, Any] = {}
        for item in items:
            made.update(_substitute(copy.deepcopy(value[2]), identifier, item))
        expanded = expand_for_each(made, parameters, expansion, depth + 1)
        for name in expanded:
            expansion.origin.setdefault(str(name), f"{loop} (one per item of {', '.join(items)})")
        result.update(expanded)
    return result


# -- SAM ------------------------------------------------------------------------------------


def is_sam(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def _arn(name: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, "Arn"]}


def _merge_globals(function: dict[str, Any], defaults: dict[str, Any]) -> None:
    properties = function.setdefault("Properties", {})
    if not isinstance(properties, dict):
        return
    for key, value in defaults.items():
        if key not in properties:
            properties[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(properties[key], dict):
            properties[key] = {**copy.deepcopy(value), **properties[key]}


def _events(resource: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    properties = resource.get("Properties")
    events = properties.get("Events") if isinstance(properties, dict) else None
    if not isinstance(events, dict):
        return
    for name, event in events.items():
        if isinstance(event, dict) and isinstance(event.get("Type"), str):
            props = event.get("Properties")
            yield str(name), event["Type"], props if isinstance(props, dict) else {}


#: event type -> (the resource SAM makes, the event property naming the source, the key it goes to)
_POLLED = {
    "SQS": "Queue",
    "Kinesis": "Stream",
    "DynamoDB": "Stream",
    "MSK": "Stream",
    "MQ": "Broker",
    "DocumentDB": "Cluster",
}
_RULES = ("EventBridgeRule", "CloudWatchEvent", "Schedule")


def _implicit(resources: dict[str, Any], name: str, type_name: str, expansion: Expansion) -> str:
    if name not in resources:
        resources[name] = {"Type": type_name, "Properties": {}}
        expansion.origin[name] = "SAM's implicit API for the functions' Api events"
    return name


def _event_resource(
    resources: dict[str, Any],
    function: str,
    event: str,
    kind: str,
    props: dict[str, Any],
    expansion: Expansion,
) -> dict[str, Any] | None:
    target = _arn(function)
    if kind in _POLLED:
        source = props.get(_POLLED[kind])
        return {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"FunctionName": {"Ref": function}, "EventSourceArn": source},
        }
    if kind == "SNS":
        return {
            "Type": "AWS::SNS::Subscription",
            "Properties": {"TopicArn": props.get("Topic"), "Endpoint": target, "Protocol": "lambda"},
        }
    if kind in _RULES:
        rule: dict[str, Any] = {"Targets": [{"Arn": target, "Id": event}]}
        for key in ("EventBusName", "Pattern", "Schedule"):
            if key in props:
                rule[{"Pattern": "EventPattern", "Schedule": "ScheduleExpression"}.get(key, key)] = props[key]
        return {"Type": "AWS::Events::Rule", "Properties": rule}
    if kind == "ScheduleV2":
        return {"Type": "AWS::Scheduler::Schedule", "Properties": {"Target": {"Arn": target}}}
    if kind == "Api":
        api = props.get("RestApiId") or {
            "Ref": _implicit(resources, "ServerlessRestApi", "AWS::Serverless::Api", expansion)
        }
        return {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": api,
                "HttpMethod": props.get("Method"),
                "Integration": {"Uri": target},
            },
        }
    if kind == "HttpApi":
        api = props.get("ApiId") or {
            "Ref": _implicit(resources, "ServerlessHttpApi", "AWS::Serverless::HttpApi", expansion)
        }
        return {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {"ApiId": api, "IntegrationUri": target},
        }
    if kind == "S3":
        bucket = props.get("Bucket")
        named = bucket.get("Ref") if isinstance(bucket, dict) else None
        holder = resources.get(named) if isinstance(named, str) else None
        if isinstance(holder, dict):
            notification = holder.setdefault("Properties", {}).setdefault("NotificationConfiguration", {})
            notification.setdefault("LambdaConfigurations", []).append(
                {"Function": target, "Event": props.get("Events")}
            )
            return None
        expansion.notes.append(
            f"SAM event {event} of {function}: its bucket is not in the template; add the flow by hand"
        )
        return None
    if kind == "CloudWatchLogs":
        return {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {"LogGroupName": props.get("LogGroupName"), "DestinationArn": target},
        }
    expansion.notes.append(f"SAM event {event} of {function} ({kind}) is not read; add its flow by hand")
    return None


def _function_url(
    resources: dict[str, Any], function: str, resource: dict[str, Any], expansion: Expansion
) -> None:
    """`FunctionUrlConfig` becomes the `AWS::Lambda::Url` SAM makes, `<Function>Url` (the name
    a template's `!GetAtt <Function>Url.FunctionUrl` uses)."""
    properties = resource.get("Properties")
    config = properties.get("FunctionUrlConfig") if isinstance(properties, dict) else None
    name = f"{function}Url"
    if not isinstance(config, dict) or name in resources:
        return
    made: dict[str, Any] = {
        "Type": "AWS::Lambda::Url",
        "Properties": {**config, "TargetFunctionArn": {"Ref": function}},
    }
    if "Condition" in resource:
        made["Condition"] = resource["Condition"]
    resources[name] = made
    expansion.origin[name] = f"SAM FunctionUrlConfig of {function}"


def _endpoint(value: Any, resources: dict[str, Any]) -> Any:
    """A connector's `Source` or `Destination` with `Id: X` (a logical id) read as `Ref X`."""
    if isinstance(value, list):
        return [_endpoint(item, resources) for item in value]
    named = value.get("Id") if isinstance(value, dict) else None
    return {"Ref": named} if isinstance(named, str) and named in resources else value


def _connectors(resources: dict[str, Any], expansion: Expansion) -> None:
    """SAM connectors (`AWS::Serverless::Connector`, or a resource's `Connectors`) name their
    ends by logical id; an embedded one becomes the connector resource SAM makes for it."""
    for name, resource in list(resources.items()):
        if not isinstance(resource, dict):
            continue
        properties = resource.get("Properties")
        if resource.get("Type") == "AWS::Serverless::Connector" and isinstance(properties, dict):
            for end in ("Source", "Destination"):
                if end in properties:
                    properties[end] = _endpoint(properties[end], resources)
            continue
        embedded = resource.get("Connectors")  # beside Type and Properties
        for connector, spec in embedded.items() if isinstance(embedded, dict) else []:
            props = spec.get("Properties") if isinstance(spec, dict) else None
            made_name = f"{name}{connector}"
            if not isinstance(props, dict) or made_name in resources:
                continue
            resources[made_name] = {
                "Type": "AWS::Serverless::Connector",
                "Properties": {
                    **props,
                    "Source": {"Ref": name},
                    "Destination": _endpoint(props.get("Destination"), resources),
                },
            }
            expansion.origin[made_name] = f"SAM connector {connector} of {name}"


def expand_sam(data: dict[str, Any], expansion: Expansion) -> None:
    """Apply what the SAM transform does that matters for a model, in place."""
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return
    _connectors(resources, expansion)
    globals_ = data.get("Globals")
    function_defaults = globals_.get("Function") if isinstance(globals_, dict) else None
    for name, resource in list(resources.items()):
        if not isinstance(resource, dict):
            continue
        type_name = resource.get("Type")
        if type_name == "AWS::Serverless::Function" and isinstance(function_defaults, dict):
            _merge_globals(resource, function_defaults)
        if type_name == "AWS::Serverless::Function":
            _function_url(resources, str(name), resource, expansion)
        if type_name not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        for event, kind, props in _events(resource):
            made = _event_resource(resources, str(name), event, kind, props, expansion)
            if made is None:
                continue
            made_name = f"{name}{event}"
            while made_name in resources:
                made_name += "Event"
            if "Condition" in resource:
                made["Condition"] = resource["Condition"]
            resources[made_name] = made
            expansion.origin[made_name] = f"SAM event {event} ({kind}) of {name}"
    # the APIs' globals, once the implicit APIs the events need exist
    for section, type_name in (("Api", "AWS::Serverless::Api"), ("HttpApi", "AWS::Serverless::HttpApi")):
        defaults = globals_.get(section) if isinstance(globals_, dict) else None
        if not isinstance(defaults, dict):
            continue
        for resource in resources.values():
            if isinstance(resource, dict) and resource.get("Type") == type_name:
                _merge_globals(resource, defaults)
