# PyTorch Essential Training: every target runs inside .venv, created on first use.
# `make help` lists the targets.

VENV ?= .venv
export NO_MKDOCS_2_WARNING := 1
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install serve test lint build outputs outputs-real publish clean

help: ## List the targets with one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -e ".[docs,test]"
	touch $@

install: $(INSTALLED) ## Create .venv (if missing) and install the project with docs and test extras

serve: $(INSTALLED) ## Serve the site at http://127.0.0.1:8000 with live reload
	SITE_URL=http://127.0.0.1:8000/ $(PYTHON) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

lint: $(INSTALLED) ## Lint and format-check with ruff
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

build: $(INSTALLED) ## Build the site into site/ with --strict
	$(PYTHON) -m mkdocs build --strict --site-dir site

test: lint build ## Everything CI runs: lint, strict build, chapters, unit, notebook, browser tests
	$(PYTHON) -m pytest

outputs: $(INSTALLED) ## Re-run every chapter and rewrite its output fences, figures and stamp
	$(PYTHON) -m tools.outputs

outputs-real: $(INSTALLED) ## Like outputs, on the real CIFAR-10 (downloads 170 MB into data/)
	$(PYTHON) -c "from snippets.cifar10 import cifar10_dataset; cifar10_dataset('data', download=True)"
	CIFAR10_DOWNLOAD=1 $(PYTHON) -m tools.outputs

publish: $(INSTALLED) ## Build the site and push it to the gh-pages branch (the Pages workflow)
	$(PYTHON) -m mkdocs gh-deploy --strict --force

clean: ## Remove the built site, caches, test output and data/ (keeps .venv)
	rm -rf site .pytest_cache .ruff_cache test-output data
