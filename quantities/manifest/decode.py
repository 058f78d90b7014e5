"""Text in, plain data out: JSON and YAML as the API server reads them.

Numbers keep their exact text (:class:`~quantities.manifest.exact_number.ExactNumber`),
as the API server reads a quantity from the bytes of a JSON number (``cpu: 0.5`` is
``500m``, never a binary float). YAML has ``safe_load`` semantics only (see
:mod:`quantities.manifest.yaml_safe`).
"""

from __future__ import annotations

import json
from typing import Any

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.problems import ManifestError, Problem

__all__ = ["load_documents", "load_json", "load_yaml"]


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str, max_documents: int | None = None) -> list[Any]:
    """The JSON values in ``text`` (one, or several one after another), numbers kept exact.

    Past ``max_documents`` values reading stops at once (``{}{}{}...`` costs nothing more).

    >>> load_json('{"cpu": 0.10}')
    [{'cpu': ExactNumber('0.10')}]
    >>> load_json("{} {} {}", max_documents=2)
    Traceback (most recent call last):
      ...
    quantities.manifest.problems.ManifestError: more than 2 JSON values one after another (at character 6)
    """
    decoder = json.JSONDecoder(parse_float=ExactNumber, parse_constant=_reject_constant)
    documents: list[Any] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position] in " \t\r\n\ufeff":
            position += 1
        if position >= end:
            break
        if max_documents is not None and len(documents) >= max_documents:
            message = f"more than {max_documents} JSON values one after another (at character {position})"
            raise ManifestError([Problem("", message)])
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ManifestError(
                [Problem("", f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})")]
            ) from None
        except ValueError as error:
            raise ManifestError([Problem("", f"invalid JSON: {error}")]) from None
        except RecursionError:
            raise ManifestError([Problem("", "invalid JSON: nested too deeply")]) from None
        documents.append(value)
    return documents


def load_yaml(text: str) -> list[Any]:
    """The documents of a YAML stream (``safe_load`` semantics, empty documents dropped).

    Floats keep their text (``ExactNumber``); integers are Python ints. Alias
    bombs and deep nesting are refused (see :mod:`quantities.manifest.yaml_safe`).

    >>> load_yaml("cpu: 0.5\\n---\\n---\\nmemory: 1Gi\\n")
    [{'cpu': ExactNumber('0.5')}, {'memory': '1Gi'}]
    """
    from quantities.manifest.yaml_safe import YamlError, load_yaml_documents

    try:
        return load_yaml_documents(text)
    except YamlError as error:
        raise ManifestError([Problem(error.path, str(error))]) from None


def load_documents(text: str) -> list[Any]:
    """JSON or YAML text as a list of documents.

    Text that starts with ``{`` or ``[`` is read as JSON (exact numbers, several
    values allowed); YAML otherwise, or when it is not valid JSON after all
    (YAML flow style looks like JSON).
    """
    if text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        try:
            return load_json(text)
        except ManifestError as json_error:
            try:
                return load_yaml(text)
            except ManifestError:
                raise json_error from None
    return load_yaml(text.lstrip("\ufeff"))
