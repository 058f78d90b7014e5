"""What one build of the parser makes of quantity strings, for comparing builds in separate processes.

``python -m tests.quantity.compiled_outcomes`` reads a JSON list of strings on stdin and writes,
for each, everything observable about its parse: the parts, the text forms, the values, the
comparison with its neighbour and their sum, or the error with its position and hint. The
process imports whichever ``quantities`` comes first on its path (a pure copy or a compiled
build), and says which it was.
"""

from __future__ import annotations

import itertools
import json
import sys


def outcome(text: str) -> list[object]:
    from quantities import QuantityError
    from quantities.quantity.quantity import parse_quantity_uncached

    try:
        quantity = parse_quantity_uncached(text)
    except QuantityError as error:
        return ["error", error.reason, error.position, error.kubernetes_message, error.hint, str(error)]
    except OverflowError as error:
        return ["overflow", str(error)]
    parts: list[object] = ["ok", quantity._coefficient, quantity._exponent, str(quantity._format)]
    parts += [quantity._text]
    parts += [str(quantity), quantity.canonical(), repr(quantity), quantity.sign(), quantity.is_zero()]
    try:
        parts += [quantity.int64_value(), quantity.int64_milli_value(), str(quantity.to_fraction())]
        parts += [str(quantity.to_decimal()), quantity.value(), quantity.milli_value()]
    except OverflowError as error:
        parts += ["overflow", str(error)]
    return parts


def pair_outcome(left_text: str, right_text: str) -> list[object]:
    from quantities import QuantityError
    from quantities.quantity.quantity import parse_quantity_uncached

    try:
        left, right = parse_quantity_uncached(left_text), parse_quantity_uncached(right_text)
    except QuantityError:
        return ["error"]
    parts: list[object] = [left == right, left < right, left <= right, hash(left) == hash(right)]
    try:
        parts += [str(left + right), str(left - right), str(-left), str(left * 3), str(3 * right)]
    except OverflowError as error:
        parts += ["overflow", str(error)]
    return parts


def outcomes(texts: list[str]) -> dict[str, object]:
    from quantities.quantity import quantity

    singles = [outcome(text) for text in texts]
    pairs = [pair_outcome(left, right) for left, right in itertools.pairwise(texts)]
    return {"compiled": quantity._COMPILED, "module": quantity.__file__, "singles": singles, "pairs": pairs}


if __name__ == "__main__":
    json.dump(outcomes(json.load(sys.stdin)), sys.stdout)
