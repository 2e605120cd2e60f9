"""One small model per catalog threat, annotated semgrep style.

`fixtures/<threat-id>[.<variant>].yaml` marks the line where a finding of a rule must appear
with `# expect: <rule>` and a compliant twin's line with `# ok: <rule>` (several rules are
separated by commas). A finding's line is its location: the component's key, the flow's list
item, or line 1 for findings about the model. For every rule a file names, the lines of that
rule's findings must be exactly the `expect` lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.rules.conftest import FIXTURES
from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog
from trustmap.diagnostics import has_errors

PATHS = sorted(FIXTURES.glob("*.yaml"))
_ANNOTATION = re.compile(r"\b(expect|ok):\s*([a-z][a-z0-9-]*(?:\s*,\s*[a-z][a-z0-9-]*)*)")


@dataclass(frozen=True)
class Annotations:
    expect: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ok: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def rules(self) -> set[str]:
        return set(self.expect) | set(self.ok)


def read_annotations(text: str) -> Annotations:
    """The `expect`/`ok` comments of a fixture, by rule, with their 1-based line numbers."""
    found = Annotations()
    for number, line in enumerate(text.splitlines(), start=1):
        _, hash_sign, comment = line.partition("#")
        if not hash_sign:
            continue
        for kind, names in _ANNOTATION.findall(comment):
            table = found.expect if kind == "expect" else found.ok
            for name in names.split(","):
                table[name.strip()].add(number)
    return found


def subject_lines(analysis: Analysis) -> set[int]:
    """Lines where a finding can be: line 1, component keys and flow list items."""
    spans = [component.span for component in analysis.graph.components()]
    spans += [flow.span for flow in analysis.graph.flows()]
    return {1} | {span.line for span in spans if span is not None}


def test_annotations_are_read() -> None:
    text = "a: 1  # expect: x\nb:  # ok: y, z\n# a comment: not ok\nc: '#'  # expect: y\n"
    found = read_annotations(text)
    assert found.expect == {"x": {1}, "y": {4}}
    assert found.ok == {"y": {2}, "z": {2}}


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_fixture(path: Path, catalog: Catalog) -> None:
    text = path.read_text(encoding="utf-8")
    annotations = read_annotations(text)
    rules = annotations.rules()
    threat_id = path.name.split(".")[0]
    assert threat_id in catalog.threats, f"{path.name} is not named after a catalog threat"
    assert threat_id in rules, f"{path.name} does not annotate its own threat"
    assert rules <= set(catalog.threats), f"unknown rules {sorted(rules - set(catalog.threats))}"

    analysis, diagnostics = analyze(
        f"fixtures/{path.name}", text.encode(), catalog, today=TODAY, allow_unmatched=True
    )
    assert analysis is not None and not has_errors(diagnostics), "\n".join(d.headline() for d in diagnostics)
    subjects = subject_lines(analysis)
    for kind, table in (("expect", annotations.expect), ("ok", annotations.ok)):
        stray = sorted({line for lines in table.values() for line in lines} - subjects)
        assert not stray, f"`{kind}` on lines {stray}, where no finding can be located"
    for rule in sorted(rules):
        found = [f for f in analysis.report.findings if f.rule == rule]
        lines = {f.location.line for f in found}
        expected = annotations.expect.get(rule, set())
        assert lines == expected, f"{rule}: findings at lines {sorted(lines)}, expected {sorted(expected)}"
        assert not lines & annotations.ok.get(rule, set())
        assert all(f.status == "open" for f in found), f"{rule}: a finding is not open"


def test_every_threat_has_a_firing_and_a_compliant_fixture(catalog: Catalog) -> None:
    expected: set[str] = set()
    compliant: set[str] = set()
    for path in PATHS:
        annotations = read_annotations(path.read_text(encoding="utf-8"))
        expected |= set(annotations.expect)
        compliant |= set(annotations.ok)
    threats = set(catalog.threats)
    assert sorted(threats - expected) == [], "threats with no `expect` fixture"
    assert sorted(threats - compliant) == [], "threats with no `ok` fixture"
