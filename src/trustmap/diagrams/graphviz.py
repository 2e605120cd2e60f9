"""Run Graphviz `dot` once per view, for every format at once, in a temporary folder.

This is the one place where the program runs Graphviz, and it does so through the `graphviz`
Python package: which binary (`graphviz.backend.DOT_BINARY`, `dot` on PATH), which formats it
knows, how the process is run and its failures reported (`run_check`: `ExecutableNotFound`,
`CalledProcessError` with dot's messages, and the time limit passed on to `subprocess`), and
its version (`graphviz.version()`). The package's `render` and `pipe` make one layout per
format; one layout serves all formats here (`dot -Tsvg -o a.svg -Tpng -o a.png ...`), which
halves the time of a build. The icons are copied under their keys into the temporary folder,
which is dot's working directory, so that neither the outputs nor the DOT source depend on
where Python packages are installed.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import graphviz
from graphviz.backend.execute import run_check

__all__ = [
    "GRAPHVIZ_FORMATS",
    "GraphvizError",
    "GraphvizMissingError",
    "GraphvizOptions",
    "GraphvizTimeoutError",
    "find_dot",
    "graphviz_version",
    "install_hint",
    "run_dot",
]

#: json: the layout itself (positions and sizes), for the OTM and Threat Dragon exports
GRAPHVIZ_FORMATS = ("svg", "png", "pdf", "json")
assert set(GRAPHVIZ_FORMATS) <= graphviz.FORMATS


@dataclass(frozen=True)
class GraphvizOptions:
    timeout: float = 120.0


class GraphvizError(RuntimeError):
    """dot failed; the message says how."""


class GraphvizMissingError(GraphvizError):
    pass


class GraphvizTimeoutError(GraphvizError):
    pass


def install_hint() -> str:
    return (
        f"Graphviz '{graphviz.backend.DOT_BINARY}' was not found, so no images can be drawn; install "
        "Graphviz with 'apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' (macOS) or "
        "from https://graphviz.org/download/ (Windows and others)"
    )


def find_dot() -> str | None:
    """Where the `dot` that the graphviz package runs is, or None when it is not installed."""
    binary: str | Path = graphviz.backend.DOT_BINARY
    return shutil.which(binary)


@functools.cache
def graphviz_version() -> str | None:
    """The version of that `dot` (`2.43.0`), or None without a working Graphviz (asked once
    per process: a build of many models records it in each manifest)."""
    try:
        version: tuple[int, ...] = graphviz.version()
        return ".".join(map(str, version))
    except (graphviz.ExecutableNotFound, subprocess.CalledProcessError, RuntimeError, OSError):
        return None


def _stage_icons(folder: Path, icons: Mapping[str, bytes]) -> None:
    for key, content in sorted(icons.items()):
        relative = PurePosixPath(key)
        if relative.is_absolute() or ".." in relative.parts:
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def run_dot(
    source: str,
    formats: Sequence[str],
    icons: Mapping[str, bytes],
    options: GraphvizOptions,
    what: str = "diagram",
) -> dict[str, bytes]:
    """The rendered bytes of `source` in each of `formats` (svg, png, pdf), from one dot run.

    Raises GraphvizMissingError, GraphvizTimeoutError or GraphvizError with a message for the user.
    """
    unknown = sorted(set(formats) - set(GRAPHVIZ_FORMATS))
    if unknown:
        raise ValueError(f"unsupported Graphviz formats: {unknown}")
    if not formats:
        return {}
    with tempfile.TemporaryDirectory(prefix="trustmap-dot-") as temporary:
        folder = Path(temporary)
        _stage_icons(folder, icons)
        (folder / "view.dot").write_text(source, encoding="utf-8")
        command: list[str | Path] = [graphviz.backend.DOT_BINARY]
        for fmt in formats:
            command.extend([f"-T{fmt}", "-o", f"view.{fmt}"])
        command.append("view.dot")
        try:
            # In a session of its own: a Ctrl-C to the terminal's process group must not reach
            # dot, whose SIGINT handler renders a partial image from inside the handler and can
            # deadlock there (Graphviz 2.43: a build waited for the time limit). trustmap stops
            # on the interrupt and waits for the layouts already running, each within the limit.
            run_check(
                command,
                cwd=folder,
                capture_output=True,
                quiet=True,
                timeout=options.timeout,
                start_new_session=True,
            )
        except graphviz.ExecutableNotFound:
            raise GraphvizMissingError(install_hint()) from None
        except subprocess.TimeoutExpired:
            raise GraphvizTimeoutError(
                f"Graphviz took longer than {options.timeout:g} s to lay out the {what}; "
                "raise --graphviz-timeout, or split the model into smaller boundaries"
            ) from None
        except subprocess.CalledProcessError as failed:
            detail = (failed.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-3:]
            raise GraphvizError(
                f"Graphviz failed on the {what} (exit status {failed.returncode}): " + " | ".join(detail)
            ) from None
        except OSError as error:
            raise GraphvizError(f"cannot run Graphviz '{graphviz.backend.DOT_BINARY}': {error}") from None
        return {fmt: (folder / f"view.{fmt}").read_bytes() for fmt in formats}
