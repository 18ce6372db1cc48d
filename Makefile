# Landkorb: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=
# Two workers on this two-core machine; override with PYTEST_WORKERS=0 to run serially.
PYTEST_WORKERS ?= 2

.PHONY: run worker test install install-dev translations lint bench bench-routing bench-import clean e2e-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: requirements-bench.txt requirements-dev.txt requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Catalogues are compiled from the committed .po files; the .mo files are build output.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --use-fuzzy -d translations 2>/dev/null

run: install
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The RQ worker for background jobs (queue "landkorb"); needs REDIS_URL.
worker: install
	@if [ -z "$$REDIS_URL" ]; then echo "make worker needs REDIS_URL (without it, background work runs in process)"; exit 1; fi
	$(FLASK) jobs worker

# The browser tests need Chromium: tests/e2e/browser.py finds it or installs it (apt-get as
# root, else Playwright's build) or stops saying what to install.
test: install-dev
	$(BIN)/python -m tests.e2e.browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --db=sqlite $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --db=postgresql $(PYTEST_ARGS); \
	fi

lint: install-dev
	$(BIN)/ruff check marketplace tests config.py wsgi.py

# SQLite and PostgreSQL, loaded by wrk (installed with apt-get when missing and root).
# BENCH_ARGS="--db sqlite" runs one database, "--scaling" adds 1,000 vs 100,000 products.
BENCH_ARGS ?=
bench: install-dev
	$(BIN)/python tests/benchmarks/bench_web.py $(BENCH_ARGS)

bench-routing: $(VENV)/.installed-bench translations
	$(BIN)/python tests/benchmarks/bench_routing.py

bench-import: install-dev
	$(BIN)/python tests/benchmarks/bench_import.py

# Update the message catalogues after changing user-facing strings.
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.sqlite
