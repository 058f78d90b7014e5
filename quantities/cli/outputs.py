"""``kq``'s output: one ``-o text|json|yaml|csv`` option and one writer per format, for every command.

* ``text`` (the default; ``table`` is accepted as its old name): for people.
* ``json``: the shapes of the HTTP API; ``yaml``: the same data through PyYAML's ``safe_dump``.
  An answer that is an object says which Kubernetes release it computed for
  (``kubernetes_version``, first), as the HTTP API's answers do.
* ``csv``: one header row, then rows (:func:`write_csv`, the one place CSV is written).

Warnings (``result.warnings``) go to standard error as ``warning: <problem>``
(:func:`print_warnings`), so the answer on standard output stays parseable.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.options import Options

__all__ = [
    "FORMATS",
    "add_output_option",
    "print_warnings",
    "table_text",
    "versioned",
    "write_csv",
    "write_data",
    "write_output",
]

#: The output formats of every command; the first is the default.
FORMATS = ("text", "json", "yaml", "csv")
_ALIASES = {"table": "text"}


def output_format(text: str) -> str:
    """An ``-o`` value: a format, or an alias of one.

    >>> output_format("json"), output_format("table")
    ('json', 'text')
    """
    chosen = _ALIASES.get(text, text)
    if chosen not in FORMATS:
        raise argparse.ArgumentTypeError(
            f'expected one of {", ".join(FORMATS)} ("table" is text), '
            f"got {json.dumps(text, ensure_ascii=False)}"
        )
    return chosen


def add_output_option(parser: argparse.ArgumentParser, csv_shape: str) -> None:
    """``-o/--output``; ``csv_shape`` says what one CSV row is for this command (shown in ``--help``)."""
    parser.add_argument(
        "-o",
        "--output",
        type=output_format,
        default="text",
        metavar="{" + ",".join(FORMATS) + "}",
        help=f"output format (default text; table is text); csv: {csv_shape}",
    )


def write_csv(out: TextIO, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """One header row and the rows: the only place ``kq`` writes CSV, cells safe to open in a spreadsheet."""
    from quantities.present.csv import write_csv as write_safe_csv

    write_safe_csv(out, header, rows)


def write_data(out: TextIO, output: str, data: Any) -> None:
    """``data`` (plain JSON data) as JSON or YAML."""
    if output == "yaml":
        import yaml

        yaml.safe_dump(data, out, sort_keys=False, allow_unicode=True, default_flow_style=False)
    else:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")


def versioned(data: Any, options: Options | None) -> Any:
    """``data`` with ``kubernetes_version`` first when it is an object that does not say it yet.

    >>> from quantities.options import Options
    >>> versioned({"max_replicas": 3}, Options.of("1.30"))
    {'kubernetes_version': '1.30', 'max_replicas': 3}
    >>> versioned([1, 2], Options.of("1.30"))
    [1, 2]
    """
    if options is None or not isinstance(data, dict) or "kubernetes_version" in data:
        return data
    return {"kubernetes_version": str(options.version), **data}


def write_output(
    out: TextIO,
    output: str,
    data: Callable[[], Any],
    csv_table: Callable[[], tuple[Sequence[str], Sequence[Sequence[object]]]],
    text: Callable[[], str],
    *,
    options: Options | None = None,
) -> None:
    """The answer in the chosen format; each representation is built only when it is asked for.

    With ``options``, a JSON or YAML object carries ``kubernetes_version`` (:func:`versioned`);
    CSV and text are unchanged.
    """
    if output in ("json", "yaml"):
        write_data(out, output, versioned(data(), options))
    elif output == "csv":
        header, rows = csv_table()
        write_csv(out, header, rows)
    else:
        _write_text(out, text())


#: Text is written in pieces of this size: one huge write to a pipe whose reader has gone
#: (``kq ... | head``) is cut short without an error, and the rest would be lost silently.
_CHUNK = 1 << 16


def _write_text(out: TextIO, text: str) -> None:
    for start in range(0, len(text), _CHUNK):
        out.write(text[start : start + _CHUNK])


def table_text(rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, three spaces apart, as kubectl's tabwriter pads them."""
    from quantities.node.tabwriter import tabulate

    return tabulate("".join("\t".join(row) + "\n" for row in rows), padding=3)


def print_warnings(result: object, err: TextIO) -> None:
    """``warning: <problem>`` on standard error for each of ``result.warnings`` (none when it has none)."""
    for problem in getattr(result, "warnings", ()):
        print(f"warning: {problem}", file=err)
