"""Which representation a client wants: JSON, a bare text value, or CSV.

``?format=`` wins (a spreadsheet cannot set headers), then the Accept header,
then JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from flask import Response, request

from api.problems import Problem

__all__ = ["MIMETYPES", "csv_response", "text_response", "wanted_format"]

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


def text_response(lines: str | Iterable[str]) -> Response:
    body = lines if isinstance(lines, str) else "\n".join(lines)
    return Response(body + "\n", 200, mimetype="text/plain")


def csv_response(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(buffer.getvalue(), 200, mimetype="text/csv")
