"""Our flask-smorest Blueprint: bodies decoded defensively, plus a way to document non-JSON answers."""

from __future__ import annotations

from typing import Any

import flask_smorest

from api.bodies import SafeParser

__all__ = ["ALSO_CSV", "ALSO_TEXT", "ALSO_TEXT_AND_CSV", "Blueprint", "also_yaml"]


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SafeParser()


def _also(*mimetypes: str) -> dict[str, Any]:
    # The integer key merges with what @blp.response(200, ...) documents.
    return {"responses": {200: {"content": {m: {"schema": {"type": "string"}} for m in mimetypes}}}}


def also_yaml(schema: str) -> dict[str, Any]:
    """Document that a JSON request body may come as YAML too (same schema)."""
    reference = {"$ref": f"#/components/schemas/{schema}"}
    return {"requestBody": {"content": {"application/yaml": {"schema": reference}}}}


ALSO_TEXT = _also("text/plain")
ALSO_CSV = _also("text/csv")
ALSO_TEXT_AND_CSV = _also("text/plain", "text/csv")
