# Two commands from a fresh machine:
#   make run    install everything and build the bundled examples into output/
#   make test   install what the tests need and run them (lint, types, tests)
#   make attack the attack set alone (tests marked `attack`)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLES := $(sort $(wildcard examples/*.yaml))

.PHONY: run test attack install install-test graphviz chromium lint typecheck pytest bench judge corpus screenshot clean

run: install graphviz
	$(BIN)/trustmap build $(EXAMPLES) -o output

test: install-test graphviz chromium lint typecheck pytest

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "trustmap needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install, its bytecode compiled as a wheel install compiles it: where
# PYTHONDONTWRITEBYTECODE is set (containers, CI images), Python would otherwise compile every
# module again on each run, a third of `trustmap validate`'s start-up (docs/performance.md).
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q src > /dev/null

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q src > /dev/null

graphviz:
	@sh scripts/ensure-graphviz.sh

# Debian's Chromium for the browser tests of report.html (tests/browser)
chromium:
	@sh scripts/ensure-chromium.sh

lint:
	$(BIN)/ruff check src tests scripts $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests scripts $(wildcard benchmarks)
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest -q -n auto

# Every repro of the 2026-12 attack, in child processes limited to 500 MB and 10 s of CPU
# (tests/hardening/attack_set.py), the interrupt sweep and the other attack regression tests.
# `make test` runs them too.
attack: install-test graphviz
	$(BIN)/python -m pytest -q -n auto -m attack

bench: install graphviz
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

# precision, recall and severity agreement on tests/judged and the six examples (docs/judgement.md)
judge: install-test
	$(BIN)/python -m tests.judged.judge --details

# the interop corpus (docs/interop.md): the vendored public files of tests/interop/corpus/,
# imported, checked, every fifth built, and the tables printed
corpus: install-test graphviz
	$(BIN)/python -m tests.interop.corpus.measure

# the README's screenshots of report.html (docs/images/), taken in headless Chromium
screenshot: install-test graphviz chromium
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf output/*/ build dist .pytest_cache .mypy_cache .ruff_cache
