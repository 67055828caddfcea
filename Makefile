# answer-archive: every task goes through this file; CI runs the same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: build serve test lint format check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(DEV_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED) $@

build: $(INSTALLED)  ## build content/ into _site/
	$(BIN)/answers build

serve: $(INSTALLED)  ## build, serve on http://127.0.0.1:8000, rebuild on change
	$(BIN)/answers serve --host $(HOST) --port $(PORT)

check: $(INSTALLED)  ## validate content and config without building
	$(BIN)/answers check

lint: $(DEV_INSTALLED)  ## ruff (lint and format) and mypy
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

format: $(DEV_INSTALLED)
	$(BIN)/ruff format generator tests
	$(BIN)/ruff check --fix generator tests

test: lint  ## the whole suite, lint included
	$(BIN)/python -m pytest -q

clean:
	rm -rf _site ._site.spare .cache .pytest_cache .mypy_cache .ruff_cache
