# Leitai: `make demo` brings the app up with demo data; `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench install lint format messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Leitai is at http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

# The tests need a secret but no real one; DATABASE_URL picks PostgreSQL instead of SQLite.
# They run on every core (JOBS=1 for one), then what must run alone (exit 5: none selected).
JOBS ?= auto
TEST_RUN := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(BIN)/python -m pytest
test: $(STAMP)
	$(TEST_RUN) -n $(JOBS) --dist worksteal $(PYTEST_ARGS)
	$(TEST_RUN) -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The benchmark (not part of the tests): PostgreSQL, gunicorn, district and city scale.
# BENCH_DATABASE_URL names the database it recreates (default: leitai_bench on 127.0.0.1).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing a translatable string: update the catalog, translate, then compile.
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages --locale zh_Hans --locale en --ignore ".venv/*" --ignore "staticfiles/*" --ignore "node_modules/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore ".venv/*"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
