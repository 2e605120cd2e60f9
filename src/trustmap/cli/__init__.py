"""The `trustmap` command line: thin commands over the library; nothing imports this package.

`app` and `main` are imported on first use, so that `cli.quick` (validation without typer)
can run without the typer application being built.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from trustmap.cli import application

        return getattr(application, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
