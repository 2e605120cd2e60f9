"""One small model per catalog threat, annotated semgrep style.

`fixtures/<threat-id>[.<variant>].yaml` marks the line where a finding of a rule must appear
with `# expect: <rule>`, the line where the rule must instead ask a question (the model says
nothing of a mitigating control: judgement.md) with `# ask: <rule>`, and a compliant twin's
line with `# ok: <rule>` (several rules are separated by commas). A finding's or question's
line is its location: the component's key, the flow's list item, or line 1 for the model. For
every rule a file names, the lines of that rule's findings must be exactly the `expect` lines,
and the lines of the questions it asks exactly the `ask` lines.
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
_ANNOTATION = re.compile(r"\b(expect|ask|ok):\s*([a-z][a-z0-9-]*(?:\s*,\s*[a-z][a-z0-9-]*)*)")


@dataclass(frozen=True)
class Annotations:
    expect: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ask: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ok: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def rules(self) -> set[str]:
        return set(self.expect) | set(self.ask) | set(self.ok)


def read_annotations(text: str) -> Annotations:
    """The `expect`/`ok` comments of a fixture, by rule, with their 1-based line numbers."""
    found = Annotations()
    for number, line in enumerate(text.splitlines(), start=1):
        _, hash_sign, comment = line.partition("#")
        if not hash_sign:
            continue
        for kind, names in _ANNOTATION.findall(comment):
            table = {"expect": found.expect, "ask": found.ask, "ok": found.ok}[kind]
            for name in names.split(","):
                table[name.strip()].add(number)
    return found


def subject_lines(analysis: Analysis) -> set[int]:
    """Lines where a finding can be: line 1, component keys, flow list items and principal keys."""
    spans = [component.span for component in analysis.graph.components()]
    spans += [flow.span for flow in analysis.graph.flows()]
    spans += [principal.span for principal in analysis.graph.permissions.principals.values()]
    return {1} | {span.line for span in spans if span is not None}


def test_annotations_are_read() -> None:
    text = "a: 1  # expect: x\nb:  # ok: y, z\n# a comment: not ok\nc: '#'  # expect: y\nd: 1  # ask: w\n"
    found = read_annotations(text)
    assert found.expect == {"x": {1}, "y": {4}}
    assert found.ok == {"y": {2}, "z": {2}}
    assert found.ask == {"w": {5}}


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
    for kind, table in (("expect", annotations.expect), ("ask", annotations.ask), ("ok", annotations.ok)):
        stray = sorted({line for lines in table.values() for line in lines} - subjects)
        assert not stray, f"`{kind}` on lines {stray}, where no finding can be located"
    for rule in sorted(rules):
        found = [f for f in analysis.report.findings if f.rule == rule]
        lines = {f.location.line for f in found}
        expected = annotations.expect.get(rule, set())
        assert lines == expected, f"{rule}: findings at lines {sorted(lines)}, expected {sorted(expected)}"
        assert not lines & annotations.ok.get(rule, set())
        assert all(f.status == "open" for f in found), f"{rule}: a finding is not open"
        asked = {q.location.line for q in analysis.report.questions if rule in q.threats}
        expected_asked = annotations.ask.get(rule, set())
        assert asked == expected_asked, (
            f"{rule}: questions at lines {sorted(asked)}, expected {sorted(expected_asked)}"
        )
        assert not asked & annotations.ok.get(rule, set())


def test_every_threat_has_a_firing_and_a_compliant_fixture(catalog: Catalog) -> None:
    """Every threat is shown raising a finding or, where the model can only leave its controls
    unsaid (account-wide duties), asking a question; and shown quiet on a compliant twin."""
    raised: set[str] = set()
    compliant: set[str] = set()
    for path in PATHS:
        annotations = read_annotations(path.read_text(encoding="utf-8"))
        raised |= set(annotations.expect) | set(annotations.ask)
        compliant |= set(annotations.ok)
    threats = set(catalog.threats)
    assert sorted(threats - raised) == [], "threats with no `expect` or `ask` fixture"
    assert sorted(threats - compliant) == [], "threats with no `ok` fixture"


def test_threats_that_can_raise_a_finding_are_shown_raising_one(catalog: Catalog) -> None:
    """A threat whose controls have an `open_when` (or a graph rule, or one that is a finding
    unless its control is met) can be found from what the model states: a fixture shows it."""
    raised: set[str] = set()
    for path in PATHS:
        raised |= set(read_annotations(path.read_text(encoding="utf-8")).expect)
    # Threats whose control has an `open_when` that cannot hold where they apply: whether the
    # policies have aws:SourceArn or an ExternalId is never stated, so these only ask.
    # Keys, secrets and HSMs run as no principal, so `runs_as_admin` never opens their
    # least-privilege-iam either.
    ask_only = {"cross-account-confused-deputy", "third-party-confused-deputy", "broad-key-or-secret-access"}
    can_raise = {
        t.id
        for t in catalog.threats.values()
        if t.implementation == "python"
        or t.finding_unless_met
        or not t.mitigated_by
        or any(
            catalog.controls[c].open_when is not None or catalog.controls[c].contrast for c in t.mitigated_by
        )
    }
    assert sorted(can_raise - ask_only - raised) == [], (
        "threats that can raise a finding but no fixture shows one"
    )
