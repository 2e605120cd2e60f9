"""`trustmap validate FILE...` without typer.

A pre-commit hook or an editor that validates on every save runs exactly this command line;
importing typer and building its command tree is about a third of its start-up. This path
takes that command line only, with no option at all, and runs the very function the typer
command runs (`plain.validate_models`); anything else (an option, `--help`, another command, a
mistake) goes to typer, which parses and reports it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from trustmap.cli.plain import run_command, validate_models

__all__ = ["quick"]


def quick(argv: Sequence[str]) -> bool:
    """Run `argv` (the arguments after the program name) when it is `validate` and file names,
    none starting with `-`; False, having done nothing, for any other command line."""
    if len(argv) < 2 or argv[0] != "validate" or any(arg.startswith("-") for arg in argv[1:]):
        return False
    models = [Path(arg) for arg in argv[1:]]
    run_command(lambda: sys.exit(validate_models(models)))
    return True
