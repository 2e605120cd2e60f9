"""`trustmap catalog`: list and explain the built-in knowledge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, NoReturn

import typer

from trustmap.cli.common import (
    EXIT_INVALID,
    CatalogOption,
    fail,
    load_catalog_or_exit,
    stdout_write,
)

app = typer.Typer(
    help="List or explain the catalog: services, controls and threats.",
    no_args_is_help=True,
)

IdArgument = Annotated[
    str | None, typer.Argument(help="An id to explain; omit to list all.", show_default=False)
]


@app.command()
def services(entry_id: IdArgument = None, catalog_dirs: CatalogOption = None) -> None:
    """List services (one per line: id, service model, name) or explain one.

    Example: trustmap catalog services rds
    """
    from trustmap.render.catalog_text import explain_service, list_services

    catalog = load_catalog_or_exit(catalog_dirs)
    if entry_id is None:
        stdout_write(list_services(catalog))
        return
    text = explain_service(catalog, entry_id)
    if text is None:
        _unknown("service", entry_id, catalog.services)
    stdout_write(text)


@app.command()
def controls(entry_id: IdArgument = None, catalog_dirs: CatalogOption = None) -> None:
    """List controls (one per line: id, category, owner, title) or explain one.

    Example: trustmap catalog controls imdsv2
    """
    from trustmap.render.catalog_text import explain_control, list_controls

    catalog = load_catalog_or_exit(catalog_dirs)
    if entry_id is None:
        stdout_write(list_controls(catalog))
        return
    text = explain_control(catalog, entry_id)
    if text is None:
        _unknown("control", entry_id, catalog.controls)
    stdout_write(text)


@app.command()
def threats(entry_id: IdArgument = None, catalog_dirs: CatalogOption = None) -> None:
    """List threats (one per line: id, STRIDE, severity, title) or explain one.

    Example: trustmap catalog threats unencrypted-flow-crosses-boundary
    """
    from trustmap.render.catalog_text import explain_threat, list_threats

    catalog = load_catalog_or_exit(catalog_dirs)
    if entry_id is None:
        stdout_write(list_threats(catalog))
        return
    text = explain_threat(catalog, entry_id)
    if text is None:
        _unknown("threat", entry_id, catalog.threats)
    stdout_write(text)


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
