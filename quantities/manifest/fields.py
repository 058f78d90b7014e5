"""Typed fields out of decoded JSON: every wrong type recorded with its path, none fatal.

:class:`FieldReader` reads one object's fields (``mapping``, ``array``, ``string``,
``int32``, ``quantity``), recording a :class:`~quantities.manifest.problems.Problem`
for each field of the wrong JSON type instead of stopping at the first, so that one
answer lists every problem of a manifest. :func:`parse_manifest_quantity` is
Kubernetes' ``Quantity.UnmarshalJSON``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.problems import Problem, key
from quantities.quantity.errors import KUBERNETES_FORMAT_MESSAGE, QuantityError, json_kind
from quantities.quantity.goint import INT32_MAX, INT32_MIN
from quantities.quantity.quantity import Quantity, parse_quantity

__all__ = [
    "FieldReader",
    "json_text",
    "json_type",
    "parse_manifest_quantity",
]

# Go's unicode.IsSpace, which strings.TrimSpace uses: Python's str.strip()
# would also remove the ASCII separators \x1c-\x1f.
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501


def json_type(value: object) -> str:
    """What a decoded value is, in JSON's words, for "expected ..., got ..." messages.

    >>> json_type("high"), json_type(ExactNumber("1e3")), json_type([1]), json_type(None)
    ('string "high"', 'number 1e3', 'an array', 'null')
    """
    if isinstance(value, ExactNumber):
        return f"number {value.text}"
    # What YAML has beyond JSON (safe_load's timestamps, !!binary, !!set).
    if isinstance(value, date):
        return f"timestamp {value.isoformat()}"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, set | frozenset):
        return "a set"
    return json_kind(value)


def json_text(value: object) -> str | None:
    """The offending value as JSON text, for scalars (objects and arrays are not repeated)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text: str = json.dumps(value, ensure_ascii=False)
        return text
    if isinstance(value, ExactNumber):
        return value.text
    if isinstance(value, int | float | Decimal):
        return str(value)
    return None


def _go_json_float(value: float) -> str:
    """A float64 as Go's ``encoding/json`` writes it: what kubectl sends for a YAML float.

    Shortest round-trip digits, plain notation from 1e-6 to 1e21, exponent
    notation outside (``1e-07`` shortened to ``1e-7``).
    """
    shortest = repr(value)
    magnitude = abs(value)
    if magnitude == 0 or 1e-6 <= magnitude < 1e21:
        text = format(Decimal(shortest), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exponent = shortest.partition("e")
    sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


def parse_manifest_quantity(value: object) -> Quantity:
    """A quantity as it appears in a manifest, read as Kubernetes' ``Quantity.UnmarshalJSON`` does.

    Strings are trimmed of surrounding white space; JSON numbers are parsed
    from their text; ``null`` is zero. A boolean, object or array raises
    ``TypeError``; a string that is not a quantity raises ``QuantityError``.

    >>> parse_manifest_quantity(" 1Gi "), parse_manifest_quantity(0.5), parse_manifest_quantity(2)
    (Quantity('1Gi'), Quantity('500m'), Quantity('2'))
    >>> parse_manifest_quantity(True)
    Traceback (most recent call last):
      ...
    TypeError: expected a quantity (a string such as "500m" or a number), got boolean true
    """
    if isinstance(value, Quantity):
        return value
    if value is None:
        return parse_quantity("0")
    if isinstance(value, bool):
        raise TypeError(f'expected a quantity (a string such as "500m" or a number), got {json_type(value)}')
    if isinstance(value, str):
        return parse_quantity(value.strip(_GO_SPACE))
    if isinstance(value, ExactNumber):
        return parse_quantity(value.text)
    if isinstance(value, int):
        try:
            text = str(value)
        except ValueError:  # more digits than Python converts
            raise QuantityError(f"<{value.bit_length()}-bit integer>", "too many digits") from None
        return parse_quantity(text)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise QuantityError(str(value), "quantities are finite numbers")
        return parse_quantity(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(repr(value), "quantities are finite numbers")
        return parse_quantity(_go_json_float(value))
    raise TypeError(f'expected a quantity (a string such as "500m" or a number), got {json_type(value)}')


class FieldReader:
    """Reads typed fields, recording every problem instead of stopping at the first."""

    def __init__(self, source: str, decode_prefix: str) -> None:
        self.problems: list[Problem] = []
        self.source = source
        self.decode_prefix = decode_prefix

    def fail(self, path: str, message: str, kubernetes: str | None = None) -> None:
        self.problems.append(Problem(path, message, kubernetes, self.source))

    def mapping(self, value: object, path: str) -> Mapping[Any, Any] | None:
        if value is None or isinstance(value, Mapping):
            return value
        self.fail(path, f"expected an object, got {json_type(value)}")
        return None

    def array(self, value: object, path: str) -> Sequence[Any]:
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return value
        self.fail(path, f"expected an array, got {json_type(value)}")
        return ()

    def string(self, value: object, path: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.fail(path, f"expected a string, got {json_type(value)}")
        return None

    def int32(self, value: object, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if INT32_MIN <= value <= INT32_MAX:
                return value
            self.fail(path, f"{value} does not fit in a 32-bit integer")
            return None
        self.fail(path, f"expected an integer, got {json_type(value)}")
        return None

    def quantity(self, value: object, path: str, name: str | None = None) -> Quantity | None:
        """The quantity at ``path`` (or at the key ``name`` of the map at ``path``)."""
        try:
            return parse_manifest_quantity(value)
        except QuantityError as error:
            where = path if name is None else key(path, name)
            self.fail(where, str(error), self.decode_prefix + error.kubernetes_message)
        except TypeError as error:
            where = path if name is None else key(path, name)
            self.fail(where, str(error), self.decode_prefix + KUBERNETES_FORMAT_MESSAGE)
        return None
