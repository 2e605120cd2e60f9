"""The compiled-catalog cache: the same catalog as compiling, whatever state its directory is in."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import trustmap
from trustmap.catalog import Catalog, builtin_catalog_dir, load_catalog
from trustmap.catalog.cache import KEEP_ENTRIES, default_cache_dir


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("catalog-*.pickle"))


@pytest.fixture(scope="module")
def compiled() -> Catalog:
    return load_catalog()


def test_a_cached_catalog_is_the_compiled_one(tmp_path: Path, compiled: Catalog) -> None:
    first = load_catalog(cache_dir=tmp_path / "cache")
    [entry] = entries(tmp_path / "cache")
    second = load_catalog(cache_dir=tmp_path / "cache")
    assert first == compiled and second == compiled
    assert repr(second) == repr(compiled)
    assert entries(tmp_path / "cache") == [entry]


def test_the_cache_is_read_and_not_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_catalog(cache_dir=tmp_path)

    def no_compiling(*args: object) -> Catalog:
        raise AssertionError("compiled although a cache entry exists")

    monkeypatch.setattr("trustmap.catalog.load.compile_catalog", no_compiling)
    assert load_catalog(cache_dir=tmp_path).digest


def test_a_missing_directory_is_created_private(tmp_path: Path, compiled: Catalog) -> None:
    directory = tmp_path / "a" / "b" / "trustmap"
    assert load_catalog(cache_dir=directory) == compiled
    assert len(entries(directory)) == 1
    assert (directory.stat().st_mode & 0o777) == 0o700
    assert (entries(directory)[0].stat().st_mode & 0o777) == 0o600


def test_a_directory_that_cannot_be_created_falls_back_to_compiling(
    tmp_path: Path, compiled: Catalog
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert load_catalog(cache_dir=blocker / "trustmap") == compiled


def test_a_read_only_directory_falls_back_to_compiling(
    tmp_path: Path, compiled: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the file system answers a write into a read-only directory (root would not be refused
    by the mode bits, so the refusal is the file system's)."""
    import errno

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("trustmap.catalog.cache.tempfile.mkstemp", read_only)
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_directory_with_an_entry_is_read(tmp_path: Path, compiled: Catalog) -> None:
    directory = tmp_path / "cache"
    load_catalog(cache_dir=directory)
    directory.chmod(0o500)
    try:
        assert load_catalog(cache_dir=directory) == compiled
    finally:
        directory.chmod(0o700)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:-10] + b"\0" * 10, id="payload-changed"),
        pytest.param(lambda data: b"garbage\n" + data, id="header-changed"),
    ],
)
def test_a_corrupt_entry_is_compiled_again_and_replaced(
    tmp_path: Path, compiled: Catalog, damage: object
) -> None:
    load_catalog(cache_dir=tmp_path)
    [entry] = entries(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))  # type: ignore[operator]
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert entry.read_bytes() == good


def test_a_payload_that_does_not_unpickle_is_ignored(tmp_path: Path, compiled: Catalog) -> None:
    """A well-formed entry whose pickle fails (a class renamed by another checkout): compiled again."""
    import hashlib

    load_catalog(cache_dir=tmp_path)
    [entry] = entries(tmp_path)
    header = entry.read_bytes().split(b"\n", 2)
    payload = b"\x80\x05cno_such_module\nThing\n."
    entry.write_bytes(header[0] + b"\n" + header[1] + b"\n" + hashlib.sha256(payload).digest() + payload)
    assert load_catalog(cache_dir=tmp_path) == compiled


def test_an_entry_others_can_write_is_not_trusted(tmp_path: Path, compiled: Catalog) -> None:
    load_catalog(cache_dir=tmp_path)
    [entry] = entries(tmp_path)
    entry.chmod(0o666)
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert (entry.stat().st_mode & 0o777) == 0o600  # replaced by a fresh, private entry


