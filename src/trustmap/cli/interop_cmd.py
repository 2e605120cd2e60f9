"""Commands that exchange models with other tools: `export ...` and `import ...`.

Each importer is a row of `IMPORTERS`: its command name, help, built-in table and the function
that reads its input into a draft; `_register` turns a row into a `trustmap import` command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trustmap.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    AllowUnmatchedOption,
    CatalogOption,
    GraphvizTimeoutOption,
    TodayOption,
    as_given,
    check_output,
    display_path,
    fail,
    format_choice,
    input_ids,
    is_stdout,
    load_analysis,
    load_catalog_or_exit,
    print_diagnostics,
    read_input,
    report_path,
    write_output,
)
from trustmap.line_breaks import editor_lines, source_lines

if TYPE_CHECKING:
    from trustmap.catalog import Catalog
    from trustmap.diagnostics import Diagnostic
    from trustmap.interop.mapping import ResourceTable
    from trustmap.interop.model_writer import Draft

export_app = typer.Typer(
    help="Export a model for other tools.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
import_app = typer.Typer(
    help="Start a model from another tool's file, offline.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

OutputOption = Annotated[
    Path,
    typer.Option("-o", "--output", help="The file to write ('-' for standard output).", show_default=False),
]
ForceOption = Annotated[bool, typer.Option("--force", "-f", help="Overwrite the output file if it exists.")]
NameOption = Annotated[
    str | None, typer.Option("--name", help="The model's name (default: from the input).", show_default=False)
]


def _write(output: Path, content: bytes, what: str, inputs: frozenset[tuple[int, int]]) -> None:
    write_output(output, content, inputs)
    if not is_stdout(output):
        typer.echo(f"wrote {what} to {display_path(output)}", err=True)


@export_app.command("otm")
def export_otm(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    output: OutputOption,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="json or yaml (default: from the output's suffix, else json).",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    graphviz_timeout: GraphvizTimeoutOption = 30.0,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Write the model and its findings as an Open Threat Model (OTM 0.2.0) document.

    Boundaries become trust zones, components components (type = catalog service id), data
    assets, flows dataflows, findings threats with their controls as mitigations, plus one
    diagram representation laid out by Graphviz (a grid when Graphviz is not installed).

    Examples:

        trustmap export otm examples/shop.yaml -o shop.otm.json

        trustmap export otm examples/shop.yaml -o shop.otm.yaml
    """
    from trustmap.interop.layout import compute_layout
    from trustmap.interop.otm.exporter import layout_spec, otm_document, render_otm

    chosen = format_choice(
        output_format or ("yaml" if output.suffix.lower() in (".yaml", ".yml") else "json")
    )
    if chosen not in ("json", "yaml"):
        fail(f"--format must be json or yaml, not '{output_format}'")
    inputs = input_ids([model], catalog_dirs)
    check_output(output, inputs, force=force)
    analysis = load_analysis(model, catalog_dirs, today, allow_unmatched)
    layout = compute_layout(layout_spec(analysis), timeout=graphviz_timeout)
    document = otm_document(analysis, layout)
    _write(output, render_otm(document, chosen), f"an OTM {document['otmVersion']} document", inputs)
    raise typer.Exit(EXIT_OK)


def _export_json(
    model: Path,
    output: Path,
    force: bool,
    graphviz_timeout: float,
    catalog_dirs: list[Path] | None,
    today: str | None,
    allow_unmatched: bool,
    what: str,
) -> None:
    """Analyse the model, lay it out and write one of the JSON exports."""
    from trustmap.interop.layout import compute_layout
    from trustmap.interop.otm.exporter import layout_spec
    from trustmap.interop.threat_composer import render_threat_composer, threat_composer_document
    from trustmap.interop.threat_dragon import render_threat_dragon, threat_dragon_document

    inputs = input_ids([model], catalog_dirs)
    check_output(output, inputs, force=force)
    analysis = load_analysis(model, catalog_dirs, today, allow_unmatched)
    layout = compute_layout(layout_spec(analysis), timeout=graphviz_timeout)
    if what == "threat-composer":
        content = render_threat_composer(threat_composer_document(analysis, layout))
        _write(output, content, "a Threat Composer workspace", inputs)
    else:
        content = render_threat_dragon(threat_dragon_document(analysis, layout))
        _write(output, content, "a Threat Dragon v2 model", inputs)
    raise typer.Exit(EXIT_OK)


