# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
DB ?= data/coverage.duckdb
PORT ?= 8501

.PHONY: run test install store bench clean help

help:
	@echo "make run    - install, build the sample store if missing, serve the dashboard on http://localhost:$(PORT)"
	@echo "make test   - install, lint (ruff), run every test (unit, AppTest, real browser)"
	@echo "make bench  - run the benchmarks in bench/ (needs ../shared/corpora)"

# The environment is rebuilt only when the lock file or project metadata change.
$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked --python 3.11
	@touch $@

install: $(VENV)/.installed

$(DB): | $(VENV)/.installed
	$(VENV)/bin/coverage-lens ingest data/sample --db $(DB)

store: $(DB)

# analyze is incremental: on an up-to-date store it only checks and returns.
run: install store
	$(VENV)/bin/coverage-lens analyze --db $(DB)
	$(VENV)/bin/coverage-lens dashboard --db $(DB) --port $(PORT)

test: install
	$(VENV)/bin/ruff check analysis dashboard tests bench
	$(VENV)/bin/pytest

bench: install
	$(VENV)/bin/python bench/segmentation.py
	$(VENV)/bin/python bench/ingest.py
	$(VENV)/bin/python bench/events.py
	$(VENV)/bin/python bench/scale.py
	$(VENV)/bin/python bench/quotes.py
	$(VENV)/bin/python bench/claims.py
	$(VENV)/bin/python bench/claims_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache
