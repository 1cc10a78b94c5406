# Aduan: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 5.2 supports Python 3.11 to 3.13 (Debian 13 ships 3.13, Ubuntu 24.04 3.12): take
# `python3` when it is one of them, else the newest python3.1x on PATH.
SUPPORTED_PYTHON := (3, 11) <= sys.version_info[:2] <= (3, 13)
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not ($(SUPPORTED_PYTHON)))' 2>/dev/null \
	&& command -v $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The e-mail channel's SMTP listener in development (docs/CHANNELS.md).
MAIL_PORT ?= 8025
# gunicorn processes behind `make run`.
WEB_WORKERS ?= 2
# The keys `make run` and `make dev` serve this checkout with, made once by
# scripts/local_keys.py (0600, never printed; docs/OPERATIONS.md). Only these targets name
# the file: settings read it when ENV_FILE is set, and `make test` never sets it.
LOCAL_ENV := $(CURDIR)/data/local.env
run dev keys migrate demo: export ENV_FILE := $(LOCAL_ENV)
# PostgreSQL used by `make test` for the second run of the suite.
PG_URL ?= postgres://aduan:aduan@127.0.0.1:5432/aduan
export DJANGO_SETTINGS_MODULE := aduan.settings

.PHONY: help install keys run dev nodes nginx pgbouncer test test-sqlite test-shifted test-postgres postgres browser lint format migrate demo clean bench bench-ci

help:
	@echo "make run   - set up everything and serve Aduan as production does (gunicorn, DEBUG off) on http://127.0.0.1:$(PORT)"
	@echo "make dev   - the same with Django's runserver and debug pages, for developers"
	@echo "make test  - set up and run the whole suite on SQLite and PostgreSQL"
	@echo "make nodes - a central and a regional node, paired (docs/FEDERATION.md)"

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt package-lock.json
	@test -n "$(PYTHON)" || { echo "Aduan needs Python 3.11, 3.12 or 3.13 and found none on PATH. Set PYTHON=/path/to/python3" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if $(SUPPORTED_PYTHON) else "Aduan needs Python 3.11, 3.12 or 3.13 (found " + sys.version.split()[0] + "). Set PYTHON=/path/to/python3")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@# Front-end libraries (the map) come from the npm registry; the pages work without them.
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the optional map on the report form stays off (apt-get install npm)"; fi
	touch $@

install: $(BIN)/.installed

keys: install
	@$(BIN)/python scripts/local_keys.py data

