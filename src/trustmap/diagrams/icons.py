"""Icons: the PNG files bundled with the `diagrams` package, found through its classes.

A catalog service names a class such as `diagrams.aws.compute.EC2`; the class knows its icon as
`_icon_dir` (`resources/aws/compute`) and `_icon` (`ec2.png`), relative to site-packages. The
DOT source refers to an icon by its *key*, the path below `resources/` (`aws/compute/ec2.png`),
so that it never holds an absolute path; the renderer copies the files under their keys into
the folder where Graphviz runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

__all__ = ["icon_files", "icon_key"]

_RESOURCES = "resources"


def _icon_class(class_path: str) -> object | None:
    module_name, _, class_name = class_path.rpartition(".")
    if not module_name.startswith("diagrams."):
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, class_name, None)


def icon_key(class_path: str | None) -> str | None:
    """`aws/compute/ec2.png` for `diagrams.aws.compute.EC2`; None when it cannot be resolved."""
    if not class_path:
        return None
    found = _icon_class(class_path)
    icon_dir = getattr(found, "_icon_dir", None)
    icon = getattr(found, "_icon", None)
    if not isinstance(icon_dir, str) or not isinstance(icon, str):
        return None
    parts = PurePosixPath(icon_dir, icon).parts
    if len(parts) < 2 or parts[0] != _RESOURCES or ".." in parts:
        return None
    return PurePosixPath(*parts[1:]).as_posix()


def _resources_dir() -> Path | None:
    try:
        import diagrams
    except ImportError:
        return None
    return Path(diagrams.__file__).resolve().parent.parent / _RESOURCES


def icon_files(keys: Iterable[str]) -> dict[str, bytes]:
    """The PNG bytes of each key that exists in the installed package (missing ones are left out)."""
    root = _resources_dir()
    found: dict[str, bytes] = {}
    if root is None:
        return found
    for key in sorted(set(keys)):
        path = root / key
        if path.is_file():
            found[key] = path.read_bytes()
    return found
