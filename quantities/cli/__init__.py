"""The ``kq`` command line: Kubernetes resource arithmetic from a shell.

Every command takes the same common options and follows the same rules:

* ``-o text|json|yaml|csv`` (``text`` is the default; ``table`` is accepted for
  ``text``). JSON has the shapes of the HTTP API, YAML is the same data, CSV is
  one header row and rows (each command's ``--help`` says what a row is).
* ``-`` for a file reads standard input. Every error names the file (or
  ``standard input``), and where in it, and says what was expected; it goes to
  standard error and nothing goes to standard output.
* ``--kubernetes-version 1.30`` and ``--feature-gates PodLevelResources=false`` (the
  kubelet's syntax): the release every command answers for, 1.28 to 1.36, with its
  feature-gate defaults overridden (default: ``KQ_KUBERNETES_VERSION``, else the
  newest); see :mod:`quantities.cli.release`. JSON and YAML answers that are
  objects say which release they computed for (``kubernetes_version``).
* ``kq --version`` prints the package version, the default Kubernetes release and the
  supported ones.

Exit status, the same in every command:

* 0: done; ``fit``: the pod fits a node; ``plan``: every replica is placed;
  ``max-replicas``: at least one more copy fits.
* 1: the answer is no; ``fit``: no node fits; ``plan``: replicas stay pending;
  ``max-replicas``: not even one copy fits.
* 2: bad input (unreadable file, invalid manifest or quantity) or a usage error.
* 130: interrupted (Ctrl-C), without a traceback.
* 141: standard output was closed early (``kq qos big.json | head -1``); kq
  stops without a message, with the status ``cat`` would have (128 + SIGPIPE).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from quantities.cli.exits import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OK, EXIT_STATUS_HELP, EXIT_USAGE
from quantities.cli.inputs import InputError
from quantities.cli.outputs import add_output_option, write_output
from quantities.cli.release import VersionAction, add_release_options, release_options, version_text
from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import parse_quantity

__all__ = ["main", "version_text"]

#: Kept for callers of the old name: the status of bad input.
EXIT_INVALID = EXIT_USAGE

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]
_COMMANDS: dict[str, Command] = {}


def _command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        _COMMANDS[name] = function
        return function

    return register


_PARSE_CSV_HEADER = ("input", "canonical", "format", "value")


def _parse_row(text: str) -> dict[str, str]:
    quantity = parse_quantity(text)
    return {
        "input": text,
        "canonical": str(quantity),
        "format": str(quantity.format),
        "value": str(quantity.to_decimal()),
    }


@_command("parse")
def _parse(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if arguments.output == "text":
        # Streamed: the values before a bad one are printed, then the error.
        for text in arguments.values:
            row = _parse_row(text)
            if arguments.verbose:
                print("\t".join(row[column] for column in _PARSE_CSV_HEADER), file=out)
            else:
                print(row["canonical"], file=out)
        return EXIT_OK
    rows = [_parse_row(text) for text in arguments.values]
    # A list: the quantity rows stay a JSON array (as since the first release), so the answer has
    # no object to carry kubernetes_version; the quantity grammar is the same in every release.
    write_output(
        out,
        arguments.output,
        lambda: rows,
        lambda: (_PARSE_CSV_HEADER, [[row[c] for c in _PARSE_CSV_HEADER] for row in rows]),
        lambda: "",
    )
    return EXIT_OK


_CONVERT_CSV_HEADER = ("input", "unit", "value")


def _write_converted(arguments: argparse.Namespace, out: TextIO, converted: str) -> None:
    row = {"input": arguments.value, "unit": arguments.unit, "value": converted}
    write_output(
        out,
        arguments.output,
        lambda: row,
        lambda: (_CONVERT_CSV_HEADER, [[row[c] for c in _CONVERT_CSV_HEADER]]),
        lambda: converted + "\n",
        options=arguments.options,
    )


@_command("convert")
def _convert(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.quantity.batch import summarize

    # The value's notation decides its dimension: 1Gi is bytes, so "kq convert 1Gi cores" is refused.
    summary = summarize(arguments.value, unit=arguments.unit, lenient=True, unit_path="UNIT")
    _write_converted(arguments, out, str(summary.converted))
    return EXIT_OK


class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """argparse, with the exit statuses in every ``--help`` and usage errors in our words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", EXIT_STATUS_HELP)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # argparse quotes with Python's repr ('xml'); we quote as JSON does.
        raise _UsageError(self, re.sub(r"'([^']*)'", r'"\1"', message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kq",
        description="Kubernetes resource arithmetic, exactly as Kubernetes does it.\n\n"
        "Common options of every command: -o text|json|yaml|csv (default text);\n"
        "--kubernetes-version VERSION and --feature-gates GATES (the release to answer for);\n"
        "- as a file name reads standard input.",
    )
    parser.add_argument("--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parse = commands.add_parser(
        "parse",
        help="print quantities in Kubernetes' canonical form",
        description="Print each quantity in the canonical form the API server stores.",
    )
    parse.add_argument("values", nargs="+", metavar="QUANTITY")
    parse.add_argument(
        "-v", "--verbose", action="store_true", help="text: also print the format and the exact value"
    )
    add_output_option(parse, "input,canonical,format,value, one row per quantity")
    convert = commands.add_parser(
        "convert",
        help="convert a quantity to a unit (GiB, MB, cores...)",
        description="Convert a quantity to a unit and print the exact decimal.",
    )
    convert.add_argument("value", metavar="QUANTITY")
    convert.add_argument("unit", metavar="UNIT")
    add_output_option(convert, "input,unit,value, one row")
    from quantities.cli.nodes import add_commands as add_node_commands

    add_node_commands(commands, _COMMANDS)
    from quantities.cli.pods import add_commands as add_pod_commands

    add_pod_commands(commands, _COMMANDS)
    from quantities.cli.capacity import add_commands as add_capacity_commands

    add_capacity_commands(commands, _COMMANDS)
    from quantities.cli.allocatable import add_commands as add_allocatable_commands

    add_allocatable_commands(commands, _COMMANDS)
    # Every subcommand, a later one too, takes the release flags.
    for subcommand in commands.choices.values():
        add_release_options(subcommand)
    return parser


def _parse_arguments(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> argparse.Namespace | int:
    """The arguments, or the exit status when there is nothing to run (``--help``, usage error)."""
    parser = build_parser()
    try:
        # --help and --version print through sys.stdout; send them to ``out``.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return parser.parse_args(argv)
    except _UsageError as error:
        err.write(error.parser.format_usage())
        err.write(f"{error.parser.prog}: error: {error}\n")
        return EXIT_USAGE
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_USAGE


def _quiet_stdout() -> None:
    """After a broken pipe, point standard output at /dev/null so the exit-time flush says nothing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``kq``; returns the exit status (see the module docstring)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    try:
        arguments = _parse_arguments(argv, out, err)
        if isinstance(arguments, int):
            out.flush()
            return arguments
        arguments.options = release_options(arguments)
        status = _COMMANDS[arguments.command](arguments, out, err)
        out.flush()
        return status
    except BrokenPipeError:
        # The reader went away (kq ... | head): not an error worth a message, as for cat.
        if out is sys.stdout:
            _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (InputError, QuantityError, ValueError) as error:
        print(f"kq: {error}", file=err)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
