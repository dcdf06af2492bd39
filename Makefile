# trustreport — the front door. `make report` sets everything up and runs the demo batch; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
WORKERS ?= 2
# The browser tests (tests/test_browser.py) drive the system Chromium, the Debian package.
CHROMIUM ?= /usr/bin/chromium

.PHONY: report test setup setup-dev lint format bench clean

report: $(VENV)/.installed
	$(BIN)/trustreport batch params/ --out outputs --workers $(WORKERS)

# One pytest run: the test suite plus an nbval smoke run of the template (fixture notebooks under tests/data are
# executed by the tests themselves, not collected by nbval).
test: $(VENV)/.installed-dev $(CHROMIUM)
	TRUSTREPORT_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q --nbval-lax --nbval-current-env --ignore=tests/data tests notebooks/trust_report.ipynb

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -q && apt-get install -y -q --no-install-recommends chromium; \
	else \
	  echo "No Chromium at $(CHROMIUM): install it (apt-get install chromium) or the browser tests are skipped"; \
	fi

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_rerun.py
	$(BIN)/python benchmarks/bench_bigfile.py --rows 1e6 3e6 1e7

clean:
	rm -rf outputs/*/ outputs/.staging-* outputs/.old-* outputs/index.html outputs/index.json .pytest_cache
