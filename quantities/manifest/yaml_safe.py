"""YAML read as JSON data, with exact numbers and bounded work, checked while it is read.

Kubernetes reads YAML by converting it to JSON (sigs.k8s.io/yaml), so only what JSON can
hold is accepted: mappings, sequences, strings, numbers, booleans and null.

* A float keeps its text (:class:`ExactNumber`), as Kubernetes reads a quantity from its
  text (``cpu: 0.5`` is ``500m``, never a binary float). An integer is a Python int.
* Refused, each with its line and column: tags that would build other things (dates and
  times, ``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``, any ``!!python/...`` or local tag),
  ``.inf`` and ``.nan`` (not JSON numbers), integers longer than Python converts
  (4,300 digits), mapping keys that are not strings, numbers, booleans or null.
* Bounded while reading, not after: the values of the stream (aliases and merge keys
  counted as often as they expand), the aliases, the documents and the nesting depth.
  Objects are built straight from libyaml's event stream, never from a tree of YAML nodes
  (which costs hundreds of bytes per value), so memory stays a small multiple of the
  result; an alias is the shared object, never a copy.

libyaml (``CSafeLoader``) does the parsing where PyYAML was built with it; the
pure-Python parser is the fallback. Merge keys (``<<``) work as in ``yaml.safe_load``:
explicit keys win over merged ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

import yaml

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.problems import index, key
from quantities.options import Deadline

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_DOCUMENTS",
    "MAX_NODES",
    "YamlError",
    "YamlLimitExceeded",
    "YamlLimits",
    "YamlValueError",
    "load_yaml_documents",
]

#: Most values a YAML stream may expand to, aliases and merge keys counted as often as used.
MAX_NODES = 2_000_000
#: Most aliases (``*name``) in one stream.
MAX_ALIASES = 10_000
#: Most documents in one stream.
MAX_DOCUMENTS = 100_000
#: Deepest nesting of sequences and mappings.
MAX_DEPTH = 1_000

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_MERGE = _TAG + "merge"
_REFUSED = {
    _TAG + "timestamp": "a date or time, which JSON does not have: quote it to make it a string",
    _TAG + "binary": "binary data (!!binary), which JSON does not have",
    _TAG + "set": "a set (!!set), which JSON does not have: write a sequence",
    _TAG + "omap": "an ordered map (!!omap), which JSON does not have: write a mapping",
    _TAG + "pairs": "pairs (!!pairs), which JSON does not have: write a mapping",
}


class YamlError(ValueError):
    """YAML that is malformed, not JSON data, or too large; the message says where.

    ``path`` is the JSON path of the offending value inside its document, when known.
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class YamlValueError(YamlError):
    """A value JSON cannot hold (a date, binary data, a set, an infinity, an unreadable integer)."""


class YamlLimitExceeded(YamlError):
    """YAML that holds more than the limits allow (values, aliases, documents, depth)."""


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How much one stream may hold; see the module's constants for the defaults."""

    max_nodes: int = MAX_NODES
    max_aliases: int = MAX_ALIASES
    max_documents: int = MAX_DOCUMENTS
    max_depth: int = MAX_DEPTH