def test_two_versions_share_the_directory(
    tmp_path: Path, compiled: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalog(cache_dir=tmp_path)
    monkeypatch.setattr(trustmap, "__version__", "99.0.0")
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert len(entries(tmp_path)) == 2
    monkeypatch.undo()
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert len(entries(tmp_path)) == 2


def test_a_changed_catalog_file_is_not_served_from_the_cache(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    services = extra / "services.yaml"
    shutil.copyfile(builtin_catalog_dir() / "services.yaml", services)
    cache_dir = tmp_path / "cache"
    before = load_catalog([extra], cache_dir=cache_dir)
    services.write_text(services.read_text().replace("name: Amazon EC2", "name: Amazon EC2 (ours)", 1))
    after = load_catalog([extra], cache_dir=cache_dir)
    assert after == load_catalog([extra])
    assert after != before and after.digest != before.digest
    assert len(entries(cache_dir)) == 2


def test_a_broken_catalog_is_never_cached(tmp_path: Path) -> None:
    from trustmap.catalog import CatalogError

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "services.yaml").write_text("services: [\n")
    with pytest.raises(CatalogError):
        load_catalog([extra], cache_dir=tmp_path / "cache")
    assert entries(tmp_path / "cache") == []
    with pytest.raises(CatalogError):
        load_catalog([tmp_path / "missing"], cache_dir=tmp_path / "cache")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"TRUSTMAP_CACHE_DIR": "/x/y", "HOME": "/h"}, Path("/x/y")),
        ({"TRUSTMAP_CACHE_DIR": "", "HOME": "/h"}, None),
        ({"XDG_CACHE_HOME": "/xdg", "HOME": "/h"}, Path("/xdg/trustmap")),
        ({"XDG_CACHE_HOME": "relative", "HOME": "/h"}, Path("/h/.cache/trustmap")),
        ({"HOME": "/h"}, Path("/h/.cache/trustmap")),
        ({}, None),
    ],
)
@pytest.mark.skipif(os.name != "posix" or os.uname().sysname == "Darwin", reason="XDG layout")
def test_the_default_directory_follows_xdg(environ: dict[str, str], expected: Path | None) -> None:
    assert default_cache_dir(environ) == expected


def test_commands_keep_the_catalog_in_the_cache_and_print_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from trustmap.cli import app

    monkeypatch.setenv("TRUSTMAP_CACHE_DIR", str(tmp_path / "cache"))
    model = str(Path(__file__).resolve().parents[2] / "examples" / "shop.yaml")
    runs = [CliRunner().invoke(app, ["checklist", model, "--format", "json", "--today", "2026-11-28"])]
    assert len(entries(tmp_path / "cache")) == 1
    runs.append(CliRunner().invoke(app, ["checklist", model, "--format", "json", "--today", "2026-11-28"]))
    monkeypatch.setenv("TRUSTMAP_CACHE_DIR", "")  # off
    runs.append(CliRunner().invoke(app, ["checklist", model, "--format", "json", "--today", "2026-11-28"]))
    assert [run.exit_code for run in runs] == [0, 0, 0]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout


def _aged(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_a_write_keeps_the_most_recently_used_entries(tmp_path: Path, compiled: Catalog) -> None:
    """A user editing a --catalog layer makes an entry at every change: the directory must not
    grow without end. The oldest entries go; the one just written and other files stay."""
    old = []
    for number in range(KEEP_ENTRIES + 3):
        entry = tmp_path / f"catalog-{number:032x}.pickle"
        entry.write_bytes(b"an older entry")
        _aged(entry, 1000.0 * (number + 1))
        old.append(entry)
    mine = [tmp_path / "catalog-notes.txt", tmp_path / "catalog-my-backup.pickle"]
    for path in mine:
        path.write_text("not an entry, though named like one")
        _aged(path, 10**6)
    load_catalog(cache_dir=tmp_path)
    kept = [path for path in entries(tmp_path) if path not in mine]
    assert len(kept) == KEEP_ENTRIES
    assert set(kept) - set(old) and set(kept) & set(old) == set(old[: KEEP_ENTRIES - 1])
    assert all(path.exists() for path in mine)
    assert load_catalog(cache_dir=tmp_path) == compiled
    assert [path for path in entries(tmp_path) if path not in mine] == kept


def test_reading_an_entry_marks_it_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_catalog(cache_dir=tmp_path)
    [entry] = entries(tmp_path)
    _aged(entry, 3 * 86400.0)
    load_catalog(cache_dir=tmp_path)
    assert time.time() - entry.stat().st_mtime < 3600
    for number in range(KEEP_ENTRIES):  # newer than the entry was before it was read
        other = tmp_path / f"catalog-{number:032x}.pickle"
        other.write_bytes(b"another entry")
        _aged(other, 86400.0 + number)
    monkeypatch.setattr(trustmap, "__version__", "99.0.0")  # another version writes its entry
    load_catalog(cache_dir=tmp_path)
    assert entry.exists() and len(entries(tmp_path)) == KEEP_ENTRIES


def test_abandoned_temporary_files_are_removed(tmp_path: Path) -> None:
    abandoned = tmp_path / ".catalog-abc_1234.tmp"
    abandoned.write_bytes(b"a writer died here")
    _aged(abandoned, 2 * 3600.0)
    being_written = tmp_path / ".catalog-def_5678.tmp"
    being_written.write_bytes(b"another writer is at work")
    load_catalog(cache_dir=tmp_path)
    assert not abandoned.exists() and being_written.exists()


def test_a_directory_others_can_write_is_not_pruned(tmp_path: Path) -> None:
    """Reads do not trust such a directory; pruning does not act in it either (the files there
    may be another user's)."""
    for number in range(KEEP_ENTRIES + 2):
        (tmp_path / f"catalog-{number:032x}.pickle").write_bytes(b"an entry")
    tmp_path.chmod(0o777)
    load_catalog(cache_dir=tmp_path)
    assert len(entries(tmp_path)) == KEEP_ENTRIES + 3
