# Two commands matter: `make serve` and `make test`. Both build their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: serve test lint typecheck unit bench clean openapi lock

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/gunicorn --config api/gunicorn.conf.py api.wsgi:app

lint: $(STAMP)
	$(PY) -m ruff check quantities api tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy --strict quantities api

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck unit

bench: $(STAMP)
	$(PY) benchmarks/bench_quantities.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# openapi.yaml is generated from the marshmallow schemas; a test fails when it is stale.
openapi: $(STAMP)
	$(PY) -m api.openapi > openapi.yaml

# requirements.lock pins the image's runtime dependencies by version and hash (the Dockerfile
# installs with --require-hashes); a test fails when it no longer satisfies pyproject.toml.
lock: $(STAMP)
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml
