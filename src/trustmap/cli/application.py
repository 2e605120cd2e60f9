"""The Typer application and its command groups."""

from __future__ import annotations

import typer

from trustmap import __version__
from trustmap.cli import catalog_cmd, diagram_cmd, diff_cmd, interop_cmd, model_cmds, verify_cmd
from trustmap.cli.plain import run_command

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
verify_cmd.register(app)
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(interop_cmd.export_app, name="export")
app.add_typer(interop_cmd.import_app, name="import")


def main() -> None:
    """The `trustmap` command (`plain.run_command`: signals end it quietly, with every cleanup)."""
    run_command(app)
