"""Request bodies, decoded defensively: JSON, YAML (safe subset only) and CSV.

Hostile bodies get a 4xx problem, never a 500: invalid UTF-8, NaN and
Infinity, nesting deeper than Python can recurse, YAML alias bombs and YAML
tags that try to build Python objects.
"""

from __future__ import annotations

from typing import Any

import flask
from webargs import core
from webargs.flaskparser import FlaskParser

from api import work
from api.problems import Problem
from quantities.manifest.problems import ManifestError

__all__ = ["JSON_TYPES", "YAML_TYPES", "SafeParser", "body_text", "decode_json", "decode_yaml"]

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})


def body_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Problem(400, f"the body is not valid UTF-8 (byte {error.start})") from None


def decode_json(data: bytes) -> Any:
    """One JSON value, read as the library reads manifests (exact numbers, no NaN or Infinity)."""
    from quantities.manifest.decode import load_json

    try:
        values = load_json(body_text(data), max_documents=1)
    except ManifestError as error:
        if str(error).startswith("more than 1 JSON value"):
            where = str(error).rsplit("(", 1)[-1].rstrip(")")
            message = f"the body is not valid JSON: it holds more than one value ({where})"
            raise Problem(400, message) from None
        raise Problem(400, f"the body is {error}") from None
    if not values:
        raise Problem(400, "the body is not valid JSON: expected one value, found none")
    return values[0]


def decode_yaml(data: bytes) -> list[Any]:
    """Every document of a YAML stream, with safe_load semantics and size limits."""
    from quantities.manifest.yaml_safe import (
        YamlError,
        YamlLimitExceeded,
        YamlValueError,
        load_yaml_documents,
    )

    text = body_text(data)
    try:
        return load_yaml_documents(text, work.yaml_limits(), work.deadline())
    except YamlLimitExceeded as error:
        raise Problem(413, str(error)) from None
    except YamlValueError as error:
        raise Problem(422, str(error), [{"path": error.path, "message": str(error)}]) from None
    except YamlError as error:
        raise Problem(400, str(error)) from None


def decode(request: flask.Request) -> Any:
    """The decoded body for a JSON or YAML request; a YAML stream of one document is that document."""
    data = request.get_data(cache=True)
    mimetype = request.mimetype
    if mimetype in JSON_TYPES or mimetype.endswith("+json"):
        return decode_json(data)
    if mimetype in YAML_TYPES:
        documents = decode_yaml(data)
        return documents[0] if len(documents) == 1 else documents
    raise Problem(
        415, f"unsupported content type {mimetype or '(none)'}: send application/json or application/yaml"
    )


def documents(request: flask.Request) -> list[Any]:
    """The Kubernetes objects of a JSON or YAML body: a JSON array or a YAML stream is several."""
    if not request.get_data(cache=True):
        raise Problem(400, "the body is empty: send Kubernetes objects as JSON or YAML")
    mimetype = request.mimetype
    if mimetype in YAML_TYPES:
        return decode_yaml(request.get_data(cache=True))
    decoded = decode(request)
    return decoded if isinstance(decoded, list) else [decoded]


class SafeParser(FlaskParser):
    """webargs' Flask parser, decoding bodies with the defences above."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not req.get_data(cache=True) and not req.mimetype:
            return core.missing
        return decode(req)
