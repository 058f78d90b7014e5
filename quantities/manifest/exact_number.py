"""Numbers read from JSON or YAML that remember how they were written."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["ExactNumber"]


class ExactNumber(Decimal):
    """A number read from JSON or YAML text that remembers how it was written.

    It is a ``Decimal`` (exact, no binary rounding); ``text`` is the number as
    written, which is what Kubernetes parses a quantity from.

    >>> number = ExactNumber("1e3")
    >>> number == 1000, number.text
    (True, '1e3')
    """

    __slots__ = ("text",)

    text: str

    def __new__(cls, text: str) -> ExactNumber:
        self = super().__new__(cls, text)
        self.text = text
        return self

    def __repr__(self) -> str:
        return f"ExactNumber({self.text!r})"

    def __reduce__(self) -> tuple[type[ExactNumber], tuple[str]]:
        return (ExactNumber, (self.text,))
