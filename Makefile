# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

VENDOR := itembank/static/vendor/richtext.js

.PHONY: fuzz run test setup lint format db demo clean translations simulate bench attack

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The web UI's front-end packages (frontend/package-lock.json), bundled from npm; no CDN.
$(VENDOR): frontend/package.json frontend/package-lock.json frontend/richtext.js frontend/formula.js frontend/regions.js frontend/licenses.js
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Test-only: an independent QTI engine (tests/qti_engine/package-lock.json, from npm)
# that tests/browser/test_qti_independent.py scores the exported items with; no CDN.
QTI_ENGINE := tests/qti_engine/dist/qti-engine.js
$(QTI_ENGINE): tests/qti_engine/package.json tests/qti_engine/package-lock.json tests/qti_engine/engine.js
	cd tests/qti_engine && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

setup: $(STAMP) $(VENDOR)
	$(BIN)/python -c "from itembank.ui.i18n import compile_catalogs; compile_catalogs()"

# Re-extract the UI's texts into the Indonesian catalogue (then translate the new ones).
translations: setup
	$(BIN)/python -m itembank.ui.catalog

db: setup
	$(FLASK) db upgrade --directory migrations

demo: db
	$(FLASK) itembank demo --if-empty

# A clearly labelled simulated bank (SIM-ASN, 3000 approved items, a 400-item blueprint)
# to try automated assembly; the demo's users admin and perakit become its members.
simulate: demo
	$(FLASK) itembank simulate-bank --if-missing

# `make run` serves as in production (itembank/serve.py): gunicorn with
# itembank/gunicorn_conf.py (WEB_CONCURRENCY workers, default 2) and one job worker;
# Ctrl-C stops both. It serves plain HTTP on the loopback address, so the session cookie
# is not marked Secure there unless ITEMBANK_SECURE_COOKIES=1; behind HTTPS it is by default.
run: demo
	@echo ""
	@echo "itembank is starting on http://127.0.0.1:$(PORT) (after compiling the QTI schemas, some seconds)"
	@echo "Log in as admin, penulis, penelaah1, penelaah2 or perakit;"
	@echo "password: $${ITEMBANK_DEMO_PASSWORD:-itembank-demo}"
	@echo ""
	PORT=$(PORT) ITEMBANK_SECURE_COOKIES=$${ITEMBANK_SECURE_COOKIES:-0} $(BIN)/python -m itembank.serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs in TEST_WORKERS processes (pytest-xdist; 0 runs it in one process); each
# has its own PostgreSQL schema and SQLite file. Three on the 2-core machines here: a good
# part of the suite waits (worker processes starting, leases running out, Chromium, the
# database), and a third process works meanwhile (10.4 min where two took 13-15). A
# process that runs out of tests takes some of another's (worksteal), so the long browser
# and worker tests do not leave one process working alone at the end.
TEST_WORKERS ?= 3
test: setup lint $(QTI_ENGINE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# `make bench`: every benchmark (bench/, see the README's Benchmarks) in its quick mode, one
# after another (they are CPU heavy), on SQLite: a few minutes on 2 cores, then one table of
# every benchmark's headline figures beside its baselines (bench/run_all.py). Each checks
# that every case does its work before timing it and stops at the first that does not.
# BENCHES=... runs a subset; BENCH_ARGS= (empty) runs the full sizes; BENCH_POSTGRES=URL adds
# PostgreSQL to the benches that support it (a schema of their own, dropped afterwards).
# The QTI exporters compared with the bank's are bench-only dependencies (pyproject's
# `bench` extra), installed here and never by `make test`.
BENCHES ?= api_listing ui_listing qti_export qti_export_peers qti_import import_spreadsheet jobs first_export assembly psychometrics results
BENCH_ARGS ?= --quick
BENCH_POSTGRES ?=
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	ITEMBANK_BENCH_POSTGRES='$(BENCH_POSTGRES)' $(BIN)/python bench/run_all.py --args='$(BENCH_ARGS)' $(BENCHES)

# `make attack`: bench/attack.py attacks the app from outside, as deployed (gunicorn with 4
# workers on a fresh PostgreSQL schema of ATTACK_POSTGRES, dropped afterwards), over HTTP
# only, and prints per category how many attacks were tried and how many got through;
# it exits non-zero if any did. About 2 minutes on 2 cores; not part of `make test`.
# ATTACK_ARGS="--only sessions,lockout -v" runs some categories and prints every check.
ATTACK_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
ATTACK_ARGS ?=
attack: setup
	ITEMBANK_BENCH_POSTGRES='$(ATTACK_POSTGRES)' $(BIN)/python bench/attack.py $(ATTACK_ARGS)

# `make fuzz`: the API's schemathesis run (every check) with 30 generated valid and 30
# invalid requests per operation; the suite sends a few. ITEMBANK_TEST_POSTGRES_URL adds PostgreSQL.
fuzz: setup
	ITEMBANK_FUZZ_EXAMPLES=30 $(BIN)/python -m pytest -q tests/api/test_schemathesis.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache frontend/node_modules itembank/static/vendor tests/qti_engine/node_modules tests/qti_engine/dist test-artifacts