migrate: install keys
	$(BIN)/python manage.py migrate --noinput
	@# The table `make run` (several gunicorn processes) keeps its cache in.
	CACHE_BACKEND=database $(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py seed_categories
	$(BIN)/python manage.py seed_demo

# The web process ($(1)) with the worker and the e-mail listener beside it, each in its own
# process group: Ctrl-C, `kill` of make, or any of the three ending stops all three (the
# groups, so runserver's reloader child goes too). Links in e-mail and SMS (from every
# process) must point where this server listens.
define serve
set -m; export SITE_URL=http://127.0.0.1:$(PORT); \
$(BIN)/python manage.py run_worker & WORKER=$$!; \
$(BIN)/python manage.py run_mail_listener --port $(MAIL_PORT) & MAIL=$$!; \
$(1) & WEB=$$!; \
stop() { trap - EXIT INT TERM HUP; kill -TERM -- -$$WEB -$$WORKER -$$MAIL 2>/dev/null; wait; }; \
trap stop EXIT; trap 'stop; exit 0' INT TERM HUP; \
wait -n $$WEB $$WORKER $$MAIL
endef

# As production: gunicorn, DEBUG off, static files by WhiteNoise, the keys in data/local.env.
# Plain HTTP on 127.0.0.1, so cookies are not limited to HTTPS.
run: demo
	@echo "Aduan: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@$(BIN)/python manage.py seed_demo --print-logins
	@$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@export DEBUG=false DEVDATA_ENABLED=true ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_COOKIES=false SECURE_SSL_REDIRECT=false CACHE_BACKEND=database \
	EMAIL_INTAKE_ADDRESS=lapor@aduan.localhost GUNICORN_WORKERS=$(WEB_WORKERS); \
	$(call serve,$(BIN)/gunicorn aduan.wsgi -c deploy/gunicorn.conf.py --bind 127.0.0.1:$(PORT))

# For developers: runserver (reloads on code changes) with Django's debug pages.
dev: demo
	@echo "Aduan (dev): http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@$(BIN)/python manage.py seed_demo --print-logins
	@$(call serve,$(BIN)/python manage.py runserver 127.0.0.1:$(PORT))

# A central node (PORT, default 8000) and a Kutai Timur regional node (REGION_PORT,
# default 8001), paired, with the demo data split between them (docs/FEDERATION.md).
nodes: install
	$(BIN)/python scripts/nodes.py

test: install browser nginx
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-shifted
	@$(MAKE) --no-print-directory test-postgres

# The suite runs in TEST_WORKERS processes (pytest-xdist), one per core by default; tests
# that share something machine-wide run on one of them in turn (conftest.py). TEST_WORKERS=0
# runs everything in this process.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

test-sqlite: install
	@echo "== Test suite on SQLite"
	env -u DATABASE_URL $(PYTEST) -m "not postgres"

# The fast part of the suite (no browser) once more with the clock of the whole run moved
# (conftest.py's --clock), so that a test leaning on the day it runs fails the day it lands.
# Friday 12 March 2027, 23:30 WITA is chosen to be hostile: a cuti bersama in the middle of
# Nyepi, Idul Fitri and its leave days (8-15 March), so reports filed days apart get the
# same deadline and neither today nor tomorrow is a working day; Friday night in WITA,
# still Friday (22:30) in WIB and already Saturday in WIT; a run started here fails the
# tests that once broke on 2027-03-10 and 2026-12-31. The browser tests and the drills
# (processes killed, a backup restored, the whole country loaded) are left out only to keep
# this run short: they pass with a moved clock too (`pytest --clock=...`), since Chromium,
# which keeps the real clock, is given cookies with a Max-Age.
SHIFTED_CLOCK ?= 2027-03-12T23:30+08:00
test-shifted: install
	@echo "== Fast part of the suite on SQLite, clock moved to $(SHIFTED_CLOCK)"
	env -u DATABASE_URL $(PYTEST) -q -m "not postgres and not browser and not drill" \
		--clock=$(SHIFTED_CLOCK)

test-postgres: install postgres pgbouncer
	@echo "== Test suite on PostgreSQL ($(PG_URL))"
	DATABASE_URL=$(PG_URL) $(PYTEST)

# Make sure the local PostgreSQL server runs and the test role exists (needs root or a
# superuser login; otherwise say exactly what is missing).
postgres:
	@bash scripts/ensure_postgres.sh "$(PG_URL)"

browser:
	@bash scripts/ensure_chromium.sh

# nginx, for the test that runs deploy/nginx/aduan.conf (skipped without it).
nginx:
	@bash scripts/ensure_nginx.sh

# PgBouncer, for the replica and connection-pooling scenarios of the PostgreSQL run
# (harness/test_replicas.py, docs/REPLICAS.md): installed as root, else named as missing.
pgbouncer:
	@bash scripts/ensure_pgbouncer.sh

lint: install
	@echo "== Lint: ruff check, ruff format --check, makemigrations --check"
	@$(BIN)/ruff check . || { echo "ruff check failed: fix the code above (make format fixes some)" >&2; exit 1; }
	@$(BIN)/ruff format --check . || { echo "ruff format --check failed: run make format" >&2; exit 1; }
	@env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run \
	|| { echo "models and migrations differ: run manage.py makemigrations" >&2; exit 1; }

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
