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
        # The process ends next. Its shutdown runs full cyclic collections over every object
        # still alive (0.1 s after a 1,000-component checklist) to free memory the system takes
        # back anyway; frozen objects are left out. So are the finalisers of garbage only that
        # collector would free: trustmap closes its files and ends its processes explicitly.
        gc.freeze()


if __name__ == "__main__":
    run()
