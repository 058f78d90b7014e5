"""Every error as an RFC 9457 problem document, or as one line for a spreadsheet cell.

Views raise; this module alone decides how an error looks. A spreadsheet
(Excel's WEBSERVICE shows any non-200 answer as a bare #VALUE!) asks with
``errors=text`` and gets ``200 text/plain`` with ``ERROR: <message>``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from api.caching import mark_uncacheable
from quantities import QuantityError
from quantities.manifest.problems import ManifestError
from quantities.options import InputTooLarge, WorkLimitExceeded

__all__ = ["Problem", "install"]

PROBLEM_TYPE = "application/problem+json"
_log = logging.getLogger(__name__)


class Problem(Exception):
    """An error with an HTTP status, a message and the JSON paths it concerns."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def _errors_from_webargs(messages: Mapping[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Flatten marshmallow's nested messages into ``{"path", "message"}`` rows."""
    rows: list[dict[str, Any]] = []
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        if isinstance(value, Mapping):
            rows += _errors_from_webargs(value, path)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            rows += [{"path": path, "message": message} for message in value]
        else:
            rows.append({"path": path, "message": str(value)})
    return rows


def _strip_location(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # webargs prefixes the location ("json.values"); a client thinks in its own body's paths.
    for row in rows:
        location, _, rest = row["path"].partition(".")
        if location in ("json", "query", "form", "files") and rest:
            row["path"] = rest
        row["in"] = {"json": "body", "query": "query"}.get(location, location)
    return rows


def respond(status: int, title: str, detail: str, errors: list[dict[str, Any]]) -> Response:
    mark_uncacheable()
    if request.method in ("GET", "HEAD") and request.args.get("errors") == "text":
        return Response(f"ERROR: {detail}".replace("\n", " ") + "\n", 200, mimetype="text/plain")
    document: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    document["instance"] = request.path
    if errors:
        document["errors"] = errors
    # The release the request asked for, once it was read and accepted (api.work); the
    # Kubernetes-Version header is on every answer regardless.
    if (chosen := g.get("kq_release")) is not None:
        document["kubernetes_version"] = str(chosen.version)
    return Response(json.dumps(document), status, mimetype=PROBLEM_TYPE)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description or error.name
    errors: list[dict[str, Any]] = []
    data = getattr(error, "data", None)
    if isinstance(data, Mapping) and isinstance(data.get("messages"), Mapping):
        errors = _strip_location(_errors_from_webargs(data["messages"]))
        if status == 422:
            detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5]) or detail
    if status >= 500:
        # Never a traceback or an internal path in an answer; the log keeps it.
        detail = "the server could not answer this request"
    response = respond(status, _title(status), detail, errors)
    if status == 405 and (allowed := getattr(error, "valid_methods", None)):
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def handle_problem(problem: Problem) -> Response:
    return respond(problem.status, _title(problem.status), problem.detail, problem.errors)


def handle_quantity_error(error: QuantityError) -> Response:
    """A bad quantity (422), with the path of every offending value."""
    problems = getattr(error, "problems", None)
    if problems:
        rows = [
            {"path": p.path, "message": p.error, **({"hint": p.hint} if p.hint else {})} for p in problems
        ]
    else:
        rows = [
            {"path": error.path or "", "message": str(error), **({"hint": error.hint} if error.hint else {})}
        ]
    return respond(422, _title(422), str(error), rows)


def handle_manifest_error(error: ManifestError) -> Response:
    """Objects that are not valid Kubernetes (422), every problem with its JSON path."""
    rows: list[dict[str, Any]] = [problem.to_json() for problem in error.problems]
    return respond(422, _title(422), str(error).replace("\n", " "), rows)


def handle_work_limit(error: WorkLimitExceeded) -> Response:
    if isinstance(error, InputTooLarge):
        return respond(413, _title(413), str(error), [{"path": error.where, "message": str(error)}])
    return respond(
        413, _title(413), f"this request needs more work than one request may take; split it ({error})", []
    )


def handle_overflow(error: OverflowError) -> Response:
    """Arithmetic the library refuses to do inexactly (a sum past its digit bound): the input's fault.

    The library's own words are kept only when they are its bound's message, never Python's.
    """
    text = str(error)
    detail = "a value in this request is too large or too precise to compute exactly"
    if text.endswith("digits to be exact"):
        detail += f" ({text})"
    return respond(422, _title(422), detail, [])


def handle_unexpected(error: Exception) -> Response:
    _log.exception("unexpected error", exc_info=error)
    return handle_http_exception(InternalServerError())


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Problem, handle_problem)
    app.register_error_handler(QuantityError, handle_quantity_error)
    app.register_error_handler(WorkLimitExceeded, handle_work_limit)
    app.register_error_handler(ManifestError, handle_manifest_error)
    app.register_error_handler(OverflowError, handle_overflow)
    app.register_error_handler(
        RecursionError, lambda e: handle_problem(Problem(400, "input nested too deeply"))
    )
    app.register_error_handler(Exception, handle_unexpected)
