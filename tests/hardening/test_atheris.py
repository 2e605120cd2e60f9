"""The atheris target runs (a short libFuzzer session seeded with the examples)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import example_paths

TARGET = Path(__file__).with_name("fuzz_loader.py")


@pytest.mark.slow
def test_atheris_target_runs_clean(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris is optional: pip install -e '.[fuzz]'")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in example_paths():
        shutil.copy(path, corpus / path.name)
    result = subprocess.run(
        [sys.executable, str(TARGET), "-runs=300", "-seed=1", "-timeout=20", "-rss_limit_mb=1024",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 300 runs" in result.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))
