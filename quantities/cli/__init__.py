"""The ``kq`` command line: Kubernetes resource arithmetic from a shell.

Exit status: 0 on success, 2 when an input is invalid (the message goes to
standard error), as with argparse's own usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import parse_quantity

__all__ = ["main"]

EXIT_INVALID = 2

Command = Callable[[argparse.Namespace, TextIO], int]
_COMMANDS: dict[str, Command] = {}


def _command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        _COMMANDS[name] = function
        return function

    return register


@_command("parse")
def _parse(arguments: argparse.Namespace, out: TextIO) -> int:
    for text in arguments.values:
        quantity = parse_quantity(text)
        if arguments.verbose:
            print(f"{text}\t{quantity}\t{quantity.format}\t{quantity.to_decimal()}", file=out)
        else:
            print(quantity, file=out)
    return 0


@_command("convert")
def _convert(arguments: argparse.Namespace, out: TextIO) -> int:
    from quantities.quantity.batch import summarize

    # The value's notation decides its dimension: 1Gi is bytes, so "kq convert 1Gi cores" is refused.
    summary = summarize(arguments.value, unit=arguments.unit, lenient=True, unit_path="UNIT")
    print(summary.converted, file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kq", description="Kubernetes resource arithmetic, exactly as Kubernetes does it."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parse = commands.add_parser("parse", help="print quantities in Kubernetes' canonical form")
    parse.add_argument("values", nargs="+", metavar="QUANTITY")
    parse.add_argument(
        "-v", "--verbose", action="store_true", help="also print the format and the exact value"
    )
    convert = commands.add_parser("convert", help="convert a quantity to a unit (GiB, MB, cores...)")
    convert.add_argument("value", metavar="QUANTITY")
    convert.add_argument("unit", metavar="UNIT")
    from quantities.cli.nodes import add_commands as add_node_commands

    add_node_commands(commands, _COMMANDS)
    from quantities.cli.pods import add_commands as add_pod_commands

    add_pod_commands(commands, _COMMANDS)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``kq``; returns the exit status."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    arguments = build_parser().parse_args(argv)
    try:
        return _COMMANDS[arguments.command](arguments, out)
    except QuantityError as error:
        print(f"kq: {error}", file=err)
        return EXIT_INVALID
    except (OSError, ValueError) as error:
        print(f"kq: {error}", file=err)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
