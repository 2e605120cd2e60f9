"""What every `-o FILE` may name (QA 2027-01): a device or a FIFO is written into, never
replaced by a regular file; `-` is standard output; a command never writes over its own inputs;
a folder, or a path under a file, is a one-line error and exit 2, never a traceback.

Devices are private nodes made in tmp_path (`mknod`, needs root: skipped otherwise), never
the system's /dev.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap import write
from trustmap.cli import app

pytestmark = pytest.mark.attack

SHOP = (EXAMPLES / "shop.yaml").read_bytes()
DAY = ("--today", TODAY.isoformat())
VERIFY = Path(__file__).parents[1] / "interop" / "verify"

#: each command with `-o`, and the output it is given after `-o TARGET`
COMMANDS: dict[str, list[str]] = {
    "diagram": ["diagram", "model.yaml", "--format", "dot", *DAY],
    "verify": ["verify", "design.yaml", "--against", "template.yaml"],
    "export otm": ["export", "otm", "model.yaml", *DAY],
    "export threat-dragon": ["export", "threat-dragon", "model.yaml", *DAY],
    "import otm": ["import", "otm", "shop.otm.json"],
}
#: the commands that replace an existing file only with --force
FORCED = {"verify", "export otm", "export threat-dragon", "import otm"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.yaml").write_bytes(SHOP)
    (tmp_path / "design.yaml").write_bytes((VERIFY / "design.yaml").read_bytes())
    (tmp_path / "template.yaml").write_bytes((VERIFY / "template.yaml").read_bytes())
    result = CliRunner().invoke(app, ["export", "otm", "model.yaml", "-o", "shop.otm.json", *DAY])
    assert result.exit_code == 0, result.output
    return tmp_path


def _run(command: str, target: str, *, force: bool = True) -> tuple[int, str]:
    args = [*COMMANDS[command], "-o", target, *(["--force"] if force and command in FORCED else [])]
    result = CliRunner().invoke(app, args)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _device(path: Path) -> None:
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("making a device node needs root")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_device_is_written_into_never_replaced(here: Path, command: str) -> None:
    _device(here / "null")
    code, output = _run(command, "null")
    assert code in (0, 1), output  # verify: 1 on drift
    assert stat.S_ISCHR(os.lstat(here / "null").st_mode), "the device node was replaced"
    assert not [p.name for p in here.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def fifo(here: Path) -> Iterator[tuple[Path, list[bytes]]]:
    path = here / "pipe"
    os.mkfifo(path)
    received: list[bytes] = []

    def read() -> None:
        with path.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    yield path, received
    if reader.is_alive():  # the command never opened the FIFO: release the reader
        with path.open("wb"):
            pass
    reader.join(5)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_fifo_is_written_into(here: Path, fifo: tuple[Path, list[bytes]], command: str) -> None:
    path, _ = fifo
    code, output = _run(command, path.name)
    assert code in (0, 1), output
    assert stat.S_ISFIFO(os.lstat(path).st_mode), "the FIFO was replaced by a regular file"


def test_the_fifo_receives_the_whole_document(here: Path, fifo: tuple[Path, list[bytes]]) -> None:
    path, received = fifo
    code, output = _run("diagram", path.name)
    assert code == 0, output
    for _ in range(50):
        if received:
            break
        threading.Event().wait(0.1)
    printed = CliRunner().invoke(app, COMMANDS["diagram"]).stdout_bytes
    assert received == [printed] and b"digraph" in printed


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_dash_is_standard_output(here: Path, command: str) -> None:
    code, output = _run(command, "-")
    assert code in (0, 1), output
    assert not (here / "-").exists()


def test_write_atomic_never_renames_over_a_socket_or_a_folder(tmp_path: Path) -> None:
    import socket

    (tmp_path / "folder").mkdir()
    with pytest.raises(write.UnsafeOutputPathError, match="is a directory"):
        write.write_atomic(tmp_path / "folder", b"x")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(write.UnsafeOutputPathError, match="not a regular file"):
            write.write_atomic(tmp_path / "sock", b"x")
        assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)
    finally:
        server.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "sock"]


def test_build_refuses_a_device_among_its_outputs(tmp_path: Path) -> None:
    (tmp_path / "out" / "shop").mkdir(parents=True)
    _device(tmp_path / "out" / "shop" / "report.json")
    with pytest.raises(write.UnsafeOutputPathError, match="not a regular file"):
        write.write_files(tmp_path / "out" / "shop", {"report.json": b"{}"})
    assert stat.S_ISCHR(os.lstat(tmp_path / "out" / "shop" / "report.json").st_mode)


@pytest.mark.parametrize("command", sorted(FORCED))
def test_an_existing_file_is_replaced_only_with_force(here: Path, command: str) -> None:
    (here / "old.txt").write_text("keep me")
    code, output = _run(command, "old.txt", force=False)
    assert code == 2 and "old.txt exists; pass --force to overwrite it" in output
    assert (here / "old.txt").read_text() == "keep me"
    code, output = _run(command, "old.txt")
    assert code in (0, 1), output
    assert (here / "old.txt").read_text() != "keep me"


@pytest.mark.parametrize("target", ["design.yaml", "template.yaml", "link.yaml"])
def test_verify_never_writes_over_its_inputs_even_with_force(here: Path, target: str) -> None:
    (here / "link.yaml").symlink_to("template.yaml")
    before = {name: (here / name).read_bytes() for name in ("design.yaml", "template.yaml")}
    code, output = _run("verify", target)
    assert code == 2 and f"{target} is an input of this command; write the output elsewhere" in output
    assert {name: (here / name).read_bytes() for name in before} == before


def test_verify_never_writes_over_a_terraform_file_of_its_folder(here: Path) -> None:
    (here / "infra").mkdir()
    (here / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    args = ["verify", "design.yaml", "--against", "infra", "-o", "infra/main.tf", "--force"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "infra/main.tf is an input of this command" in result.output
    assert (here / "infra" / "main.tf").read_text() == 'resource "aws_s3_bucket" "b" {}\n'


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("target", ["afile/report.txt", "afile/deeper/report.txt", "adir"])
def test_an_output_under_a_file_or_onto_a_folder_is_one_line_and_exit_2(
    here: Path, command: str, target: str
) -> None:
    (here / "afile").write_text("a file")
    (here / "adir").mkdir()
    code, output = _run(command, target)
    expected = "adir is a directory; name a file" if target == "adir" else "afile is a file, not a folder"
    assert code == 2 and output.strip() == f"trustmap: {expected}", output
    assert (here / "afile").read_text() == "a file" and list((here / "adir").iterdir()) == []


@pytest.mark.parametrize("target", ["afile", "afile/sub"])
def test_build_into_a_file_is_refused_before_any_work(here: Path, target: str) -> None:
    (here / "afile").write_text("a file")
    result = CliRunner().invoke(app, ["build", "model.yaml", "-o", target, *DAY])
    assert result.exit_code == 2
    assert result.output.strip() == "trustmap: afile is a file, not a folder", result.output
    assert (here / "afile").read_text() == "a file"
