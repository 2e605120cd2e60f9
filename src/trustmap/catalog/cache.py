"""The compiled catalog, cached between runs in the user's cache directory.

Reading, checking and compiling the 29 catalog files costs more than the rest of
`trustmap validate` on a small model, so the compiled `Catalog` is kept, pickled, in a file
named after a key: the digest of every catalog file's name and bytes, trustmap's version, the
source of the modules whose classes the file holds, and the Python and pydantic versions. A
changed file, another trustmap version or another interpreter gives another key, so two
versions can share the directory and an entry is never stale.

The cache is an optimisation only: a directory that is missing, read-only, not ours or
writable by others, and an entry that is truncated, corrupt or unreadable, all fall back
silently to compiling. An entry is written to a temporary file and renamed into place, so a
reader never sees half of one. Its payload is checked against a SHA-256 digest before it is
unpickled, and only files owned by the user in a directory no one else can write are read:
unpickling runs code, so the cache must be as trusted as the user's own files.

The directory stays small: each write keeps the most recently used entries (a user editing a
`--catalog` layer makes an entry at every change) and removes the temporary files of writers
that died; reading an entry marks it used (at most once a minute).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trustmap.catalog.load import Catalog

__all__ = ["KEEP_ENTRIES", "cache_key", "default_cache_dir", "read_cached", "write_cached"]

#: changed when the layout of a cache file changes
_FORMAT = b"trustmap-catalog-cache 1\n"
#: the modules that define the classes a cached catalog holds: a change to one changes the key
_PICKLED_MODULES = (
    "catalog/load.py",
    "catalog/schema.py",
    "diagnostics.py",
    "findings.py",
    "model.py",
    "source.py",
)
_DIGEST_BYTES = 32
#: entries kept after a write, the most recently used (several versions and layers side by side)
KEEP_ENTRIES = 16
#: a temporary file older than this was left by a writer that died
_ABANDONED_SECONDS = 3600.0
#: a read entry's time (which orders the entries for pruning) is refreshed at most this often
_MARK_USED_SECONDS = 60.0
#: the names `_entry` and `write_cached`'s temporary files have (tempfile: 8 random characters)
_ENTRY_NAME = re.compile(r"catalog-[0-9a-f]{32}\.pickle")
_TEMPORARY_NAME = re.compile(r"\.catalog-[a-z0-9_]{8}\.tmp")


def default_cache_dir(environ: dict[str, str] | None = None) -> Path | None:
    """Where trustmap keeps its cache, as platformdirs would put it: `$XDG_CACHE_HOME/trustmap`
    (or `~/.cache/trustmap`) on Linux and other Unixes, `~/Library/Caches/trustmap` on macOS,
    `%LOCALAPPDATA%\\trustmap\\Cache` on Windows. `TRUSTMAP_CACHE_DIR` overrides it; set to an
    empty string it turns the cache off (None)."""
    env = os.environ if environ is None else environ
    override = env.get("TRUSTMAP_CACHE_DIR")
    if override is not None:
        return Path(override) if override else None
    if sys.platform == "win32":
        local = env.get("LOCALAPPDATA")
        return Path(local) / "trustmap" / "Cache" if local else None
    home = env.get("HOME")
    if sys.platform == "darwin":
        return Path(home) / "Library" / "Caches" / "trustmap" if home else None
    xdg = env.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec: a relative path is invalid and ignored
        return Path(xdg) / "trustmap"
    return Path(home) / ".cache" / "trustmap" if home else None


def cache_key(files: Iterable[tuple[str, bytes]]) -> str:
    """The key of a catalog made of `files` (each shown name and its bytes, in reading order)."""
    from pydantic.version import VERSION as PYDANTIC_VERSION

    from trustmap import __version__

    digest = hashlib.sha256(_FORMAT)
    for part in (__version__, sys.version, PYDANTIC_VERSION):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parents[1]
    for module in _PICKLED_MODULES:
        digest.update(module.encode() + b"\0" + hashlib.sha256((package / module).read_bytes()).digest())
    for shown, raw in files:
        digest.update(shown.encode() + b"\0" + hashlib.sha256(raw).digest())
    return digest.hexdigest()


def _entry(directory: Path, key: str) -> Path:
    return directory / f"catalog-{key[:32]}.pickle"


def _private(info: os.stat_result) -> bool:
    """The user's, and no one else can write it (Windows: the per-user LOCALAPPDATA is private
    by default)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted(path: Path) -> bool:
    """The directory and the file are the user's and no one else can write them."""
    for item in (path.parent, path):
        info = os.stat(item, follow_symlinks=False)
        if not _private(info) or (item is path and not stat.S_ISREG(info.st_mode)):
            return False
    return True


