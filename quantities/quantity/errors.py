"""QuantityError and the hints it gives for the mistakes people really make.

Kubernetes answers every bad quantity with one of three terse messages. We keep
that message (``kubernetes_message``) so callers can match the API server, and
add what a person needs: where the problem is and, when we can tell, what was
probably meant. Every suggestion is itself checked to be a valid quantity.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing-only imports stay out of `import quantities`
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "KUBERNETES_FORMAT_MESSAGE",
    "KUBERNETES_NUMERIC_MESSAGE",
    "KUBERNETES_SUFFIX_MESSAGE",
    "QuantityError",
    "json_kind",
    "quote",
]

# The three errors of apimachinery's ParseQuantity, word for word.
KUBERNETES_FORMAT_MESSAGE = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
KUBERNETES_SUFFIX_MESSAGE = "unable to parse quantity's suffix"
KUBERNETES_NUMERIC_MESSAGE = "unable to parse numeric part of quantity"


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity.

    ``text`` is the input, ``position`` the index of the first offending
    character, ``reason`` what is wrong there, ``hint`` what was probably meant
    (or None) and ``kubernetes_message`` what the API server says.
    """

    def __init__(
        self,
        text: object,
        reason: str,
        position: int = 0,
        hint: str | None = None,
        kubernetes_message: str = KUBERNETES_FORMAT_MESSAGE,
    ) -> None:
        self.text = text
        self.reason = reason
        self.position = position
        self.hint = hint
        self.kubernetes_message = kubernetes_message
        #: Where the value was, as a JSON path, when a caller knows it.
        self.path: str | None = None
        message = f"invalid quantity {quote(text, shorten=True)}: {reason}"
        if isinstance(text, str) and text:
            message += f" (at position {position})"
        if hint:
            message += f"; {hint}"
        super().__init__(message)

    def __reduce__(self) -> tuple[Callable[..., QuantityError], tuple[object, ...]]:
        return (
            type(self),
            (self.text, self.reason, self.position, self.hint, self.kubernetes_message),
        )


def quote(value: object, *, shorten: bool = False) -> str:
    """``value`` as JSON writes it, the way every message quotes what a person typed.

    ``shorten``: a string of more than 60 characters is cut to its first 40.

    >>> print(quote("1K"), quote('say "hi"'), quote(5), quote(None), quote("x" * 61, shorten=True))
    "1K" "say \\"hi\\"" 5 null "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." (61 characters)
    """
    import json  # only messages need it: keeps `import quantities` cheap

    if shorten and isinstance(value, str) and len(value) > 60:
        return quote(value[:40] + "...") + f" ({len(value)} characters)"
    return json.dumps(value, ensure_ascii=False, default=lambda other: f"<{type(other).__name__}>")


def json_kind(value: object) -> str:
    """What a decoded value is, in JSON's words, for "expected ..., got ..." messages.

    Never Python's words (``NoneType``, ``dict``): a person wrote JSON, YAML or a form field.

    >>> json_kind(None), json_kind(True), json_kind(5), json_kind("x"), json_kind({}), json_kind([1])
    ('null', 'boolean true', 'number 5', 'string "x"', 'an object', 'an array')
    """
    from collections.abc import Mapping
    from decimal import Decimal

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean " + ("true" if value else "false")
    if isinstance(value, str):
        return f"string {quote(value, shorten=True)}"
    if isinstance(value, int | float | Decimal):
        return f"number {value}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return "a value JSON cannot hold"
