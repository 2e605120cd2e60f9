"""D11 of the 2026-12 attack: outputs overwrote their own inputs, and a model with the stem
`index.html` broke the batch index after both models were written (attack/overwrites.sh).

No output replaces an input file of its run, by any name, symbolic link or hard link (inputs
are compared by device and inode), and the index's name is refused as a stem, before
anything is written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, TODAY
from trustmap.cli import app

pytestmark = pytest.mark.attack

SHOP = (EXAMPLES / "shop.yaml").read_bytes()
DAY = ("--today", TODAY.isoformat())


def _run(*args: str) -> tuple[int, str]:
    dated = args[0] not in ("import",)  # the importers take no --today
    result = CliRunner().invoke(app, [*args, *(DAY if dated else ())])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_model_named_index_html_is_not_replaced_by_the_batch_index(here: Path) -> None:
    (here / "index.html").write_bytes(SHOP)
    before = _digest(here)
    code, output = _run("build", "index.html", "-o", ".")
    assert code == 2
    assert "index.html is one of the models and would be replaced by the batch index" in output
    assert _digest(here) == before


@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link"])
def test_diagram_never_writes_over_its_model(here: Path, how: str) -> None:
    (here / "model.yaml").write_bytes(SHOP)
    target = here / "model.yaml"
    if how == "symbolic link":
        (here / "link.svg").symlink_to("model.yaml")
        target = here / "link.svg"
    elif how == "hard link":
        os.link(here / "model.yaml", here / "twin.svg")
        target = here / "twin.svg"
    code, output = _run("diagram", "model.yaml", "--format", "dot", "-o", str(target))
    assert code == 2
    assert "is an input of this command; write the output elsewhere" in output
    assert (here / "model.yaml").read_bytes() == SHOP


def test_diagram_never_writes_over_a_catalog_file(here: Path) -> None:
    (here / "model.yaml").write_bytes(SHOP)
    (here / "layer" / "controls").mkdir(parents=True)
    (here / "layer" / "controls" / "ours.yaml").write_text("controls: {}\n")
    code, output = _run(
        "diagram", "model.yaml", "--catalog", "layer", "--format", "dot", "-o", "layer/controls/ours.yaml"
    )
    assert code == 2 and "is an input of this command" in output
    assert (here / "layer" / "controls" / "ours.yaml").read_text() == "controls: {}\n"


@pytest.mark.parametrize("command", [["export", "otm", "model.yaml"], ["import", "otm", "model.yaml"]])
def test_export_and_import_refuse_their_input_even_with_force(here: Path, command: list[str]) -> None:
    (here / "model.yaml").write_bytes(SHOP)
    code, output = _run(*command, "-o", "model.yaml", "--force")
    assert code == 2 and "model.yaml is an input of this command" in output
    assert (here / "model.yaml").read_bytes() == SHOP


def test_import_cloudformation_refuses_its_mapping_table(here: Path) -> None:
    template = Path(__file__).parents[1] / "interop" / "templates" / "three-tier.yaml"
    mapping = (EXAMPLES.parent / "models" / "cloudformation.yaml").read_bytes()
    (here / "mapping.yaml").write_bytes(mapping)
    code, output = _run(
        "import",
        "cloudformation",
        str(template),
        "--mapping",
        "mapping.yaml",
        "-o",
        "mapping.yaml",
        "--force",
    )
    assert code == 2 and "mapping.yaml is an input of this command" in output
    assert (here / "mapping.yaml").read_bytes() == mapping


def test_a_model_inside_its_own_output_folder_is_not_replaced(here: Path) -> None:
    (here / "out" / "report").mkdir(parents=True)
    (here / "out" / "report" / "report.json").write_bytes(SHOP)
    before = _digest(here)
    code, output = _run("build", "out/report/report.json", "-o", "out")
    assert code == 2
    assert "refusing to write over out/report/report.json: it is an input of this run" in output
    assert _digest(here) == before


def test_a_stem_that_is_the_index_is_refused_before_anything_is_written(here: Path) -> None:
    (here / "index.html.yaml").write_bytes(SHOP)
    (here / "shop.yaml").write_bytes(SHOP)
    code, output = _run("build", "index.html.yaml", "shop.yaml", "-o", "out")
    assert code == 2
    assert "would be written to out/index.html/, where the batch index goes; rename it" in output
    assert not (here / "out").exists()


def test_one_model_named_twice_is_built_once(here: Path) -> None:
    """D15: `shop.yaml sub/../shop.yaml` (or a link) was refused as a clash of stems."""
    (here / "shop.yaml").write_bytes(SHOP)
    (here / "sub").mkdir()
    (here / "sub" / "shop.yaml").symlink_to("../shop.yaml")
    code, output = _run("build", "shop.yaml", "sub/../shop.yaml", "sub/shop.yaml", "-o", "out")
    assert code == 0, output
    assert output.count("wrote") == 1
    (here / "other").mkdir()
    (here / "other" / "shop.yaml").write_bytes(SHOP)  # another file with the same stem: a clash
    code, output = _run("build", "shop.yaml", "other/shop.yaml", "-o", "out")
    assert code == 2 and "would both be written to out/shop" in output


def test_diagram_to_a_directory_is_refused_at_once(here: Path) -> None:
    (here / "shop.yaml").write_bytes(SHOP)
    (here / "sub").mkdir()
    code, output = _run("diagram", "shop.yaml", "--format", "dot", "-o", "sub")
    assert code == 2 and "sub is a directory; name a file" in output
    assert list((here / "sub").iterdir()) == [] and sorted(p.name for p in here.iterdir()) == [
        "shop.yaml",
        "sub",
    ]
