"""Import Terraform as a trustmap model, offline: a plan or state as JSON, or .tf files.

`terraform show -json` output (a plan or a state) is the most faithful input: values are
computed and modules expanded. Where no plan is at hand, a folder of .tf files (or one file)
is read with python-hcl2 (see `hcl`); what it leaves unresolved becomes questions. Either way
the resources then go through the shared build with `models/terraform.yaml`.

Diagnostics of the import (besides the shared ones):

- E420 the input has no .tf file / E421 a .tf or variable file cannot be read
- E422 a JSON file that is not `terraform show -json` output
- E404 no resource maps to a component (naming the W402 and W421 warnings that say why)
- W402 a resource type the mapping table does not know, at its block
- W421 a module was not read: its source is remote (a registry, Git), or its folder unreadable
- W422 a variable file sets a variable that no `variable` block declares (ignored, as Terraform does)

A value the mapping table only asks to be present (`kms_key_arn`: a customer key) is not
taken as present when it has no value offline (a variable without default, a remote module's
output): the shared build (`resources.test_holds`) leaves the property out and the component
asks about it. A null one is unset already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trustmap.catalog import Catalog
from trustmap.diagnostics import Diagnostic, Span, has_errors
from trustmap.input_file import read_input_text
from trustmap.interop.build import Build
from trustmap.interop.draft import draft_of
from trustmap.interop.mapping import ResourceTable
from trustmap.interop.model_writer import Draft
from trustmap.interop.resources import Template
from trustmap.interop.terraform.hcl import TfResources, read_configuration
from trustmap.interop.terraform.network import read_network
from trustmap.interop.terraform.plan import is_terraform_json, read_plan
from trustmap.source import Document, SourceMap, load_json

__all__ = ["TfImport", "import_terraform", "label"]

#: names that say nothing of a resource (`aws_vpc.this`): its type says more
_GENERIC = frozenset({"this", "main", "default", "example", "this_ipv6", "default_custom"})


@dataclass
class TfImport:
    draft: Draft | None
    diagnostics: list[Diagnostic]
    #: which component each resource became (address -> component id)
    components: dict[str, str] = field(default_factory=dict)


def label(address: str) -> str:
    """A readable id seed for a resource: `module.vpc.aws_subnet.public` -> `vpc-public`."""
    parts = address.split(".")
    modules = [parts[i + 1] for i, p in enumerate(parts[:-2]) if p == "module" and i + 1 < len(parts) - 2]
    type_name, name = parts[-2], parts[-1]
    own = type_name.removeprefix("aws_") if name in _GENERIC else name
    return "-".join([*(m for m in modules[-1:] if m != own), own])


def read_input(path: Path, shown: str) -> tuple[TfResources | None, list[Diagnostic]]:
    """The resources of a plan/state JSON, a .tf file or a folder of them."""
    if path.is_file() and path.suffix.lower() == ".json":
        text, unreadable = read_input_text(path, shown)
        if text is None:
            return None, unreadable
        data, problem = load_json(shown, text)
        if problem is not None:
            return None, [problem]
        if not is_terraform_json(data):
            return None, [
                Diagnostic(
                    "E422",
                    "not `terraform show -json` output (expected 'format_version' and 'planned_values' or "
                    "'values')",
                    shown,
                    Span.point(1, 1),
                )
            ]
        return read_plan(data), []
    found = read_configuration(path, shown)
    if has_errors(found.diagnostics):
        return None, found.diagnostics
    return found, found.diagnostics


def _refusal(shown: str, found: TfResources, warnings: list[Diagnostic]) -> Diagnostic:
    """E404, with what explains it: unknown types (W402), modules not read (W421)."""
    reasons = []
    unmapped = sum(1 for d in warnings if d.code == "W402")
    if unmapped:
        reasons.append(f"{unmapped} resource(s) of types the mapping table does not know (W402 above)")
    if found.not_read:
        reasons.append(
            f"the modules not read offline (W421 above): {', '.join(found.not_read)}; import a plan "
            "(`terraform show -json`) or their own code"
        )
    if not found.resources:
        reasons.append("the configuration declares no resource of its own")
    if not reasons:
        reasons.append(
            "what it creates is network layout (VPCs, subnets, route tables: boundaries, not "
            "components) or nothing at all (count or for_each is 0 with its inputs' defaults)"
        )
    return Diagnostic(
        "E404",
        "no resource maps to a component; a model needs at least one. Why: " + "; ".join(reasons),
        shown,
        None,
    )


def import_terraform(
    path: Path, shown: str, mapping: ResourceTable, catalog: Catalog, *, name: str
) -> TfImport:
    found, problems = read_input(path, shown)
    if found is None:
        return TfImport(None, problems)
    for address in [a for a, r in found.resources.items() if not str(r["Type"]).startswith("aws_")]:
        provider = str(found.resources.pop(address)["Type"]).split("_")[0]
        found.left_out.append((address, provider, f"not an AWS resource (provider {provider})"))
    kind = "plan or state" if path.suffix.lower() == ".json" else "configuration"
    document = Document(shown, {"Resources": found.resources}, SourceMap(), ())
    template = Template(
        document,
        found.resources,
        {},
        source="Terraform",
        origin=found.origin,
        unknown=found.unknown,
        replicas=found.replicas,
        labels={address: label(address) for address in found.resources},
        places={address: (place.path, place.span) for address, place in found.places.items()},
    )
    # a plan lacks the values known only after apply: its groups are not stated (see `network`)
    network = read_network(template, states_groups=kind == "configuration", outside=found.outside)
    build = Build(template, mapping, catalog, network)
    build.attention.extend(found.notes)
    build.run()
    warnings = [*problems, *build.diagnostics]
    if not build.components:
        return TfImport(None, [*warnings, _refusal(shown, found, warnings)])
    header = [
        f"Generated by `trustmap import terraform` from the {kind} {shown}.",
        "A starting point, not a finished threat model: review every entry, then run",
        "`trustmap validate` and `trustmap build`. Each component names the Terraform resource",
        "it comes from; each flow the rule or reference it was inferred from. A property the",
        "code does not state is left out: trustmap then asks about it.",
    ]
    draft = draft_of(build, name, header, None, found.left_out)
    sources = {address: cid for address, cid in build.component_of.items() if address in found.resources}
    return TfImport(draft, warnings, sources)
