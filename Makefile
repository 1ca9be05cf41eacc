# Essor — the two commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench serve lint clean

# A venv whose install is redone only when the dependency pins change.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "Python 3.11 est requis."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	bash scripts/system_packages.sh
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/essor migrate --no-input -v 0
	$(BIN)/essor territories_import
	$(BIN)/essor demo
	$(BIN)/essor serve --with-worker

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var node_modules tests/browser/node_modules
