"""Run Graphviz `dot` once per view, for every format at once, in a temporary folder.

One layout serves all formats (`dot -Tsvg -o a.svg -Tpng -o a.png ...`). The icons are copied
under their keys into the temporary folder, which is dot's working directory, so that neither
the outputs nor the DOT source depend on where Python packages are installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "GRAPHVIZ_FORMATS",
    "GraphvizError",
    "GraphvizMissingError",
    "GraphvizOptions",
    "GraphvizTimeoutError",
    "find_dot",
    "install_hint",
    "run_dot",
]

GRAPHVIZ_FORMATS = ("svg", "png", "pdf")


@dataclass(frozen=True)
class GraphvizOptions:
    dot_binary: str = "dot"
    timeout: float = 120.0


class GraphvizError(RuntimeError):
    """dot failed; the message says how."""


class GraphvizMissingError(GraphvizError):
    pass


class GraphvizTimeoutError(GraphvizError):
    pass


def install_hint(dot_binary: str) -> str:
    return (
        f"Graphviz '{dot_binary}' was not found, so no images can be drawn; install Graphviz with "
        "'apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' (macOS) or from "
        "https://graphviz.org/download/ (Windows and others)"
    )


def find_dot(dot_binary: str) -> str | None:
    return shutil.which(dot_binary)


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
    binary = find_dot(options.dot_binary)
    if binary is None:
        raise GraphvizMissingError(install_hint(options.dot_binary))
    with tempfile.TemporaryDirectory(prefix="trustmap-dot-") as temporary:
        folder = Path(temporary)
        _stage_icons(folder, icons)
        (folder / "view.dot").write_text(source, encoding="utf-8")
        command = [binary]
        for fmt in formats:
            command.extend([f"-T{fmt}", "-o", f"view.{fmt}"])
        command.append("view.dot")
        try:
            done = subprocess.run(
                command, cwd=folder, capture_output=True, timeout=options.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise GraphvizTimeoutError(
                f"Graphviz took longer than {options.timeout:g} s to lay out the {what}; "
                "raise --graphviz-timeout, or split the model into smaller boundaries"
            ) from None
        except OSError as error:
            raise GraphvizError(f"cannot run Graphviz '{binary}': {error}") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise GraphvizError(
                f"Graphviz failed on the {what} (exit status {done.returncode}): " + " | ".join(detail)
            )
        return {fmt: (folder / f"view.{fmt}").read_bytes() for fmt in formats}
