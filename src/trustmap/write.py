"""Write output files atomically, never outside the output directory."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["UnsafeOutputPathError", "safe_stem", "write_atomic", "write_files"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafeOutputPathError(ValueError):
    """A file name would leave the output directory."""


def safe_stem(name: str) -> str:
    """A folder name from a model file stem: no separators, never empty, and no leading dot or
    dash (a hidden folder, or one that shell commands would take for an option)."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".-")
    return cleaned or "model"


def write_atomic(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`."""
    temporary = _stage(path, content)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _stage(path: Path, content: bytes) -> Path:
    """`content` in a temporary file beside `path` (same directory, so a rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_files(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file into `directory` (created if needed), all or nothing.

    Each name must stay inside the directory. Every file is first written to a temporary file;
    only when all are written are they renamed into place. If a rename fails half-way, the
    files already replaced get their previous content back, so a failed run leaves the
    earlier outputs as they were and no temporary file behind.
    """
    root = directory.resolve()
    targets: list[tuple[Path, bytes]] = []
    for name, content in sorted(files.items()):
        target = (root / name).resolve()
        if root not in target.parents:
            raise UnsafeOutputPathError(f"refusing to write '{name}' outside {directory}")
        targets.append((target, content))
    staged: list[tuple[Path, Path]] = []
    try:
        for target, content in targets:
            staged.append((_stage(target, content), target))
        _swap_in(staged)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [target for target, _ in targets]


def _swap_in(staged: list[tuple[Path, Path]]) -> None:
    """Rename each temporary file over its target; undo them all if one fails."""
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for temporary, target in staged:
            previous = target.read_bytes() if target.is_file() else None
            replaced.append((target, previous))
            os.replace(temporary, target)
    except BaseException:
        for target, previous in reversed(replaced):
            with contextlib.suppress(OSError):  # best effort: the first error is the one to report
                if previous is None:
                    target.unlink(missing_ok=True)
                else:
                    write_atomic(target, previous)
        raise
