"""The typer options the commands share; the helpers that need no typer are in `plain`,
re-exported here."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from trustmap.cli.plain import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    EXIT_OK,
    analyze_file,
    as_given,
    check_output,
    display_path,
    echo_error,
    exit_status,
    fail,
    format_choice,
    input_ids,
    is_stdout,
    load_analyses,
    load_analysis,
    load_catalog_or_exit,
    parse_today,
    print_diagnostics,
    read_input,
    refuse_file_as_folder,
    refuse_input_as_output,
    report_exit_status,
    report_path,
    stdout_write,
    stdout_write_stream,
    validate_models,
    write_output,
)

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INVALID",
    "EXIT_OK",
    "MAX_GRAPHVIZ_TIMEOUT",
    "AllowUnmatchedOption",
    "CatalogOption",
    "FailOnOption",
    "FailOnQuestionsOption",
    "GraphvizTimeoutOption",
    "TodayOption",
    "analyze_file",
    "as_given",
    "check_output",
    "display_path",
    "echo_error",
    "exit_status",
    "fail",
    "format_choice",
    "input_ids",
    "is_stdout",
    "load_analyses",
    "load_analysis",
    "load_catalog_or_exit",
    "parse_today",
    "print_diagnostics",
    "read_input",
    "refuse_file_as_folder",
    "refuse_input_as_output",
    "report_exit_status",
    "report_path",
    "stdout_write",
    "stdout_write_stream",
    "validate_models",
    "write_output",
]

CatalogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        help="A directory of catalog YAML files layered over the built-in catalog (repeatable).",
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="The date that risk decisions expire against (YYYY-MM-DD); default: today, "
        "or SOURCE_DATE_EPOCH when set, for reproducible builds.",
        show_default=False,
    ),
]
AllowUnmatchedOption = Annotated[
    bool,
    typer.Option(
        "--allow-unmatched",
        help="Accept risk decisions that match no finding (a warning, not an error).",
    ),
]


#: a day: a layout that needs longer is not going to finish
MAX_GRAPHVIZ_TIMEOUT = 86_400.0


def _check_timeout(value: float) -> float:
    if not (math.isfinite(value) and 0 < value <= MAX_GRAPHVIZ_TIMEOUT):
        raise typer.BadParameter(
            f"--graphviz-timeout takes a number of seconds above 0 and at most {MAX_GRAPHVIZ_TIMEOUT:g}, "
            f"not {value:g}"
        )
    return value


GraphvizTimeoutOption = Annotated[
    float,
    typer.Option(
        "--graphviz-timeout",
        help="Seconds allowed for each Graphviz run (above 0, at most a day).",
        callback=_check_timeout,
    ),
]


def _check_severity(value: str | None) -> str | None:
    from trustmap.findings import SEVERITY_ORDER  # here: the findings module is not needed to start

    if value is not None and value not in SEVERITY_ORDER:
        raise typer.BadParameter(f"--fail-on takes {', '.join(SEVERITY_ORDER)}; got '{value}'")
    return value


FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 when an open finding is at or above this severity (info, low, medium, high, critical).",
        callback=_check_severity,
        show_default=False,
    ),
]


FailOnQuestionsOption = Annotated[
    bool,
    typer.Option(
        "--fail-on-questions",
        help="Exit 1 while a question is unanswered: something the model does not say that a threat"
        " depends on (answer it in the model, or with a decision in `accepted`).",
    ),
]
