"""What a person probably meant by a string that is not a quantity.

Kubernetes' three messages say only that a quantity is wrong; these hints say
what was probably meant (``1K``: did you mean ``1k`` or ``1Ki``?). Every
suggestion is checked with the parser the caller hands in, so this module
needs no parser of its own and the parser module can import it.
"""

from __future__ import annotations

from quantities.quantity.errors import quote

TYPE_CHECKING = False  # typing-only imports stay out of `import quantities`
if TYPE_CHECKING:
    from collections.abc import Callable

    Parses = Callable[[str], bool]

__all__ = ["hint_for"]

_BYTE_UNITS = {"kb": "k", "mb": "M", "gb": "G", "tb": "T", "pb": "P", "eb": "E"}
_BINARY_BY_LETTER = {"k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti", "p": "Pi", "e": "Ei"}
_DECIMAL_BY_LETTER = {"k": "k", "m": "M", "g": "G", "t": "T", "p": "P", "e": "E"}
_CPU_WORDS = {"core", "cores", "cpu", "cpus", "vcpu", "vcpus"}
_MILLICPU_WORDS = {"millicore", "millicores", "millicpu", "millicpus", "mcpu"}
_BYTE_WORDS = {"b", "byte", "bytes"}

# Possessive quantifiers: with "[0-9]*\.?[0-9]*" a long run of digits that ends in
# a non-letter backtracks quadratically (50 ms for 1000 digits); a hint must cost no
# more than the parse.
_NUMBER_AND_UNIT = r"([+-]?+[0-9]*+(?:\.[0-9]*+)?+)\s*+([A-Za-z]++)"


def _did_you_mean(parses: Callable[[str], bool], *candidates: str) -> str | None:
    valid = [c for c in candidates if parses(c)]
    if not valid:
        return None
    return "did you mean " + " or ".join(map(quote, valid)) + "?"


def _unit_hint(number: str, unit: str, parses: Callable[[str], bool]) -> str | None:
    lower = unit.lower()
    if unit == "K":
        return (
            'Kubernetes has no suffix "K": "k" is 1000 and "Ki" is 1024; '
            + (_did_you_mean(parses, number + "k", number + "Ki") or "")
        ).rstrip("; ")
    if lower in _BYTE_UNITS:
        return (
            f"quantities carry no byte unit: {quote(_DECIMAL_BY_LETTER[lower[0]])} is a power of 1000 "
            f"and {quote(_BINARY_BY_LETTER[lower[0]])} a power of 1024; "
            + (_did_you_mean(parses, number + _BYTE_UNITS[lower], number + _BINARY_BY_LETTER[lower[0]]) or "")
        ).rstrip("; ")
    if len(lower) in (2, 3) and lower[0] in _BINARY_BY_LETTER and lower[1:] in ("i", "ib"):
        binary = _BINARY_BY_LETTER[lower[0]]
        if unit != binary:
            return (
                f"binary suffixes are written {', '.join(_BINARY_BY_LETTER.values())} "
                '(no "B", case matters); ' + (_did_you_mean(parses, number + binary) or "")
            ).rstrip("; ")
    if lower in _CPU_WORDS:
        return "CPU is counted in cores without a unit; " + (_did_you_mean(parses, number) or "")
    if lower in _MILLICPU_WORDS:
        return 'millicores are written with the suffix "m"; ' + (_did_you_mean(parses, number + "m") or "")
    if lower in _BYTE_WORDS:
        return "memory is a plain number of bytes; " + (_did_you_mean(parses, number) or "")
    if len(unit) == 1 and unit in "gtp":
        return (
            "decimal suffixes above k are upper case; "
            + (_did_you_mean(parses, number + unit.upper(), number + unit.upper() + "i") or "")
        ).rstrip("; ")
    return None


def hint_for(text: str, parses: Callable[[str], bool]) -> str | None:
    """Guess what was meant by an invalid quantity, or return None.

    ``parses`` says whether a candidate parses; each suggestion is checked with it.
    The rules are tried in order and the first that recognises the mistake answers.

    >>> hint_for("1K", lambda candidate: candidate in ("1k", "1Ki"))
    'Kubernetes has no suffix "K": "k" is 1000 and "Ki" is 1024; did you mean "1k" or "1Ki"?'
    """
    for rule in _RULES:
        hint = rule(text, parses)
        if hint is not None:
            return hint
    return None


