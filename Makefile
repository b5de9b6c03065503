# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test setup lint format db demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(FLASK) db upgrade --directory migrations

demo: db
	$(FLASK) itembank demo --if-empty

run: demo
	@echo ""
	@echo "itembank is starting on http://127.0.0.1:$(PORT)"
	@echo "Log in as admin, penulis, penelaah1, penelaah2 or perakit;"
	@echo "password: $${ITEMBANK_DEMO_PASSWORD:-itembank-demo}"
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
