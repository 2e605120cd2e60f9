"""`python -m trustmap`, and the `trustmap` command (the entry point in pyproject.toml)."""

from __future__ import annotations

import gc
import os
import signal
import sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C before `cli.main` takes the signals over (while its imports run) ends the command
    as `main` would, without a traceback: nothing has been read or written yet."""
    os.write(2, b"trustmap: interrupted (SIGINT) while starting; nothing was written\n")
    os._exit(128 + signum)


def run() -> None:
    """The command: the early Ctrl-C handler first, then the command line (typer and pydantic
    take a noticeable part of a second to import); `trustmap validate FILE...` runs without
    typer (`cli.quick`). An ignored SIGINT (`nohup`) stays ignored;
    SIGTERM's default already ends the process without a traceback."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted_while_starting)
    try:
        from trustmap.cli.quick import quick

        if quick(sys.argv[1:]):
            return
        from trustmap.cli.application import main

        main()
    finally:
        _spare_the_final_collections()


def _spare_the_final_collections() -> None:
    """The process ends next. Python's shutdown runs full cyclic collections over every object
    still alive (modules, classes, the compiled catalog: 0.1 s of a 1,000-component checklist's
    1 s) to free memory the system takes back anyway; frozen objects are left out of them.
    Nothing else is skipped: atexit handlers run and streams are flushed as before, and
    reference counting still frees (and finalises) what it frees."""
    gc.freeze()


if __name__ == "__main__":
    run()
