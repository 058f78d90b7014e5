"""The contract: every request and response shape, once, as marshmallow schemas.

flask-smorest turns these into validation, error messages and ``openapi.yaml``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

__all__ = [
    "CompareQuery",
    "CompareRequest",
    "ComparisonSchema",
    "NormalizeQuery",
    "NormalizeRequest",
    "NormalizeResponse",
    "ProblemSchema",
    "QuantityQuery",
    "QuantitySummarySchema",
]

_FORMAT_HELP = "json (default), text (one value a line) or csv"


class QuantityText(fields.Field[Any]):
    """A quantity as Kubernetes reads it from JSON: a string, or a number taken by its exact text.

    Anything is passed through, so that the library reports a bad value
    against its own path instead of failing the whole request.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class QuantityList(fields.List[Any]):
    """A list of QuantityText, taken in one step: batches hold 100,000 values."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(QuantityText(allow_none=True), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return value


class _Presentation(Schema):
    """How a single value is answered."""

    format = fields.String(
        validate=validate.OneOf(["json", "text"]),
        metadata={"description": "json (default) or text: a bare value for a spreadsheet cell"},
    )
    errors = fields.String(
        validate=validate.OneOf(["problem", "text"]),
        metadata={"description": "text: answer errors with 200 and one line 'ERROR: ...' (for Excel)"},
    )


class _TablePresentation(_Presentation):
    """How a table is answered."""

    format = fields.String(
        validate=validate.OneOf(["json", "text", "csv"]), metadata={"description": _FORMAT_HELP}
    )


class _Conversion(Schema):
    to = fields.String(
        metadata={
            "description": "a unit to convert to: B, kB, MB, GB, KiB, MiB, GiB, cores, millicores...",
            "example": "GiB",
        }
    )
    lenient = fields.Boolean(
        load_default=False,
        metadata={"description": "also accept what people write: '2 GiB', '512MB', '1.5 cores'"},
    )


class JsonBoolean(fields.Boolean):
    """In a JSON body a boolean is true or false; 0, 1 and "yes" are refused, as the contract says."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class _BodyConversion(_Conversion):
    lenient = JsonBoolean(
        load_default=False,
        metadata={"description": "also accept what people write: '2 GiB', '512MB', '1.5 cores'"},
    )


class QuantityQuery(_Presentation, _Conversion):
    value = fields.String(
        required=True, metadata={"description": "a Kubernetes quantity", "example": "1.5Gi"}
    )


class QuantitySummarySchema(Schema):
    input = fields.String(required=True)
    canonical = fields.String(required=True, metadata={"description": "how Kubernetes writes it"})
    format = fields.String(
        required=True, validate=validate.OneOf(["BinarySI", "DecimalSI", "DecimalExponent"])
    )
    value = fields.String(required=True, metadata={"description": "the exact value as decimal text"})
    converted = fields.String(metadata={"description": "the exact value in the unit asked for"})
    unit = fields.String()


class NormalizeResultSchema(Schema):
    input = fields.Raw(required=True)
    canonical = fields.String()
    format = fields.String()
    value = fields.String()
    converted = fields.String()
    unit = fields.String()
    error = fields.String(metadata={"description": "why this value is not a quantity"})
    position = fields.Integer(metadata={"description": "index of the first offending character"})
    hint = fields.String(metadata={"description": "what was probably meant"})
    path = fields.String(metadata={"description": "JSON path of the value in the request"})


class NormalizeRequest(_BodyConversion):
    values = QuantityList(required=True, metadata={"example": ["1.5Gi", "0.1", "1K"]})


class NormalizeQuery(_TablePresentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class SumQuery(_Presentation, _Conversion):
    value = fields.List(fields.String(), required=True, metadata={"description": "repeat for each value"})


class NormalizeResponse(Schema):
    results = fields.List(fields.Nested(NormalizeResultSchema), required=True)


class CompareRequest(Schema):
    a = QuantityText(required=True, allow_none=True)
    b = QuantityText(required=True, allow_none=True)
    lenient = JsonBoolean(load_default=False)


class CompareQuery(_Presentation):
    a = fields.String(required=True, metadata={"example": "1"})
    b = fields.String(required=True, metadata={"example": "1000m"})
    lenient = fields.Boolean(load_default=False)


class ComparisonSchema(Schema):
    a = fields.Nested(QuantitySummarySchema, required=True)
    b = fields.Nested(QuantitySummarySchema, required=True)
    result = fields.Integer(required=True, metadata={"description": "-1, 0 or 1, as Kubernetes' Cmp"})
    relation = fields.String(required=True, validate=validate.OneOf(["less", "equal", "greater"]))


class ProblemDetailSchema(Schema):
    path = fields.String(metadata={"description": "JSON path of the offending field"})
    message = fields.String()
    hint = fields.String()
    error = fields.String()
    input = fields.Raw()
    position = fields.Integer()
    location = fields.String(data_key="in")


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.List(fields.Nested(ProblemDetailSchema))
