# ptx: two commands on a fresh machine with Python 3.11+.
#   make run    create .venv, install, build the demo source if missing, start the dashboard
#   make test   install the test dependencies and run the whole suite (lint included)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this machine can reach `make run` unless told: `make run ADDRESS=0.0.0.0` listens on every
# network interface (put sign-in and HTTPS in front first; see docs/ACCESS.md).
ADDRESS ?= 127.0.0.1

.PHONY: run test demo lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[app]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	touch $@

data/demo.duckdb: ptx/demo.py | $(VENV)/.installed-app
	$(BIN)/ptx demo data/demo.duckdb

demo: data/demo.duckdb

run: $(VENV)/.installed-app data/demo.duckdb
	$(BIN)/streamlit run dashboard.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data/demo.duckdb test-artifacts .pytest_cache .ruff_cache
