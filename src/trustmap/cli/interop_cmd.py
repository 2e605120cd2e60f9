"""Commands that exchange models with other tools: `export otm`, `import otm`, `import cloudformation`."""

from __future__ import annotations

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
    display_path,
    fail,
    input_ids,
    load_analysis,
    load_catalog_or_exit,
    print_diagnostics,
    read_input,
    refuse_input_as_output,
    stdout_write,
)

if TYPE_CHECKING:
    from trustmap.catalog import Catalog
    from trustmap.diagnostics import Diagnostic
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


def _check_output(output: Path, force: bool, inputs: frozenset[tuple[int, int]]) -> None:
    refuse_input_as_output(output, inputs)  # even with --force
    if str(output) != "-" and output.exists() and not force:
        fail(f"{display_path(output)} exists; pass --force to overwrite it")
    if str(output) != "-" and output.is_dir():
        fail(f"{display_path(output)} is a directory; name a file")


def _write(output: Path, content: bytes, what: str, inputs: frozenset[tuple[int, int]]) -> None:
    from trustmap.write import UnsafeOutputPathError, write_atomic

    if str(output) == "-":
        stdout_write(content.decode("utf-8"))
        return
    try:
        write_atomic(output, content, protected=inputs)
    except (OSError, UnsafeOutputPathError) as error:
        fail(f"cannot write {display_path(output)}: {getattr(error, 'strerror', None) or error}")
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
    from trustmap.interop.otm_export import layout_spec, otm_document, render_otm

    chosen = output_format or ("yaml" if output.suffix.lower() in (".yaml", ".yml") else "json")
    if chosen not in ("json", "yaml"):
        fail(f"--format must be json or yaml, not '{chosen}'")
    inputs = input_ids([model], catalog_dirs)
    _check_output(output, force, inputs)
    analysis = load_analysis(model, catalog_dirs, today, allow_unmatched)
    layout = compute_layout(layout_spec(analysis), timeout=graphviz_timeout)
    document = otm_document(analysis, layout)
    _write(output, render_otm(document, chosen), f"an OTM {document['otmVersion']} document", inputs)
    raise typer.Exit(EXIT_OK)


#: What a faithful import of a large or deep input can break: size (E007), nesting (E212).
_LIMITS = frozenset({"E007", "E212"})


def _finish(
    draft: Draft,
    warnings: list[Diagnostic],
    output: Path,
    catalog: Catalog,
    source_lines: list[str],
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
        typer.echo(format_diagnostics(problems, text.splitlines()), err=True)
        fail("the generated model does not validate: this is a trustmap bug, please report it with the input")
    print_diagnostics(sorted(warnings, key=lambda d: d.sort_key()), source_lines)
    if draft.attention:
        typer.echo("needs your attention (also written at the top of the model):", err=True)
        for item in draft.attention:
            typer.echo(f"  - {item}", err=True)
    counts = (
        f"{len(draft.components)} components, {len(draft.boundaries)} boundaries, {len(draft.flows)} flows"
    )
    _write(output, text.encode("utf-8"), f"a model with {counts}", inputs)


def _read(path: Path) -> tuple[str, bytes]:
    shown, raw, problems = read_input(path)
    if raw is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    return shown, raw


@import_app.command("otm")
def import_otm(
    file: Annotated[Path, typer.Argument(help="OTM document (JSON or YAML).", show_default=False)],
    output: OutputOption,
    force: ForceOption = False,
    name: NameOption = None,
    catalog_dirs: CatalogOption = None,
) -> None:
    """Create a model from an Open Threat Model document (OTM 0.1/0.2, JSON or YAML).

    Trust zones become boundaries, components components (types mapped to catalog services;
    unknown ones become external-system placeholders marked TODO), dataflows flows, assets
    data. What needs review is printed and written at the top of the model.

    Example:

        trustmap import otm threat-model.otm.json -o model.yaml
    """
    from trustmap.diagnostics import has_errors
    from trustmap.interop.cfn_mapping import load_mapping
    from trustmap.interop.otm_import import import_otm as run_import
    from trustmap.interop.otm_mapping import load_otm_table
    from trustmap.interop.otm_read import load_otm

    inputs = input_ids([file], catalog_dirs)
    _check_output(output, force, inputs)
    catalog = load_catalog_or_exit(catalog_dirs)
    table, problems = load_otm_table(catalog)
    mapping, mapping_problems = load_mapping(catalog)
    if table is None or mapping is None:
        print_diagnostics([*problems, *mapping_problems])
        raise typer.Exit(EXIT_INVALID)
    shown, raw = _read(file)
    document, problems = load_otm(shown, raw)
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if document is None or has_errors(problems):
        print_diagnostics(problems, lines)
        raise typer.Exit(EXIT_INVALID)
    result = run_import(document, catalog, table, mapping, name=name)
    if result.draft is None:
        print_diagnostics(result.diagnostics, lines)
        raise typer.Exit(EXIT_INVALID)
    _finish(result.draft, list(result.diagnostics), output, catalog, lines, inputs)
    raise typer.Exit(EXIT_OK)


@import_app.command("cloudformation")
def import_cloudformation(
    template: Annotated[
        Path, typer.Argument(help="CloudFormation template (YAML or JSON).", show_default=False)
    ],
    output: OutputOption,
    force: ForceOption = False,
    name: NameOption = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A mapping table to use instead of the built-in models/cloudformation.yaml.",
            show_default=False,
        ),
    ] = None,
    catalog_dirs: CatalogOption = None,
) -> None:
    """Create a model from a CloudFormation template, offline.

    Resources become components through the mapping table; VPCs and subnets become boundaries;
    security-group rules and references between resources become flows. Unmapped resources,
    nested stacks and everything that needs review are printed and written at the top of the
    model, which validates as written and is meant to be finished by hand.

    Example:

        trustmap import cloudformation template.yaml -o model.yaml
    """
    from trustmap.diagnostics import has_errors
    from trustmap.interop.cfn_mapping import load_mapping
    from trustmap.interop.cfn_yaml import load_template
    from trustmap.interop.cloudformation import import_template

    inputs = input_ids([template, mapping_file], catalog_dirs)
    _check_output(output, force, inputs)
    catalog = load_catalog_or_exit(catalog_dirs)
    mapping, problems = load_mapping(
        catalog, mapping_file, display_path(mapping_file) if mapping_file else None
    )
    if mapping is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    shown, raw = _read(template)
    document, problems = load_template(shown, raw)
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if document is None or has_errors(problems):
        print_diagnostics(problems, lines)
        raise typer.Exit(EXIT_INVALID)
    result = import_template(document, mapping, catalog, name=name or template.stem)
    if result.draft is None:
        print_diagnostics(result.diagnostics, lines)
        raise typer.Exit(EXIT_INVALID)
    _finish(result.draft, list(result.diagnostics), output, catalog, lines, inputs)
    raise typer.Exit(EXIT_OK)
