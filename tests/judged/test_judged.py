"""The judged corpus and the 2026-12 review hold trustmap to what a reviewer would sign.

The thresholds are issue 10's: precision at least 80 %, recall at least 90 %, severity within one
step for at least 90 % of the expected findings raised. The six examples: no critical the review
would not keep, and every true finding of the review still raised, except those that the
judgement contract makes questions (listed below, each with the reason).
"""

from __future__ import annotations

import pytest

from tests.judged.judge import Score, check_examples, corpus_paths, load_expectation, score_corpus
from trustmap.catalog import Catalog

#: true findings of the 2026-12 review that rest on what the model leaves unsaid, so that the
#: judgement contract (a finding only from what the model states) asks them as questions
NOW_QUESTIONS = {
    # the AWS BAA is not recorded anywhere in the model: "an unrecorded agreement" (the review)
    ("data-lake", "model/phi-without-baa"): "model/hipaa-baa-accepted",
    # whether the log bucket's policy has aws:SourceArn is unsaid
    ("data-lake", "org-trail->log-archive/cross-account-confused-deputy"): (
        "org-trail->log-archive/deliberate-resource-sharing"
    ),
    # format 1.2: the example states that the vendor publishes through a role of the lake's
    # account with an ExternalId; whether the stream's own resource policy is constrained is unsaid
    ("data-lake", "ingest-stream/forged-message-injection"): "ingest-stream/deliberate-resource-sharing",
    # "MFA optional" is only in the user pool's name
    ("serverless-api", "user-pool/app-user-account-takeover"): "user-pool/app-user-authentication",
}


@pytest.fixture(scope="module")
def scores(catalog: Catalog) -> list[Score]:
    return score_corpus(catalog)


def _total(scores: list[Score]) -> Score:
    total = Score("all")
    for item in scores:
        total.add(item)
    return total


def test_every_corpus_model_has_its_expectations() -> None:
    paths = corpus_paths()
    assert len(paths) >= 8
    for path in paths:
        expectation = load_expectation(path.with_name(path.stem + ".expect.yaml"))
        assert expectation.model == path.name
        assert expectation.findings, path.name


def test_precision_recall_and_severity_meet_the_bar(scores: list[Score]) -> None:
    total = _total(scores)
    details = [f.key for s in scores for f in s.unexpected] + [e.key for s in scores for e in s.missed]
    assert total.precision >= 0.80, details
    assert total.recall >= 0.90, details
    assert total.severity_agreement >= 0.90, [(e.key, f.severity) for s in scores for e, f in s.off_severity]


def test_examples_keep_the_true_findings_and_no_unkept_critical(catalog: Catalog) -> None:
    from tests.judged.judge import EXAMPLES, TODAY
    from trustmap.analysis import analyze

    for check in check_examples(catalog):
        assert check.criticals == [], (check.example, check.criticals)
        missed = [key for key in check.true_missed if (check.example, key) not in NOW_QUESTIONS]
        assert missed == [], (check.example, missed)
    # the exceptions are asked instead
    for (example, _), question in NOW_QUESTIONS.items():
        path = EXAMPLES / f"{example}.yaml"
        analysis, _ = analyze(f"examples/{example}.yaml", path.read_bytes(), catalog, today=TODAY)
        assert analysis is not None
        assert question in {q.key for q in analysis.report.questions}, question
