"""`trustmap diagram MODEL`: one diagram in one format."""

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
    check_output,
    fail,
    format_choice,
    input_ids,
    load_analysis,
    report_exit_status,
    stdout_write,
    write_output,
)

_BINARY = ("png", "pdf")
#: the format a file name asks for, when --format is not given
_BY_SUFFIX = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid"}


def _format_for(output_format: str | None, output: Path | None) -> str:
    """--format as given, else the format the output's suffix names, else svg."""
    named = _BY_SUFFIX.get(output.suffix.lower()) if output is not None else None
    return output_format or named or "svg"


def _contradicted(output_format: str | None, output: Path | None) -> str | None:
    """The format the output's name asks for when --format says another (`--format svg -o
    arch.png`): such a file would lie about what it holds."""
    named = _BY_SUFFIX.get(output.suffix.lower()) if output is not None else None
    given = output_format in _BY_SUFFIX.values()
    return named if given and named is not None and named != output_format else None


def diagram(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    view: Annotated[
        str, typer.Option("--view", help="architecture, dataflow or responsibility.")
    ] = "architecture",
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="svg, png, pdf (need Graphviz), dot (Graphviz source) or mermaid; default: from"
            " the -o file's suffix (.svg, .png, .pdf, .dot, .mmd), else svg.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file; required for png and pdf, else standard output.",
            show_default=False,
        ),
    ] = None,
    fail_on: FailOnOption = None,
    fail_on_questions: FailOnQuestionsOption = False,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
    timeout: GraphvizTimeoutOption = 120.0,
) -> None:
    """Draw one diagram of a model: the architecture, the data flows or the responsibility matrix.

    Exit status as build: 0, or 1 when --fail-on is given and an open finding reaches it.

    Exit status 2: the model is invalid, an option is wrong, or Graphviz is missing or fails.

    Examples:

        trustmap diagram examples/shop.yaml -o shop.svg

        trustmap diagram examples/shop.yaml --view dataflow -o shop-dfd.png

        trustmap diagram examples/shop.yaml --format mermaid >> README.md
    """
    from trustmap.diagrams import DIAGRAM_FORMATS, VIEWS, DiagramOptions, GraphvizError, GraphvizMissingError
    from trustmap.diagrams import diagram as draw

    typed_view, view = view, format_choice(view)  # `Dataflow` is the dataflow view
    if view not in VIEWS:
        fail(f"--view takes {', '.join(VIEWS)}; got '{typed_view}'")
    as_typed = output_format
    given = format_choice(output_format) if output_format is not None else None
    output_format = _format_for(given, output)
    if output_format not in DIAGRAM_FORMATS:
        fail(f"--format takes {', '.join(DIAGRAM_FORMATS)}; got '{as_typed}'")
    if output_format in _BINARY and output is None:
        fail(f"{output_format} is a binary format: name a file with -o FILE")
    inputs = input_ids([model], catalog_dirs)
    check_output(output, inputs, force=None)
    named = _contradicted(given, output)
    if named is not None:
        fail(
            f"--format {output_format} does not match {output}, a {named} file name: drop --format or rename"
        )

    analysis = load_analysis(model, catalog_dirs, today, allow_unmatched)
    try:
        content = draw(analysis, view, output_format, DiagramOptions(timeout=timeout))
    except GraphvizMissingError as error:
        fail(f"{error}; the dot and mermaid formats need no Graphviz")
    except GraphvizError as error:
        fail(str(error))
    if output is None:
        stdout_write(content.decode("utf-8"))
    else:
        write_output(output, content, inputs)
    raise typer.Exit(report_exit_status(analysis.report, fail_on, fail_on_questions))


def register(app: typer.Typer) -> None:
    app.command()(diagram)
