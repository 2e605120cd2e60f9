"""Same input, same bytes: nothing from the environment leaks into the outputs.

Two builds of the same model in fresh processes that differ in everything that should not
matter: hash seed (set and dict ordering), time zone, locale, working directory, how the
model path is written, the output directory's absolute path. Every file must be identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, TODAY


def _build(root: Path, out: str, env: dict[str, str]) -> dict[str, bytes]:
    """Build `root/models/shop.yaml` from `root/work` (the model path as written is the same)."""
    (root / "models").mkdir(parents=True)
    shutil.copy(EXAMPLES / "shop.yaml", root / "models" / "shop.yaml")
    (root / "work").mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "trustmap",
            "build",
            "../models/shop.yaml",
            "-o",
            out,
            "--today",
            TODAY.isoformat(),
        ],
        cwd=root / "work",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    folder = (root / "work" / out).resolve()
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_environment(tmp_path: Path) -> None:
    one = _build(tmp_path / "a", "out", {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C"})
    two = _build(
        tmp_path / "deeper" / "b",
        str(tmp_path / "deeper" / "b" / "elsewhere"),
        {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"},
    )
    assert one.keys() == two.keys()
    different = [name for name in one if one[name] != two[name]]
    assert not different, different
    for name, content in one.items():
        assert str(tmp_path).encode() not in content, f"{name} holds an absolute path"
