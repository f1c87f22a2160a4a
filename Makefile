# Répertoire: one toolchain behind a few targets. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEMO_ORGANISATIONS ?= 300
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate demo serve test lint format bench messages check lock clean screenshots

run: install migrate demo serve

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Demo data only on an empty database: running `make run` again keeps what is there.
demo: install
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo --organisations $(DEMO_ORGANISATIONS) --if-empty
	$(PY) manage.py create_demo_users
	$(PY) manage.py seed_requests --years 2 --if-empty

# Links in emails and notifications point at the server being run (SITE_URL set by hand wins).
SITE_URL ?= http://$(HOST):$(PORT)

serve: install
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0 --settings=cms.settings.test
	$(PY) -m pytest $(PYTEST_ARGS)

# lint-imports: the arrows between the parts and no import cycle ([tool.importlinter] in
# pyproject.toml, docs/architecture.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates */templates
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates */templates

bench: install
	@for script in tests/bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# The browser tests, taking a full-page picture at each step of every daily path (French first,
# English where a test covers it; desktop 1366 px and phone 390 px). Look at them before finishing
# a change to a screen. SCREENSHOTS_DIR=... to write elsewhere.
SCREENSHOTS_DIR ?= screenshots
screenshots: install
	rm -rf $(SCREENSHOTS_DIR)
	SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) $(PY) -m pytest tests/browser -m browser $(PYTEST_ARGS)
	@echo "Screenshots in $(SCREENSHOTS_DIR)/: $$(ls $(SCREENSHOTS_DIR) | wc -l) pictures"

# Refresh the .po files from the code and compile them (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=node_modules --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

check: lint test

# Re-pin every dependency (run after changing pyproject.toml, then commit requirements.lock).
lock:
	$(PY) -m pip install --quiet --upgrade -e ".[dev]"
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) staticfiles
