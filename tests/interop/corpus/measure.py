"""Measure `trustmap import` on the staged corpus: import, validate, build a sample, count.

Usage: python -m tests.interop.corpus.measure [CORPUS] [--build-every N]

CORPUS is the vendored copy, tests/interop/corpus/files (the default), or a folder staged by
scripts/stage_corpus.py. For every entry of the manifest this
imports the file (or .tf folder), validates and analyses the written model, exports it to OTM
and imports it back (the round trip must change nothing the project's diff sees), exports it
to Threat Composer and Threat Dragon and validates both against the published schemas, runs
`trustmap build` on every Nth model, and checks the done-when figures of docs/interop.md: the
share that imports into a valid model, the share of models with two or more components that
have flows, that no component is invented on the internet (every component in the `internet`
boundary stands for a public endpoint's clients or for an address range a rule states), and
that every resource of the input is named in the written model. Exits 1 when a figure misses its mark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.interop.otm_scope import what_otm_holds
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog, load_catalog
from trustmap.diff import diff_analyses
from trustmap.interop.cloudformation.importer import import_template
from trustmap.interop.cloudformation.reader import load_template
from trustmap.interop.layout import grid_layout
from trustmap.interop.mapping import ResourceTable, load_mapping
from trustmap.interop.model_writer import Draft, render_model
from trustmap.interop.otm.exporter import layout_spec, otm_document, render_otm
from trustmap.interop.otm.importer import import_otm
from trustmap.interop.otm.reader import load_otm
from trustmap.interop.otm.table import load_otm_table
from trustmap.interop.terraform.importer import import_terraform
from trustmap.interop.threat_composer import threat_composer_document
from trustmap.interop.threat_dragon import threat_dragon_document
from trustmap.validate import load_model

MANIFEST = Path(__file__).resolve().parent / "manifest.yaml"
CORPUS = Path(__file__).resolve().parent / "files"
TODAY = dt.date(2026, 12, 1)


@dataclass
class Outcome:
    entry: str
    kind: str
    imported: bool = False
    valid: bool = False
    built: bool | None = None
    round_trip: bool | None = None
    schema_errors: int = 0
    components: int = 0
    flows: int = 0
    #: security groups written, those with their ingress, and components that list theirs
    groups: int = 0
    groups_with_ingress: int = 0
    listing: int = 0
    unmapped: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    error: str = ""


def _resources(data: Any) -> list[str]:
    resources = data.get("Resources") if isinstance(data, dict) else None
    return [str(name) for name in resources] if isinstance(resources, dict) else []


def _invented(text: str) -> list[str]:
    """Components in the internet boundary that stand for neither anyone nor a stated range."""
    model = yaml.safe_load(text)
    found = []
    for cid, component in (model.get("components") or {}).items():
        if (
            component.get("boundary") == "internet"
            and cid != "internet-clients"
            and not cid.startswith("network-")
        ):
            found.append(cid)
    return found


def _cloudformation(
    path: Path, shown: str, mapping: ResourceTable, catalog: Catalog
) -> tuple[Draft | None, list[str], str]:
    document, problems = load_template(shown, path.read_bytes())
    if document is None:
        return None, [], "; ".join(f"{p.code} {p.message}" for p in problems)
    result = import_template(document, mapping, catalog, name=path.stem, base=path.parent)
    unmapped = sorted(
        {d.message.split(" of type ")[1].split(" ")[0] for d in result.diagnostics if d.code == "W402"}
    )
    if result.draft is None:
        return (
            None,
            unmapped,
            "; ".join(f"{p.code} {p.message}" for p in result.diagnostics if p.level == "error"),
        )
    return result.draft, unmapped, ""


def _terraform(
    path: Path, shown: str, mapping: ResourceTable, catalog: Catalog
) -> tuple[Draft | None, list[str], str]:
    result = import_terraform(path, shown, mapping, catalog, name=path.stem)
    unmapped = sorted(
        {d.message.split(" of type ")[1].split(" ")[0] for d in result.diagnostics if d.code == "W402"}
    )
    if result.draft is None:
        errors = [f"{p.code} {p.message}" for p in result.diagnostics if p.level == "error"]
        return None, unmapped, "; ".join(errors)
    return result.draft, unmapped, ""


def _input_names(path: Path, relative: str, kind: str, draft: Draft) -> list[str]:
    """The resources of the input, as the model must name them."""
    if kind == "cloudformation":
        template, _ = load_template(relative, path.read_bytes())
        return _resources(template.data) if template is not None else []
    from trustmap.interop.terraform.importer import read_input

    found, _ = read_input(path, relative)
    if found is None:
        return []
    return [*found.resources, *(name for name, _, _ in found.left_out)]


def schemas(root: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, entry in (manifest.get("schemas") or {}).items():
        repo, _, relative = str(entry).partition(":")
        path = root / repo.replace("/", "+") / relative
        if path.is_file():
            found[name] = json.loads(path.read_text())
    return found


def _schema_errors(analysis: Analysis, schemas: dict[str, dict[str, Any]]) -> int:
    """Errors of the Threat Composer and Threat Dragon exports against the published schemas."""
    layout = grid_layout(layout_spec(analysis))
    documents = {
        "threat-composer": threat_composer_document(analysis, layout),
        "threat-dragon": threat_dragon_document(analysis, layout),
    }
    errors = 0
    for name, document in documents.items():
        schema = schemas.get(name)
        if schema is not None:
            validator = jsonschema.validators.validator_for(schema)(schema)
            errors += sum(1 for _ in validator.iter_errors(document))
    return errors


def _round_trip(analysis: Analysis, catalog: Catalog, mapping: ResourceTable | None) -> bool:
    """Export to OTM and import back: does the project's diff see any change?"""
    table, _ = load_otm_table(catalog)
    assert table is not None
    raw = render_otm(otm_document(analysis, grid_layout(layout_spec(analysis))), "json")
    document, _ = load_otm("round.otm.json", raw)
    if document is None:
        return False
    result = import_otm(document, catalog, table, mapping)
    if result.draft is None:
        return False
    again, _ = analyze("again.yaml", render_model(result.draft).encode(), catalog, today=TODAY)
    if again is None:
        return False
    changes = diff_analyses(analysis, again)
    return not changes.entries and not changes.findings


