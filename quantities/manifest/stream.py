"""Large inputs one object at a time: cluster dumps as ``kubectl get -o json`` prints them.

JSON is read one ``items`` element at a time (:func:`iter_json_objects`), so a
cluster at Kubernetes' published limits (5,000 nodes, 150,000 pods) never exists
as one tree of Python objects. YAML and CSV (with a header line) are read whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from quantities.manifest.kinds import list_items

__all__ = ["iter_json_objects", "iter_objects", "read_text"]

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


def _after_value(text: str, position: int, closer: str) -> tuple[int, bool]:
    """After a value in an array or object: past the comma (False), or past ``closer`` (True)."""
    position = _skip(text, position)
    if text.startswith(",", position):
        return _skip(text, position + 1), False
    if text.startswith(closer, position):
        return position + 1, True
    raise _json_error("Expecting ',' delimiter", text, position)


def _iter_object(text: str, position: int, out: list[int]) -> Iterator[Any]:
    """Yield the elements of a top-level object's ``items`` array one by one, else the object itself."""
    fields: dict[str, Any] = {}
    streamed = False
    position = _skip(text, position + 1)
    if text.startswith("}", position):
        out[0] = position + 1
        yield fields
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
                done = False
                while not done:
                    item, position = _DECODER.raw_decode(text, position)
                    yield item
                    position, done = _after_value(text, position, "]")
        else:
            fields[name], position = _DECODER.raw_decode(text, position)
        position, done = _after_value(text, position, "}")
        if done:
            break
    out[0] = position
    if not streamed:
        yield fields


def iter_json_objects(text: str) -> Iterator[Any]:
    """Every object in concatenated JSON documents, the items of a list object one at a time.

    Arrays and ``List`` objects are flattened as :func:`~quantities.manifest.kinds.list_items`
    flattens them (nested ones too); ``null`` documents are skipped. The ``items`` of a
    top-level object are streamed whatever its kind, as the kind may come after them.

    >>> [o["metadata"]["name"] for o in iter_json_objects(
    ...     '{"kind": "List", "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]} '
    ...     '{"metadata": {"name": "c"}}')]
    ['a', 'b', 'c']
    """
    position = _skip(text, 0)
    end = len(text)
    while position < end:
        if text.startswith("{", position):
            out = [position]
            for item in _iter_object(text, position, out):
                yield from list_items(item)
            position = out[0]
        else:
            value, position = _DECODER.raw_decode(text, position)
            yield from list_items(value)
        position = _skip(text, position)


def _looks_like_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    return first.startswith("name,") or first.startswith('"name",')


def iter_objects(text: str) -> Iterator[Any]:
    """Objects of JSON (streamed), YAML (all documents) or CSV (one mapping per row) text, lists flattened."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        yield from iter_json_objects(text)
    elif _looks_like_csv(text):
        yield from csv.DictReader(io.StringIO(stripped))
    else:
        from quantities.manifest.decode import load_yaml

        yield from list_items(load_yaml(text))


def read_text(path: str) -> str:
    """A file's text, or standard input for ``-``."""
    if path == "-":
        import sys

        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()
