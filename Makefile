# The two commands: `make run` and `make test` (README). Everything else is set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell command -v python3.12 2>/dev/null)
PORT ?= 8000
VENDOR := static/vendor

.PHONY: run test setup lint check clean messages

run: setup ## Set up, then run the portal with demo data (web, worker, beat).
	@DEBUG=$${DEBUG:-1} REQUIRE_STAFF_MFA=$${REQUIRE_STAFF_MFA:-0} $(PY) manage.py runportal --port $(PORT)

test: setup lint ## Set up, then run the whole suite.
	$(PY) -m pytest

lint: setup ## ruff, djLint, migrations and mypy, as CI runs them.
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m djlint templates --lint --quiet
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) -m mypy

setup: $(VENV)/.installed $(VENDOR)/.installed

# The development lock: the runtime lock (the only one the Dockerfile installs) plus the
# test and lint tools, at the same versions. Reinstalls only when a lock file changes
# (make compares the stamp's time).
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
		echo "Python 3.12 is required and was not found: install it (for example 'pyenv install 3.12'), then run make again." >&2; \
		exit 1; \
	fi
	@[ -x $(PY) ] || "$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

$(VENDOR)/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the front-end assets: install Node.js 20 or newer, then run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/chartjs $(VENDOR)/axe
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(VENDOR)/chartjs/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	@touch $@

# Needs GNU gettext (Debian: gettext). The compiled .mo is committed, so running needs neither.
messages: setup ## Refresh locale/fr from the code and compile it; translate the new entries, then run it again.
	DEBUG=1 $(PY) manage.py makemessages -l fr --add-location=file \
		--ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=static --ignore=var
	DEBUG=1 $(PY) manage.py compilemessages -l fr --ignore=.venv

clean: ## Remove the environment and installed assets (keeps var/, the data).
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles
