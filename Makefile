# Two commands matter: `make serve` and `make test`. Both build their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: serve test lint typecheck unit bench clean openapi lock compiled clean-compiled

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/gunicorn --config api/gunicorn.conf.py api.wsgi:app

lint: $(STAMP)
	$(PY) -m ruff check quantities api tests benchmarks tools

typecheck: $(STAMP)
	$(PY) -m mypy --strict quantities api tools

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck unit

bench: $(STAMP)
	$(PY) benchmarks/bench_quantities.py

# Optional: compile the parser's hot modules with mypyc (needs a C compiler and the Python
# headers; mypy, which includes mypyc, is a dev dependency). Python then imports the compiled
# modules placed next to their sources; `make clean-compiled` goes back to pure Python.
# Nothing else needs this: serve, test and bench work without it.
compiled: $(STAMP)
	$(PY) tools/build_compiled.py --inplace

clean-compiled:
	$(PYTHON) tools/build_compiled.py --clean

clean: clean-compiled
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# openapi.yaml is generated from the marshmallow schemas; a test fails when it is stale.
openapi: $(STAMP)
	$(PY) -m api.openapi > openapi.yaml

# requirements.lock pins the image's runtime dependencies by version and hash (the Dockerfile
# installs with --require-hashes); a test fails when it no longer satisfies pyproject.toml.
lock: $(STAMP)
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml
