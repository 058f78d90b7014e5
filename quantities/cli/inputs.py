"""Reading ``kq``'s inputs: every error names the file (or ``standard input``) and says what is wrong.

A file that cannot be read at all gives ``cannot read "pods.yaml": no such file``
(also: is a directory, permission denied, not UTF-8 text, with the line and
column of the first bad byte). An input that is read but wrong gives
``"pods.yaml": <what is wrong>``: the library's own message (with the JSON path
of the field), prefixed with the file name. Python's words (``[Errno 2]``,
``'utf-8' codec can't decode``, PyYAML's ``"<unicode string>"``) never reach
the user.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from quantities.manifest.problems import ManifestError, Problem

__all__ = ["InputError", "read_input", "reading", "source_label"]

#: How standard input is named in messages (``-`` on the command line).
STANDARD_INPUT = "standard input"


class InputError(Exception):
    """Input ``kq`` cannot use; the message is complete and meant for the user (exit status 2)."""


def source_label(source: str) -> str:
    """How a message names an input: the file name in double quotes, or ``standard input`` for ``-``.

    >>> source_label("pods.yaml"), source_label("-"), source_label('a "b".json')
    ('"pods.yaml"', 'standard input', '"a \\\\"b\\\\".json"')
    """
    if source == "-":
        return STANDARD_INPUT
    return json.dumps(source, ensure_ascii=False)


_OS_REASONS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "it is a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "too many symbolic links",
}


def _os_reason(error: OSError) -> str:
    if error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    # The operating system's own words ("Input/output error"), without Python's "[Errno 5]".
    return (error.strerror or "the operating system refused").lower()


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    r"""The line and column (in characters) of byte ``offset``; the bytes before it are valid UTF-8.

    >>> _line_and_column(b"a\nn\xc3\xa9\xff", 5)
    (2, 3)
    """
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _decode(data: bytes, label: str) -> str:
    try:
        # utf-8-sig: a byte order mark at the start is not part of the text (as kubectl reads it).
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise InputError(
            f"cannot read {label}: not UTF-8 text (byte 0x{data[error.start]:02x} at line {line}, "
            f"column {column}); save the file as UTF-8"
        ) from None


def read_input(source: str) -> str:
    """The text of the file ``source``, or of standard input for ``-``; InputError naming it otherwise."""
    label = source_label(source)
    try:
        if source == "-":
            stream = sys.stdin
            binary = getattr(stream, "buffer", None)
            if binary is None:  # a text stream without bytes underneath (tests replace stdin so)
                return stream.read()
            data = binary.read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
    except OSError as error:
        raise InputError(f"cannot read {label}: {_os_reason(error)}") from None
    return _decode(data, label)


# PyYAML names the stream it read from "<unicode string>"; say where instead.
_YAML_MARK = re.compile(r'\s*in "<unicode string>", line (\d+), column (\d+)')
_YAML_ERROR = re.compile(
    r"invalid YAML: (?:(?P<context>.+?), line (?P<cline>\d+), column (?P<ccol>\d+)\s+)?"
    r"(?P<problem>.+?), line (?P<line>\d+), column (?P<col>\d+)\s*$"
)


def clean_message(message: str) -> str:
    """A library message without PyYAML's ``"<unicode string>"``: the line and column come first.

    >>> clean_message('invalid YAML: mapping values are not allowed here   in "<unicode string>", '
    ...               'line 1, column 5')
    'invalid YAML at line 1, column 5: mapping values are not allowed here'
    """
    if "<unicode string>" not in message:
        return message
    marked = _YAML_MARK.sub(r", line \1, column \2", message)
    match = _YAML_ERROR.fullmatch(marked.strip())
    if match is None:
        return re.sub(r"\s+", " ", marked)
    text = f"invalid YAML at line {match['line']}, column {match['col']}: {match['problem'].strip()}"
    if match["context"]:
        text += f" ({match['context'].strip()} at line {match['cline']}, column {match['ccol']})"
    return text


def _clean_problem(problem: Problem) -> Problem:
    return dataclasses.replace(problem, message=clean_message(problem.message))


@contextmanager
def reading(source: str, label: str | None = None) -> Iterator[None]:
    """Errors raised while ``source`` is read or checked become InputErrors that name it.

    ``label`` replaces the file name for inputs that are not files (``--cpu``).
    """
    named = label if label is not None else source_label(source)
    try:
        yield
    except InputError:
        raise
    except ManifestError as error:
        # Same class (PodValidationError stays "invalid pod: ..."), every problem kept, the source named.
        raise type(error)([_clean_problem(p) for p in error.problems], named) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InputError(f"{named}: invalid JSON at {where}: {error.msg}") from None
    except RecursionError:
        raise InputError(f"{named}: nested too deeply") from None
    except ValueError as error:  # QuantityError too
        raise InputError(f"{named}: {clean_message(str(error))}") from None
    except (AttributeError, TypeError, KeyError, IndexError):
        if _debugging():
            raise
        # A shape the readers do not check yet: never Python's words, and say that it is our fault.
        raise InputError(
            f"{named}: cannot read this input: a field has a type kq does not expect "
            "(this is a gap in kq; please report it, with the input)"
        ) from None


def _debugging() -> bool:
    import os

    return os.environ.get("KQ_DEBUG", "") not in ("", "0")
