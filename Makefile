# answer-archive: every task goes through this file; CI runs the same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DIR ?= _demo
DEMO_COUNT ?= 2000
SIZES ?= 1000 10000 60000

.PHONY: build serve test lint format check clean demo demo-site bench compact-sources

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

demo: $(DEMO_DIR)/content/about.md  ## a synthetic archive of 2,000 questions in _demo/, built and served
	$(BIN)/answers serve --content $(DEMO_DIR)/content --out $(DEMO_DIR)/site --host $(HOST) --port $(PORT)

demo-site: $(DEMO_DIR)/content/about.md  ## the demo's content and site, without serving
	$(BIN)/answers build --content $(DEMO_DIR)/content --out $(DEMO_DIR)/site

$(DEMO_DIR)/content/about.md: | $(INSTALLED)
	rm -rf $(DEMO_DIR)/content
	$(BIN)/answers synth $(DEMO_COUNT) --out $(DEMO_DIR)/content --seed 1

bench: $(INSTALLED)  ## build times and memory on synthetic archives: make bench SIZES="1000 10000"
	$(BIN)/python bench/bench.py --sizes $(SIZES)

lint: $(DEV_INSTALLED)  ## ruff (lint and format) and mypy
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

format: $(DEV_INSTALLED)
	$(BIN)/ruff format generator tests
	$(BIN)/ruff check --fix generator tests

test: lint  ## the whole suite, lint included
	$(BIN)/python -m pytest -q

compact-sources:  ## record the readable templates that themes/default/compact/ was written from
	cd themes/default/templates && sha256sum *.html > ../compact/readable.sha256

clean:
	rm -rf _site ._site.spare .cache .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR)
