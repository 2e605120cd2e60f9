"""Coverage-guided fuzzing of the loader, validator and engine with atheris (libFuzzer).

Not a pytest module (pytest runs it briefly from `test_atheris.py`). To fuzz for a minute,
starting from the examples:

    .venv/bin/python -m pip install -e '.[fuzz]'
    mkdir -p /tmp/corpus && cp examples/*.yaml /tmp/corpus/
    .venv/bin/python tests/hardening/fuzz_loader.py -max_total_time=60 /tmp/corpus

A crash is an exception escaping `analyze`, an error without a line and column, or an input
that takes longer than `-timeout` seconds; libFuzzer saves the input as `crash-*`/`timeout-*`.
"""

from __future__ import annotations

import datetime as dt
import sys

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports(include=["trustmap"]):
    from trustmap.analysis import analyze
    from trustmap.catalog import load_catalog
    from trustmap.diagnostics import format_diagnostic

CATALOG = load_catalog()
TODAY = dt.date(2026, 11, 28)


def test_one_input(data: bytes) -> None:
    analysis, problems = analyze("fuzz.yaml", data, CATALOG, today=TODAY)
    errors = [p for p in problems if p.level == "error"]
    if analysis is None and not errors:
        raise AssertionError("no analysis and no error")
    lines = data.decode("utf-8", errors="replace").splitlines()
    for problem in errors:
        if problem.span is None or problem.span.line < 1 or problem.span.column < 1:
            raise AssertionError(f"error without a position: {problem.headline()}")
        format_diagnostic(problem, lines)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