def _build(text: str) -> bool:
    """`trustmap build` on the model, in a temporary folder: every output written."""
    with tempfile.TemporaryDirectory(prefix="corpus-build-") as folder:
        model = Path(folder) / "model.yaml"
        model.write_text(text)
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "trustmap"),
                "build",
                str(model),
                "-o",
                str(Path(folder) / "out"),
            ],
            capture_output=True,
            check=False,
        )
        return done.returncode == 0


def measure(root: Path, build_every: int) -> list[Outcome]:
    catalog = load_catalog()
    tables = {wing: load_mapping(catalog, wing=wing)[0] for wing in ("cloudformation", "terraform")}
    manifest = yaml.safe_load(MANIFEST.read_text())
    published = schemas(root, manifest)
    outcomes = []
    entries = [("cloudformation", e) for e in manifest["cloudformation"]]
    entries += [("terraform", e) for e in manifest["terraform"]]
    for index, (kind, entry) in enumerate(entries):
        repo, _, relative = entry.partition(":")
        path = root / repo.replace("/", "+") / relative
        outcome = Outcome(entry, kind)
        outcomes.append(outcome)
        mapping = tables[kind]
        assert mapping is not None
        importer = _cloudformation if kind == "cloudformation" else _terraform
        try:
            draft, outcome.unmapped, outcome.error = importer(path, relative, mapping, catalog)
        except Exception as error:  # a crash is a bug to report, not a reason to stop measuring
            outcome.error = f"CRASH {type(error).__name__}: {error}"
            continue
        if draft is None:
            continue
        outcome.imported = True
        text = render_model(draft)
        loaded, problems = load_model(relative, text.encode(), catalog, today=TODAY)
        outcome.valid = loaded is not None
        if loaded is None:
            outcome.error = "; ".join(f"{p.code} {p.message}" for p in problems[:3])
            continue
        outcome.components = len(loaded.model.components)
        outcome.flows = len(loaded.model.flows)
        stated = loaded.model.security_groups
        outcome.groups = len(stated)
        outcome.groups_with_ingress = sum(g.ingress is not None for g in stated.values())
        outcome.listing = sum(bool(c.security_groups) for c in loaded.model.components.values())
        outcome.invented = _invented(text)
        names = _input_names(path, relative, kind, draft)
        outcome.unnamed = [n for n in names if not re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text)]
        analysis, _ = analyze(relative, text.encode(), catalog, today=TODAY)
        if analysis is None:
            outcome.error = "the model does not analyse"
            continue
        outcome.round_trip = _round_trip(analysis, catalog, tables["cloudformation"])
        outcome.schema_errors = _schema_errors(analysis, published)
        if build_every and index % build_every == 0:
            outcome.built = _build(text)
    return outcomes


