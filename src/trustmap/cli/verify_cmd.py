"""`trustmap verify MODEL --against CODE...`: does the infrastructure code deploy what the model says?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trustmap.cli.common import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    EXIT_OK,
    CatalogOption,
    as_given,
    check_output,
    display_path,
    fail,
    format_choice,
    input_ids,
    load_catalog_or_exit,
    print_diagnostics,
    read_input,
    report_path,
    stdout_write,
    write_output,
)
from trustmap.line_breaks import source_lines

FORMATS = ("text", "json", "sarif")


def verify(
    model: Annotated[Path, typer.Argument(help="The architect's model (YAML).", show_default=False)],
    against: Annotated[
        list[Path],
        typer.Option(
            "--against",
            help="A CloudFormation template, a Terraform plan or state (JSON), or .tf files (repeatable).",
            show_default=False,
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", help="text, json or sarif.")] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the report to this file ('-' for standard output).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite the output file if it exists.")
    ] = False,
    catalog_dirs: CatalogOption = None,
) -> None:
    """Compare the model with what the code deploys: components and flows on one side only,
    security-group reachability the model's flows do not explain, and encryption, exposure or
    multi-AZ that differ.

    Exit status: 0 when nothing drifts; 1 on drift; 2 when the model or the code cannot be read.

    Examples:

        trustmap verify shop.yaml --against template.yaml

        trustmap verify shop.yaml --against plan.json --format sarif -o drift.sarif
    """
    from trustmap import __version__
    from trustmap.graph import build_graph
    from trustmap.interop.code_input import import_code
    from trustmap.interop.mapping import load_mapping
    from trustmap.interop.model_writer import render_model
    from trustmap.interop.verify import Code, compare, drifts_json, drifts_sarif, drifts_text
    from trustmap.validate import load_model

    given, output_format = output_format, format_choice(output_format)
    if output_format not in FORMATS:
        fail(f"--format takes {', '.join(FORMATS)}; got '{given}'")
    inputs = input_ids([model, *against], catalog_dirs)
    check_output(output, inputs, force=force)
    catalog = load_catalog_or_exit(catalog_dirs)
    shown, raw, problems = read_input(model)
    if raw is None:
        print_diagnostics(problems)
        raise typer.Exit(EXIT_INVALID)
    loaded, problems = load_model(shown, raw, catalog)
    if loaded is None:
        print_diagnostics(as_given(problems, model), source_lines(raw))
        raise typer.Exit(EXIT_INVALID)
    tables = {}
    for wing in ("cloudformation", "terraform"):
        table, table_problems = load_mapping(catalog, wing=wing)
        if table is None:
            print_diagnostics(table_problems)
            raise typer.Exit(EXIT_INVALID)
        tables[wing] = table
    codes = []
    for path in against:
        label = report_path(path)
        if not path.exists():
            fail(f"{display_path(path)} does not exist")
        draft, found = import_code(path, label, catalog, tables)
        if draft is None:
            print_diagnostics(as_given(found, path))
            raise typer.Exit(EXIT_INVALID)
        code_loaded, code_problems = load_model(label, render_model(draft).encode(), catalog)
        if code_loaded is None:
            print_diagnostics(code_problems)
            fail(f"the model imported from {label} does not validate: a trustmap bug, please report it")
        codes.append(Code.of(label, code_loaded.model, draft))
    drifts = compare(build_graph(loaded, catalog), codes, catalog)
    at = loaded.document.source_map
    lines = {cid: (at.key(("components", cid)) or at.value(())) for cid in loaded.model.components}
    flow_lines = {f.flow_id: at.value(("flows", i)) for i, f in enumerate(loaded.model.flows)}
    positions = {k: v.line for k, v in {**lines, **flow_lines}.items() if v is not None}
    if output_format == "json":
        text = json.dumps(drifts_json(drifts, shown, [report_path(p) for p in against]), indent=2) + "\n"
    elif output_format == "sarif":
        text = (
            json.dumps(drifts_sarif(drifts, shown, positions, __version__), indent=2, sort_keys=True) + "\n"
        )
    else:
        text = drifts_text(drifts)
    if output is None:
        stdout_write(text)
    else:
        write_output(output, text.encode("utf-8"), inputs)
    raise typer.Exit(EXIT_FINDINGS if drifts else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command()(verify)