def _mark_used(path: Path) -> None:
    """Refresh the entry's time (it orders the entries for pruning) unless it is a minute old
    or less: one `utime` for a run, none for the runs of a batch that follow it."""
    try:
        if time.time() - path.stat().st_mtime > _MARK_USED_SECONDS:
            os.utime(path)
    except OSError:  # a read-only cache is still read
        pass


def _ours(info: os.stat_result) -> bool:
    """A regular file of the user's (on Windows, the per-user cache directory is private)."""
    return stat.S_ISREG(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid())


def _prune(directory: Path, written: Path) -> None:
    """Keep the `KEEP_ENTRIES` most recently used entries (the one just written among them) and
    remove temporary files abandoned by writers that died. Only in a directory that reads trust
    (the user's, no one else can write it), and only the user's regular files named exactly as
    this module names them: a file of the user's own that looks like an entry is left alone."""
    if not _private(os.stat(directory, follow_symlinks=False)):
        return
    now = time.time()
    entries: list[tuple[float, str, Path]] = []
    for path in directory.iterdir():
        is_entry = _ENTRY_NAME.fullmatch(path.name) is not None
        if not (is_entry or _TEMPORARY_NAME.fullmatch(path.name)) or path == written:
            continue
        try:
            info = os.stat(path, follow_symlinks=False)
            if not _ours(info):
                continue
            if not is_entry and now - info.st_mtime > _ABANDONED_SECONDS:
                path.unlink()
        except OSError:
            continue
        if is_entry:
            # a time in the future (a clock set back, a restored CI cache) counts as now
            entries.append((min(info.st_mtime, now), path.name, path))
    entries.sort(reverse=True)
    for _, _, path in entries[KEEP_ENTRIES - 1 :]:
        with contextlib.suppress(OSError):  # another process removed it first
            path.unlink()


def read_cached(directory: Path, key: str) -> Catalog | None:
    """The catalog cached under `key`, or None when there is none that can be trusted."""
    from trustmap.catalog.load import Catalog

    path = _entry(directory, key)
    try:
        if not _trusted(path):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    header = _FORMAT + key.encode() + b"\n"
    body = data[len(header) :]
    if not data.startswith(header) or len(body) < _DIGEST_BYTES:
        return None
    digest, payload = body[:_DIGEST_BYTES], body[_DIGEST_BYTES:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        catalog = pickle.loads(payload)  # noqa: S301 - our own file, checked above
    except Exception:  # a cache must never break a run: anything unreadable is compiled again
        return None
    if not isinstance(catalog, Catalog):
        return None
    _mark_used(path)
    return catalog


def write_cached(directory: Path, key: str, catalog: Catalog) -> None:
    """Keep `catalog` under `key`; any failure (read-only, full, missing parent) is ignored."""
    temporary = None
    try:
        payload = pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)
        data = _FORMAT + key.encode() + b"\n" + hashlib.sha256(payload).digest() + payload
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=directory)
        temporary = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, _entry(directory, key))
        temporary = None
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _prune(directory, _entry(directory, key))
