"""`trustmap diagram MODEL`: one diagram in one format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustmap.cli.common import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    EXIT_OK,
    AllowUnmatchedOption,
    CatalogOption,
    TodayOption,
    analyze_file,
    fail,
    load_catalog_or_exit,
    parse_today,
    stdout_write,
)
from trustmap.findings import SEVERITY_ORDER, severity_rank

_BINARY = ("png", "pdf")


def diagram(
    model: Annotated[Path, typer.Argument(help="Model file (YAML).", show_default=False)],
    view: Annotated[
        str, typer.Option("--view", help="architecture, dataflow or responsibility.")
    ] = "architecture",
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="svg, png, pdf (need Graphviz), dot (Graphviz source) or mermaid (architecture, dataflow).",
        ),
    ] = "svg",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file; required for png and pdf, else standard output.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when an open finding is at or above this severity "
            "(info, low, medium, high, critical).",
            show_default=False,
        ),
    ] = None,
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
    timeout: Annotated[
        float, typer.Option("--graphviz-timeout", help="Seconds allowed for the Graphviz run.")
    ] = 120.0,
) -> None:
    """Draw one diagram of a model: the architecture, the data flows or the responsibility matrix.

    Exit status as build: 0, or 1 when --fail-on is given and an open finding reaches it.

    Exit status 2: the model is invalid, an option is wrong, or Graphviz is missing or fails.

    Examples:

        trustmap diagram examples/shop.yaml -o shop.svg

        trustmap diagram examples/shop.yaml --view dataflow --format png -o shop-dfd.png

        trustmap diagram examples/shop.yaml --format mermaid >> README.md
    """
    from trustmap.diagrams import DIAGRAM_FORMATS, VIEWS, DiagramOptions, GraphvizError, GraphvizMissingError
    from trustmap.diagrams import diagram as draw
    from trustmap.write import write_atomic

    if view not in VIEWS:
        fail(f"--view takes {', '.join(VIEWS)}; got '{view}'")
    if output_format not in DIAGRAM_FORMATS:
        fail(f"--format takes {', '.join(DIAGRAM_FORMATS)}; got '{output_format}'")
    if output_format == "mermaid" and view not in ("architecture", "dataflow"):
        fail("--format mermaid is available for --view architecture and dataflow only")
    if output_format in _BINARY and output is None:
        fail(f"{output_format} is a binary format: name a file with -o FILE")
    if fail_on is not None and fail_on not in SEVERITY_ORDER:
        fail(f"--fail-on takes {', '.join(SEVERITY_ORDER)}; got '{fail_on}'")

    catalog = load_catalog_or_exit(catalog_dirs)
    analysis = analyze_file(model, catalog, parse_today(today), allow_unmatched=allow_unmatched)
    if analysis is None:
        raise typer.Exit(EXIT_INVALID)
    try:
        content = draw(analysis, view, output_format, DiagramOptions(timeout=timeout))
    except GraphvizMissingError as error:
        fail(f"{error}; the dot and mermaid formats need no Graphviz")
    except GraphvizError as error:
        fail(str(error))
    if output is None:
        stdout_write(content.decode("utf-8"))
    else:
        try:
            write_atomic(output, content)
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror or error}")
    failing = fail_on is not None and any(
        severity_rank(f.severity) >= severity_rank(fail_on) for f in analysis.report.open_findings()
    )
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command()(diagram)
