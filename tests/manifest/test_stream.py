"""iter_objects flattens lists as kinds.list_items does, whatever the text format."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quantities.manifest.kinds import list_items
from quantities.manifest.stream import iter_objects

A, B, C = {"kind": "Pod", "n": 1}, {"kind": "Node", "n": 2}, {"kind": "Pod", "n": 3}

ROWS: list[tuple[str, Any, list[Any]]] = [
    ("one object", A, [A]),
    ("a List", {"kind": "List", "items": [A, B]}, [A, B]),
    ("a NodeList", {"kind": "NodeList", "items": [B]}, [B]),
    ("items without a kind", {"items": [A]}, [A]),
    ("nested Lists", {"kind": "List", "items": [{"kind": "PodList", "items": [A]}, B]}, [A, B]),
    ("an array of Lists", [{"kind": "List", "items": [A]}, [B, C]], [A, B, C]),
    ("an empty List", {"kind": "List", "items": []}, []),
]


@pytest.mark.parametrize(("_name", "document", "expected"), ROWS, ids=[row[0] for row in ROWS])
def test_json_and_yaml_flatten_the_same_way(_name: str, document: Any, expected: list[Any]) -> None:
    assert list(list_items(document)) == expected
    assert list(iter_objects(json.dumps(document))) == expected
    yaml_text = json.dumps(document) + "\n"  # JSON is YAML; a leading "---" makes it take the YAML reader
    assert list(iter_objects("---\n" + yaml_text)) == expected


def test_several_documents_and_nulls() -> None:
    text = json.dumps({"kind": "List", "items": [A]}) + " null " + json.dumps([B, None]) + json.dumps(C)
    assert list(iter_objects(text)) == [A, B, C]
    yaml_text = "kind: List\nitems:\n- {kind: Pod, n: 1}\n---\n---\n- {kind: Node, n: 2}\n- null\n"
    assert list(iter_objects(yaml_text)) == [A, B]
