# The two commands of the README:
#   make report   creates .venv when it is missing and builds the 2023 report
#   make test     the whole test suite (what .ci/run runs)
# The environment is installed from pinned versions with hashes in requirements.lock
# (regenerate with `make lock` after changing pyproject.toml). JupyterLab has its own lock,
# requirements-lab.lock (`make lab`): it is kept out of the build environment because it pulls in
# rfc3987-syntax, whose import (through jsonschema, nbformat and papermill) compiles 38 grammars
# and costs about 2.5 s in every notebook worker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2023
ARGS   ?=

.PHONY: report test a11y-tools lock lab clean-venv

# Both put the Quarto of ../shared/tools/quarto on PATH when no `quarto` command is there
# (.ci/install-quarto.sh installs it once into a cache folder outside the repository).
report: $(VENV)/.installed
	@QUARTO_BIN="$$(sh .ci/install-quarto.sh)" || exit 1; \
	PATH="$$QUARTO_BIN$${QUARTO_BIN:+:}$$PATH" $(BIN)/kompetensrapport build --year $(YEAR) $(ARGS)

test: $(VENV)/.installed a11y-tools
	@QUARTO_BIN="$$(sh .ci/install-quarto.sh)" || exit 1; \
	PATH="$$QUARTO_BIN$${QUARTO_BIN:+:}$$PATH" $(BIN)/python -m pytest $(ARGS)

# Headless Chromium (Debian's, apt-get) and axe-core (npm ci) for tests/test_a11y.py, installed
# only when missing. In CI (CI set) a failed install stops the run; elsewhere (no root, no
# network) the accessibility tests are skipped and say why.
a11y-tools:
	@sh .ci/install-chromium.sh || { test -z "$$CI" && \
	  echo "make: Chromium or axe-core could not be installed; tests/test_a11y.py will be skipped" >&2; }

lab: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-lab.lock
	$(BIN)/jupyter lab notebooks/

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

LOCK_ARGS := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --generate-hashes --no-header

lock:
	uv pip compile pyproject.toml --extra test $(LOCK_ARGS) -o requirements.lock
	uv pip compile pyproject.toml --extra test --extra lab $(LOCK_ARGS) -o requirements-lab.lock

clean-venv:
	rm -rf $(VENV)
