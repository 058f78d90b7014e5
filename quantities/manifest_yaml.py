"""YAML with ``safe_load`` semantics, exact numbers and bounded work.

* Only plain data: tags that would build Python objects are refused.
* A float is read as a ``Decimal`` of its exact text (``cpu: 0.5``), as
  Kubernetes reads a quantity from its text, not from a binary float.
* An alias bomb ("billion laughs") is refused: we count the nodes composed and
  the aliases used, and stop at a bound before anything is expanded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "MAX_NODES", "YamlError", "load_yaml_documents"]

MAX_NODES = 2_000_000
MAX_ALIASES = 10_000


class YamlError(ValueError):
    """YAML that is malformed, unsafe or too large; the message says where."""


class _BoundedSafeLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes_composed = 0
        self.aliases_used = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases_used += 1
            if self.aliases_used > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlError(f"YAML uses more than {MAX_ALIASES} aliases (line {mark.line + 1})")
        else:
            self.nodes_composed += 1
            if self.nodes_composed > MAX_NODES:
                raise YamlError(f"YAML has more than {MAX_NODES} nodes")
        return super().compose_node(parent, index)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        value = super().construct_yaml_float(node)
        if value != value or value in (float("inf"), float("-inf")):
            return value
        text = str(node.value).replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            return value


_BoundedSafeLoader.add_constructor("tag:yaml.org,2002:float", _BoundedSafeLoader.construct_yaml_float)


def _expanded_size(document: Any) -> int:
    """How many values a consumer walking ``document`` would visit, aliases expanded.

    Aliased containers are shared objects, so memoising by identity computes
    this in time proportional to the YAML itself, not to its expansion.
    """
    sizes: dict[int, int] = {}
    pending: list[tuple[Any, bool]] = [(document, False)]
    while pending:
        item, children_done = pending.pop()
        if not isinstance(item, (dict, list)) or id(item) in sizes:
            continue
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        if children_done:
            sizes[id(item)] = 1 + sum(
                sizes.get(id(child), 1) if isinstance(child, (dict, list)) else 1 for child in children
            )
        else:
            pending.append((item, True))
            pending.extend((child, False) for child in children if isinstance(child, (dict, list)))
    return sizes.get(id(document), 1)


def load_yaml_documents(text: str) -> list[Any]:
    """Every document in ``text`` (empty documents skipped), or a YamlError.

    >>> load_yaml_documents("cpu: 0.5\\n---\\nmemory: 1Gi\\n")
    [{'cpu': Decimal('0.5')}, {'memory': '1Gi'}]
    """
    loader = _BoundedSafeLoader(text)
    documents: list[Any] = []
    try:
        while loader.check_data():  # type: ignore[no-untyped-call]
            document = loader.get_data()
            if document is not None:
                documents.append(document)
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}".replace("\n", " ")) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    finally:
        loader.dispose()
    expanded = sum(_expanded_size(document) for document in documents)
    if expanded > MAX_NODES:
        raise YamlError(f"YAML expands to {expanded} values, more than {MAX_NODES} (an alias bomb?)")
    return documents
