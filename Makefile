# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
DB ?= data/coverage.duckdb
PORT ?= 8501
# The semantic extra's torch: a CPU build from this folder of wheels when it exists, else from
# the PyTorch CPU index (PyPI's Linux torch is the CUDA build, gigabytes of unused libraries).
TORCH_WHEELS ?= /opt/wheels
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_VERSION ?= 2.13.0

.PHONY: run test install semantic store bench docs clean help

help:
	@echo "make run    - install, build the sample store if missing, serve the dashboard on http://localhost:$(PORT)"
	@echo "make test   - install, lint (ruff), run every test (unit, AppTest, real browser)"
	@echo "make bench  - run the benchmarks in bench/ (needs ../shared/corpora)"
	@echo "make semantic - add the coverage-lens[semantic] extra (CPU torch, sentence embeddings) to the environment"
	@echo "make docs   - build the API reference from the docstrings into site/api (any pdoc warning fails it)"

# The environment is rebuilt only when the lock file or project metadata change. --inexact:
# a re-sync keeps what `make semantic` added on top of the locked packages.
$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked --inexact --python 3.11
	@touch $@

install: $(VENV)/.installed

# torch first, pinned, from the CPU wheels; the extra's other packages then find it satisfied.
$(VENV)/.semantic: $(VENV)/.installed
	if [ -d "$(TORCH_WHEELS)" ]; then \
	  $(UV) pip install --python $(VENV)/bin/python --find-links "$(TORCH_WHEELS)" "torch==$(TORCH_VERSION)"; \
	else \
	  $(UV) pip install --python $(VENV)/bin/python --index-url "$(TORCH_CPU_INDEX)" "torch==$(TORCH_VERSION)"; \
	fi
	$(UV) pip install --python $(VENV)/bin/python -r pyproject.toml --extra semantic "torch==$(TORCH_VERSION)"
	@touch $@

semantic: $(VENV)/.semantic

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

# The API reference, from the (Google-style) docstrings: the public names of `analysis`, then each
# of its modules (named one by one: pdoc walks into a package only as far as its __all__ says).
# pdoc warns on stderr about what it cannot document (a name in __all__ that does not resolve, a
# docstring it cannot read): that fails the build.
DOC_MODULES = analysis $(sort $(subst /,.,$(patsubst %/__init__.py,%,$(wildcard analysis/*/__init__.py))) \
	$(basename $(subst /,.,$(filter-out %/__init__.py,$(wildcard analysis/*.py analysis/*/*.py)))))
docs: install
	@rm -rf site/api
	@warnings=$$($(VENV)/bin/pdoc --docformat google $(DOC_MODULES) -o site/api 2>&1 >/dev/null) || { echo "$$warnings"; exit 1; }; \
	if [ -n "$$warnings" ]; then echo "$$warnings"; echo "pdoc warned: fix the docstrings above"; exit 1; fi
	@echo "API reference: site/api/index.html"

clean:
	rm -rf $(VENV) .pytest_cache
