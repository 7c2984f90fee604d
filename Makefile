# vaxsim: two commands on a fresh machine — `make run` and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
# Find a Python >= 3.12: $(PYTHON) if given, then PATH, then pyenv's versions folder.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	  c=$$(command -v $$p 2>/dev/null) && $$c -c 'import sys; sys.exit(sys.version_info < (3,12))' 2>/dev/null && { echo $$c; exit; }; done; \
	  for c in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3,12))' 2>/dev/null && { echo $$c; exit; }; done)
SCENARIO ?= scenarios/baseline.yaml

.PHONY: run warm test bench lint typecheck check venv clean help golden fuzz browser-deps

help:
	@echo "make run    - create .venv, install, run $(SCENARIO), write results with plots"
	@echo "make warm   - compile the numba kernels in parallel (first time only; make run does it)"
	@echo "make test   - create .venv, install with dev extras, run the whole test suite"
	@echo "make bench  - run the pytest-benchmark suite in benchmarks/"
	@echo "make lint   - ruff"
	@echo "make typecheck - mypy (configured in pyproject.toml)"
	@echo "make check  - lint, typecheck and test (what CI runs)"
	@echo "make golden - regenerate tests/golden/*.json after a deliberate model change"
	@echo "make fuzz   - long fuzz of the engine on random valid scenarios (FUZZ_N=$(FUZZ_N))"
	@echo "make browser-deps - on request: Solara asset cache (~/.cache) and chromium (apt, root)"

$(VENV)/.stamp-base: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: vaxsim needs Python >= 3.12 (Mesa >= 3.4 requires it). Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12" >&2; exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base
	$(PY) -m pip install -q -e ".[dev,distributed]"
	@touch $@

venv: $(VENV)/.stamp-base

# The package is installed editable, so its bytecode is written here (cheap when fresh),
# as a regular install does: a start that compiles every module costs ~0.25 s, and an
# environment with PYTHONDONTWRITEBYTECODE set would pay it on every run.
run: $(VENV)/.stamp-base warm
	@$(PY) -m compileall -q sim
	$(VENV)/bin/vaxsim run $(SCENARIO)

# The numba kernels a run needs, compiled into their cache by one process per core
# (sim/engine/kernels/warm.py): ~2 min on a fresh 2-core machine instead of ~2.5 min
# inside the first run on one core; a check of ~0.2 s once they are compiled.
warm: $(VENV)/.stamp-base
	@$(PY) -m sim.engine.kernels.warm

# The suite runs in one pytest-xdist worker per core this process may use (-n auto, counted
# in tests/conftest.py); TEST_WORKERS=0 runs it in this process, TEST_WORKERS=N in N workers.
TEST_WORKERS ?= auto
test: $(VENV)/.stamp-dev
# The kernels first (make warm's step): otherwise each xdist worker compiles the ones its
# first tests need, the same kernels twice on an empty cache (~470 s CPU instead of ~150 s).
	@$(PY) -m sim.engine.kernels.warm
	MPLCONFIGDIR=$(CURDIR)/$(VENV)/matplotlib $(PY) -m pytest -q -n $(TEST_WORKERS)

bench: $(VENV)/.stamp-dev
	@$(PY) -m compileall -q sim
	$(PY) -m pytest benchmarks -q --benchmark-only --benchmark-columns=min,median,max,rounds \
	  --benchmark-autosave  # JSON in .benchmarks/ (compare runs: pytest-benchmark compare)

FUZZ_N ?= 10000
fuzz: $(VENV)/.stamp-dev
	$(PY) tests/fuzz/run_fuzz.py --scenarios $(FUZZ_N)

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check sim tests benchmarks

typecheck: $(VENV)/.stamp-dev
	$(VENV)/bin/mypy

check: lint typecheck test

# Golden summaries of the shipped scenarios (tests/test_golden.py compares with them).
golden: $(VENV)/.stamp-dev
	$(PY) -m tests.golden --update

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks

# Interactive view (vaxsim viz): `make test` installs the viz extra into .venv only. The
# browser test needs two things outside the repo, which only `make browser-deps` installs,
# on request: Solara's offline asset cache from the npm registry (about 70 MB in
# ~/.cache/vaxsim/solara-assets) and, on Debian as root, chromium + chromium-driver (apt).
# Without them the browser test is skipped and says why.
test: $(VENV)/.stamp-viz

$(VENV)/.stamp-viz: $(VENV)/.stamp-base
	$(PY) -m pip install -q -e ".[viz]"
	@touch $@

browser-deps: $(VENV)/.stamp-viz
	@echo "browser-deps: Solara asset cache from the npm registry into $${XDG_CACHE_HOME:-$$HOME/.cache}/vaxsim/solara-assets"
	scripts/solara_assets.sh
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "browser-deps: chromium and chromedriver already installed"; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "browser-deps: apt-get install chromium chromium-driver (system packages)"; \
	  apt-get install -y chromium chromium-driver || { apt-get update && apt-get install -y chromium chromium-driver; }; \
	else echo "browser-deps: install chromium and chromium-driver with your package manager" >&2; exit 1; fi
