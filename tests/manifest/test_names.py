"""apimachinery's name checks, one row per value with the exact Go messages (Kubernetes 1.32).

The expected texts are written out here, not built from the module's constants, so a
drifting word fails a row. They are ``pkg/util/validation/validation.go``'s
``RegexError``/``MaxLenError`` output, spacing included (Go writes ``'x', `` before
each `` or ``, hence the double space).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.manifest.names import (
    dns1123_label_errors,
    dns1123_subdomain_errors,
    go_length,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_qualified_name,
    label_value_errors,
    qualified_name_errors,
    regex_error,
)

QUALIFIED = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
    "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
MAX_63 = "must be no more than 63 characters"
MAX_253 = "must be no more than 253 characters"
E40 = "é" * 40  # 40 characters, 80 bytes: Go's len counts bytes

QUALIFIED_ROWS: list[tuple[str, list[str]]] = [
    ("app", []),
    ("MyName", []),
    ("my.name_1-x", []),
    ("example.com/gpu", []),
    ("kubernetes.io/hostname", []),
    ("a" * 63, []),
    ("a" * 253 + "/" + "b" * 63, []),
    ("", ["name part must be non-empty", "name part " + QUALIFIED]),
    ("-app", ["name part " + QUALIFIED]),
    ("app_", ["name part " + QUALIFIED]),
    ("a b", ["name part " + QUALIFIED]),
    ("a" * 64, ["name part " + MAX_63]),
    ("/app", ["prefix part must be non-empty"]),
    ("example.com/", ["name part must be non-empty", "name part " + QUALIFIED]),
    ("Example.com/app", ["prefix part " + SUBDOMAIN]),
    ("a" * 254 + "/app", ["prefix part " + MAX_253]),
    ("_x/_y", ["prefix part " + SUBDOMAIN, "name part " + QUALIFIED]),
    (E40, ["name part " + MAX_63, "name part " + QUALIFIED]),
    (
        "a/b/c",
        [
            "a qualified name " + QUALIFIED + " with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')"
        ],
    ),
]

LABEL_VALUE_ROWS: list[tuple[str, list[str]]] = [
    ("", []),
    ("web", []),
    ("My_Value.1", []),
    ("a" * 63, []),
    ("a" * 64, [MAX_63]),
    ("-web", [LABEL_VALUE]),
    ("a/b", [LABEL_VALUE]),
    ("-" * 64, [MAX_63, LABEL_VALUE]),
    (E40, [MAX_63, LABEL_VALUE]),
    ("é", [LABEL_VALUE]),
]

DNS1123_LABEL_ROWS: list[tuple[str, list[str]]] = [
    ("default", []),
    ("kube-system", []),
    ("0abc", []),
    ("a" * 63, []),
    ("a" * 64, [MAX_63]),
    ("", [LABEL]),
    ("a.b", [LABEL]),  # Kubernetes 1.34 says "must not contain dots"; 1.32 gives the pattern
    ("Default", [LABEL]),
    ("web-", [LABEL]),
    ("A" * 64, [MAX_63, LABEL]),
]

DNS1123_SUBDOMAIN_ROWS: list[tuple[str, list[str]]] = [
    ("node-1", []),
    ("node-1.example.com", []),
    ("a" * 253, []),
    (".".join(["a" * 63] * 4)[:253], []),
    ("a" * 254, [MAX_253]),
    ("", [SUBDOMAIN]),
    ("Node-1", [SUBDOMAIN]),
    ("a..b", [SUBDOMAIN]),
    ("node_1", [SUBDOMAIN]),
    ("-" * 254, [MAX_253, SUBDOMAIN]),
    ("é" * 127, [MAX_253, SUBDOMAIN]),
]

Check = Callable[[str], list[str]]
Predicate = Callable[[str], bool]
CHECKS: list[tuple[Check, Predicate, list[tuple[str, list[str]]]]] = [
    (qualified_name_errors, is_qualified_name, QUALIFIED_ROWS),
    (label_value_errors, is_label_value, LABEL_VALUE_ROWS),
    (dns1123_label_errors, is_dns1123_label, DNS1123_LABEL_ROWS),
    (dns1123_subdomain_errors, is_dns1123_subdomain, DNS1123_SUBDOMAIN_ROWS),
]
ROWS = [
    pytest.param(check, predicate, value, expected, id=f"{check.__name__}-{value[:20]!s}-{len(value)}")
    for check, predicate, rows in CHECKS
    for value, expected in rows
]


@pytest.mark.parametrize(("check", "predicate", "value", "expected"), ROWS)
def test_messages(check: Check, predicate: Predicate, value: str, expected: list[str]) -> None:
    assert check(value) == expected
    assert predicate(value) is (not expected)


@pytest.mark.parametrize(
    ("message", "examples", "expected"),
    [
        ("m", (), "m (regex used for validation is 'f')"),
        ("m", ("a",), "m (e.g. 'a', regex used for validation is 'f')"),
        ("m", ("a", "b", "c"), "m (e.g. 'a',  or 'b',  or 'c', regex used for validation is 'f')"),
    ],
)
def test_regex_error(message: str, examples: tuple[str, ...], expected: str) -> None:
    assert regex_error(message, "f", *examples) == expected


# A lone surrogate (JSON may carry one) counts as Go's replacement character: 3 bytes.
GO_LENGTHS = [("", 0), ("abc", 3), ("é", 2), ("€", 3), ("😀", 4), ("\ud800", 3)]


@pytest.mark.parametrize(("value", "length"), GO_LENGTHS)
def test_go_length_counts_utf8_bytes(value: str, length: int) -> None:
    assert go_length(value) == length


NAME_TEXT = st.text(alphabet=st.sampled_from("aZ09-_./é"), max_size=70) | st.builds(
    lambda prefix, name: f"{prefix}/{name}", st.text("a.-Z", max_size=260), st.text("a-_Z", max_size=70)
)


@settings(max_examples=300, deadline=None)
@given(NAME_TEXT)
def test_predicates_agree_with_messages(value: str) -> None:
    for check, predicate, _ in CHECKS:
        assert predicate(value) is (not check(value)), check.__name__
