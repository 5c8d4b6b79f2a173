# City of Trail announcements. `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test build serve lint bench screenshots clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

# axe-core and the Nu HTML Checker for the browser tests, from the npm registry.
NODE_INSTALLED := node_modules/.installed
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/invoke demo

build: $(INSTALLED)
	$(BIN)/invoke build

serve: $(INSTALLED)
	$(BIN)/invoke serve

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(NODE_INSTALLED)
	$(BIN)/pytest

screenshots: $(INSTALLED)
	$(BIN)/python -m checks.screenshots

bench: $(INSTALLED)
	$(BIN)/python -m bench.run

clean:
	rm -rf output .output.cache demo .venv node_modules screenshots .mypy_cache .pytest_cache .ruff_cache
