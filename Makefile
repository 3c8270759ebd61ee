# Everything bootstraps its own virtual environment: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8080

.PHONY: sandbox programme test lint format typecheck check db-upgrade content-check lock clean

# The locked versions, every file checked against its hash; then the project itself, without resolving again.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

LOCK_OPTIONS := --quiet --generate-hashes --universal --python-version 3.11 $(LOCK_FLAGS)

lock: $(STAMP) ## refresh the lock files after a change to pyproject.toml (LOCK_FLAGS=--upgrade: newest allowed)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_OPTIONS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_OPTIONS) -o requirements-dev.lock

sandbox: $(STAMP) ## the whole bot on this machine with a chat page on http://127.0.0.1:$(PORT); no token needed
	$(BIN)/glutebot sandbox --port $(PORT)

programme: $(STAMP) ## print the first four weeks a new runner at each level would get
	$(BIN)/glutebot programme --days 28

test: $(STAMP) ## the whole test suite (SQLite always; PostgreSQL when reachable, required with REQUIRE_POSTGRES=1)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy bot

check: lint typecheck test

content-check: $(STAMP)
	$(BIN)/glutebot content check content

db-upgrade: $(STAMP)
	$(BIN)/glutebot db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
