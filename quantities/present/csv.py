"""CSV that is safe to open in a spreadsheet: no cell of ours is ever run as a formula.

A CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` is read by Excel,
LibreOffice and Google Sheets as a formula, and a tab or carriage return at
the start can hide one (OWASP, "CSV Injection"). Names and values echoed from
a request (``=HYPERLINK("http://evil")`` as a pod name or a quantity) would
then run when the file is opened. The OWASP advice, followed here: such a
cell gets a leading single quote, which spreadsheets show as text and do
not display.

The rule, conservative on purpose:

* a cell is neutralised when its first character, after any spaces, is one of
  ``= + - @``, a tab, a carriage return, or their full-width forms
  (``＝ ＋ － ＠``, which some spreadsheets also read as formula starts);
* unless the whole cell is a plain number (``-5``, ``+1``, ``-1.5e3``): that is
  data, and a spreadsheet reads it as the number it is;
* a Kubernetes quantity such as ``-500m`` or ``-1Gi`` is not a plain number
  (a spreadsheet would try it as a formula and show an error), so it is
  neutralised too and shows as ``-500m``.

Both the ``kq`` CLI (``-o csv``) and the HTTP API (``format=csv``) write CSV
through this module.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TextIO

__all__ = ["safe_cell", "safe_row", "write_csv", "write_csv_records"]

_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_CHECKED_START = _FORMULA_START | {" "}
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: object) -> object:
    """The cell as it may be written: numbers as they are, text that a spreadsheet would run
    as a formula behind a single quote.

    >>> [safe_cell(v) for v in ('=1+1', '-5', '-500m', '@SUM(A1)', '1Gi', 3, '+1.5e3', ' =cmd')]
    ["'=1+1", '-5', "'-500m", "'@SUM(A1)", '1Gi', 3, '+1.5e3', "' =cmd"]
    """
    if type(value) is str:
        text = value
        if not text or text[0] not in _CHECKED_START:
            return text  # the common case, decided on one character
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    else:
        text = "" if value is None else str(value)
    first = text.lstrip(" ")[:1]
    if first and first in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(text.strip(" ")):
        return "'" + text
    return text


def safe_row(row: Iterable[object]) -> list[object]:
    """Every cell of a row through :func:`safe_cell`."""
    return list(map(safe_cell, row))


def write_csv(
    out: TextIO, header: Sequence[str], rows: Iterable[Iterable[object]], lineterminator: str = "\n"
) -> None:
    """A header and rows of cells, every cell made safe for a spreadsheet."""
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)


def write_csv_records(
    out: TextIO,
    columns: Sequence[str],
    records: Iterable[Mapping[str, object]],
    lineterminator: str = "\r\n",
) -> None:
    """Records (a mapping per row, missing keys empty, extra keys ignored) under ``columns``."""
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(safe_row(columns))
    writer.writerows([safe_cell(record.get(column, "")) for column in columns] for record in records)
