"""Ctrl-C (SIGINT) and SIGTERM: one exception for both, and blocks that they cannot split.

`timeout`, `docker stop` and CI cancellation send SIGTERM, which by default ends Python at
once: no `finally`, no cleanup, hidden temporaries and half-swapped output folders left
behind. Under `interrupts_raise()` both signals raise `Interrupted` instead, so every
cleanup runs. `interrupts_deferred()` holds both back for a short critical section (swapping
a folder of outputs in), and delivers them when it ends, so a folder is either all old or all
new. Signal handlers belong to the main thread: elsewhere both are no-ops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

__all__ = ["SIGNALS", "Interrupted", "interrupts_deferred", "interrupts_raise"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was interrupted by `signum`; like KeyboardInterrupt, not an error to catch."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    # One interrupt is enough: a second one (a process pool terminates its workers again, a
    # user presses Ctrl-C twice) must not cut the cleanups short.
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def interrupts_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` inside the block, once: after the first, both are
    ignored until the block ends (signals ignored before stay ignored)."""
    if not _in_main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    armed = [s for s, handler in previous.items() if handler != signal.SIG_IGN]
    for s in armed:
        signal.signal(s, _raise)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _delivered_again(armed, previous_hook)
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for s, handler in previous.items():
            signal.signal(s, handler)


def _delivered_again(armed: Sequence[int], previous_hook: Callable[[Any], Any]) -> Callable[[Any], None]:
    """An unraisable-exception hook for an `Interrupted` raised where Python cannot let it
    propagate (a weakref callback of the import system, a finaliser): instead of printing it
    as "Exception ignored" with a traceback, arm the handlers again and send the signal again,
    from a thread, so that it is raised once that callback is over, in the code it interrupted."""

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Interrupted):
            previous_hook(unraisable)
            return
        for s in armed:
            signal.signal(s, _raise)
        threading.Thread(target=_send_later, args=(unraisable.exc_value.signum,), daemon=True).start()

    return hook


def _send_later(signum: int) -> None:
    # a moment later: the hook has returned by then, so the handler runs in the interrupted
    # code rather than in the hook, where it would be unraisable again
    time.sleep(0.02)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM that arrive inside the block take effect when it ends."""
    if not _in_main_thread():
        yield
        return
    pending: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous: dict[int, Any] = {s: signal.getsignal(s) for s in SIGNALS}
    for s, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(s, remember)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            _deliver(pending[0], previous[pending[0]])


def _deliver(signum: int, handler: Any) -> None:
    """Act on a signal held back, as its handler would have."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