def _empty(text: str, parses: Parses) -> str | None:
    return 'an empty string is not a quantity; write "0" for zero' if text == "" else None


def _white_space(text: str, parses: Parses) -> str | None:
    stripped = text.strip()
    if stripped == text:
        return None
    if parses(stripped):
        return f"remove the surrounding white space: {quote(stripped)}"
    inner = hint_for(stripped, parses)
    return "remove the surrounding white space" + (f"; {inner}" if inner else "")


# Look-alikes of ASCII characters that people paste from documents.
_ASCII_LOOKALIKES = {"\u2212": "-", "\u2013": "-", "\uff0e": "."}


def _non_ascii(text: str, parses: Parses) -> str | None:
    for index, char in enumerate(text):
        if not char.isascii():
            note = f"non-ASCII character {quote(char)} at position {index}"
            ascii_guess = _ASCII_LOOKALIKES.get(char)
            if ascii_guess:
                fixed = text.replace(char, ascii_guess)
                return note + (f"; did you mean {quote(fixed)}?" if parses(fixed) else "")
            return note + "; quantities are plain ASCII"
    return None


def _not_finite(text: str, parses: Parses) -> str | None:
    if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return "quantities are finite numbers"
    return None


def _not_decimal(text: str, parses: Parses) -> str | None:
    import re  # only errors need it: keeps `import quantities` cheap

    if not re.fullmatch(r"[+-]?0[xXoObB][0-9a-fA-F_]+", text):
        return None
    try:
        value = int(text, 0)
    except ValueError:
        return "only decimal numbers are allowed"
    return f'only decimal numbers are allowed; {text} is {value}: did you mean "{value}"?'


def _comma(text: str, parses: Parses) -> str | None:
    import re

    comma = re.fullmatch(r"([+-]?[0-9]+),([0-9]+)(.*)", text)
    if comma is None:
        return None
    whole, fraction, rest = comma.groups()
    if len(fraction) == 3 and not rest:
        return (
            "quantities have no thousands separator or decimal comma; "
            + (_did_you_mean(parses, whole + fraction, f"{whole}.{fraction}") or "")
        ).rstrip("; ")
    return "use a decimal point, not a comma; " + (_did_you_mean(parses, f"{whole}.{fraction}{rest}") or "")


def _space_inside(text: str, parses: Parses) -> str | None:
    import re

    spaced = re.fullmatch(r"([+-]?[0-9.]+)\s+(\S+)", text)
    if spaced is None:
        return None
    joined = spaced.group(1) + spaced.group(2)
    if parses(joined):
        return f"remove the space: {quote(joined)}"
    unit = _unit_hint(spaced.group(1), spaced.group(2), parses)
    return "remove the space" + (f"; {unit}" if unit else "")


# Shapes whose mistake needs no suggestion, in the order they are tried.
_SHAPES = (
    (r"[+-]?\.?(Pi|Ei)", "there is no number before the suffix"),
    (r"[+-]?[0-9.]*[eE][+-]?[0-9]{10,}", "the exponent is out of range"),
    (r"[+-]?[0-9.]*[eE][+-]?[0-9]*[A-Za-z]+", "an exponent cannot be combined with a suffix"),
    (r"[+-]?[0-9.]*[eE][+-]?", 'an exponent needs digits, as in "1e3"'),
)


def _shape(text: str, parses: Parses) -> str | None:
    import re

    for pattern, message in _SHAPES:
        if re.fullmatch(pattern, text):
            return message
    return None


def _decimal_points(text: str, parses: Parses) -> str | None:
    import re

    if re.fullmatch(r"[+-]?[0-9]*\.[0-9]*\.[0-9.]*.*", text):
        return "a number has at most one decimal point"
    return None


def _number_and_unit(text: str, parses: Parses) -> str | None:
    import re

    number_and_unit = re.fullmatch(_NUMBER_AND_UNIT, text)
    if number_and_unit is None:
        return None
    number, unit = number_and_unit.groups()
    return _unit_hint(number or "1", unit, parses)


_RULES: tuple[Callable[[str, Parses], str | None], ...] = (
    _empty,
    _white_space,
    _non_ascii,
    _not_finite,
    _not_decimal,
    _comma,
    _decimal_points,
    _space_inside,
    _shape,
    _number_and_unit,
)
