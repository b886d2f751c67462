# The two commands of the README:
#   make report   creates .venv when it is missing and builds the 2023 report
#   make test     the whole test suite (what .ci/run runs), listing its 30 slowest tests
# The environment is installed from pinned versions with hashes in requirements.lock
# (regenerate with `make lock` after changing pyproject.toml). JupyterLab has its own lock,
# requirements-lab.lock (`make lab`): it is kept out of the build environment because it pulls in
# rfc3987-syntax, whose import (through jsonschema, nbformat and papermill) compiles 38 grammars
# and costs about 2.5 s in every notebook worker.

# Supported: CPython 3.11, 3.12 and 3.13 (one lock for all). A new .venv is made with PYTHON when
# given (make report PYTHON=/path/to/python3.12), else with the newest of python3.13, python3.12,
# python3.11 and python3 on PATH that is one of them; an existing .venv is kept as it is
# (.ci/venv-python.sh says which Python is used; make clean-venv to switch).
PYTHON ?=
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2023
ARGS   ?=
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: report test a11y-tools lock lab validate new-year check-pythons venv clean-venv

# Both put the Quarto of ../shared/tools/quarto on PATH when no `quarto` command is there
# (.ci/install-quarto.sh installs it once into a cache folder outside the repository).
report: $(VENV)/.installed
	@QUARTO_BIN="$$(sh .ci/install-quarto.sh)" || exit 1; \
	PATH="$$QUARTO_BIN$${QUARTO_BIN:+:}$$PATH" $(BIN)/kompetensrapport build --year $(YEAR) $(ARGS)

test: $(VENV)/.installed a11y-tools
	@QUARTO_BIN="$$(sh .ci/install-quarto.sh)" || exit 1; \
	PATH="$$QUARTO_BIN$${QUARTO_BIN:+:}$$PATH" $(BIN)/python -m pytest --durations=30 $(ARGS)

# Headless Chromium (Debian's, apt-get) and axe-core (npm ci) for tests/test_a11y.py, installed
# only when missing. In CI (CI set) a failed install stops the run; elsewhere (no root, no
# network) the accessibility tests are skipped and say why.
a11y-tools:
	@sh .ci/install-chromium.sh || { test -z "$$CI" && \
	  echo "make: Chromium or axe-core could not be installed; tests/test_a11y.py will be skipped" >&2; }

# The analyst's commands (README: A new year, step by step): make validate [YEAR=2024],
# make new-year YEAR=2024.
validate: $(VENV)/.installed
	$(BIN)/kompetensrapport validate --year $(YEAR) $(ARGS)

new-year: $(VENV)/.installed
	@test "$(origin YEAR)" != file || { echo "make: name the new year: make new-year YEAR=2024" >&2; exit 2; }
	$(BIN)/kompetensrapport new-year $(YEAR) $(ARGS)

# JupyterLab refuses to run as root unless told to (--allow-root, added only for root).
lab: $(VENV)/.installed
	$(PIP) --require-hashes -r requirements-lab.lock
	$(BIN)/jupyter lab $$(test "$$(id -u)" != 0 || echo --allow-root) notebooks/ $(ARGS)

# Installs the locks into a venv per Python found (3.11, 3.12, 3.13; kept under ~/.cache between
# runs) and builds 2023 with each; a Python that is not found is reported as skipped.
# make test runs the same check (tests/test_pythons.py).
check-pythons: $(VENV)/.installed
	$(BIN)/python -m pytest -p no:cacheprovider -o addopts=-ra tests/test_pythons.py $(ARGS)

venv:
	@sh .ci/venv-python.sh $(VENV) "$(PYTHON)"

$(VENV)/.installed: requirements.lock pyproject.toml | venv
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	touch $@

# One lock for CPython 3.11-3.13 (a universal resolution; the lines only some versions need carry
# markers), written by uv from the lock itself (pyproject.toml: optional dev). uv keeps the
# versions the existing lock pins unless a change needs others; the lab lock is held to them.
LOCK_ARGS := --universal --python-version 3.11 --generate-hashes --no-header

# (uv also prints the lock it writes; only its summary on stderr is shown.)
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev $(LOCK_ARGS) -o requirements.lock >/dev/null
	$(BIN)/uv pip compile pyproject.toml --extra test --extra dev --extra lab $(LOCK_ARGS) \
	  --constraints requirements.lock -o requirements-lab.lock >/dev/null

clean-venv:
	rm -rf $(VENV)
