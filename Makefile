# PyTorch Essential Training: every target runs inside .venv, created on first use.
# `make help` lists the targets.

VENV ?= .venv
export NO_MKDOCS_2_WARNING := 1
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install serve test lint build screenshots outputs outputs-real gpu-check benchmark publish clean

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

build: $(INSTALLED) ## Build the site into site/ with --strict (make test builds its own copy)
	$(PYTHON) -m mkdocs build --strict --site-dir site

# The tests build the site once, run every chapter, and run a reader's copy of every page in a
# fresh kernel under another CPU kernel set and one thread (tools/reader.py): all offline. Those
# runs overlap with the chapters' own; OMP_WAIT_POLICY=PASSIVE lets idle torch threads sleep
# instead of spinning, which would take the CPU from the processes beside them.
test: lint ## Everything CI runs: lint, strict build, chapters, reader runs, unit and browser tests
	CIFAR10_STAND_IN=1 OMP_WAIT_POLICY=PASSIVE $(PYTHON) -m pytest --durations=10

screenshots: $(INSTALLED) ## Phone-width screenshots, light and dark, into test-output/browser/
	CIFAR10_STAND_IN=1 SCREENSHOTS=1 $(PYTHON) -m pytest -q tests/test_site.py -k phone

outputs: $(INSTALLED) ## Re-run every chapter, rewrite its output fences, figures, stamp; redraw diagrams
	$(PYTHON) -m tools.diagrams
	CIFAR10_STAND_IN=1 $(PYTHON) -m tools.outputs

outputs-real: $(INSTALLED) ## Like outputs, on the real CIFAR-10 (downloads 170 MB into data/)
	env -u CIFAR10_STAND_IN $(PYTHON) -m tools.outputs

gpu-check: $(INSTALLED) ## On a CUDA machine: run the chapters and tests, record the result
	CIFAR10_STAND_IN=1 $(PYTHON) -m tools.gpu_check

benchmark: $(INSTALLED) ## Measure training speed (minutes) and update benchmarks/results/
	$(PYTHON) benchmarks/training_speed.py --write
	$(PYTHON) benchmarks/matmul_devices.py --write

publish: $(INSTALLED) ## Build the site and push it to the gh-pages branch (the Pages workflow)
	$(PYTHON) -m mkdocs gh-deploy --strict --force

clean: ## Remove the built site, caches, test output, runs/ and data/ (keeps .venv)
	rm -rf site .pytest_cache .ruff_cache test-output data runs
