"""Shared fixtures."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from api import create_app

# CI (CI=true) runs the property tests on a fixed sequence of examples, so that a landing
# depends on the code, not on the draw; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture()
def app() -> Flask:
    return create_app({"TESTING": True})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _refuse_constant(name: str) -> object:
    raise AssertionError(f"an answer holds {name}, which is not JSON")


_open = FlaskClient.open


def _open_and_check_json(self: FlaskClient, *args: object, **kwargs: object) -> object:
    """Every JSON answer any test receives must be strict JSON (no NaN, no Infinity, no trailing text)."""
    import json

    response = _open(self, *args, **kwargs)  # type: ignore[arg-type]
    mimetype = response.mimetype or ""
    if mimetype == "application/json" or mimetype.endswith("+json"):
        body = response.get_data(as_text=True)
        if body:
            json.loads(body, parse_constant=_refuse_constant)
    return response


FlaskClient.open = _open_and_check_json  # type: ignore[method-assign,assignment]
