# Two commands do all the set-up on a fresh machine (Python 3.11 with venv):
#   make demo   install into .venv, simulate a month of contact-center data, run the pipeline, print KPIs
#   make test   install into .venv and run the whole test suite (what CI runs)
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: install demo test ui clean

$(BIN)/cxpipe: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(BIN)/cxpipe

demo: install
	$(BIN)/cxpipe demo

test: install
	$(BIN)/ruff check cxpipe orchestration ingestion models simulator tests
	$(BIN)/python -m pytest -n 2 --dist loadfile

ui: install
	$(BIN)/cxpipe ui

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
