"""The catalog ships inside the wheel and is found there, and from a source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from trustmap.catalog import builtin_catalog_dir


def test_catalog_found_in_the_source_checkout() -> None:
    assert builtin_catalog_dir() == ROOT / "models"


@pytest.mark.slow
def test_wheel_contains_the_catalog_and_finds_it(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("trustmap-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "trustmap/_data/models/services.yaml" in names
        assert not any(name.startswith("models/") for name in names)
        archive.extractall(tmp_path / "site")
    probe = (
        "from trustmap.catalog import builtin_catalog_dir, load_catalog;"
        "c = load_catalog(); print(builtin_catalog_dir()); print(len(c.services))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
    )
    where, count = result.stdout.split()
    assert Path(where) == tmp_path / "site" / "trustmap" / "_data" / "models"
    assert int(count) >= 50
