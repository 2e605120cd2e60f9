"""The `trustmap` command line: thin commands over the library; nothing imports this package."""

from __future__ import annotations

from trustmap.cli.app import app, main

__all__ = ["app", "main"]
