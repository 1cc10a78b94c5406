# Aduan: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# PostgreSQL used by `make test` for the second run of the suite.
PG_URL ?= postgres://aduan:aduan@127.0.0.1:5432/aduan
export DJANGO_SETTINGS_MODULE := aduan.settings


.PHONY: help install run nodes test test-sqlite test-postgres postgres browser lint format migrate demo clean bench bench-ci

help:
	@echo "make run   - set up everything and serve Aduan with its worker on http://127.0.0.1:$(PORT)"
	@echo "make test  - set up and run the whole suite on SQLite and PostgreSQL"
	@echo "make nodes - a central and a regional node, paired (docs/FEDERATION.md)"

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Aduan needs Python 3.11 (found " + sys.version.split()[0] + "). Set PYTHON=/path/to/python3.11")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@# Front-end libraries (the map) come from the npm registry; the pages work without them.
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the optional map on the report form stays off (apt-get install npm)"; fi
	touch $@

install: $(BIN)/.installed

migrate: install
	@mkdir -p data
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py seed_categories
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Aduan: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@$(BIN)/python manage.py seed_demo --print-logins
	@# Links in e-mail and SMS (from both processes) must point where this server listens.
	@set -m; export SITE_URL=http://127.0.0.1:$(PORT); \
	$(BIN)/python manage.py run_worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# A central node (PORT, default 8000) and a Kutai Timur regional node (REGION_PORT,
# default 8001), paired, with the demo data split between them (docs/FEDERATION.md).
nodes: install
	$(BIN)/python scripts/nodes.py

test: install browser
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	@echo "== Test suite on SQLite"
	env -u DATABASE_URL $(BIN)/pytest -m "not postgres"

test-postgres: install postgres
	@echo "== Test suite on PostgreSQL ($(PG_URL))"
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

# Make sure the local PostgreSQL server runs and the test role exists (needs root or a
# superuser login; otherwise say exactly what is missing).
postgres:
	@bash scripts/ensure_postgres.sh "$(PG_URL)"

browser:
	@bash scripts/ensure_chromium.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmarks (docs/PERFORMANCE.md): `make bench` at a million reports (generated once into
# the aduan_bench database, which takes ~10 minutes), `make bench-ci` at CI size (minutes).
bench: install postgres
	bash bench/run.sh full

bench-ci: install postgres
	bash bench/run.sh ci
