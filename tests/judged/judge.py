"""Score what trustmap raises against what a reviewer expects (`make judge`).

Two sources of judgement:

- the judged corpus, `tests/judged/<model>.yaml` with `<model>.expect.yaml` beside it, written
  by a reviewer before looking at what trustmap raises (format: tests/judged/README.md);
- the 2026-12 review's verdict on every finding trustmap 0.1.0 raised on the six examples
  (`review-2026-12/verdicts.csv`): true findings must still be raised, false, duplicate and
  "unclear" ones (account-wide hygiene asked as findings) must not be findings any more.

Precision is raised findings that are expected ÷ all raised (a second finding matching one
expected entry is a duplicate and counts as not expected); recall is expected findings raised ÷
all expected; severity agreement is expected findings raised within one severity step of the
reviewer's ÷ expected findings raised.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from trustmap.analysis import Analysis, analyze
from trustmap.catalog import Catalog, load_catalog
from trustmap.findings import SEVERITY_ORDER, Finding

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"
VERDICTS = CORPUS / "review-2026-12" / "verdicts.csv"
#: the evaluation date of every judged run, so that decisions expire the same way each time
TODAY = dt.date(2026, 12, 1)
DOCS_BEGIN = "<!-- judge:begin -->"
DOCS_END = "<!-- judge:end -->"
#: the criticals the 2026-12 review would keep (§2.2): clear-text restricted regulated data
#: across a trust boundary, both under a risk decision
KEPT_CRITICALS = frozenset(
    {
        ("data-lake", "lab-system->hl7-gw/unencrypted-flow-crosses-boundary"),
        ("hybrid", "core-banking->batch/unencrypted-flow-crosses-boundary"),
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedFinding(_Strict):
    key: str
    severity: str
    why: str
    also: list[str] = Field(default_factory=list)
    #: a second reviewer's ruling on the entry, "<date>: <reason>" (tests/judged/ADJUDICATION.md)
    adjudicated: str | None = None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset([self.key, *self.also])


class RejectedFinding(_Strict):
    key: str
    why: str
    adjudicated: str | None = None


class BeyondFormat(_Strict):
    what: str
    severity: str
    needs: str
    adjudicated: str | None = None


class Expectation(_Strict):
    model: str
    findings: list[ExpectedFinding]
    must_not: list[RejectedFinding] = Field(default_factory=list)
    beyond_format: list[BeyondFormat] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


@dataclass
class Score:
    """The figures of one model, or of several added up."""

    name: str
    raised: int = 0
    expected: int = 0
    true: int = 0
    duplicates: int = 0
    within_one: int = 0
    exact: int = 0
    #: true findings rated above and below the reviewer's severity (calibration: inflation shows)
    higher: int = 0
    lower: int = 0
    unexpected: list[Finding] = field(default_factory=list)
    missed: list[ExpectedFinding] = field(default_factory=list)
    rejected_raised: list[Finding] = field(default_factory=list)
    off_severity: list[tuple[ExpectedFinding, Finding]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true / self.raised if self.raised else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.expected if self.expected else 1.0

    @property
    def severity_agreement(self) -> float:
        return self.within_one / self.true if self.true else 1.0

    @property
    def severity_exact(self) -> float:
        return self.exact / self.true if self.true else 1.0

    def add(self, other: Score) -> None:
        self.raised += other.raised
        self.expected += other.expected
        self.true += other.true
        self.duplicates += other.duplicates
        self.within_one += other.within_one
        self.exact += other.exact
        self.higher += other.higher
        self.lower += other.lower
        self.unexpected += other.unexpected
        self.missed += other.missed
        self.rejected_raised += other.rejected_raised
        self.off_severity += other.off_severity


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity)


def load_expectation(path: Path) -> Expectation:
    return Expectation.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def evaluate_model(path: Path, catalog: Catalog) -> Analysis:
    # A decision about a finding that is not raised any more is a miss to count, not an error.
    analysis, diagnostics = analyze(
        str(path.relative_to(ROOT)), path.read_bytes(), catalog, today=TODAY, allow_unmatched=True
    )
    if analysis is None:
        problems = "\n".join(d.render() if hasattr(d, "render") else str(d) for d in diagnostics)
        raise SystemExit(f"{path}: the model does not validate:\n{problems}")
    return analysis


def score(name: str, findings: Sequence[Finding], expectation: Expectation) -> Score:
    """Match raised findings to expected entries, each entry absorbing at most one finding."""
    result = Score(name, raised=len(findings), expected=len(expectation.findings))
    by_key: dict[str, ExpectedFinding] = {}
    for entry in expectation.findings:
        for key in sorted(entry.keys):
            by_key.setdefault(key, entry)
    rejected = {entry.key for entry in expectation.must_not}
    matched: set[str] = set()
    for finding in sorted(findings, key=lambda f: (-_rank(f.severity), f.key)):
        # A finding that stands for others of the same root cause (`covers`) matches them too.
        entry = next((by_key[k] for k in (finding.key, *finding.covers) if k in by_key), None)
        if finding.key in rejected:
            result.rejected_raised.append(finding)
        if entry is None:
            result.unexpected.append(finding)
        elif entry.key in matched:
            result.duplicates += 1
        else:
            matched.add(entry.key)
            result.true += 1
            signed = _rank(finding.severity) - _rank(entry.severity)
            distance = abs(signed)
            result.within_one += distance <= 1
            result.exact += distance == 0
            result.higher += signed > 0
            result.lower += signed < 0
            if distance > 1:
                result.off_severity.append((entry, finding))
    result.missed = [entry for entry in expectation.findings if entry.key not in matched]
    return result


#: YAML files of the corpus that are not models
NOT_MODELS = frozenset({"new-rules.yaml", "new-rules-12.yaml"})


def corpus_paths() -> list[Path]:
    return sorted(
        p for p in CORPUS.glob("*.yaml") if not p.name.endswith(".expect.yaml") and p.name not in NOT_MODELS
    )


def score_corpus(catalog: Catalog) -> list[Score]:
    scores = []
    for path in corpus_paths():
        expect_path = path.with_name(path.stem + ".expect.yaml")
        if not expect_path.exists():
            raise SystemExit(f"{path}: no expectation file {expect_path.name}")
        expectation = load_expectation(expect_path)
        analysis = evaluate_model(path, catalog)
        scores.append(score(path.stem, analysis.report.findings, expectation))
    return scores


@dataclass(frozen=True)
class Verdict:
    example: str
    key: str
    verdict: str
    note: str


@dataclass
class ReviewCheck:
    """The six examples against the 2026-12 review's verdicts."""

    example: str
    findings: int = 0
    questions: int = 0
    true_raised: int = 0
    true_total: int = 0
    true_missed: list[str] = field(default_factory=list)
    still_findings: list[tuple[str, str]] = field(default_factory=list)  # (key, verdict)
    unjudged: list[Finding] = field(default_factory=list)
    criticals: list[str] = field(default_factory=list)


