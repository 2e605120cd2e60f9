"""Read an input file (a model, a catalog file, a template, a mapping table) safely.

Only regular files are read, and never more than the size limit plus one byte: a device
(`/dev/zero`), a pipe or a socket would otherwise be read until memory runs out, or block
forever (a FIFO without a writer). The file is opened without blocking, checked with `fstat`
on the open descriptor (so a link that is swapped after the check changes nothing), and
refused with a positioned diagnostic: E000 when it cannot be read, E007 when it is too large.
`read_input_text` also decodes it, with the E004 every reader gives for bytes that are not UTF-8.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trustmap.diagnostics import Diagnostic, Span
from trustmap.source import Limits, decode_text, too_large

__all__ = ["read_input_file", "read_input_text"]

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_input_file(
    path: Path, shown: str, limits: Limits = Limits(), *, follow_links: bool = True
) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of the file at `path` (shown as `shown` in messages), or None and why not.

    `follow_links=False` refuses a symbolic link (for files a build finds in its own output
    folder, where a link may have been planted)."""

    def refused(code: str, message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(code, message, shown, Span.point(1, 1))]

    try:
        handle = os.open(path, _FLAGS | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0)))
    except OSError as error:
        return refused("E000", f"cannot read the file: {error.strerror or error}")
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            # A folder of models is named by its files, as a shell expands them.
            hint = f"; name the files in it ({shown}/*.yaml)" if stat.S_ISDIR(info.st_mode) else ""
            return refused(
                "E000", f"cannot read the file: it is {_kind(info.st_mode)}, not a regular file{hint}"
            )
        if info.st_size > limits.max_bytes:
            return refused("E007", too_large(info.st_size, limits))
        chunks: list[bytes] = []
        remaining = limits.max_bytes + 1  # one more byte tells a file that grew since fstat
        while remaining > 0 and (chunk := os.read(handle, min(remaining, _CHUNK))):
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        return refused("E000", f"cannot read the file: {error.strerror or error}")
    finally:
        os.close(handle)
    raw = b"".join(chunks)
    if len(raw) > limits.max_bytes:
        return refused("E007", too_large(len(raw), limits))
    return raw, []


def read_input_text(path: Path, shown: str, limits: Limits = Limits()) -> tuple[str | None, list[Diagnostic]]:
    """The text of the file at `path`, or None and why not: E000 or E007 as `read_input_file`,
    E004 at the line and column of the first byte that is not UTF-8 (`source.decode_text`)."""
    raw, unreadable = read_input_file(path, shown, limits)
    if raw is None:
        return None, unreadable
    return decode_text(shown, raw)
