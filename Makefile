# The two commands of the README: `make run` and `make test`. Nothing but Python 3.11 is needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch==2.13.0 is pinned in pyproject.toml and installed in the same pip step as
# sentence-transformers, so pip never pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
	@mkdir -p var
	$(BIN)/python manage.py compile_translations

run: install
	$(BIN)/python manage.py migrate --noinput
	@if [ ! -f var/.demo-seeded ]; then $(BIN)/python manage.py seed_demo && touch var/.demo-seeded; \
	  else echo "demo city already loaded (python manage.py seed_demo --password P resets demo passwords)"; fi
	PORT=$(PORT) ./bin/serve

# Tests run in parallel processes (pytest-xdist), in the order pytest-django gives them (database tests first).
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

messages:
	$(BIN)/python manage.py makemessages -l ja -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=test-artifacts
	$(BIN)/python manage.py makemessages -d djangojs -l ja -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=test-artifacts
	$(BIN)/python manage.py compile_translations

clean:
	rm -rf $(VENV) var