def report(outcomes: list[Outcome]) -> tuple[list[str], bool]:
    return tables(outcomes), _shares(outcomes)[1]


def tables(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for kind in ("cloudformation", "terraform"):
        lines += table([o for o in outcomes if o.kind == kind])
        lines.append("")
    return [*lines, *figures(outcomes)]


def table(outcomes: list[Outcome]) -> list[str]:
    lines = [
        "| file | imported | valid | OTM round trip | built | components | flows | unmapped types |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in outcomes:
        built = "—" if o.built is None else ("yes" if o.built else "NO")
        lossless = "—" if o.round_trip is None else ("lossless" if o.round_trip else "CHANGED")
        lines.append(
            f"| `{o.entry.split('/', 1)[1]}` | {'yes' if o.imported else 'NO: ' + o.error[:80]} | "
            f"{'yes' if o.valid else ('NO' if o.imported else '—')} | {lossless} | {built} | "
            f"{o.components} | {o.flows} | "
            f"{', '.join(o.unmapped) or '—'} |"
        )
    return lines


def figures(outcomes: list[Outcome]) -> list[str]:
    lines: list[str] = []
    for kind in ("cloudformation", "terraform", "all"):
        chosen = [o for o in outcomes if kind in ("all", o.kind)]
        lines += [f"{kind}:", *_shares(chosen)[0]]
    return lines


def _shares(outcomes: list[Outcome]) -> tuple[list[str], bool]:
    lines: list[str] = []
    total = len(outcomes)
    valid = sum(o.valid for o in outcomes)
    several = [o for o in outcomes if o.valid and o.components >= 2]
    with_flows = sum(o.flows > 0 for o in several)
    invented = [f"{o.entry}: {c}" for o in outcomes for c in o.invented]
    unnamed = [f"{o.entry}: {n}" for o in outcomes for n in o.unnamed]
    share_valid = valid / total if total else 1.0
    share_flows = with_flows / len(several) if several else 1.0
    lines += [
        f"- imported into valid models: {valid} of {total} ({share_valid:.0%}; mark 95 %)",
        f"- models with two or more components that have flows: {with_flows} of {len(several)} "
        f"({share_flows:.0%}; mark 85 %)",
        f"- components invented on the internet: {len(invented)} {invented[:5] if invented else ''}",
        f"- resources not named in the written model: {len(unnamed)} {unnamed[:5] if unnamed else ''}",
        f"- security groups written: {sum(o.groups for o in outcomes)} in "
        f"{sum(o.groups > 0 for o in outcomes)} models, "
        f"{sum(o.groups_with_ingress for o in outcomes)} with their ingress; "
        f"{sum(o.listing for o in outcomes)} components list theirs",
    ]
    changed = [o.entry for o in outcomes if o.round_trip is False]
    schema_errors = sum(o.schema_errors for o in outcomes)
    lines += [
        f"- OTM round trips that changed the model: {len(changed)} {changed[:5] if changed else ''}",
        f"- Threat Composer and Threat Dragon exports: {schema_errors} errors against the published schemas",
    ]
    ok = (
        share_valid >= 0.95
        and share_flows >= 0.85
        and not invented
        and not unnamed
        and not changed
        and not schema_errors
    )
    return lines, ok


def examples(root: Path) -> list[str]:
    """The project's examples: OTM round trips and exports against the published schemas."""
    catalog = load_catalog()
    mapping, _ = load_mapping(catalog)
    published = schemas(root, yaml.safe_load(MANIFEST.read_text()))
    folder = Path(__file__).resolve().parents[3] / "examples"
    lines = []
    for path in sorted(folder.glob("*.yaml")):
        analysis, _ = analyze(path.name, path.read_bytes(), catalog, today=TODAY)
        assert analysis is not None
        # the round trip keeps what OTM can hold: the example without its format 1.2 facts
        held, _ = analyze(path.name, what_otm_holds(path.read_bytes()), catalog, today=TODAY)
        assert held is not None
        lossless = _round_trip(held, catalog, mapping)
        errors = _schema_errors(analysis, published)
        lines.append(
            f"- example {path.stem}: OTM round trip {'lossless' if lossless else 'CHANGED'}, "
            f"{errors} errors of its Threat Composer and Threat Dragon exports"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?", default=CORPUS)
    parser.add_argument("--build-every", type=int, default=5, help="build every Nth entry (0: none)")
    args = parser.parse_args()
    lines, ok = report(measure(args.corpus, args.build_every))
    print("\n".join([*lines, "", *examples(args.corpus)]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
