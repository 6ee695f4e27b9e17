# Parley: `make run` serves the demo site, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Unbuffered, so the worker's printed emails show at once through honcho.
DEV_ENV := DEBUG=1 PYTHONUNBUFFERED=1
# Tests run with production-like settings; this key is for tests only.
TEST_ENV := SECRET_KEY=test-only-not-secret DEBUG=0 SECURE_SSL_REDIRECT=0

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Parley needs Python 3.12 or newer (.python-version says 3.13)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo
	@echo "  Parley is starting on http://127.0.0.1:8000/"
	@echo "  Admin: http://127.0.0.1:8000/admin/  (user: editor, password: parley-demo-editor)"
	@echo "  Emails are printed below by the task worker (lines marked \"worker\")."
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(DEV_ENV) $(BIN)/honcho start --procfile Procfile.dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	@# axe-core (npm) is injected into pages by the accessibility browser tests.
	test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
