"""apimachinery's name validation (``k8s.io/apimachinery/pkg/util/validation``), in one place.

The API server checks every label, taint key, node name and namespace with
these functions, and its error lines carry their messages word for word, so
ours do too (Kubernetes 1.32):

* :func:`qualified_name_errors` is ``IsQualifiedName`` (label keys, taint and
  toleration keys, topology keys, extended resource names): an optional
  DNS-1123 subdomain prefix and ``/``, then a name of at most 63 characters;
* :func:`label_value_errors` is ``IsValidLabelValue``: empty, or a name part;
* :func:`dns1123_label_errors` is ``IsDNS1123Label`` (namespaces);
* :func:`dns1123_subdomain_errors` is ``IsDNS1123Subdomain`` (node and most
  object names);
* :func:`regex_error` is ``RegexError``, the "(e.g. ..., regex used for
  validation is ...)" tail, spacing included.

Each returns the messages in Go's order, ``[]`` when the value is valid; the
``is_*`` predicates answer yes or no without building messages.

Lengths are counted as Go's ``len`` counts them: in UTF-8 bytes, so ``"é" * 40``
is 80 long (it fails the pattern anyway, but Go reports both problems).

Kubernetes 1.34 renamed the qualified-name message to "a valid label key ..."
and gave ``IsDNS1123Label`` a "must not contain dots" message; we follow 1.32,
the version the rest of the project validates as.

>>> qualified_name_errors("example.com/gpu"), label_value_errors(""), dns1123_label_errors("kube-system")
([], [], [])
>>> print(dns1123_subdomain_errors("Node-1")[0])
a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must \
start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is \
'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
"""

from __future__ import annotations

import re

__all__ = [
    "DNS1123_LABEL_MAX_LENGTH",
    "DNS1123_SUBDOMAIN_MAX_LENGTH",
    "LABEL_VALUE_MAX_LENGTH",
    "QUALIFIED_NAME_MAX_LENGTH",
    "dns1123_label_errors",
    "dns1123_subdomain_errors",
    "go_length",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_qualified_name",
    "is_qualified_name_part",
    "label_value_errors",
    "max_length_error",
    "qualified_name_errors",
    "regex_error",
]

# The constants of validation.go, same names without the Go casing.
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_ERR_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
QUALIFIED_NAME_MAX_LENGTH = 63
_LABEL_VALUE_FMT = f"({_QUALIFIED_NAME_FMT})?"
_LABEL_VALUE_ERR_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX_LENGTH = 63
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX_LENGTH = 63
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX_LENGTH = 253

# Go anchors each with "^...$"; fullmatch is the same (Go's "$" does not accept a trailing newline).
_QUALIFIED_NAME = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE = re.compile(_LABEL_VALUE_FMT)
_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(_DNS1123_SUBDOMAIN_FMT)


def go_length(value: str) -> int:
    """Go's ``len`` of a string: its UTF-8 bytes.

    >>> go_length("abc"), go_length("é")
    (3, 2)
    """
    return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """``RegexError``: the message, examples and pattern, spacing as Go writes it.

    Go appends ``"'" + example + "', "`` joined by ``" or "``, hence the double
    space before each ``or``.

    >>> regex_error("must be digits", "[0-9]+", "1", "22")
    "must be digits (e.g. '1',  or '22', regex used for validation is '[0-9]+')"
    >>> regex_error("must be digits", "[0-9]+")
    "must be digits (regex used for validation is '[0-9]+')"
    """
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def max_length_error(length: int) -> str:
    """``MaxLenError``.

    >>> max_length_error(63)
    'must be no more than 63 characters'
    """
    return f"must be no more than {length} characters"


def is_qualified_name_part(name: str) -> bool:
    """The name part of a qualified name (what follows the ``/``), without its length check."""
    return _QUALIFIED_NAME.fullmatch(name) is not None


def _qualified_name_regex_error() -> str:
    return regex_error(_QUALIFIED_NAME_ERR_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")


def qualified_name_errors(value: str) -> list[str]:
    """``IsQualifiedName``: an optional DNS-1123 subdomain prefix and ``/``, then a name.

    >>> qualified_name_errors("example.com/gpu")
    []
    >>> qualified_name_errors("/gpu")
    ['prefix part must be non-empty']
    >>> qualified_name_errors("a/b/c")[0][:30]
    'a qualified name must consist '
    """
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + message for message in dns1123_subdomain_errors(prefix))
    else:
        return [
            "a qualified name "
            + _qualified_name_regex_error()
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif go_length(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + max_length_error(QUALIFIED_NAME_MAX_LENGTH))
    if not is_qualified_name_part(name):
        errors.append("name part " + _qualified_name_regex_error())
    return errors


def is_qualified_name(value: str) -> bool:
    """``len(IsQualifiedName(value)) == 0``.

    >>> is_qualified_name("example.com/gpu"), is_qualified_name("-gpu"), is_qualified_name("a/b/c")
    (True, False, False)
    """
    prefix, slash, name = value.rpartition("/")
    if slash and (not prefix or "/" in prefix or not is_dns1123_subdomain(prefix)):
        return False
    return 0 < go_length(name) <= QUALIFIED_NAME_MAX_LENGTH and is_qualified_name_part(name)


def label_value_errors(value: str) -> list[str]:
    """``IsValidLabelValue``: empty, or at most 63 characters of a qualified name's name part.

    >>> label_value_errors("web"), label_value_errors(""), len(label_value_errors("-x"))
    ([], [], 1)
    """
    errors = []
    if go_length(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_length_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE.fullmatch(value):
        errors.append(regex_error(_LABEL_VALUE_ERR_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def is_label_value(value: str) -> bool:
    """``len(IsValidLabelValue(value)) == 0``."""
    return go_length(value) <= LABEL_VALUE_MAX_LENGTH and _LABEL_VALUE.fullmatch(value) is not None


def dns1123_label_errors(value: str) -> list[str]:
    """``IsDNS1123Label`` (namespace names).

    >>> dns1123_label_errors("default"), len(dns1123_label_errors("a.b"))
    ([], 1)
    """
    errors = []
    if go_length(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL.fullmatch(value):
        errors.append(regex_error(_DNS1123_LABEL_ERR_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def is_dns1123_label(value: str) -> bool:
    """``len(IsDNS1123Label(value)) == 0``."""
    return go_length(value) <= DNS1123_LABEL_MAX_LENGTH and _DNS1123_LABEL.fullmatch(value) is not None


def dns1123_subdomain_errors(value: str) -> list[str]:
    """``IsDNS1123Subdomain`` (node names, most object names, qualified-name prefixes).

    >>> dns1123_subdomain_errors("node-1.example.com"), len(dns1123_subdomain_errors("Node"))
    ([], 1)
    """
    errors = []
    if go_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_length_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_ERR_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_dns1123_subdomain(value: str) -> bool:
    """``len(IsDNS1123Subdomain(value)) == 0``."""
    return bool(_DNS1123_SUBDOMAIN.fullmatch(value)) and go_length(value) <= DNS1123_SUBDOMAIN_MAX_LENGTH
