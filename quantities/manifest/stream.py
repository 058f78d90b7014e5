"""Large inputs one object at a time: cluster dumps as ``kubectl get -o json`` prints them.

JSON is read one ``items`` element at a time (:func:`iter_json_objects`), so a
cluster at Kubernetes' published limits (5,000 nodes, 150,000 pods) never exists
as one tree of Python objects. YAML and CSV (with a header line) are read whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from quantities.manifest.compact import looks_like_csv, read_csv_table
from quantities.manifest.kinds import located_items

__all__ = [
    "iter_json_objects",
    "iter_located_json_objects",
    "iter_located_objects",
    "iter_objects",
    "read_text",
]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# The C string scanner the json module itself uses (not in the type stubs).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    assert match is not None
    return match.end()


def _json_error(message: str, text: str, position: int) -> json.JSONDecodeError:
    return json.JSONDecodeError(message, text, position)


def _iter_object(text: str, position: int, out: list[int]) -> Iterator[tuple[str, Any]]:
    """Yield the elements of a top-level object's ``items`` array one by one, else the object itself.

    Each comes with its path in the document (``items[3]``, or ``""`` for the object).
    """
    fields: dict[str, Any] = {}
    streamed = False
    position = _skip(text, position + 1)
    if text.startswith("}", position):
        out[0] = position + 1
        yield "", fields
        return
    while True:
        if not text.startswith('"', position):
            raise _json_error("Expecting property name enclosed in double quotes", text, position)
        name, position = _scanstring(text, position + 1)
        position = _skip(text, position)
        if not text.startswith(":", position):
            raise _json_error("Expecting ':' delimiter", text, position)
        position = _skip(text, position + 1)
        if name == "items" and text.startswith("[", position):
            streamed = True
            position = _skip(text, position + 1)
            if text.startswith("]", position):
                position += 1
            else:
                count = 0
                while True:
                    item, position = _DECODER.raw_decode(text, position)
                    yield from located_items(item, f"items[{count}]")
                    count += 1
                    position = _skip(text, position)
                    if text.startswith(",", position):
                        position = _skip(text, position + 1)
                        continue
                    if text.startswith("]", position):
                        position += 1
                        break
                    raise _json_error("Expecting ',' delimiter", text, position)
        else:
            fields[name], position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        if text.startswith(",", position):
            position = _skip(text, position + 1)
            continue
        if text.startswith("}", position):
            position += 1
            break
        raise _json_error("Expecting ',' delimiter", text, position)
    out[0] = position
    if not streamed:
        yield from located_items(fields)


def iter_json_objects(text: str) -> Iterator[Any]:
    """Every object in concatenated JSON documents, the items of a list object one at a time.

    >>> [o["metadata"]["name"] for o in iter_json_objects(
    ...     '{"kind": "List", "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]} '
    ...     '{"metadata": {"name": "c"}}')]
    ['a', 'b', 'c']
    """
    for _, value in iter_located_json_objects(text):
        yield value


def iter_located_json_objects(text: str) -> Iterator[tuple[str, Any]]:
    """:func:`iter_json_objects` with each object's path: ``items[3]``, ``[2]`` in an array, or ``""``.

    Several documents are numbered from 1 in the path's place: ``document 2: items[0]``
    would be ambiguous, so the document is a prefix only when there are several.

    >>> [path for path, _ in iter_located_json_objects('{"items": [{}, {}]} [{}]')]
    ['items[0]', 'items[1]', 'document 2 [0]']
    """
    position = _skip(text, 0)
    end = len(text)
    document = 0
    while position < end:
        document += 1
        prefix = "" if document == 1 else f"document {document} "
        if text.startswith("{", position):
            out = [position]
            for path, value in _iter_object(text, position, out):
                yield (prefix + path).rstrip(), value
            position = out[0]
        elif text.startswith("[", position):
            values, position = _DECODER.raw_decode(text, position)
            for path, value in located_items(values):
                yield prefix + path, value
        else:
            value, position = _DECODER.raw_decode(text, position)
            for path, item in located_items(value):
                yield (prefix + path).rstrip(), item
        position = _skip(text, position)


def iter_objects(text: str) -> Iterator[Any]:
    """Objects of JSON (streamed), YAML (all documents) or CSV (one mapping per row) text.

    A CSV table must start with a header line naming its columns; its rows are
    :class:`~quantities.manifest.compact.CsvRow` mappings that know their path
    (``rows[3]``) and line, and a table that cannot be read raises ManifestError.
    """
    for _, value in iter_located_objects(text):
        yield value


def iter_located_objects(text: str) -> Iterator[tuple[str, Any]]:
    """:func:`iter_objects` with where each object is: ``items[3]``, ``document 2 items[0]``, ``rows[4]``."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        yield from iter_located_json_objects(text)
    elif looks_like_csv(text):
        for row in read_csv_table(text):
            yield row.path, row
    else:
        from quantities.manifest.decode import load_yaml

        documents = load_yaml(text)
        for number, document in enumerate(documents):
            prefix = f"document {number + 1} " if len(documents) > 1 else ""
            for path, item in located_items(document):
                yield (prefix + path).rstrip(), item


def read_text(path: str) -> str:
    """A file's text, or standard input for ``-``."""
    if path == "-":
        import sys

        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()
