"""`trustmap diff OLD NEW`: what changed between two versions of a model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustmap.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    AllowUnmatchedOption,
    CatalogOption,
    TodayOption,
    fail,
    format_choice,
    load_analyses,
    stdout_write,
)


def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version of the model (YAML).", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later version of the model (YAML).", show_default=False)],
    output_format: Annotated[
        str, typer.Option("--format", help="text (terminal), md (pull-request comment) or json.")
    ] = "text",
    catalog_dirs: CatalogOption = None,
    today: TodayOption = None,
    allow_unmatched: AllowUnmatchedOption = False,
) -> None:
    """Show what changed between two versions of a model: components, boundaries, flows,
    responsibility, and findings opened or closed.

    Exit status: 0 when the new version opens no findings; 1 when it has an open finding the old
    one did not have, or a decided finding is open again; 2 when either model is invalid.

    Examples:

        trustmap diff main.yaml shop.yaml

        git show main:models/shop.yaml > old.yaml; trustmap diff old.yaml models/shop.yaml --format md
    """
    from trustmap.diff import diff_analyses
    from trustmap.render.diff import DIFF_RENDERERS

    given, output_format = output_format, format_choice(output_format)
    if output_format not in DIFF_RENDERERS:
        fail(f"--format takes {', '.join(DIFF_RENDERERS)}; got '{given}'")
    before, after = load_analyses([old, new], catalog_dirs, today, allow_unmatched)
    changes = diff_analyses(before, after)
    stdout_write(DIFF_RENDERERS[output_format](changes))
    raise typer.Exit(EXIT_FINDINGS if changes.opens_findings else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command()(diff)
