"""YAML with ``safe_load`` semantics, exact numbers and bounded work.

* Only plain data: tags that would build Python objects are refused.
* A float is read as an ``ExactNumber``: a ``Decimal`` that keeps its text (``cpu: 0.5``), as
  Kubernetes reads a quantity from its text, not from a binary float.
* An alias bomb ("billion laughs") is refused: PyYAML shares an aliased node
  rather than copying it, so the size a consumer would walk is measured on the
  shared structure, before anything is expanded.
* Nesting is bounded by libyaml (1,000 levels, refused at once) and by Python's
  recursion limit; both become a YamlError.

libyaml (``CSafeLoader``) does the parsing where PyYAML was built with it;
the pure-Python loader is the fallback.
"""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

import yaml

from quantities.manifest.exact_number import ExactNumber

__all__ = ["MAX_NODES", "YamlError", "load_yaml_documents"]

#: Most values a YAML stream may expand to, aliases counted as often as they are used.
MAX_NODES = 2_000_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """YAML that is malformed, unsafe or too large; the message says where."""


class _ExactSafeLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        text = str(node.value).replace("_", "")
        if ":" in text or text.lower().lstrip("+-") in (".inf", ".nan"):  # sexagesimal, infinities, NaN
            return super().construct_yaml_float(node)
        try:
            return ExactNumber(text)
        except InvalidOperation:
            return super().construct_yaml_float(node)


_ExactSafeLoader.add_constructor("tag:yaml.org,2002:float", _ExactSafeLoader.construct_yaml_float)


def _expanded_size(document: Any) -> int:
    """How many values a consumer walking ``document`` would visit, aliases expanded.

    Aliased containers are shared objects, so memoising by identity computes
    this in time proportional to the YAML itself, not to its expansion.
    """
    sizes: dict[int, int] = {}
    pending: list[tuple[Any, bool]] = [(document, False)]
    while pending:
        item, children_done = pending.pop()
        if not isinstance(item, dict | list) or (id(item) in sizes and not children_done):
            continue
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        if children_done:
            sizes[id(item)] = 1 + sum(
                sizes.get(id(child), 1) if isinstance(child, dict | list) else 1 for child in children
            )
        else:
            pending.append((item, True))
            pending.extend((child, False) for child in children if isinstance(child, dict | list))
    return sizes.get(id(document), 1)


def load_yaml_documents(text: str) -> list[Any]:
    """Every document in ``text`` (empty documents skipped), or a YamlError.

    >>> load_yaml_documents("cpu: 0.5\\n---\\nmemory: 1Gi\\n")
    [{'cpu': ExactNumber('0.5')}, {'memory': '1Gi'}]
    """
    loader = _ExactSafeLoader(text)
    documents: list[Any] = []
    try:
        while loader.check_data():
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
