# Concierge: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := portal

.PHONY: run test install install-test serve migrate demo worker translations clean bench

# The address printed in links and sign-in lines is the one `flask run` serves, unless BASE_URL says otherwise.
SERVED_URL = $${BASE_URL:-http://$(HOST):$(PORT)}

run: install instance/config.py ## Install, migrate, seed the demo event and serve it on SQLite
	$(BIN)/flask db upgrade heads
	BASE_URL="$(SERVED_URL)" $(BIN)/flask seed-demo
	@echo "Serving the demo at $(SERVED_URL)/e/demo/ (Ctrl+C stops it)."
	BASE_URL="$(SERVED_URL)" $(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test ## Run the whole suite (set TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# A random secret for this checkout, made once; never committed.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

migrate: install ## Apply migrations to the configured database
	$(BIN)/flask db upgrade heads

worker: install ## Run the outbox sender
	$(BIN)/flask send-mail

# Load benchmark: a 5,000-guest event served by gunicorn, driven by wrk; prints and writes the
# table to bench/results/. BENCH_DURATION=3 for a quick look; DATABASE_URL=postgresql://... for PostgreSQL.
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	DATABASE_URL="$(DATABASE_URL)" $(BIN)/python -m bench.run $(BENCH_ARGS)

translations: install-test ## Re-extract messages and update both catalogs
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l --add-location=file --sort-output \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/concierge.sqlite3*
