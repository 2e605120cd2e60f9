"""Offline guarantee: building every example never touches the network.

Every way a Python process reaches the network goes through `socket`: connecting, sending to
an address, resolving a name. The guard makes each of them raise (and records the attempt),
first inside this process, then in a fresh process tree through `sitecustomize`, so that worker
processes (`--jobs`) are covered too. Graphviz runs as a separate program; it never opens a
socket for the files we give it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY, example_paths
from trustmap.cli import app

GUARD = textwrap.dedent(
    """
    import socket, sys

    def _blocked(*args, **kwargs):
        sys.stderr.write(f"NETWORK BLOCKED: {args!r}\\n")
        raise OSError("trustmap must work offline: network access blocked by the test")

    socket.socket.connect = _blocked
    socket.socket.connect_ex = _blocked
    socket.socket.sendto = _blocked
    socket.getaddrinfo = _blocked
    socket.gethostbyname = _blocked
    socket.create_connection = _blocked
    """
)


class _Attempts:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def guard(self, name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args))
            raise OSError(f"network access blocked by the test ({name})")

        return blocked


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> _Attempts:
    attempts = _Attempts()
    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, attempts.guard(f"socket.{name}"))
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, attempts.guard(name))
    return attempts


def test_the_guard_blocks(no_network: _Attempts) -> None:
    """The test can fail: a connection attempt is refused and recorded."""
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("example.com", 443), timeout=1)
    with socket.socket() as raw, pytest.raises(OSError, match="blocked"):
        raw.connect(("192.0.2.1", 80))
    assert [name for name, _ in no_network.calls] == ["create_connection", "socket.connect"]


def test_building_every_example_in_process_is_offline(no_network: _Attempts, tmp_path: Path) -> None:
    models = [str(p) for p in example_paths()]
    assert models, "no examples to build"
    result = CliRunner().invoke(
        app, ["build", *models, "-o", str(tmp_path), "--today", TODAY.isoformat(), "--jobs", "1"]
    )
    assert result.exit_code in (0, 1), result.output
    assert no_network.calls == []
    assert len(list(tmp_path.glob("*/report.html"))) == len(models)


@pytest.mark.slow
def test_building_every_example_in_a_guarded_process_tree_is_offline(tmp_path: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"],
        env={**os.environ, "PYTHONPATH": str(guard)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "NETWORK BLOCKED" in probe.stderr  # the guard is installed in every child
    models = [str(p.relative_to(EXAMPLES.parent)) for p in example_paths()]
    result = subprocess.run(
        [sys.executable, "-m", "trustmap", "build", *models, "-o", str(tmp_path / "out"),
         "--today", TODAY.isoformat(), "--jobs", "2", "--force"],
        cwd=EXAMPLES.parent,
        env={**os.environ, "PYTHONPATH": str(guard)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "NETWORK BLOCKED" not in result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((tmp_path / "out").glob("*/report.html"))) == len(models)
