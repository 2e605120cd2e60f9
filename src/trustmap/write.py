"""Write output files atomically, never outside the output directory.

A model's outputs go into one folder, `DIR/<stem>/`. That folder is opened once, without
following a symbolic link (a repository can commit `output/shop -> ../../elsewhere`), and
every file is then created, renamed and removed relative to the open folder, so no link at
or below it is ever followed, whatever appears there while the build runs.

Writing a folder is one transaction, with the folder locked (`flock`) against other trustmap
runs: temporaries that an earlier run left behind (it was killed) are removed, every file is
staged, and then, with SIGINT and SIGTERM held back, the old marker file (the build manifest)
is set aside first, the files are swapped in, the files of the earlier run that this one does
not write are set aside, and the new marker is written last. Any failure puts everything
back. So a folder that holds a marker holds exactly the files that the marker describes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from trustmap.interrupts import interrupts_deferred

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one run at a time
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FileId",
    "UnsafeOutputPathError",
    "file_id",
    "is_plain_name",
    "is_stream",
    "safe_stem",
    "write_atomic",
    "write_files",
]

#: what makes a file itself, whatever path leads to it (device, inode): an output must never
#: be one of the run's inputs, by any name or link
FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """The identity of the file at `path` (links followed), or None when there is none."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


#: what a folder name of a model keeps: letters and digits of any script, `_`, `.`, `-` and
#: spaces (outputs.md: `DIR/<model file stem>/`); separators, controls and the rest become `_`
_UNSAFE = re.compile(r"[^\w. -]+")
#: the temporaries of `_stage_in` and `tempfile.mkstemp`: `.<name>.<8 characters>.tmp`
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)


class UnsafeOutputPathError(ValueError):
    """A file name would leave the output directory, or a link sits where an output goes."""


def safe_stem(name: str) -> str:
    """A folder name from a model file stem: the stem itself where it is a plain name (`café`,
    `shop v2`), no separators or controls, never empty, no space at either end, and no leading
    dot or dash (a hidden folder, or one that shell commands would take for an option)."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).lstrip(" .-").rstrip(" ")
    return cleaned or "model"


#: names of a process's own open files (`-o /dev/stdout`): written through, whatever they lead to
_DESCRIPTOR_NAME = re.compile(r"/dev/(?:stdout|stderr|fd/[0-9]+)|/proc/(?:self|thread-self|[0-9]+)/fd/[0-9]+")


def is_stream(path: Path) -> bool:
    """Whether `path` is written into rather than replaced: a character device (`/dev/null`,
    a terminal), a FIFO, or a name of an open file of the process (`/dev/stdout`)."""
    if _DESCRIPTOR_NAME.fullmatch(os.path.abspath(path)):
        return True
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_atomic(path: Path, content: bytes, protected: Collection[FileId] = ()) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    A link at `path` is replaced by the file, never written through; a file whose identity is
    in `protected` (an input) is refused. Temporaries of `path` that a killed run left behind
    are removed first, with the folder locked. A stream (`is_stream`: `-o /dev/null`, a FIFO)
    is written into, never replaced; anything else that is not a regular file (a folder, a
    socket, a block device) is refused.
    """
    if file_id(path) in protected:
        raise UnsafeOutputPathError(
            f"refusing to write over {path}: it is an input of this run; write the output elsewhere"
        )
    if is_stream(path):
        _write_into(path, content)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = os.open(path.parent, _DIRECTORY_FLAGS)
    try:
        with _locked(folder):
            if file_id(path) in protected:
                raise UnsafeOutputPathError(
                    f"refusing to write over {path}: it is an input of this run; write the output elsewhere"
                )
            _check_replaceable(folder, path)
            _remove_stale_temporaries(folder, path.name)
            staged: list[str] = []
            try:
                temporary = _stage_in(folder, path.name, content, staged)
                os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                for name in staged:
                    _unlink(folder, name)
                raise
    finally:
        os.close(folder)