RENAMES = CORPUS / "review-2026-12" / "renames.yaml"


def load_verdicts() -> list[Verdict]:
    """The review's verdicts, with subjects the examples have renamed since followed."""
    renames: dict[str, dict[str, str]] = {}
    if RENAMES.exists():
        renames = yaml.safe_load(RENAMES.read_text(encoding="utf-8")) or {}
    with VERDICTS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for row in rows:
        subject, _, rule = row["key"].rpartition("/")
        subject = renames.get(row["example"], {}).get(subject, subject)
        found.append(Verdict(row["example"], f"{subject}/{rule}", row["verdict"], row["note"]))
    return found


def check_examples(catalog: Catalog) -> list[ReviewCheck]:
    verdicts = load_verdicts()
    checks = []
    for example in sorted({v.example for v in verdicts}):
        analysis = evaluate_model(EXAMPLES / f"{example}.yaml", catalog)
        findings = {f.key: f for f in analysis.report.findings}
        covered = {k: f for f in analysis.report.findings for k in f.covers}
        judged: dict[str, Verdict] = {}
        for verdict in (v for v in verdicts if v.example == example):
            # Merged subjects (web-a and web-b are one group now) keep the best verdict.
            known = judged.get(verdict.key)
            if known is None or (known.verdict != "TP" and verdict.verdict == "TP"):
                judged[verdict.key] = verdict
        check = ReviewCheck(example, findings=len(findings))
        check.questions = len(getattr(analysis.report, "questions", ()))
        for key, verdict in sorted(judged.items()):
            if verdict.verdict == "TP":
                check.true_total += 1
                if key in findings or key in covered:
                    check.true_raised += 1
                else:
                    check.true_missed.append(key)
            elif key in findings and not any(
                judged.get(k, verdict).verdict == "TP" for k in findings[key].covers
            ):
                # (a finding that stands for a true one it covers is that true finding)
                check.still_findings.append((key, verdict.verdict))
        check.unjudged = [f for key, f in sorted(findings.items()) if key not in judged]
        check.criticals = [
            key
            for key, f in sorted(findings.items())
            if f.severity == "critical" and (example, key) not in KEPT_CRITICALS
        ]
        checks.append(check)
    return checks


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def corpus_table(scores: Iterable[Score]) -> list[str]:
    scores = list(scores)
    total = Score("**all**")
    for item in scores:
        total.add(item)
    lines = [
        "| model | raised | expected | true | dup | not expected | must-not raised | precision | recall"
        " | severity ±1 | severity exact (higher, lower) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for item in [*scores, total]:
        lines.append(
            f"| {item.name} | {item.raised} | {item.expected} | {item.true} | {item.duplicates}"
            f" | {len(item.unexpected)} | {len(item.rejected_raised)} | {_percent(item.precision)}"
            f" | {_percent(item.recall)} | {_percent(item.severity_agreement)}"
            f" | {_percent(item.severity_exact)} ({item.higher}, {item.lower}) |"
        )
    return lines


def review_table(checks: Iterable[ReviewCheck]) -> list[str]:
    lines = [
        "| example | findings | questions | true findings still raised | judged not-a-finding still"
        " raised | criticals the review would not keep | new (unjudged) findings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for check in checks:
        lines.append(
            f"| {check.example} | {check.findings} | {check.questions}"
            f" | {check.true_raised} / {check.true_total} | {len(check.still_findings)}"
            f" | {len(check.criticals)} | {len(check.unjudged)} |"
        )
    return lines


def details(scores: Sequence[Score], checks: Sequence[ReviewCheck]) -> list[str]:
    lines: list[str] = []
    for item in scores:
        for entry in item.missed:
            lines.append(f"{item.name}: missed {entry.key} ({entry.severity}): {entry.why}")
        for finding in item.unexpected:
            marker = "MUST NOT" if finding in item.rejected_raised else "not expected"
            lines.append(f"{item.name}: {marker} {finding.key} ({finding.severity})")
        for entry, finding in item.off_severity:
            lines.append(f"{item.name}: severity {finding.severity}, reviewer {entry.severity}: {entry.key}")
    for check in checks:
        for key in check.true_missed:
            lines.append(f"{check.example}: true finding no longer raised: {key}")
        for key, verdict in check.still_findings:
            lines.append(f"{check.example}: still a finding although judged {verdict}: {key}")
        for key in check.criticals:
            lines.append(f"{check.example}: critical the review would not keep: {key}")
        for finding in check.unjudged:
            lines.append(f"{check.example}: new finding {finding.key} ({finding.severity}, {finding.status})")
    return lines


def write_docs(path: Path, table: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    head, begin, rest = text.partition(DOCS_BEGIN)
    _, end, tail = rest.partition(DOCS_END)
    if not begin or not end:
        raise SystemExit(f"{path}: no {DOCS_BEGIN} ... {DOCS_END} section to update")
    path.write_text(head + begin + "\n" + "\n".join(table) + "\n" + end + tail, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make judge", description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every miss and unexpected finding")
    parser.add_argument("--write-docs", type=Path, help="update the table between the judge markers")
    options = parser.parse_args(argv)
    catalog = load_catalog()
    scores = score_corpus(catalog)
    checks = check_examples(catalog)
    table = [
        "Judged corpus (tests/judged):",
        "",
        *corpus_table(scores),
        "",
        "The six examples against the 2026-12 review:",
        "",
        *review_table(checks),
    ]
    print("\n".join(table))
    if options.details:
        print()
        print("\n".join(details(scores, checks)))
    if options.write_docs:
        write_docs(options.write_docs, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
