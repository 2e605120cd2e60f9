"""The interop corpus (tests/interop/corpus/files, vendored with licences; manifest.yaml names
each repository and commit) meets issue 14's marks: imports into valid models, flows, nothing
invented on the internet, every resource named, lossless OTM round trips, exports valid
against the published schemas. `make corpus` also builds every fifth model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.interop.corpus.measure import CORPUS, MANIFEST, examples, measure, report, schemas

pytestmark = pytest.mark.slow


def test_every_manifest_entry_and_licence_is_vendored() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    for entry in [*manifest["cloudformation"], *manifest["terraform"]]:
        repo, _, relative = entry.partition(":")
        assert (CORPUS / repo.replace("/", "+") / relative).exists(), entry
    for repo in manifest["repositories"]:
        folder = CORPUS / repo.replace("/", "+")
        assert any(p.name.lower().startswith("licen") for p in folder.iterdir()), repo
    assert len(manifest["cloudformation"]) >= 40 and len(manifest["terraform"]) >= 15
    assert set(schemas(CORPUS, manifest)) == {"threat-composer", "threat-dragon"}


def test_the_corpus_meets_the_marks() -> None:
    lines, ok = report(measure(CORPUS, build_every=0))
    assert ok, "\n".join(lines)


def test_examples_round_trip_and_export_valid_documents() -> None:
    lines = examples(CORPUS)
    assert len(lines) == len(list((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml")))
    assert all("lossless" in line and ", 0 errors" in line for line in lines), lines
