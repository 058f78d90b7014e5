"""``/v1/quantity`` and ``/v1/quantities/*``: parse, normalise, add and compare quantities.

The quantity grammar and its printing are the same in every Kubernetes release (1.28-1.36),
so these answers do not change with ``kubernetes_version``; they take it like every
operation, check it, and say which release they answered for.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from api import work
from api.blueprint import ALSO_TEXT, ALSO_TEXT_AND_CSV, Blueprint, also_yaml
from api.negotiation import csv_response, json_response, text_response, wanted_format
from api.problems import Problem
from api.schemas import (
    CompareQuery,
    CompareRequest,
    ComparisonSchema,
    NormalizeQuery,
    NormalizeRequest,
    NormalizeResponse,
    QuantityAnswer,
    QuantityQuery,
    ReleaseQuery,
    SumQuery,
)
from quantities.quantity.batch import QuantitySummary, compare, normalize, summarize, total

blp = Blueprint("quantities", __name__, url_prefix="/v1", description="Kubernetes quantities")

_CSV_COLUMNS = ("input", "canonical", "format", "value", "converted", "unit", "error", "hint")


def _single(summary: QuantitySummary) -> Any:
    if wanted_format(("json", "text")) == "text":
        return text_response(summary.converted if summary.converted is not None else summary.canonical)
    return json_response(summary.to_json())


def _check_batch_size(values: list[Any]) -> None:
    limit = current_app.config["MAX_BATCH_VALUES"]
    if len(values) > limit:
        raise Problem(413, f"{len(values)} values in one request; at most {limit} are taken")


def _batch(results: list[Any]) -> Any:
    chosen = wanted_format(("json", "csv", "text"))
    documents: dict[int, Any] = {}  # repeated values share one summary object, and one document
    rows = [documents.get(id(r)) or documents.setdefault(id(r), r.to_json()) for r in results]
    if chosen == "csv":
        return csv_response(_CSV_COLUMNS, rows)
    if chosen == "text":
        return text_response(
            row.get("converted", row.get("canonical")) if "error" not in row else f"ERROR: {row['error']}"
            for row in rows
        )
    return json_response({"results": rows})


@blp.route("/quantity", methods=["GET"])
@blp.arguments(QuantityQuery(), location="query", as_kwargs=True)
@blp.response(200, QuantityAnswer)
@blp.doc(**ALSO_TEXT)
def get_quantity(value: str, to: str | None = None, lenient: bool = False, **_: Any) -> Any:
    """One quantity: its canonical form, format and exact value, optionally converted to a unit."""
    return _single(summarize(value, unit=to, lenient=lenient, path="value"))


@blp.route("/quantities/normalize", methods=["GET"])
@blp.arguments(NormalizeQuery(), location="query", as_kwargs=True)
@blp.response(200, NormalizeResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
def get_normalize(value: list[str], to: str | None = None, lenient: bool = False, **_: Any) -> Any:
    """Many quantities (repeat ``value``); a bad one is reported in its row, never fails the batch."""
    _check_batch_size(value)
    return _batch(normalize(value, unit=to, lenient=lenient, path="value", deadline=work.deadline()))


@blp.route("/quantities/normalize", methods=["POST"])
@blp.arguments(ReleaseQuery(), location="query", as_kwargs=True)
@blp.arguments(NormalizeRequest(), as_kwargs=True)
@blp.response(200, NormalizeResponse)
@blp.doc(**ALSO_TEXT_AND_CSV)
@blp.doc(**also_yaml("NormalizeRequest"))
def post_normalize(
    values: list[Any],
    to: str | None = None,
    lenient: bool = False,
    kubernetes_version: str | None = None,
    feature_gates: Any = None,
    **_: Any,
) -> Any:
    """Many quantities in a JSON or YAML body ``{"values": [...]}``, answered in input order."""
    work.use_body_release(kubernetes_version, feature_gates)
    _check_batch_size(values)
    return _batch(normalize(values, unit=to, lenient=lenient, deadline=work.deadline()))


@blp.route("/quantities/sum", methods=["GET"])
@blp.arguments(SumQuery(), location="query", as_kwargs=True)
@blp.response(200, QuantityAnswer)
@blp.doc(**ALSO_TEXT)
def get_sum(value: list[str], to: str | None = None, lenient: bool = False, **_: Any) -> Any:
    """The sum of the given quantities, in the notation Kubernetes' Add gives it."""
    _check_batch_size(value)
    return _single(total(value, unit=to, lenient=lenient, path="value"))


@blp.route("/quantities/sum", methods=["POST"])
@blp.arguments(ReleaseQuery(), location="query", as_kwargs=True)
@blp.arguments(NormalizeRequest(), as_kwargs=True)
@blp.response(200, QuantityAnswer)
@blp.doc(**ALSO_TEXT)
@blp.doc(**also_yaml("NormalizeRequest"))
def post_sum(
    values: list[Any],
    to: str | None = None,
    lenient: bool = False,
    kubernetes_version: str | None = None,
    feature_gates: Any = None,
    **_: Any,
) -> Any:
    """The sum of ``{"values": [...]}``; every invalid value is reported at once."""
    work.use_body_release(kubernetes_version, feature_gates)
    _check_batch_size(values)
    return _single(total(values, unit=to, lenient=lenient))


def _comparison(a: Any, b: Any, lenient: bool) -> Any:
    result = compare(a, b, lenient=lenient)
    if wanted_format(("json", "text")) == "text":
        return text_response(str(result.result))
    return json_response(result.to_json())


@blp.route("/quantities/compare", methods=["GET"])
@blp.arguments(CompareQuery(), location="query", as_kwargs=True)
@blp.response(200, ComparisonSchema)
@blp.doc(**ALSO_TEXT)
def get_compare(a: str, b: str, lenient: bool = False, **_: Any) -> Any:
    """Compare two quantities by value; as text, -1, 0 or 1."""
    return _comparison(a, b, lenient)


@blp.route("/quantities/compare", methods=["POST"])
@blp.arguments(ReleaseQuery(), location="query", as_kwargs=True)
@blp.arguments(CompareRequest(), as_kwargs=True)
@blp.response(200, ComparisonSchema)
@blp.doc(**ALSO_TEXT)
@blp.doc(**also_yaml("CompareRequest"))
def post_compare(
    a: Any,
    b: Any,
    lenient: bool = False,
    kubernetes_version: str | None = None,
    feature_gates: Any = None,
    **_: Any,
) -> Any:
    """Compare ``{"a": ..., "b": ...}`` by value."""
    work.use_body_release(kubernetes_version, feature_gates)
    return _comparison(a, b, lenient)
