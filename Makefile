# The course's set-up in two commands (see README.md):
#   make lab    installs everything and opens the course in JupyterLab
#   make test   installs everything and runs every test
# Everything goes into .venv; nothing is installed system-wide.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: lab test slides clean

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
# The course's JupyterLab settings live in .jupyter/ (chapter 1 as the page the
# printed URL opens, build output hidden, no news prompt, no deck left
# presenting); they come before any JUPYTER_CONFIG_PATH of yours.
COURSE_CONFIG_PATH := $(CURDIR)/.jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))
# More options for JupyterLab, e.g. in a container:
#   make lab LAB_ARGS="--ip=0.0.0.0 --no-browser"
LAB_ARGS ?=

lab: $(VENV)/.course
	# The repository is the root, so the file browser reaches exercises/ and solutions/ too.
	JUPYTER_CONFIG_PATH="$(COURSE_CONFIG_PATH)" $(BIN)/jupyter lab $(ALLOW_ROOT) \
		--ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS)

test: $(VENV)/.test
	$(BIN)/python -m pytest

slides: $(VENV)/.course
	$(BIN)/python -m mlcore.slides

clean:
	rm -rf $(VENV) build artifacts
