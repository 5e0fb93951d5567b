# The course's set-up in two commands (see README.md):
#   make lab    installs everything and opens the course in JupyterLab
#   make test   installs everything and runs every test
# Everything goes into .venv; nothing is installed system-wide.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: lab test slides grade-example clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[course]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.course

# JupyterLab refuses to run as root unless told to (containers often run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.course
	# The repository is the root, so the file browser reaches exercises/ and solutions/ too.
	$(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir="$(CURDIR)" chapters/01_errors_and_losses.ipynb

test: $(VENV)/.test
	$(BIN)/python -m pytest

slides: $(VENV)/.course
	$(BIN)/python -m mlcore.slides

clean:
	rm -rf $(VENV) build artifacts
