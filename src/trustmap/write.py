"""Write output files atomically, never outside the output directory."""

from __future__ import annotations

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
    """A folder name from a model file stem: no separators, no leading dots, never empty."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".")
    return cleaned or "model"


def write_atomic(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file into `directory` (created if needed); each name must stay inside it."""
    root = directory.resolve()
    targets: list[tuple[Path, bytes]] = []
    for name, content in sorted(files.items()):
        target = (root / name).resolve()
        if root not in target.parents:
            raise UnsafeOutputPathError(f"refusing to write '{name}' outside {directory}")
        targets.append((target, content))
    written = []
    for target, content in targets:
        write_atomic(target, content)
        written.append(target)
    return written
