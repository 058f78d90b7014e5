"""What the service and the CLI say about quantities: summaries, batches, sums, comparisons.

These are the answers behind ``GET /v1/quantity``, the batch endpoints and
``kq parse -v``: plain data (strings, never floats) ready to be written as
JSON, CSV or a bare spreadsheet cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from quantities.options import Deadline
from quantities.quantity.errors import QuantityError, json_kind
from quantities.quantity.quantity import Quantity, parse_quantity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.quantity.units import Notation, Unit

__all__ = [
    "Comparison",
    "QuantityProblem",
    "QuantitySummary",
    "compare",
    "exact_text",
    "normalize",
    "summarize",
    "total",
]

# A plain decimal longer than this is written in scientific notation instead
# ("1E+999999999" rather than a billion digits); both are exact.
_PLAIN_DIGITS = 64


def exact_text(quantity: Quantity) -> str:
    """The exact value as decimal text, never rounded.

    >>> exact_text(parse_quantity("1.5Gi")), exact_text(parse_quantity("100m"))
    ('1610612736', '0.1')
    >>> exact_text(parse_quantity("1e999999999"))
    '1E+999999999'
    """
    value = quantity.to_decimal()
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -_PLAIN_DIGITS <= exponent <= _PLAIN_DIGITS:
        return format(value, "f")
    return str(value)


@dataclass(frozen=True, slots=True)
class QuantitySummary:
    """One valid quantity: what was given, how Kubernetes writes it, its exact value."""

    input: str
    canonical: str
    format: str
    value: str
    converted: str | None = None
    unit: str | None = None

    def to_json(self) -> dict[str, str]:
        result = {
            "input": self.input,
            "canonical": self.canonical,
            "format": self.format,
            "value": self.value,
        }
        if self.unit is not None and self.converted is not None:
            result["converted"] = self.converted
            result["unit"] = self.unit
        return result


@dataclass(frozen=True, slots=True)
class QuantityProblem:
    """One invalid input and why."""

    input: object
    error: str
    position: int | None = None
    hint: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, object]:
        result: dict[str, object] = {"input": self.input, "error": self.error}
        for key in ("position", "hint", "path"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result


def _read(text: object, lenient: bool) -> tuple[Quantity, Notation]:
    """The quantity, and what its notation says it counts (``1Gi`` bytes, ``500m`` cores)."""
    from quantities.quantity.units import Notation, notation_of

    if isinstance(text, str):
        if lenient:
            from quantities.quantity.human import read_human

            return read_human(text)
        return parse_quantity(text), notation_of(text)
    if isinstance(text, int | Decimal) and not isinstance(text, bool):
        # A JSON number, read from its text as Kubernetes reads one in a manifest.
        from quantities.manifest.fields import parse_manifest_quantity

        return parse_manifest_quantity(text), Notation(str(text))
    raise QuantityError(text, f"expected a string or a number, got {json_kind(text)}")


def _shown(text: object) -> str:
    return str(getattr(text, "text", text))


def _converted(quantity: Quantity, unit: Unit) -> str:
    from quantities.quantity.units import convert_exact, exact_decimal

    try:
        return exact_decimal(convert_exact(quantity.to_fraction(), unit))
    except OverflowError as error:
        raise QuantityError(str(quantity), str(error)) from None


def _unit(unit: str | None, unit_path: str | None) -> Unit | None:
    if not unit:
        return None
    from quantities.quantity.units import find_unit

    return find_unit(unit, path=unit_path)


def summarize(
    text: object,
    unit: str | None = None,
    lenient: bool = False,
    path: str | None = None,
    unit_path: str | None = "to",
) -> QuantitySummary:
    """Summarise one quantity; raises QuantityError (with ``path``) for bad input, and
    :class:`~quantities.quantity.units.UnitError` (with ``unit_path``) for an unknown unit or
    one of the other dimension (``1Gi`` in cores).

    >>> summarize("1.5Gi", unit="gib").to_json()
    {'input': '1.5Gi', 'canonical': '1536Mi', 'format': 'BinarySI', 'value': '1610612736', \
'converted': '1.5', 'unit': 'GiB'}
    """
    return _summary(text, _unit(unit, unit_path), lenient, path, unit_path)


def _summary(
    text: object, unit: Unit | None, lenient: bool, path: str | None, unit_path: str | None
) -> QuantitySummary:
    try:
        quantity, notation = _read(text, lenient)
    except QuantityError as error:
        error.path = error.path or path
        raise
    converted = None
    if unit is not None:
        from quantities.quantity.units import check_dimension

        check_dimension(notation, unit, unit_path)
        try:
            converted = _converted(quantity, unit)
        except QuantityError as error:
            error.path = error.path or path
            raise
    return QuantitySummary(
        input=_shown(text),
        canonical=str(quantity),
        format=str(quantity.format),
        value=exact_text(quantity),
        converted=converted,
        unit=unit.symbol if unit is not None else None,
    )


def _problem(text: object, error: QuantityError, path: str | None) -> QuantityProblem:
    return QuantityProblem(
        input=_shown(text) if isinstance(text, Decimal) else text,
        error=str(error),
        position=error.position if isinstance(error.text, str) and error.text == text else None,
        hint=error.hint,
        path=path,
    )


def normalize(
    values: Sequence[object],
    unit: str | None = None,
    lenient: bool = False,
    path: str = "values",
    deadline: Deadline | None = None,
    unit_path: str | None = "to",
) -> list[QuantitySummary | QuantityProblem]:
    """Summarise each value; a bad value becomes a QuantityProblem, never fails the batch.

    An unknown unit is the caller's mistake, not each value's: it raises
    :class:`~quantities.quantity.units.UnitError` at ``unit_path``. A value of the other
    dimension than the unit (``1Gi`` to cores) is that value's problem.
    ``deadline`` bounds the work: past it,
    :class:`~quantities.options.WorkLimitExceeded` is raised.
    """
    target = _unit(unit, unit_path)
    results: list[QuantitySummary | QuantityProblem] = []
    # Real batches repeat a few hundred values: summarise each distinct one once
    # (identical inputs then share one immutable summary).
    known: dict[object, QuantitySummary | QuantityError] = {}
    for index, text in enumerate(values):
        if deadline is not None and index & 1023 == 0:
            deadline.check(path, index, len(values))
        key = text if isinstance(text, str) else None
        outcome = known.get(key) if key is not None else None
        if outcome is None:
            try:
                outcome = _summary(text, target, lenient, None, None)
            except QuantityError as error:
                outcome = error
            if key is not None:
                known[key] = outcome
        if isinstance(outcome, QuantityError):
            results.append(_problem(text, outcome, f"{path}[{index}]"))
        else:
            results.append(outcome)
    return results


class QuantityBatchError(QuantityError):
    """Several bad values at once; ``problems`` lists each with its path."""

    def __init__(self, problems: Sequence[QuantityProblem]) -> None:
        self.problems = list(problems)
        summary = "; ".join(f"{p.path}: {p.error}" for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__([p.input for p in self.problems], "several invalid values")
        self.args = (f"{len(self.problems)} invalid value(s): {summary}{more}",)

    def __str__(self) -> str:
        return str(self.args[0])


def _parse_all(
    values: Sequence[object], lenient: bool, paths: Sequence[str]
) -> list[tuple[Quantity, Notation]]:
    quantities: list[tuple[Quantity, Notation]] = []
    problems: list[QuantityProblem] = []
    for text, path in zip(values, paths, strict=True):
        try:
            quantities.append(_read(text, lenient))
        except QuantityError as error:
            problems.append(_problem(text, error, path))
    if problems:
        raise QuantityBatchError(problems)
    return quantities


def _check_dimensions(
    values: Sequence[object],
    notations: Sequence[Notation],
    unit: Unit,
    paths: Sequence[str],
    unit_path: str | None,
) -> None:
    """A sum converted to ``unit``: values written in the other dimension are refused.

    When some value agrees with the unit, the others are the mistake (each reported at its
    path); when none does, the unit is (reported at ``unit_path``).
    """
    from quantities.quantity.units import DimensionError, check_dimension

    if not any(n.dimension not in (None, unit.dimension) for n in notations) or unit.dimension is None:
        return
    if not any(n.dimension == unit.dimension for n in notations):
        first = next(n for n in notations if n.dimension is not None)
        check_dimension(first, unit, unit_path)
    problems: list[QuantityProblem] = []
    for text, notation, path in zip(values, notations, paths, strict=True):
        try:
            check_dimension(notation, unit, path)
        except DimensionError as error:
            problems.append(_problem(text, error, path))
    raise QuantityBatchError(problems)


def total(
    values: Sequence[object],
    unit: str | None = None,
    lenient: bool = False,
    path: str = "values",
    unit_path: str | None = "to",
) -> QuantitySummary:
    """The sum, with Kubernetes' Add rule for the format; every bad value is reported at once.

    >>> total(["1Gi", "512Mi"]).canonical
    '1536Mi'
    """
    target = _unit(unit, unit_path)
    if not values:
        raise QuantityError(list(values), "nothing to add", hint="give at least one value")
    paths = [f"{path}[{index}]" for index in range(len(values))]
    read = _parse_all(values, lenient, paths)
    if target is not None:
        _check_dimensions(values, [notation for _, notation in read], target, paths, unit_path)
    result = parse_quantity("0")
    for index, (quantity, _) in enumerate(read):
        try:
            result = result + quantity
        except OverflowError as error:
            # Exact arithmetic has a digit bound (MAX_DIGITS): say which value crossed it.
            reason = f"adding it makes the sum too long to be exact ({error})"
            problem = _problem(values[index], QuantityError(_shown(values[index]), reason), paths[index])
            raise QuantityBatchError([problem]) from None
    return QuantitySummary(
        input=" + ".join(map(_shown, values)),
        canonical=str(result),
        format=str(result.format),
        value=exact_text(result),
        converted=_converted(result, target) if target is not None else None,
        unit=target.symbol if target is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two quantities compare by value: ``result`` is -1, 0 or 1, as Go's ``Cmp``."""

    a: QuantitySummary
    b: QuantitySummary
    result: int

    @property
    def relation(self) -> str:
        return {-1: "less", 0: "equal", 1: "greater"}[self.result]

    @property
    def symbol(self) -> str:
        return {-1: "<", 0: "=", 1: ">"}[self.result]

    def to_json(self) -> dict[str, object]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "result": self.result,
            "relation": self.relation,
        }


def compare(a: object, b: object, lenient: bool = False) -> Comparison:
    """Compare two quantities by value across notations.

    >>> compare("1", "1000m").relation, compare("1Gi", "1G").symbol
    ('equal', '>')
    """
    (first, _), (second, _) = _parse_all([a, b], lenient, ["a", "b"])
    result = (first > second) - (first < second)
    return Comparison(
        summarize(a, lenient=lenient, path="a"), summarize(b, lenient=lenient, path="b"), result
    )