def _where(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    if mark is None:
        return ""
    return f" (line {mark.line + 1}, column {mark.column + 1})"


class _Frame:
    """A sequence or mapping being built: its value, anchor and (for mappings) the pending key."""

    __slots__ = ("anchor", "has_key", "key", "key_event", "merged", "nodes", "value")

    def __init__(self, value: list[Any] | dict[Any, Any], anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.has_key = False
        self.key: Any = None
        self.key_event: Any = None
        self.merged: dict[Any, Any] | None = None
        self.nodes = 1


class _Builder:
    """Builds plain data from parser events, counting as it goes."""

    def __init__(self, loader: Any, limits: YamlLimits, deadline: Deadline | None) -> None:
        self.loader = loader
        self.limits = limits
        self.nodes = 0
        self.aliases = 0
        #: anchor -> (object, how many values it expands to)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.resolved: dict[str, str] = {}
        self.deadline = deadline

    def count(self, nodes: int, event: Any) -> None:
        before = self.nodes
        self.nodes += nodes
        if self.deadline is not None and (before ^ self.nodes) >> 14:
            self.deadline.check("reading the YAML body", self.nodes)
        if self.nodes > self.limits.max_nodes:
            raise YamlLimitExceeded(
                f"the YAML expands to more than {self.limits.max_nodes:,} values{_where(event)}"
                " (aliases count as often as they are used: an alias bomb?)"
            )

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            # Plain scalars repeat (0, true, "app"): resolve each spelling once.
            plain = event.implicit[0]
            tag = self.resolved.get(value) if plain else None
            if tag is None:
                tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
                if plain and len(self.resolved) < 4096:
                    self.resolved[value] = tag
        if tag == _TAG + "str":
            return value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return yaml.constructor.SafeConstructor.bool_values[value.lower()]
        if tag == _TAG + "int":
            return self.integer(value, event)
        if tag == _TAG + "float":
            return self.float(value, event)
        if tag == _MERGE:
            return _MergeKey
        if tag in _REFUSED:
            raise YamlValueError(f"{value!s:.40} is {_REFUSED[tag]}{_where(event)}".replace("\n", " "))
        raise YamlValueError(f"the tag {tag} is not allowed: only JSON data can be read{_where(event)}")

    def integer(self, text: str, event: Any) -> int:
        digits = text.replace("_", "")
        if len(digits) > 4300:
            raise YamlValueError(
                f"an integer of {len(digits):,} digits is longer than can be read{_where(event)}"
            )
        node = yaml.ScalarNode(_TAG + "int", text)
        try:
            number: int = yaml.constructor.SafeConstructor.construct_yaml_int(self.loader, node)
        except ValueError:
            raise YamlValueError(f"{text:.40} is not an integer that can be read{_where(event)}") from None
        return number

    def float(self, text: str, event: Any) -> ExactNumber:
        plain = text.replace("_", "")
        if plain.lower().lstrip("+-") in (".inf", ".nan"):
            raise YamlValueError(
                f"{text} is not a JSON number (infinities and NaN are refused){_where(event)}"
            )
        if ":" in plain:
            raise YamlValueError(
                f"{text} is a base-60 number, which JSON does not have: quote it{_where(event)}"
            )
        try:
            return ExactNumber(plain)
        except InvalidOperation:
            raise YamlValueError(f"{text:.40} is not a number that can be read{_where(event)}") from None

    def document(self) -> Any:
        """Build one document from the events after its DocumentStartEvent."""
        stack: list[_Frame] = []
        try:
            return self._document(stack)
        except YamlError as error:
            if not error.path:
                error.path = _path(stack)
            raise

    def _document(self, stack: list[_Frame]) -> Any:
        loader = self.loader
        limits = self.limits
        while True:
            event = loader.get_event()
            size = 1
            if isinstance(event, yaml.ScalarEvent):
                value = self.scalar(event)
                anchor = event.anchor
            elif isinstance(event, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > limits.max_aliases:
                    raise YamlLimitExceeded(
                        f"more than {limits.max_aliases:,} aliases in the YAML{_where(event)}"
                    )
                found = self.anchors.get(event.anchor or "")
                if found is None:
                    raise YamlError(f"the alias *{event.anchor} names no anchor{_where(event)}")
                value, size = found
                anchor = None
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self.check_collection_tag(event)
                if len(stack) >= limits.max_depth:
                    raise YamlLimitExceeded(
                        f"the YAML is nested more than {limits.max_depth} levels{_where(event)}"
                    )
                self.count(1, event)
                container: list[Any] | dict[Any, Any] = (
                    [] if isinstance(event, yaml.SequenceStartEvent) else {}
                )
                stack.append(_Frame(container, event.anchor))
                continue
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = stack.pop()
                value = frame.value
                if frame.merged is not None and isinstance(value, dict):
                    value = {**frame.merged, **value}
                size = frame.nodes
                anchor = frame.anchor
            else:  # DocumentEnd and stream events cannot occur inside a document
                raise YamlError(f"unexpected YAML event {type(event).__name__}{_where(event)}")
            if not isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self.count(size, event)
            if anchor is not None:
                self.anchors[anchor] = (value, size)
            if not stack:
                return value
            self.add(stack[-1], value, size, event)

    def check_collection_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag in (_TAG + "seq", _TAG + "map"):
            return
        if tag in _REFUSED:
            raise YamlValueError(f"this is {_REFUSED[tag]}{_where(event)}")
        raise YamlValueError(f"the tag {tag} is not allowed: only JSON data can be read{_where(event)}")

    def add(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        frame.nodes += size
        container = frame.value
        if isinstance(container, list):
            container.append(value)
            return
        if not frame.has_key:
            if isinstance(value, list | dict):
                raise YamlError(
                    f"a mapping key must be a string or a number, not a collection{_where(event)}"
                )
            frame.key, frame.key_event, frame.has_key = value, event, True
            return
        frame.has_key = False
        if frame.key is _MergeKey:
            self.merge(frame, value, event)
            return
        container[frame.key] = value

    def merge(self, frame: _Frame, value: Any, event: Any) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: keys not yet merged come in; explicit keys win later."""
        sources = value if isinstance(value, list) else [value]
        merged = frame.merged if frame.merged is not None else {}
        for source in sources:
            if not isinstance(source, dict):
                raise YamlError(f"a merge key (<<) takes a mapping or a list of mappings{_where(event)}")
            self.count(len(source), event)
            for name, item in source.items():
                merged.setdefault(name, item)
        frame.merged = merged


def _path(stack: list[_Frame]) -> str:
    """The JSON path of the value being read when the stack of open collections is ``stack``."""
    path = ""
    for frame in stack:
        if isinstance(frame.value, list):
            path = index(path, len(frame.value))
        elif frame.has_key:
            path = key(path, str(frame.key))
    return path


class _MergeKeyType:
    """The ``<<`` key of a mapping, before its values are merged."""

    def __repr__(self) -> str:
        return "<<"


_MergeKey: Any = _MergeKeyType()


def load_yaml_documents(
    text: str, limits: YamlLimits | None = None, deadline: Deadline | None = None
) -> list[Any]:
    """Every document in ``text`` (empty documents skipped), or a YamlError that says where.

    >>> load_yaml_documents("cpu: 0.5\\n---\\nmemory: 1Gi\\n")
    [{'cpu': ExactNumber('0.5')}, {'memory': '1Gi'}]
    >>> load_yaml_documents("base: &b {cpu: 1}\\npod: {<<: *b, memory: 2}\\n")[0]["pod"]
    {'cpu': 1, 'memory': 2}
    >>> load_yaml_documents("when: 2024-01-01")
    Traceback (most recent call last):
      ...
    quantities.manifest.yaml_safe.YamlValueError: 2024-01-01 is a date or time, which JSON does not have: quote it to make it a string (line 1, column 7)
    """  # noqa: E501
    limits = limits or YamlLimits()
    loader: Any = _Base(text)
    builder = _Builder(loader, limits, deadline)
    documents: list[Any] = []
    count = 0
    try:
        loader.get_event()  # StreamStartEvent
        while not loader.check_event(yaml.StreamEndEvent):
            start = loader.get_event()  # DocumentStartEvent
            count += 1
            if count > limits.max_documents:
                raise YamlLimitExceeded(
                    f"more than {limits.max_documents:,} documents in the YAML{_where(start)}"
                )
            document = None if loader.check_event(yaml.DocumentEndEvent) else builder.document()
            loader.get_event()  # DocumentEndEvent
            if document is not None:
                documents.append(document)
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}".replace("\n", " ")) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    finally:
        loader.dispose()
    return documents
