"""The outline of a CloudFormation template: a `Resources` mapping of typed resources.

`read_template` checks the outline of the prepared template (see `prepare`) and reports what
is wrong as E4xx diagnostics; what passes becomes the shared `Template` of the build. A
resource the CDK synthesised (`aws:cdk:path` in its metadata) is labelled without the hash the
CDK appends to its logical id, so that its component id reads as the construct's name.
"""

from __future__ import annotations

import re
from typing import Any

from trustmap.diagnostics import Diagnostic
from trustmap.interop.cloudformation.prepare import Prepared
from trustmap.interop.resources import Template

__all__ = ["read_template"]


#: the hash the CDK appends to the logical ids it makes (`ServiceLBE9A1ADBC`): eight upper-case
#: hexadecimal digits, at least one of them a decimal digit (not the end of a word such as `FACADE`)
_CDK_HASH = re.compile(r"^(?P<label>.+?)(?=[0-9A-F]{8}$)(?=.*[0-9].{0,7}$)")


def _cdk_label(name: str, resource: dict[str, Any]) -> str | None:
    """The id text of a resource the CDK synthesised: its logical id without the hash."""
    metadata = resource.get("Metadata")
    if not isinstance(metadata, dict) or "aws:cdk:path" not in metadata:
        return None
    found = _CDK_HASH.match(name)
    return found.group("label") if found else None


def read_template(prepared: Prepared) -> tuple[Template | None, list[Diagnostic]]:
    """The template's resources, or None with E401 when it has none to read."""
    document = prepared.document
    data, at = document.data, document.source_map
    raw = data.get("Resources")
    if isinstance(raw, dict) and not raw and prepared.left_out:
        return None, [
            Diagnostic(
                "E404",
                "every resource of the template was left out (see the warnings): nothing to model",
                document.path,
                at.key(("Resources",)),
            )
        ]
    if not isinstance(raw, dict) or not raw:
        what = "no 'Resources' section" if raw is None else "an empty or malformed 'Resources' section"
        span = at.key(("Resources",)) if "Resources" in data else at.value(())
        return None, [
            Diagnostic(
                "E401",
                f"the template has {what}: expected a mapping of logical id to "
                "resource (is this a CloudFormation template?)",
                document.path,
                span,
            )
        ]
    problems = []
    resources: dict[str, Any] = {}
    for name, resource in raw.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            problems.append(
                Diagnostic(
                    "E402",
                    f"resource '{name}' needs a 'Type' such as AWS::EC2::Instance",
                    document.path,
                    at.key(("Resources", str(name))),
                )
            )
            continue
        if "Properties" in resource and not isinstance(resource["Properties"], dict):
            problems.append(
                Diagnostic(
                    "E402",
                    f"the 'Properties' of resource '{name}' must be a mapping",
                    document.path,
                    at.value(("Resources", str(name), "Properties")),
                )
            )
            continue
        resources[str(name)] = resource
    parameters = data.get("Parameters")
    template = Template(
        document,
        resources,
        parameters if isinstance(parameters, dict) else {},
        source="CloudFormation",
        origin=prepared.origin,
        conditional=prepared.conditional,
        undecided=frozenset(prepared.undecided),
        decided={name: decided.by_property for name, decided in prepared.decided.items()},
        places={
            name: prepared.places.get(name) or (document.path, at.value(("Resources", name, "Type")))
            for name in resources
        },
        labels={name: label for name in resources if (label := _cdk_label(name, resources[name]))},
    )
    return template, problems
