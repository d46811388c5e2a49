# Two commands a fresh machine needs: `make run` and `make test`. Each builds the virtual
# environment on first use (and again whenever pyproject.toml or constraints.txt change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check sync standin bench lock clean catalogues

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

sync: $(STAMP)
	$(BIN)/python -m bot sync

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

standin: $(STAMP)
	$(BIN)/python -m tests.standins.gtgridstats

bench: $(STAMP)
	$(BIN)/python -m bench

# Extract the messages, bring every language's catalogue up to date, and list what is left to translate.
catalogues: $(STAMP)
	$(BIN)/python -m bot.ui.catalogues extract
	$(BIN)/python -m bot.ui.catalogues update
	$(BIN)/python -m bot.ui.catalogues check

# Re-pin constraints.txt from what the venv resolved (run after changing dependency ranges).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
