# Two commands for a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test lint serve dist clean

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

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
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

clean:
	rm -rf site dist .pytest_cache .ruff_cache
