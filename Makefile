# The two commands of the README: `make run` and `make test`. Both set up .venv themselves.
# ozbot needs Python 3.11 or newer: `make PYTHON=python3.12 run` picks another one.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))

.PHONY: run test python

run: $(VENV)/.installed
	$(BIN)/ozbot run || [ $$? -eq 130 ]  # 130: Ctrl-C, which ozbot has answered already

test: $(VENV)/.installed-test
	scripts/ensure-redis
	scripts/ensure-graphviz
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# Stops on a Python older than 3.11, before anything is installed.
python:
	@$(PYTHON) -c '$(NEW_ENOUGH)' 2>/dev/null || { \
	  echo "ozbot needs Python 3.11 or newer, and '$(PYTHON)' is" \
	    "$$($(PYTHON) --version 2>/dev/null || echo 'not there')." \
	    "Install one (python.org, your package manager or pyenv), then: make PYTHON=python3.11 run" >&2; \
	  exit 1; }

# A .venv that an older (or since removed) Python made is made again with $(PYTHON).
WRONG_VENV := $(shell [ -e $(VENV) ] && ! $(BIN)/python -c '$(NEW_ENOUGH)' 2>/dev/null && echo yes)

.PHONY: new-venv
new-venv: | python
	@echo "$(VENV) was made by $$($(BIN)/python --version 2>/dev/null || echo 'a Python that is gone');" \
	  "making it again with $$($(PYTHON) --version)" >&2
	rm -rf $(VENV)

$(VENV)/.installed: pyproject.toml $(if $(WRONG_VENV),new-venv) | python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@
