"""Messages speak JSON, never Python: no reprs ('x', None, True), no type names (NoneType, dict).

One row per message the audit fixed: the call, and the exact text (or a part of it) a person sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from quantities import parse_human, parse_quantity
from quantities.manifest.compact import read_workload
from quantities.node.selectors import parse_taint
from quantities.pod.scheduling import read_scheduling
from quantities.quantity import human
from quantities.quantity.batch import summarize
from quantities.quantity.errors import QuantityError, json_kind

PYTHON_WORDS = re.compile(
    r"NoneType|\bdict\b|\blist\b|\bstr\b|\bint\b|\bTrue\b|\bFalse\b|\bNone\b|'[^']*'|\\u00"
)


def _message(call: Callable[[], Any]) -> str:
    try:
        call()
    except (QuantityError, ValueError) as error:
        return str(error)
    raise AssertionError("no error")


def _scheduling_messages(metadata: dict[str, Any], spec: dict[str, Any]) -> str:
    _, shape, invalid, notes = read_scheduling(metadata, spec)
    return "\n".join(problem.message for problem in (*shape, *invalid, *notes))


ROWS: list[tuple[str, Callable[[], Any], str]] = [
    ("strict parser, null", lambda: parse_quantity(None), "expected a string, got null"),  # type: ignore[arg-type]
    ("strict parser, number", lambda: parse_quantity(5), "expected a string, got number 5"),  # type: ignore[arg-type]
    ("lenient parser, object", lambda: parse_human({"a": 1}), "expected a string, got an object"),  # type: ignore[arg-type]
    ("lenient parser, unknown unit", lambda: parse_human("1 parsecs"), 'unknown unit "parsecs"'),
    ("batch, array", lambda: summarize([1]), "expected a string or a number, got an array"),  # type: ignore[arg-type]
    ("batch, boolean", lambda: summarize(True), "expected a string or a number, got boolean true"),  # type: ignore[arg-type]
    ("taint without effect", lambda: parse_taint("gpu"),
     'invalid taint "gpu": expected key[=value]:Effect, Effect one of NoSchedule, PreferNoSchedule, '
     "NoExecute"),
    ("taint without key", lambda: parse_taint(":NoSchedule"), 'invalid taint ":NoSchedule": empty key'),
]  # fmt: skip


@pytest.mark.parametrize(("call", "expected"), [pytest.param(c, e, id=i) for i, c, e in ROWS])
def test_errors_speak_json(call: Callable[[], Any], expected: str) -> None:
    message = _message(call)
    assert expected in message
    assert not PYTHON_WORDS.search(message), message


def test_lenient_number_hint_quotes_json_style(monkeypatch: pytest.MonkeyPatch) -> None:
    # The "plain number" branch is a fallback for what the strict parser refuses yet looks like a number.
    def refuse(text: str) -> Any:
        raise QuantityError(text, "refused")

    monkeypatch.setattr(human, "parse_quantity", refuse)
    with pytest.raises(QuantityError) as raised:
        human.read_human("1.5")
    assert raised.value.hint == 'write a plain number such as "1.5"'


@pytest.mark.parametrize(
    ("metadata", "spec", "expected"),
    [
        ({"labels": {"é": "ü-"}}, {}, 'label value "ü-": '),
        ({"labels": {"é/x": "v"}}, {}, 'label key "é/x": '),
        ({}, {"tolerations": [{"key": "k", "value": "ü-"}]}, '"ü-" is not a valid label value'),
        ({}, {"tolerations": [{"key": "k", "operator": "Näar"}]}, '"Näar" is not one of'),
    ],
)
def test_scheduling_messages_keep_non_ascii_text(
    metadata: dict[str, Any], spec: dict[str, Any], expected: str
) -> None:
    # Quoted as JSON without \\u escapes, as go_value and the API server's %q print them.
    messages = _scheduling_messages({"name": "p", **metadata}, spec)
    assert expected in messages
    assert "\\u00" not in messages


def test_compact_namespace_rule_has_no_dots() -> None:
    with pytest.raises(ValueError) as raised:  # ManifestError is a ValueError
        read_workload({"name": "web", "namespace": "a.b"})
    assert str(raised.value).endswith(
        'invalid namespace "a.b": a namespace is at most 63 lower case letters, digits and "-", '
        "starting and ending with a letter or digit"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "null"), (False, "boolean false"), (1.5, "number 1.5"), ("x", 'string "x"'), ((), "an array"),
     (object(), "a value JSON cannot hold")],
)  # fmt: skip
def test_json_kind(value: object, expected: str) -> None:
    assert json_kind(value) == expected