@export_app.command("threat-composer")
def export_threat_composer(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    output: OutputOption,
    force: ForceOption = False,
    graphviz_timeout: GraphvizTimeoutOption = 30.0,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Write the model and its findings as a Threat Composer workspace (.tc.json).

    Findings become threats in Threat Composer's grammar with STRIDE, priority and status;
    their controls mitigations linked to them; questions assumptions; the boundaries,
    components and flows the architecture and dataflow sections, with a picture.

    Example:

        trustmap export threat-composer examples/shop.yaml -o shop.tc.json
    """
    _export_json(
        model, output, force, graphviz_timeout, catalog_dirs, today, allow_unmatched, "threat-composer"
    )


@export_app.command("threat-dragon")
def export_threat_dragon(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    output: OutputOption,
    force: ForceOption = False,
    graphviz_timeout: GraphvizTimeoutOption = 30.0,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Write the model and its findings as an OWASP Threat Dragon v2 model (JSON).

    One STRIDE diagram: boundaries as trust-boundary boxes, components as actors, processes
    and stores, flows as data flows; each finding a threat on its component or flow.

    Example:

        trustmap export threat-dragon examples/shop.yaml -o shop.td.json
    """
    _export_json(
        model, output, force, graphviz_timeout, catalog_dirs, today, allow_unmatched, "threat-dragon"
    )


#: What a faithful import of a large or deep input can break: size (E007), nesting (E212).
_LIMITS = frozenset({"E007", "E212"})


def _finish(
    draft: Draft,
    warnings: list[Diagnostic],
    output: Path,
    catalog: Catalog,
    input_lines: Sequence[str],
    inputs: frozenset[tuple[int, int]],
) -> None:
    """Check the generated model, print what needs attention, write it."""
    from trustmap.diagnostics import format_diagnostics, has_errors
    from trustmap.interop.model_writer import render_model
    from trustmap.validate import load_model

    text = render_model(draft)
    shown = display_path(output) if str(output) != "-" else "<stdout>"
    _, problems = load_model(shown, text.encode("utf-8"), catalog)
    errors = [problem for problem in problems if problem.level == "error"]
    if errors and all(problem.code in _LIMITS for problem in errors):
        for problem in errors:
            typer.echo(f"{problem.code} {problem.message}", err=True)
        fail("the model made from the input would be beyond trustmap's limits (above); nothing was written")
    if has_errors(problems):
        typer.echo(format_diagnostics(problems, editor_lines(text)), err=True)
        fail("the generated model does not validate: this is a trustmap bug, please report it with the input")
    print_diagnostics(sorted(warnings, key=lambda d: d.sort_key()), input_lines)
    if draft.attention:
        typer.echo("needs your attention (also written at the top of the model):", err=True)
        for item in draft.attention:
            typer.echo(f"  - {item}", err=True)
    counts = ", ".join(
        f"{n} {noun if n == 1 else plural}"
        for n, noun, plural in (
            (len(draft.components), "component", "components"),
            (len(draft.boundaries), "boundary", "boundaries"),
            (len(draft.flows), "flow", "flows"),
        )
    )
    _write(output, text.encode("utf-8"), f"a model with {counts}", inputs)


@dataclass(frozen=True)
class Imported:
    """What an importer made of its input: a draft (None on errors), diagnostics, source lines."""

    draft: Draft | None
    diagnostics: list[Diagnostic]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Importer:
    """One `trustmap import` command: a row of `IMPORTERS`."""

    command: str
    summary: str
    argument: str
    table: str  # the built-in table that --mapping replaces
    run: Callable[[Path, Catalog, Path | None, str | None], Imported]


def _read(path: Path) -> tuple[str, bytes]:
    shown, raw, problems = read_input(path)
    if raw is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    return shown, raw


def _table_or_exit(catalog: Catalog, mapping_file: Path | None, wing: str) -> ResourceTable:
    from trustmap.interop.mapping import load_mapping

    shown = display_path(mapping_file) if mapping_file else None
    mapping, problems = load_mapping(catalog, mapping_file, shown, wing)
    if mapping is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    return mapping


def _run_otm(file: Path, catalog: Catalog, table_file: Path | None, name: str | None) -> Imported:
    from trustmap.diagnostics import has_errors
    from trustmap.interop.otm.importer import import_otm as run_import
    from trustmap.interop.otm.reader import load_otm
    from trustmap.interop.otm.table import load_otm_table

    table, problems = load_otm_table(catalog, table_file)
    if table is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    mapping = _table_or_exit(catalog, None, "cloudformation")
    terraform = _table_or_exit(catalog, None, "terraform")
    shown, raw = _read(file)
    document, problems = load_otm(shown, raw)
    lines = source_lines(raw)
    if document is None or has_errors(problems):
        return Imported(None, as_given(problems, file), lines)
    result = run_import(document, catalog, table, mapping, name=name, more=(terraform,))
    return Imported(result.draft, as_given(result.diagnostics, file), lines)


def _run_cloudformation(file: Path, catalog: Catalog, table_file: Path | None, name: str | None) -> Imported:
    from trustmap.diagnostics import has_errors
    from trustmap.interop.cloudformation.importer import import_template
    from trustmap.interop.cloudformation.reader import load_template

    mapping = _table_or_exit(catalog, table_file, "cloudformation")
    shown, raw = _read(file)
    document, problems = load_template(shown, raw)
    lines = source_lines(raw)
    if document is None or has_errors(problems):
        return Imported(None, as_given(problems, file), lines)
    result = import_template(document, mapping, catalog, name=name or file.stem, base=file.parent)
    return Imported(result.draft, as_given(result.diagnostics, file), lines)


def _run_terraform(source: Path, catalog: Catalog, table_file: Path | None, name: str | None) -> Imported:
    from trustmap.interop.terraform.importer import import_terraform

    mapping = _table_or_exit(catalog, table_file, "terraform")
    if not source.exists():
        _read(source)  # the usual "cannot read" diagnostic and exit
    shown = report_path(source)
    stem = source.stem if source.is_file() else source.resolve().name
    result = import_terraform(source, shown, mapping, catalog, name=name or stem)
    lines: tuple[str, ...] = ()
    if source.is_file():
        lines = source_lines(source.read_bytes())
    return Imported(result.draft, as_given(result.diagnostics, source), lines)


IMPORTERS: tuple[Importer, ...] = (
    Importer(
        "otm",
        """Create a model from an Open Threat Model document (OTM 0.1/0.2, JSON or YAML).

    Trust zones become boundaries, components components (types mapped to catalog services;
    unknown ones become external-system placeholders marked TODO), dataflows flows, assets
    data. What needs review is printed and written at the top of the model.

    Example:

        trustmap import otm threat-model.otm.json -o model.yaml
    """,
        "OTM document (JSON or YAML).",
        "otm",
        _run_otm,
    ),
    Importer(
        "cloudformation",
        """Create a model from a CloudFormation template, offline.

    The template is read as CloudFormation would deploy it with the parameters' defaults
    (conditions, SAM events, Fn::ForEach, nested stacks from local files); resources become
    components through the mapping table; VPCs and subnets become boundaries; security-group
    rules and references between resources become flows, and the security groups whose rules
    the template gives whole are stated for the engine to judge. What the template does not state is
    left out (a question); every resource that is not a component is named in the model, which
    validates as written and is meant to be finished by hand.

    Example:

        trustmap import cloudformation template.yaml -o model.yaml
    """,
        "CloudFormation template (YAML or JSON).",
        "cloudformation",
        _run_cloudformation,
    ),
    Importer(
        "terraform",
        """Create a model from Terraform: a plan or state, or .tf files, offline.

    Give the output of `terraform show -json` (a plan or a state: values computed, modules
    expanded), or, where no plan is at hand, a folder of .tf files or one file (read with
    python-hcl2; local modules followed, variables from terraform.tfvars and *.auto.tfvars, else
    at their defaults; what does not resolve becomes a question). Resources become components
    through models/terraform.yaml; VPCs and subnets boundaries; security-group rules and
    references flows, and, from .tf files, the security groups whose rules the code gives
    whole are stated; count and for_each instances one component with `replicas`.

    Examples:

        terraform show -json plan.out > plan.json && trustmap import terraform plan.json -o model.yaml

        trustmap import terraform infra/ -o model.yaml
    """,
        "A `terraform show -json` file, a .tf file or a folder of them.",
        "terraform",
        _run_terraform,
    ),
)


def _register(importer: Importer) -> None:
    def command(
        source: Path,
        output: Path,
        force: bool = False,
        name: str | None = None,
        mapping_file: Path | None = None,
        catalog_dirs: list[Path] | None = None,
    ) -> None:
        inputs = input_ids([source, mapping_file], catalog_dirs)
        check_output(output, inputs, force=force)
        catalog = load_catalog_or_exit(catalog_dirs)
        imported = importer.run(source, catalog, mapping_file, name)
        if imported.draft is None:
            print_diagnostics(imported.diagnostics, imported.lines)
            raise typer.Exit(EXIT_INVALID)
        _finish(imported.draft, imported.diagnostics, output, catalog, imported.lines, inputs)
        raise typer.Exit(EXIT_OK)

    # the options, per row (annotations are strings under `from __future__ import annotations`)
    command.__annotations__ = {
        "source": Annotated[Path, typer.Argument(help=importer.argument, show_default=False)],
        "output": OutputOption,
        "force": ForceOption,
        "name": NameOption,
        "mapping_file": Annotated[
            Path | None,
            typer.Option(
                "--mapping",
                help=f"A table to use instead of the built-in models/{importer.table}.yaml.",
                show_default=False,
            ),
        ],
        "catalog_dirs": CatalogOption,
        "return": None,
    }
    command.__doc__ = importer.summary
    import_app.command(importer.command)(command)


for _importer in IMPORTERS:
    _register(_importer)
