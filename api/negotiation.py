"""Which representation a client wants: JSON, a bare text value, or CSV.

``?format=`` wins (a spreadsheet cannot set headers), then the Accept header,
then JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from flask import Response, request

from api.problems import Problem
from api.work import version_text
from quantities.present.csv import write_csv_records

__all__ = ["MIMETYPES", "csv_response", "json_response", "text_response", "wanted_format"]

MIMETYPES = {"json": "application/json", "text": "text/plain", "csv": "text/csv"}


def wanted_format(allowed: Sequence[str]) -> str:
    explicit = request.args.get("format")
    if explicit:
        if explicit not in allowed:
            raise Problem(
                400,
                f"format={explicit} is not offered here: choose one of {', '.join(allowed)}",
                [{"path": "format", "in": "query", "message": f"must be one of {', '.join(allowed)}"}],
            )
        return explicit
    best = request.accept_mimetypes.best_match([MIMETYPES[name] for name in allowed])
    if best is None or request.accept_mimetypes.best == "*/*":
        return allowed[0]
    return next(name for name, mimetype in MIMETYPES.items() if mimetype == best)


def json_response(document: object) -> Response:
    """A JSON answer, encoded directly; an object gets ``kubernetes_version`` when it lacks it.

    The library's ``to_json()`` documents already have the shape the response
    schemas describe (tests/api/test_api_contract.py validates real answers against
    openapi.yaml), so they are not dumped through marshmallow a second time:
    that costs more than the rest of a small request.
    """
    if isinstance(document, dict) and "kubernetes_version" not in document:
        # Every answer object says which release it is for, first (api.work.version_text).
        document = {"kubernetes_version": version_text(), **document}
    # ASCII escapes: a lone surrogate echoed from the input could not be encoded as UTF-8.
    text = json.dumps(document, separators=(",", ":"), default=_echo)
    return Response(text, 200, mimetype="application/json")


def _echo(value: object) -> object:
    # Numbers inside an invalid value are echoed back as JSON numbers.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _utf8(text: str) -> bytes:
    """UTF-8, with lone surrogates (JSON allows "\\ud800") replaced by U+FFFD as Go's JSON does."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


def text_response(lines: str | Iterable[str]) -> Response:
    body = lines if isinstance(lines, str) else "\n".join(lines)
    return Response(_utf8(body + "\n"), 200, mimetype="text/plain")


def csv_response(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Response:
    """CSV for a spreadsheet: a cell that would run as a formula (``=HYPERLINK(...)`` echoed
    from the request) is written as text (see ``quantities.present.csv``)."""
    buffer = io.StringIO()
    write_csv_records(buffer, columns, rows, lineterminator="\r\n")
    return Response(_utf8(buffer.getvalue()), 200, mimetype="text/csv")
