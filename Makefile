# ssc_mining — set-up and everyday commands. Needs only Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report serve test lint install benchmark messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## report: write the English and Dutch reports of the bundled sample into reports/
report: $(STAMP)
	$(BIN)/ssc-mining report data/samples/generic-events.csv -o reports/ --lang en --lang nl

## serve: explore the bundled sample in the browser (http://127.0.0.1:8050/; Ctrl+C stops it)
serve: $(STAMP)
	$(BIN)/ssc-mining serve data/samples/generic-events.csv

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: ruff (style, imports, bugs) and mypy (types) over the package, tests and scripts
lint: $(STAMP)
	$(BIN)/ruff check ssc_mining tests benchmarks tools
	$(BIN)/mypy

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py

## messages: put new translatable texts into the Dutch catalogues (ssc_mining/locale/nl); translate them
messages: $(STAMP)
	$(BIN)/python tools/sync_messages.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.json reports/*.csv
