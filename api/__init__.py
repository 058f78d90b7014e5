"""The kube-quantities HTTP service: a thin Flask layer over the ``quantities`` library.

``create_app(config)`` builds the app (no work at import time). Views parse
with marshmallow schemas, call the library and serialise; every error becomes
an RFC 9457 problem document in ``api.problems``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import flask_smorest
from apispec import BasePlugin
from apispec.yaml_utils import dict_to_yaml
from flask import Flask, Response, request, send_from_directory
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import NotFound

from api import config as settings
from api import problems, work
from api.schemas import ProblemSchema

__all__ = ["create_app", "openapi_yaml"]


#: The header component every answer declares (api.work sets it on every answer).
_VERSION_HEADER = "KubernetesVersion"


class _VersionHeaderPlugin(BasePlugin):
    """Every documented answer carries the ``Kubernetes-Version`` header (errors: see Api below)."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            for response in operation.get("responses", {}).values():
                if isinstance(response, dict):  # the others name a component response
                    response.setdefault("headers", {})[work.VERSION_HEADER] = _VERSION_HEADER


class Api(flask_smorest.Api):
    """flask-smorest's Api with our problem documents as the error schema."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        self.spec.components.header(
            _VERSION_HEADER,
            {
                "description": "the Kubernetes release this answer is for (1.28 to 1.36): the one the "
                "request named with kubernetes_version, else the service's default",
                "schema": {"type": "string", "example": "1.36"},
            },
        )
        super()._register_responses()
        # Errors are application/problem+json, not application/json.
        for name in ("DEFAULT_ERROR", *(status.name for status in HTTPStatus if status >= 400)):
            response: dict[str, Any] = {
                "description": "a problem (RFC 9457)",
                "schema": self.ERROR_SCHEMA,
                "headers": {work.VERSION_HEADER: _VERSION_HEADER},
            }
            prepare_response(response, self.spec, problems.PROBLEM_TYPE)
            self.spec.components.response(name, response, lazy=True)


#: The Swagger UI files the /docs page loads (flask-smorest's template); the bundle's other
#: files (a demo index.html that loads a remote petstore spec, oauth2-redirect.html) are not served.
_DOCS_FILES = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def _docs_policy(body: bytes) -> str:
    """A CSP for the docs page: its own files, its one inline script by hash, never in a frame."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    return (
        "default-src 'self'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def _register_docs(app: Flask) -> None:
    import swagger_ui_bundle

    static = swagger_ui_bundle.swagger_ui_path

    @app.route("/docs/static/<path:filename>")
    def swagger_static(filename: str) -> Response:
        if filename not in _DOCS_FILES:
            raise NotFound()
        return send_from_directory(static, filename, max_age=86400)

    @app.after_request
    def docs_policy(response: Response) -> Response:
        if request.path.startswith("/docs"):
            body = b"" if response.direct_passthrough else response.get_data()
            response.headers["Content-Security-Policy"] = _docs_policy(body)
            response.headers["X-Frame-Options"] = "DENY"
        return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides the environment, which overrides the defaults."""
    app = Flask(__name__)
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_mapping(settings.from_environment(os.environ))
    if config:
        app.config.from_mapping(config)
    # Debug mode shows tracebacks; no setting turns it on (use `flask run --debug` locally).
    app.debug = False
    app.json.sort_keys = False  # type: ignore[attr-defined]

    # A release we cannot answer for (KQ_KUBERNETES_VERSION=1.99) stops the service here, in words
    # that list the supported ones; gunicorn's config checks the same before any worker starts.
    default = settings.default_version(app.config)

    spec = {"info": {"description": _DESCRIPTION}, "extra_plugins": [_VersionHeaderPlugin()]}
    api = Api(app, spec_kwargs=spec)
    problems.install(app)
    work.install(app, default)

    from api import caching, capacity, cluster, cors, health, metrics, nodes, pods, quantities

    caching.install(app)
    cors.install(app)
    _install_security_headers(app)

    for blueprint in (health.blp, quantities.blp, pods.blp, nodes.blp, capacity.blp, cluster.blp):
        api.register_blueprint(blueprint)
    cluster.install(app)
    metrics.install(app, api)
    from api.allocatable import blp as allocatable_blp

    api.register_blueprint(allocatable_blp)
    from api import quota

    api.register_blueprint(quota.blp)
    from api.nodes_needed import blp as nodes_needed_blp

    api.register_blueprint(nodes_needed_blp)
    _register_docs(app)
    app.extensions["kq_api"] = api
    return app


def _install_security_headers(app: Flask) -> None:
    @app.after_request
    def nosniff(response: Response) -> Response:
        # Every answer, errors and docs included: a browser must take the declared type
        # (text/plain, text/csv, problem+json) and never sniff echoed input as HTML or script.
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def openapi_yaml(app: Flask) -> str:
    """The OpenAPI document the app serves, as the YAML committed in ``openapi.yaml``."""
    api = app.extensions["kq_api"]
    return str(dict_to_yaml(api.spec.to_dict(), {"sort_keys": False}))


_DESCRIPTION = """Kubernetes resource arithmetic, exactly as Kubernetes does it.

Every GET answers in JSON, or as a bare value (`format=text`) or CSV
(`format=csv`) for spreadsheets; `errors=text` answers errors with 200 and a
single line `ERROR: <message>`, which a spreadsheet cell can show. Errors are
RFC 9457 problem documents (`application/problem+json`).

Every /v1 operation answers for one Kubernetes release, 1.28 to 1.36:
`kubernetes_version=1.30` (a query parameter; in a JSON object body also a field)
and `feature_gates=PodLevelResources=false` (the kubelet's syntax) choose it;
without them the service's default (`KQ_KUBERNETES_VERSION`, else the newest).
Every answer, errors and CSV included, says which release it is for in the
`Kubernetes-Version` header, and JSON answers also in `kubernetes_version`."""
