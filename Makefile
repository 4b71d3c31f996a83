# Children's complaints portal. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
APT_RUN := poppler-utils fonts-liberation2 liblouis-bin python3-louis espeak-ng lame
APT_TEST := chromium chromium-driver clamav-daemon clamdscan
APT_BENCH := wrk
BENCH_CASES ?= 1000000
BENCH_SECONDS ?= 20
BENCH_DATABASES ?= sqlite,postgres
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help apt-postgres install install-test assets translations run serve test test-fast lint bench extract-messages update-messages compile-messages clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi
endef

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed ## Install Python and front-end dependencies, build assets
	$(call apt_install,$(APT_RUN))
	$(MAKE) --no-print-directory assets compile-messages

install-test: install ## Also install what the tests need (Chromium, chromedriver, ClamAV, wrk, PostgreSQL binaries)
	$(call apt_install,$(APT_TEST) $(APT_BENCH))
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory apt-postgres; fi

apt-postgres:
	$(call apt_install,postgresql)

assets: ## Build govuk-frontend (Arial), htmx and axe-core into static/vendor/
	$(PY) -m portal.assets

run: install ## Install, migrate, load demo data and serve on http://127.0.0.1:5000
	$(FLASK) db-upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test ## Install everything and run lint, type checks and the whole test suite
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest

test-fast: ## Unit and integration tests only (no browser), SQLite only
	$(VENV)/bin/pytest -m "not browser and not postgres" -q

lint: ## ruff (with mccabe 10) and mypy on portal/
	$(VENV)/bin/ruff check portal tests
	$(VENV)/bin/ruff check bench
	$(VENV)/bin/mypy

extract-messages: ## Extract translatable strings into translations/messages.pot
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -w 100 -o translations/messages.pot .

update-messages: extract-messages ## Merge new strings into every catalogue
	$(VENV)/bin/pybabel update -w 100 -i translations/messages.pot -d translations

compile-messages: ## Compile .po catalogues into .mo (done by install)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(VENV)/bin/pybabel compile -d translations >/dev/null; fi

.PHONY: bench-small

bench: install ## Benchmark (NFR PERF): 1,000,000 cases on SQLite and PostgreSQL, gunicorn + wrk; writes bench/RESULTS.md
	$(call apt_install,$(APT_BENCH) postgresql)
	$(PY) -m bench.run --cases $(BENCH_CASES) --seconds $(BENCH_SECONDS) --databases $(BENCH_DATABASES) --out bench/RESULTS.md

bench-small: install ## The benchmark's small mode as in the test suite (200 cases, SQLite, 2 s a URL; results to stdout only)
	$(call apt_install,$(APT_BENCH))
	$(PY) -m bench.run --cases 200 --seconds 2 --databases sqlite --out $${TMPDIR:-/tmp}/bench-small.md

clean: ## Remove the virtualenv, node_modules, built assets and the local database
	rm -rf $(VENV) node_modules static/vendor instance
