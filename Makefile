# Two commands a fresh machine needs: `make run` and `make test`. Each builds the virtual
# environment on first use (and again whenever pyproject.toml or constraints.txt change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pyproject.toml: requires-python = ">=3.11". Exits 0 on a Python new enough.
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))

.PHONY: run test lint typecheck check sync standin bench lock clean catalogues FORCE

# A .venv whose interpreter is missing, broken or older than 3.11 (say, left by a first try with
# python3.10) is rebuilt even though its stamp looks up to date.
ifneq ($(shell $(BIN)/python -c '$(NEW_ENOUGH)' >/dev/null 2>&1 && echo ok),ok)
$(STAMP): FORCE
endif

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c '$(NEW_ENOUGH)' >/dev/null 2>&1 || { \
		echo "gt-grid-bot needs Python 3.11 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not found')."; \
		echo "Install a newer Python (Debian/Ubuntu: sudo apt install python3.11 python3.11-venv), then run"; \
		echo "make again with it, e.g. 'make $(or $(MAKECMDGOALS),run) PYTHON=python3.11'."; \
		exit 1; } >&2
	@if [ -e $(VENV) ] && ! $(BIN)/python -c '$(NEW_ENOUGH)' >/dev/null 2>&1; then \
		echo "$(VENV) was built by a Python older than 3.11 (or is broken): rebuilding it."; \
		rm -rf $(VENV); \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Silent (@), so the bot's own message is the last thing printed; make then exits non-zero too, and its
# "Error N" line carries the bot's exit status (see README: Exit status).
run: $(STAMP)
	@$(BIN)/python -m bot

sync: $(STAMP)
	@$(BIN)/python -m bot sync

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

FORCE:
