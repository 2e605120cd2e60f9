"""Commands over model files: validate, build, checklist, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustmap.cli.common import (
    AllowUnmatchedOption,
    CatalogOption,
    FailOnOption,
    FailOnQuestionsOption,
    GraphvizTimeoutOption,
    TodayOption,
    fail,
    format_choice,
    load_analysis,
    load_catalog_or_exit,
    parse_today,
    report_exit_status,
    stdout_write,
    stdout_write_stream,
    validate_models,
)

ModelsArgument = Annotated[
    list[Path], typer.Argument(help="Model files (YAML).", show_default=False, metavar="MODEL...")
]


def validate(
    models: ModelsArgument,
    catalog_dirs: CatalogOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", help="text: positioned messages with excerpts; json: one object per line."),
    ] = "text",
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Check models against the format; print every problem as path:line:column: CODE message.

    Exit status 0 when every model is valid (warnings allowed), 2 otherwise.

    Examples:

        trustmap validate examples/*.yaml

        trustmap validate --format json model.yaml
    """
    raise typer.Exit(validate_models(models, catalog_dirs, output_format, today, allow_unmatched))


def build(
    models: ModelsArgument,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Output directory; each model gets DIR/<model file stem>/."),
    ] = Path("output"),
    fail_on: FailOnOption = None,
    fail_on_questions: FailOnQuestionsOption = False,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
    timeout: GraphvizTimeoutOption = 120.0,
    jobs: Annotated[
        int,
        typer.Option(
            "-j",
            "--jobs",
            min=0,
            help="Models built in parallel processes (0: one per core this process may use).",
        ),
    ] = 1,
    force: Annotated[
        bool,
        typer.Option("--force", help="Rebuild models whose inputs did not change since the last build."),
    ] = False,
    allow_missing_diagrams: Annotated[
        bool,
        typer.Option(
            "--allow-missing-diagrams",
            help="When Graphviz fails or times out on a view, write the other outputs without its "
            "images (a note says which) instead of failing the model's build.",
        ),
    ] = False,
) -> None:
    """Write every output for each model into DIR/<model file stem>/, and DIR/index.html.

    A model whose file, catalog, options and --today are those of its last build is skipped
    (listed as "unchanged"; --force rebuilds it). Its findings still count for --fail-on.

    Exit status: 0; 1 when --fail-on is given and an open finding is at or above that severity,
    or --fail-on-questions is given and a question is unanswered; 2 when a model is invalid
    (nothing is written for it), its files cannot be written, or Graphviz fails on one of its
    views (see --allow-missing-diagrams).

    Examples:

        trustmap build examples/*.yaml -o output

        trustmap build models/*.yaml -j 4 --fail-on high
    """
    from trustmap.cli.build_run import BuildRequest, execute_build

    catalog = load_catalog_or_exit(catalog_dirs)
    request = BuildRequest(
        models=models,
        output=output,
        today=parse_today(today).isoformat(),
        fail_on=fail_on,
        fail_on_questions=fail_on_questions,
        allow_unmatched=allow_unmatched,
        graphviz_timeout=timeout,
        jobs=jobs,
        force=force,
        allow_missing_diagrams=allow_missing_diagrams,
    )
    raise typer.Exit(execute_build(request, catalog))


def checklist(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="md, json or csv; several, comma-separated, are printed one after another"
            " in the order given.",
        ),
    ] = "md",
    fail_on: FailOnOption = None,
    fail_on_questions: FailOnQuestionsOption = False,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Print the per-component threat and control checklist to standard output.

    Examples:

        trustmap checklist examples/shop.yaml

        trustmap checklist examples/shop.yaml --format json
    """
    from trustmap.render.checklist import CHECKLIST_STREAMS

    formats = [format_choice(f) for f in output_format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in CHECKLIST_STREAMS]
    if unknown or not formats:
        fail(f"--format takes {', '.join(CHECKLIST_STREAMS)}; got '{output_format}'")
    analysis = load_analysis(model, catalog_dirs, today, allow_unmatched)
    for name in formats:
        stdout_write_stream(CHECKLIST_STREAMS[name](analysis))
    raise typer.Exit(report_exit_status(analysis.report, fail_on, fail_on_questions))


def schema(catalog_dirs: CatalogOption = None) -> None:
    """Print the JSON Schema of the model format, for editors (yaml-language-server).

    Example:

        trustmap schema > trustmap.schema.json

    then start a model with  # yaml-language-server: $schema=trustmap.schema.json
    """
    import json

    from trustmap.json_schema import model_json_schema

    catalog = load_catalog_or_exit(catalog_dirs)
    stdout_write(json.dumps(model_json_schema(catalog), indent=2, sort_keys=True) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(build)
    app.command()(checklist)
    app.command()(schema)
