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
]

# The three errors of apimachinery's ParseQuantity, word for word.
KUBERNETES_FORMAT_MESSAGE = (
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
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
        message = f"invalid quantity {_quote(text)}: {reason}"
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


def _quote(text: object) -> str:
    if isinstance(text, str) and len(text) > 60:
        return repr(text[:40] + "...") + f" ({len(text)} characters)"
    return repr(text)