def _write_into(path: Path, content: bytes) -> None:
    """`content` written into the stream at `path`, as a shell's `>` would: opened without
    creating anything, appended to what a descriptor name leads to (a redirected standard
    output keeps what was printed before)."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "wb") as stream:
        mode = os.fstat(handle).st_mode
        # What was opened is what counts: a regular file that took the device's place since
        # the check is appended to only through a descriptor name, never truncated or replaced.
        named = _DESCRIPTOR_NAME.fullmatch(os.path.abspath(path))
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or named):
            raise UnsafeOutputPathError(f"{path} changed while it was opened; nothing was written")
        stream.write(content)


def _check_replaceable(folder: int, path: Path, *, fifo: bool = False) -> None:
    """Refuse to rename over what is neither absent, a regular file nor a link (a folder, a
    socket, a device): replacing it would destroy it. `fifo`: a FIFO may be replaced (one
    planted in a build's own folder is set aside like any earlier file, never opened)."""
    try:
        mode = os.stat(path.name, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise UnsafeOutputPathError(f"{path} is a directory; name a file")
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or (fifo and stat.S_ISFIFO(mode))):
        raise UnsafeOutputPathError(f"{path} is not a regular file; trustmap never replaces one")


def is_plain_name(name: str) -> bool:
    """A file name that stays in its folder: no separator, not `.` or `..`, not empty."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


def _check_name(name: str, directory: Path) -> None:
    if not is_plain_name(name):
        raise UnsafeOutputPathError(f"refusing to write '{name}' outside {directory}: not a plain file name")


def _check_not_input(folder: int, name: str, shown: Path, protected: Collection[FileId]) -> None:
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return
    if (info.st_dev, info.st_ino) in protected:
        raise UnsafeOutputPathError(
            f"refusing to write over {shown}: it is an input of this run; choose another output folder"
        )


@contextlib.contextmanager
def _open_folder(directory: Path) -> Iterator[int]:
    """A descriptor of `directory` (created if missing), opened without following a link."""
    absolute = Path(os.path.abspath(directory))
    absolute.parent.mkdir(parents=True, exist_ok=True)  # the -o folder: where it leads is the user's choice
    parent = os.open(absolute.parent, _DIRECTORY_FLAGS)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(absolute.name, 0o777, dir_fd=parent)
        try:
            folder = os.open(absolute.name, _DIRECTORY_FLAGS | getattr(os, "O_NOFOLLOW", 0), dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(absolute.name, parent):
                raise UnsafeOutputPathError(
                    f"{directory} is a symbolic link: trustmap never writes through a link in its output "
                    "folder; remove the link or choose another -o"
                ) from None
            raise
    finally:
        os.close(parent)
    try:
        yield folder
    finally:
        os.close(folder)


def _is_regular(name: str, folder: int) -> bool:
    try:
        return stat.S_ISREG(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def _stage_in(folder: int, name: str, content: bytes, staged: list[str]) -> str:
    """`content` in a new temporary file of the open folder; its name. The name is added to
    `staged` before the file exists, so that an interrupt at any instant leaves nothing the
    caller's cleanup of `staged` misses (removing a name never created does nothing)."""
    while True:
        temporary = f".{name}.{secrets.token_hex(4)}.tmp"
        staged.append(temporary)
        try:
            handle = os.open(temporary, _NEW_FILE_FLAGS, 0o644, dir_fd=folder)
            break
        except FileExistsError:
            staged.pop()  # not ours: never to be removed
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fchmod(stream.fileno(), 0o644)
            os.fsync(stream.fileno())
    except BaseException:
        _unlink(folder, temporary)
        raise
    return temporary


def _unlink(folder: int, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


@contextlib.contextmanager
def _locked(folder: int) -> Iterator[None]:
    """The folder locked against other trustmap runs writing into it (advisory, `flock`)."""
    if fcntl is None:
        yield
        return
    fcntl.flock(folder, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(folder, fcntl.LOCK_UN)


def _remove_stale_temporaries(folder: int, of: str | None = None) -> None:
    """Temporaries left by a run that was killed (of the file `of`, or of any): with the folder
    locked, none is in use."""
    for name in os.listdir(folder):
        if _TEMPORARY.fullmatch(name) and (of is None or name.startswith(f".{of}.")):
            with contextlib.suppress(OSError):  # a regular file only, never a link or a folder
                if stat.S_ISREG(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
                    os.unlink(name, dir_fd=folder)


def write_files(
    directory: Path,
    files: Mapping[str, bytes],
    *,
    marker: tuple[str, bytes] | None = None,
    remove: Collection[str] = (),
    protected: Collection[FileId] = (),
) -> list[Path]:
    """Write every file into `directory` (created if needed), all or nothing.

    Names are plain file names. Every file is first written to a temporary file; only when all
    are written are they renamed into place. If a rename fails half-way, the files already
    replaced get their previous content back, so a failed run leaves the earlier outputs as
    they were and no temporary file behind. A link at `directory` or at one of the files is
    refused, never followed.

    `marker` (a name and its content) is written after every other file and the previous one
    is set aside before any, so it is only ever beside a complete set; the names in `remove`
    (files of an earlier run that this one does not make) go in the same transaction. No file
    whose identity is in `protected` (the run's inputs) is ever replaced or removed.
    """
    names = [*files, *remove, *([marker[0]] if marker else [])]
    for name in names:
        _check_name(name, directory)
    with _open_folder(directory) as folder, _locked(folder):
        _remove_stale_temporaries(folder)
        for name in sorted(names):
            if _is_link(name, folder):
                raise UnsafeOutputPathError(
                    f"{directory / name} is a symbolic link: trustmap never writes through a link in its "
                    "output folder; remove it"
                )
            _check_not_input(folder, name, directory / name, protected)
            _check_replaceable(folder, directory / name, fifo=True)
        temporaries: list[str] = []
        try:
            staged = [(_stage_in(folder, name, files[name], temporaries), name) for name in sorted(files)]
            new_marker = (_stage_in(folder, marker[0], marker[1], temporaries), marker[0]) if marker else None
            with interrupts_deferred():
                gone = sorted(n for n in set(remove) - set(files) if _is_regular(n, folder))
                _swap_in(folder, staged, gone, new_marker)
            os.fsync(folder)
        finally:
            for temporary in temporaries:  # those swapped in no longer exist under this name
                _unlink(folder, temporary)
    return [directory / name for name in sorted(files)]


def _keep_previous(folder: int, name: str) -> str | None:
    """A hard link to the current file `name` (None when there is none), to restore it from."""
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    backup = f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        os.link(name, backup, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except OSError:  # a file system without hard links: keep a copy of the bytes instead
        handle = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0), dir_fd=folder)
        with os.fdopen(handle, "rb") as stream:
            backup = _stage_in(folder, name, stream.read(), [])  # signals are deferred here
    return backup


def _set_aside(folder: int, name: str) -> str | None:
    """Rename the file `name` to a hidden backup (None when there is no such file)."""
    backup = f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        os.rename(name, backup, src_dir_fd=folder, dst_dir_fd=folder)
    except FileNotFoundError:
        return None
    return backup


def _swap_in(
    folder: int, staged: list[tuple[str, str]], remove: list[str], marker: tuple[str, str] | None
) -> None:
    """The transaction: the old marker aside, each staged file over its target, the files to
    remove aside, the new marker in; undone entirely if any step fails."""
    done: list[tuple[str, str | None]] = []
    try:
        if marker is not None:
            done.append((marker[1], _set_aside(folder, marker[1])))
        for temporary, name in staged:
            backup = _keep_previous(folder, name)
            try:
                os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                # Not replaced (an immutable file, a full disk): the previous file is still
                # there, so there is nothing to put back, and its backup goes.
                if backup is not None:
                    _unlink(folder, backup)
                raise
            done.append((name, backup))
        for name in remove:
            done.append((name, _set_aside(folder, name)))
        if marker is not None:
            os.replace(marker[0], marker[1], src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        _undo(folder, done, marker_first=marker is not None)
        raise
    for _, backup in done:
        if backup is not None:
            _unlink(folder, backup)


def _undo(folder: int, done: list[tuple[str, str | None]], *, marker_first: bool) -> None:
    """Put the previous files back (best effort: the first error is the one to report; a
    previous file that cannot be put back stays in its hidden backup, and then the previous
    marker stays aside too, since it would no longer describe the folder)."""
    complete = True
    for index, (name, backup) in enumerate(reversed(done)):
        if marker_first and index == len(done) - 1 and not complete:
            _unlink(folder, name)
            break
        try:
            if backup is None:
                _unlink(folder, name)
            else:
                os.replace(backup, name, src_dir_fd=folder, dst_dir_fd=folder)
                # A rename between two links to one file does nothing: drop the backup's name.
                _unlink(folder, backup)
        except OSError:
            complete = False
