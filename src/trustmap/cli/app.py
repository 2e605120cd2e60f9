"""The Typer application and its command groups."""

from __future__ import annotations

import sys

import typer

from trustmap import __version__
from trustmap.cli import catalog_cmd, diagram_cmd, diff_cmd, interop_cmd, model_cmds

app = typer.Typer(
    name="trustmap",
    help=(
        "Offline threat modelling and architecture diagrams for systems on AWS.\n\n"
        "Describe a system in YAML (trust boundaries, components, data, flows); trustmap validates it, "
        "works out the AWS shared-responsibility split and the trust boundaries each flow crosses, and "
        "writes diagrams, a threat and control checklist, findings, SARIF and an HTML report."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: formatting it with rich imports rich, which doubles the start-up time of
    # `trustmap --help` (docs/performance.md).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trustmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Offline threat modelling and architecture diagrams for systems on AWS."""


model_cmds.register(app)
diff_cmd.register(app)
diagram_cmd.register(app)
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(interop_cmd.export_app, name="export")
app.add_typer(interop_cmd.import_app, name="import")


def main() -> None:
    """The `trustmap` command. Ctrl-C and SIGTERM (from `timeout`, `docker stop`, a cancelled CI
    job) stop it the same way: every cleanup runs, outputs not yet swapped in are left as they
    were, and it exits with 128 + the signal number, as a shell reports a signal."""
    from trustmap.interrupts import Interrupted, interrupts_raise

    # Messages quote names as written: in an ASCII-only locale they are escaped, not a
    # UnicodeEncodeError (documents on standard output are written as UTF-8, see stdout_write).
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        with interrupts_raise():
            app()
    except Interrupted as stop:
        typer.echo(
            f"trustmap: interrupted ({stop}); outputs not written yet were left as they were", err=True
        )
        sys.exit(128 + stop.signum)
