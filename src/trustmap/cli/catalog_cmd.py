"""`trustmap catalog`: list and explain the built-in knowledge."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from trustmap.cli.common import (
    EXIT_INVALID,
    CatalogOption,
    fail,
    load_catalog_or_exit,
    stdout_write,
)

if TYPE_CHECKING:
    from trustmap.catalog import Catalog

app = typer.Typer(
    help=(
        "List or explain the catalog: services, controls and threats.\n\n"
        "Without a command, lists all three, each after a line naming it."
    ),
    invoke_without_command=True,
)

IdArgument = Annotated[
    str | None, typer.Argument(help="An id to explain; omit to list all.", show_default=False)
]


Lister = Callable[["Catalog"], str]
Explainer = Callable[["Catalog", str], "str | None"]

#: The three listings: (command, kind, the columns of a listing line, example id).
_LISTINGS = (
    ("services", "service", "id, service model, name", "rds"),
    ("controls", "control", "id, category, owner, title", "imdsv2"),
    ("threats", "threat", "id, scope, STRIDE, impact, title", "unencrypted-flow-crosses-boundary"),
)


def _renderers(command: str) -> tuple[Lister, Explainer]:
    # Imported here: the catalog and the engine's phrases are not needed to start the command line.
    from trustmap.render import catalog_text as text

    return {
        "services": (text.list_services, text.explain_service),
        "controls": (text.list_controls, text.explain_control),
        "threats": (text.list_threats, text.explain_threat),
    }[command]


def _entries(catalog: Catalog, command: str) -> Iterable[str]:
    return {"services": catalog.services, "controls": catalog.controls, "threats": catalog.threats}[command]


def _list_or_explain(command: str, kind: str) -> Callable[[str | None, list[Path] | None], None]:
    """The command that lists the entries of `command`, or explains the one named."""

    def list_or_explain(entry_id: IdArgument = None, catalog_dirs: CatalogOption = None) -> None:
        lister, explainer = _renderers(command)
        catalog = load_catalog_or_exit(catalog_dirs)
        if entry_id is None:
            stdout_write(lister(catalog))
            return
        text = explainer(catalog, entry_id)
        if text is None:
            _unknown(kind, entry_id, _entries(catalog, command))
        stdout_write(text)

    return list_or_explain


for _command, _kind, _columns, _example in _LISTINGS:
    _help = f"List {_command} (one per line: {_columns}) or explain one."
    app.command(_command, help=f"{_help}\n\nExample: trustmap catalog {_command} {_example}")(
        _list_or_explain(_command, _kind)
    )


@app.callback()
def everything(context: typer.Context, catalog_dirs: CatalogOption = None) -> None:
    """`trustmap catalog` alone lists the services, controls and threats (outputs.md: the
    kind is optional), each listing after a `# <kind>: <columns>` line and a blank line between."""
    if context.invoked_subcommand is not None:
        if catalog_dirs:
            command = context.invoked_subcommand
            raise typer.BadParameter(
                f"give it after the command: trustmap catalog {command} --catalog DIR",
                param_hint="'--catalog'",
            )
        return
    catalog = load_catalog_or_exit(catalog_dirs)
    sections = []
    for command, _kind, columns, _example in _LISTINGS:
        lister, _explainer = _renderers(command)
        sections.append(f"# {command}: {columns}\n{lister(catalog)}")
    stdout_write("\n".join(sections))


@app.command()
def check(catalog_dirs: CatalogOption = None) -> None:
    """Check the catalog (and any --catalog layers): schema, references, rule registry.

    Example: trustmap catalog check --catalog ./our-controls
    """
    catalog = load_catalog_or_exit(catalog_dirs)  # also checks the rule registry
    typer.echo(
        f"catalog ok: {len(catalog.services)} services, {len(catalog.controls)} controls, "
        f"{len(catalog.threats)} threats",
        err=True,
    )


def _unknown(kind: str, entry_id: str, known: Iterable[str]) -> NoReturn:
    from trustmap.diagnostics import did_you_mean

    fail(f"unknown {kind} '{entry_id}'{did_you_mean(entry_id, known)}", EXIT_INVALID)
