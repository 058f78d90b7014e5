"""Compact rows, the form spreadsheets and URLs use, read strictly into typed values.

Three forms carry the same rows:

* a GET parameter, one row per line of fields separated by commas:
  ``node=name,cpu,memory[,pods[,labels[,taints]]]``,
  ``workload=name,replicas,cpu,memory[,cpu_limit[,memory_limit]]`` and
  ``pod=name,cpu,memory[,cpu_limit[,memory_limit]]`` (labels and taints inside
  the line separated by ``;``);
* a CSV table whose first line names the columns (:func:`read_csv_table`);
* a JSON or YAML object with the same keys (``{"name": "n1", "cpu": "4", ...}``).

Rules (the same in every form):

* a node needs ``name``, ``cpu`` and ``memory``: the kubelet always reports
  allocatable cpu and memory, so a node without them is a slip, not a choice;
  ``pods`` defaults to 110, the kubelet's default ``--max-pods``;
* a workload or pod row (GET parameter or CSV row) needs ``name``, ``cpu`` and
  ``memory``, an empty cell being more often a slip than a decision (write 0 for
  no request); ``replicas`` defaults to 1, as a Deployment's ``spec.replicas``.
  A workload *object* (JSON/YAML) needs only ``name``: a pod without requests is
  a valid (BestEffort) Kubernetes pod;
* quantities are Kubernetes quantities (the strict parser, with its hints), never
  negative (``ValidateNonnegativeQuantity``); ``pods`` and extended resources are
  whole numbers (``IsIntegerResourceName``); ``replicas`` is a non-negative int32;
* names are DNS-1123 subdomains (``ValidateNodeName``, ``ValidateDeploymentName``,
  ``ValidatePodName``); labels ``key=value`` with Kubernetes label syntax
  (``IsQualifiedName``, ``IsValidLabelValue``); taints ``key[=value]:Effect`` with
  an effect of NoSchedule, PreferNoSchedule or NoExecute; ``unschedulable`` is
  true or false.

Every problem is reported, each with its path: ``node[1].cpu`` for the second
``node`` parameter, ``rows[3].memory`` (and its line) for a CSV row,
``nodes[0].labels[zone]`` inside a JSON body.

>>> read_node_fields("n1,4,16Gi,,zone=a;disk=ssd,gpu=true:NoSchedule", "node[0]").to_text()
'n1,4,16Gi,110,zone=a;disk=ssd,gpu=true:NoSchedule'
>>> read_node_fields("n1;4;8Gi;110", "node[0]")
Traceback (most recent call last):
  ...
quantities.manifest.problems.ManifestError: node[0]: expected the fields name,cpu,memory[,pods[,labels[,taints]]] separated by commas, got one field; fields are separated by commas: did you mean "n1,4,8Gi,110"?
"""  # noqa: E501

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quantities.manifest.exact_number import ExactNumber
from quantities.manifest.fields import parse_manifest_quantity
from quantities.manifest.names import (
    LABEL_VALUE_MAX_LENGTH,
    QUALIFIED_NAME_MAX_LENGTH,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_qualified_name_part,
)
from quantities.manifest.problems import ManifestError, Problem, index, key
from quantities.options import DEFAULT_OPTIONS, InputTooLarge, Options
from quantities.quantity.errors import QuantityError
from quantities.quantity.goint import INT32_MAX, INT64_MAX
from quantities.quantity.quantity import Quantity

__all__ = [
    "DEFAULT_MAX_PODS",
    "NODE_FIELDS",
    "POD_FIELDS",
    "TAINT_EFFECTS",
    "WORKLOAD_FIELDS",
    "WORKLOAD_KINDS",
    "CsvRow",
    "NodeRow",
    "TaintSpec",
    "WorkloadRow",
    "read_csv_table",
    "read_node",
    "read_node_fields",
    "read_pod_fields",
    "read_pod_requests",
    "read_workload",
    "read_workload_fields",
]

#: The positions of a node written on one line (a GET parameter).
NODE_FIELDS = ("name", "cpu", "memory", "pods", "labels", "taints")
#: The positions of a workload written on one line.
WORKLOAD_FIELDS = ("name", "replicas", "cpu", "memory", "cpu_limit", "memory_limit")
#: The positions of a pod written on one line (``/v1/nodes/allocated``).
POD_FIELDS = ("name", "cpu", "memory", "cpu_limit", "memory_limit")
#: The kubelet's default ``--max-pods``: what a node without ``pods`` allows.
DEFAULT_MAX_PODS = 110
#: core/v1 TaintEffect values (validation.validateTaintEffect).
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
#: Kinds a compact workload may name (DaemonSet: one pod per eligible node, no replicas).
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet", "Job")

_NODE_SYNTAX = "name,cpu,memory[,pods[,labels[,taints]]]"
_WORKLOAD_SYNTAX = "name,replicas,cpu,memory[,cpu_limit[,memory_limit]]"
_POD_SYNTAX = "name,cpu,memory[,cpu_limit[,memory_limit]]"

_NODE_KEYS = ("name", "kind", "cpu", "memory", "pods", "labels", "taints", "unschedulable", "allocatable")
_WORKLOAD_KEYS = (
    "name", "kind", "namespace", "replicas", "cpu", "memory", "cpu_request", "memory_request",
    "cpu_limit", "memory_limit", "requests", "limits", "labels",
)  # fmt: skip
#: Columns a CSV table may have besides resource names (``ephemeral-storage``, ``nvidia.com/gpu``).
_JSON_ONLY = ("allocatable", "requests", "limits")
CSV_COLUMNS = tuple(name for name in dict.fromkeys((*_NODE_KEYS, *_WORKLOAD_KEYS)) if name not in _JSON_ONLY)

# The rules are apimachinery's (quantities.manifest.names); these words explain them without regexes.
# Lengths here count characters, not Go's bytes: a non-ASCII name fails the pattern anyway, and
# "longer than 63 characters" would puzzle whoever wrote 40 accented letters.
_NAME_RULE = 'lower case letters, digits, "-" and ".", starting and ending with a letter or digit'
_NAMESPACE_RULE = 'at most 63 lower case letters, digits and "-", starting and ending with a letter or digit'
_QUALIFIED_RULE = 'letters, digits, "-", "_" or ".", starting and ending with a letter or digit'
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_BOOLEAN_GUESSES = {"yes": "true", "y": "true", "1": "true", "no": "false", "n": "false", "0": "false"}
_INT64_MAX = Quantity(str(INT64_MAX))
#: More columns than any node or workload row has (resources included) is not a table of them.
MAX_COLUMNS = 1000


def _quote(value: object) -> str:
    """A value as JSON text, for messages and ``Problem.value`` (never a Python repr)."""
    if isinstance(value, ExactNumber):
        return value.text
    if isinstance(value, Decimal | Quantity):
        return json.dumps(str(value))
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return json.dumps(str(value), ensure_ascii=False)


def _double_quoted(text: str) -> str:
    """The quantity parser's words with user text quoted JSON-style (``'x'`` becomes ``"x"``).

    >>> _double_quoted("unexpected character 'x'; did you mean '1k' or '1Ki'?")
    'unexpected character "x"; did you mean "1k" or "1Ki"?'
    """
    return re.sub(r"'([^'\s]*)'", lambda match: json.dumps(match.group(1), ensure_ascii=False), text)


def _did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=0.7)
    if not close:
        return None
    chosen = next(c for c in choices if c.lower() == close[0])
    return f'did you mean "{chosen}"?'


def _qualified_name_error(value: str) -> str | None:
    """apimachinery ``IsQualifiedName``: [DNS-subdomain prefix "/"] name of at most 63 characters."""
    prefix, slash, name = value.rpartition("/")
    if slash:
        if not prefix:
            return 'the prefix before "/" is empty'
        if "/" in prefix:
            return 'at most one "/" (prefix/name)'
        if not is_dns1123_subdomain(prefix):
            return f'the prefix before "/" must be a DNS subdomain ({_NAME_RULE})'
    if not name:
        return "the name is empty"
    if len(name) > QUALIFIED_NAME_MAX_LENGTH:
        return "the name part is longer than 63 characters"
    if not is_qualified_name_part(name):
        return f"the name part must be {_QUALIFIED_RULE}"
    return None


def _label_value_error(value: str) -> str | None:
    """apimachinery ``IsValidLabelValue``: empty, or at most 63 characters of a qualified name."""
    if not value:
        return None
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        return "a label value is at most 63 characters"
    if not is_qualified_name_part(value):
        return f"a label value must be {_QUALIFIED_RULE}"
    return None


def _is_resource_column(name: str) -> bool:
    """Other allocatable resources a node row may carry: ephemeral storage, hugepages, ``domain/name``."""
    if name in ("ephemeral-storage", "ephemeral_storage") or name.startswith("hugepages-"):
        return True
    return "/" in name and is_qualified_name(name)


def _is_integer_resource(name: str) -> bool:
    # IsIntegerResourceName: pods and extended resources (a domain outside kubernetes.io).
    return name == "pods" or ("/" in name and "kubernetes.io/" not in name)


@dataclass(frozen=True, slots=True)
class TaintSpec:
    """A taint as written: ``key[=value]:Effect``."""

    key: str
    value: str
    effect: str

    def __str__(self) -> str:
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


@dataclass(frozen=True, slots=True)
class NodeRow:
    """A compact node, every field checked; ``path`` says where it was written."""

    name: str
    cpu: Quantity
    memory: Quantity
    pods: Quantity
    labels: tuple[tuple[str, str], ...] = ()
    taints: tuple[TaintSpec, ...] = ()
    unschedulable: bool = False
    #: Other allocatable resources, by Kubernetes name (``ephemeral-storage``, ``nvidia.com/gpu``).
    resources: tuple[tuple[str, Quantity], ...] = ()
    path: str = ""

    def allocatable(self) -> dict[str, Quantity]:
        return {"cpu": self.cpu, "memory": self.memory, "pods": self.pods, **dict(self.resources)}

    def to_text(self) -> str:
        """The row as a GET parameter (``name,cpu,memory,pods[,labels[,taints]]``)."""
        fields = [self.name, str(self.cpu), str(self.memory), str(self.pods)]
        labels = ";".join(f"{k}={v}" for k, v in self.labels)
        taints = ";".join(str(taint) for taint in self.taints)
        if labels or taints:
            fields.append(labels)
        if taints:
            fields.append(taints)
        return ",".join(fields)


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    """A compact workload (or pod), every field checked; ``replicas`` is None for a DaemonSet."""

    name: str
    kind: str = "Deployment"
    namespace: str = "default"
    replicas: int | None = 1
    requests: tuple[tuple[str, Quantity], ...] = ()
    limits: tuple[tuple[str, Quantity], ...] = ()
    #: The pod template's labels; None: ``app=<name>``.
    labels: tuple[tuple[str, str], ...] | None = None
    path: str = ""


class CsvRow(Mapping[str, str]):
    """One data row of a CSV table: its cells by column, and where it is (``rows[3]``, line 5)."""

    __slots__ = ("_cells", "line", "path")

    def __init__(self, cells: Mapping[str, str], path: str, line: int) -> None:
        self._cells = dict(cells)
        self.path = path
        self.line = line

    def __getitem__(self, name: str) -> str:
        return self._cells[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def __repr__(self) -> str:
        return f"CsvRow({self._cells!r}, path={self.path!r}, line={self.line})"


class _Reader:
    """Reads the fields of one row, recording every problem with its path."""

    def __init__(self, path: str, line: int | None = None, column_word: str = "field") -> None:
        self.path = path
        self.where = f" (line {line})" if line is not None else ""
        self.column_word = column_word
        self.problems: list[Problem] = []

    def at(self, name: str) -> str:
        return key(self.path, name)

    def fail(self, path: str, message: str, value: object = None, hint: str | None = None) -> None:
        shown = None if value is None else _quote(value)
        self.problems.append(Problem(path, message + self.where, value=shown, hint=hint))

    def check(self) -> None:
        if self.problems:
            raise ManifestError(self.problems)

    def text(self, row: Mapping[str, Any], name: str) -> str | None:
        """The field as text; None when absent or empty. Numbers are taken by their text."""
        value = row.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, ExactNumber):
            return value.text
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.fail(self.at(name), f"expected a string, got {_quote(value)}", value)
        return None

    def required(self, row: Mapping[str, Any], name: str, what: str) -> bool:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.fail(self.at(name), f"required: {what}")
            return False
        return True

    def name(self, row: Mapping[str, Any], what: str) -> str | None:
        path = self.at("name")
        given = row.get("name")
        if given is not None and not isinstance(given, str):
            self.fail(path, f"a {what} name is a string, got {_quote(given)}", given)
            return None
        text = self.text(row, "name")
        if text is None:
            return None
        if not is_dns1123_subdomain(text):
            hint = None
            lowered = re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-.")
            if lowered and is_dns1123_subdomain(lowered):
                hint = f'did you mean "{lowered}"?'
            self.fail(path, f"invalid {what} name {_quote(text)}: a name is {_NAME_RULE}", text, hint)
            return None
        return text

    def quantity(
        self, value: object, path: str, integer: bool = False, what: str = "a quantity"
    ) -> Quantity | None:
        if isinstance(value, str):
            value = value.strip()
        try:
            quantity = parse_manifest_quantity(value)
        except QuantityError as error:
            hint = _double_quoted(error.hint) if error.hint else None
            self.fail(path, f"invalid quantity {_quote(value)}: {_double_quoted(error.reason)}", value, hint)
            return None
        except TypeError:
            expected = f'expected {what} (a string such as "500m" or a number)'
            self.fail(path, f"{expected}, got {_quote(value)}", value)
            return None
        # ValidateNonnegativeQuantity / ValidateResourceQuantityValue: never below zero.
        if quantity.sign() < 0:
            self.fail(path, f"{_quote(value)} must be greater than or equal to 0", value)
            return None
        if integer and (quantity > _INT64_MAX or quantity.to_fraction().denominator != 1):
            self.fail(path, f"{_quote(value)} must be a whole number", value)
            return None
        return quantity

    def field_quantity(self, row: Mapping[str, Any], name: str, integer: bool = False) -> Quantity | None:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.quantity(value, self.at(name), integer)

    def replicas(self, row: Mapping[str, Any]) -> int | None:
        value = row.get("replicas")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        path = self.at("replicas")
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, ExactNumber) and value == value.to_integral_value():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,20}", value.strip()):
            number = int(value.strip())
        if number is None:
            text = value.strip() if isinstance(value, str) else value
            hint = None
            if isinstance(text, str):
                word = _NUMBER_WORDS.get(text.lower())
                whole = re.fullmatch(r"([0-9]+)\.0*", text)
                if word is not None:
                    hint = f"did you mean {word}?"
                elif whole:
                    hint = f"did you mean {int(whole.group(1))}?"
            self.fail(path, f"replicas must be a whole number, got {_quote(text)}", text, hint)
            return None
        # ValidateNonnegativeField on spec.replicas, an int32.
        if number < 0:
            self.fail(path, f"replicas {number} must be greater than or equal to 0", number)
            return None
        if number > INT32_MAX:
            self.fail(path, f"replicas {number} must be at most {INT32_MAX}", number)
            return None
        return number

    def labels(self, value: object, path: str) -> tuple[tuple[str, str], ...]:
        items: list[tuple[str, str, str]] = []  # (path, key, value)
        if value is None or (isinstance(value, str) and not value.strip()):
            return ()
        if isinstance(value, Mapping):
            for k, v in value.items():
                item_path = key(path, str(k))
                if isinstance(v, bool) or not isinstance(v, str | int | ExactNumber):
                    self.fail(item_path, f"a label value is a string, got {_quote(v)}", v)
                    continue
                items.append((item_path, str(k), v.text if isinstance(v, ExactNumber) else str(v)))
        elif isinstance(value, str):
            for position, item in enumerate(re.split(r"[;,]", value)):
                item = item.strip()
                item_path = index(path, position)
                if not item:
                    self.fail(item_path, "empty label: remove the extra separator", item)
                    continue
                label_key, sep, label_value = item.partition("=")
                if not sep:
                    fixed = item.replace(":", "=", 1) if ":" in item else None
                    self.fail(
                        item_path,
                        f"invalid label {_quote(item)}: expected key=value",
                        item,
                        f'did you mean "{fixed}"?' if fixed else None,
                    )
                    continue
                items.append((item_path, label_key.strip(), label_value.strip()))
        else:
            self.fail(path, f'labels are "key=value;key=value" or an object, got {_quote(value)}', value)
            return ()
        labels: dict[str, str] = {}
        for item_path, label_key, label_value in items:
            error = _qualified_name_error(label_key)
            if error:
                self.fail(item_path, f"invalid label key {_quote(label_key)}: {error}", label_key)
                continue
            error = _label_value_error(label_value)
            if error:
                self.fail(item_path, f"invalid label value {_quote(label_value)}: {error}", label_value)
                continue
            if label_key in labels:
                self.fail(item_path, f"label {_quote(label_key)} is given twice", label_key)
                continue
            labels[label_key] = label_value
        return tuple(labels.items())

    def taints(self, value: object, path: str) -> tuple[TaintSpec, ...]:
        if value is None or (isinstance(value, str) and not value.strip()):
            return ()
        written: list[tuple[str, object]] = []
        if isinstance(value, str):
            written = [(index(path, i), item.strip()) for i, item in enumerate(re.split(r"[;,]", value))]
        elif isinstance(value, list | tuple):
            written = [(index(path, i), item) for i, item in enumerate(value)]
        else:
            self.fail(path, f'taints are "key=value:Effect;..." or an array, got {_quote(value)}', value)
            return ()
        taints: list[TaintSpec] = []
        seen: set[tuple[str, str]] = set()
        for item_path, item in written:
            taint = self._taint(item, item_path)
            if taint is None:
                continue
            # validateNodeTaints: taints must be unique by key and effect.
            if (taint.key, taint.effect) in seen:
                self.fail(item_path, f"taint {_quote(str(taint))} repeats a key and effect", str(taint))
                continue
            seen.add((taint.key, taint.effect))
            taints.append(taint)
        return tuple(taints)

    def _taint(self, item: object, path: str) -> TaintSpec | None:
        if isinstance(item, Mapping):
            parts = [item.get(name, "") for name in ("key", "value", "effect")]
            if not all(isinstance(part, str) for part in parts):
                self.fail(path, "a taint's key, value and effect are strings", item)
                return None
            taint_key, taint_value, effect = (str(part).strip() for part in parts)
            shown = f"{taint_key}={taint_value}:{effect}"
        elif isinstance(item, str):
            if not item:
                self.fail(path, "empty taint: remove the extra separator", item)
                return None
            shown = item
            key_value, sep, effect = item.rpartition(":")
            if not sep:
                self.fail(
                    path,
                    f"invalid taint {_quote(item)}: expected key[=value]:Effect",
                    item,
                    f'add an effect: "{item}:NoSchedule"',
                )
                return None
            taint_key, _, taint_value = key_value.partition("=")
            taint_key, taint_value, effect = taint_key.strip(), taint_value.strip(), effect.strip()
        else:
            self.fail(path, f"a taint is key[=value]:Effect, got {_quote(item)}", item)
            return None
        ok = True
        if effect not in TAINT_EFFECTS:
            same = next((e for e in TAINT_EFFECTS if e.lower() == effect.lower().replace(" ", "")), None)
            self.fail(
                path,
                f"invalid taint effect {_quote(effect)}: one of {', '.join(TAINT_EFFECTS)}",
                shown,
                f'did you mean "{same}"?' if same else None,
            )
            ok = False
        error = _qualified_name_error(taint_key)
        if error:
            self.fail(path, f"invalid taint key {_quote(taint_key)}: {error}", shown)
            ok = False
        error = _label_value_error(taint_value)
        if error:
            self.fail(path, f"invalid taint value {_quote(taint_value)}: {error}", shown)
            ok = False
        return TaintSpec(taint_key, taint_value, effect) if ok else None

    def boolean(self, row: Mapping[str, Any], name: str) -> bool:
        value = row.get(name)
        if value is None or isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("", "false"):
                return False
            if text == "true":
                return True
            guess = _BOOLEAN_GUESSES.get(text)
            hint = f'did you mean "{guess}"?' if guess else None
            shown = value.strip()
            self.fail(self.at(name), f"expected true or false, got {_quote(shown)}", shown, hint)
            return False
        self.fail(self.at(name), f"expected true or false, got {_quote(value)}", value)
        return False

    def unknown(self, name: str, known: Sequence[str], what: str) -> None:
        hint = _did_you_mean(name, known)
        self.fail(
            self.at(name),
            f"unknown {self.column_word} {_quote(name)}: {what}",
            name,
            hint,
        )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _where(row: Mapping[str, Any], path: str) -> tuple[str, int | None, str]:
    if isinstance(row, CsvRow):
        return row.path, row.line, "column"
    return path, None, "field"


def read_node(row: Mapping[str, Any], path: str = "") -> NodeRow:
    """A compact node from a mapping: a JSON/YAML object, a CSV row or the fields of a GET parameter.

    ``name``, ``cpu`` and ``memory`` are required; ``pods`` defaults to 110.
    Other keys are allocatable resources (``ephemeral-storage``, ``nvidia.com/gpu``).

    >>> read_node({"name": "n1", "cpu": "4", "memory": "8Gi"}).pods
    Quantity('110')
    >>> read_node({"name": "n1", "cpu": "4", "memroy": "8Gi"}, "nodes[0]")
    Traceback (most recent call last):
      ...
    quantities.manifest.problems.ManifestError: 2 problems:
      nodes[0].memory: required: a node is name,cpu,memory[,pods[,labels[,taints]]]
      nodes[0].memroy: unknown field "memroy": a node has name, cpu, memory, pods, labels, taints, unschedulable and resources such as ephemeral-storage or nvidia.com/gpu; did you mean "memory"?
    """  # noqa: E501
    path, line, word = _where(row, path)
    reader = _Reader(path, line, word)
    if not isinstance(row, Mapping):  # pragma: no cover - typed callers
        reader.fail(path, f"a compact node is an object, got {_quote(row)}", row)
        reader.check()
    kind = reader.text(row, "kind")
    if kind not in (None, "Node"):
        reader.fail(reader.at("kind"), f'a compact node has kind "Node" or none, got {_quote(kind)}', kind)
    for field in ("name", "cpu", "memory"):
        reader.required(row, field, f"a node is {_NODE_SYNTAX}")
    name = reader.name(row, "node")
    cpu = reader.field_quantity(row, "cpu")
    memory = reader.field_quantity(row, "memory")
    pods = reader.field_quantity(row, "pods", integer=True)
    labels = reader.labels(row.get("labels"), reader.at("labels"))
    taints = reader.taints(row.get("taints"), reader.at("taints"))
    unschedulable = reader.boolean(row, "unschedulable")
    resources = _node_resources(reader, _node_other_fields(reader, row))
    reader.check()
    assert name is not None and cpu is not None and memory is not None
    return NodeRow(
        name,
        cpu,
        memory,
        pods if pods is not None else Quantity(str(DEFAULT_MAX_PODS)),
        labels,
        taints,
        unschedulable,
        tuple(resources.items()),
        path,
    )


def _node_other_fields(reader: _Reader, row: Mapping[str, Any]) -> list[tuple[str, object, str]]:
    """The fields of a node row besides its own (name, value, path), ``allocatable``'s entries included."""
    other: list[tuple[str, object, str]] = [
        (str(k), v, reader.at(str(k))) for k, v in row.items() if k not in _NODE_KEYS
    ]
    allocatable = row.get("allocatable")
    if isinstance(allocatable, Mapping):
        other += [(str(k), v, key(reader.at("allocatable"), str(k))) for k, v in allocatable.items()]
    elif allocatable is not None:
        reader.fail(reader.at("allocatable"), f"expected an object, got {_quote(allocatable)}", allocatable)
    return other


def _node_resources(reader: _Reader, other: list[tuple[str, object, str]]) -> dict[str, Quantity]:
    """The other allocatable resources of a node row; workload fields and unknown names are problems."""
    resources: dict[str, Quantity] = {}
    for resource, value, where in other:
        if resource in _WORKLOAD_KEYS or resource in ("cpu", "memory", "pods"):
            if resource in ("cpu", "memory", "pods"):
                reader.fail(where, f"{resource} is given twice (at {reader.at(resource)} too)", value)
            elif not _is_blank(value):
                reader.fail(where, f"a node has no {resource}: leave it empty on node rows", value)
            continue
        if not _is_resource_column(resource):
            reader.unknown(
                resource,
                [*_NODE_KEYS[:-1], "ephemeral-storage"],
                "a node has name, cpu, memory, pods, labels, taints, unschedulable and resources "
                "such as ephemeral-storage or nvidia.com/gpu",
            )
            continue
        if _is_blank(value):
            continue
        resource = "ephemeral-storage" if resource == "ephemeral_storage" else resource
        quantity = reader.quantity(value, where, integer=_is_integer_resource(resource))
        if quantity is not None:
            resources[resource] = quantity
    return resources


def read_workload(
    row: Mapping[str, Any], path: str = "", *, requests_required: bool = False, form: str = ""
) -> WorkloadRow:
    """A compact workload from a mapping: name, replicas, cpu and memory requests and limits.

    ``requests_required`` (rows: GET parameters and CSV rows, which a CSV row
    implies) makes ``cpu`` and ``memory`` required; ``form`` is the syntax the
    messages show (``a pod is name,cpu,memory...``).

    >>> row = read_workload({"name": "web", "replicas": 3, "memory": "5Gi"})
    >>> row.replicas, row.requests
    (3, (('memory', Quantity('5Gi')),))
    """
    path, line, word = _where(row, path)
    requests_required = requests_required or isinstance(row, CsvRow)
    reader = _Reader(path, line, word)
    form = form or f"a workload is {_WORKLOAD_SYNTAX}"
    reader.required(row, "name", form)
    name = reader.name(row, "workload")
    kind = _workload_kind(reader, row)
    namespace = _workload_namespace(reader, row)
    replicas = reader.replicas(row)
    if kind == "DaemonSet" and replicas is not None:
        reader.fail(reader.at("replicas"), "a DaemonSet runs one pod per eligible node: leave replicas empty")
    requests, limits = _workload_resources(reader, row)
    if requests_required:
        for resource in ("cpu", "memory"):
            if resource not in requests and _is_blank(row.get(resource)):
                reader.fail(reader.at(resource), f"required: {form} (0 for no request)")
    labels = None
    if row.get("labels") is not None:
        labels = reader.labels(row.get("labels"), reader.at("labels"))
    _workload_other_fields(reader, row)
    reader.check()
    assert name is not None
    return WorkloadRow(
        name,
        kind,
        namespace,
        None if kind == "DaemonSet" else (1 if replicas is None else replicas),
        tuple(requests.items()),
        tuple(limits.items()),
        labels,
        path,
    )


def _workload_kind(reader: _Reader, row: Mapping[str, Any]) -> str:
    """The workload's kind, Deployment when none is given."""
    kind = reader.text(row, "kind") or "Deployment"
    if kind not in WORKLOAD_KINDS:
        reader.fail(
            reader.at("kind"),
            f"unsupported kind {_quote(kind)}: one of Node, {', '.join(WORKLOAD_KINDS)}",
            kind,
            _did_you_mean(kind, ["Node", *WORKLOAD_KINDS]),
        )
    return kind


def _workload_namespace(reader: _Reader, row: Mapping[str, Any]) -> str:
    """``ValidateNamespaceName``: a DNS-1123 label; "default" when none is given."""
    namespace = reader.text(row, "namespace") or "default"
    if not is_dns1123_label(namespace):
        message = f"invalid namespace {_quote(namespace)}: a namespace is {_NAMESPACE_RULE}"
        reader.fail(reader.at("namespace"), message, namespace)
    return namespace


def _workload_resources(
    reader: _Reader, row: Mapping[str, Any]
) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """The requests and limits: the cpu and memory columns first, then the ``requests`` and
    ``limits`` objects (whose entries replace a column's value)."""
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    for field, (target, resource) in {
        "cpu": (requests, "cpu"),
        "memory": (requests, "memory"),
        "cpu_request": (requests, "cpu"),
        "memory_request": (requests, "memory"),
        "cpu_limit": (limits, "cpu"),
        "memory_limit": (limits, "memory"),
    }.items():
        quantity = reader.field_quantity(row, field)
        if quantity is None:
            continue
        if resource in target:
            reader.fail(reader.at(field), f"the {resource} request is given twice", row.get(field))
        target[resource] = quantity
    for field, target in (("requests", requests), ("limits", limits)):
        given = row.get(field)
        if given is None:
            continue
        if not isinstance(given, Mapping):
            reader.fail(reader.at(field), f"expected an object of resources, got {_quote(given)}", given)
            continue
        for resource, value in given.items():
            quantity = reader.quantity(value, key(reader.at(field), str(resource)))
            if quantity is not None:
                target[str(resource)] = quantity
    return requests, limits


def _workload_other_fields(reader: _Reader, row: Mapping[str, Any]) -> None:
    """Node fields and resource columns must be empty on a workload row; other names are unknown."""
    for field, value in row.items():
        if field in _WORKLOAD_KEYS:
            continue
        if field in _NODE_KEYS or _is_resource_column(str(field)):
            if not _is_blank(value):
                message = f"a workload has no {field}: leave it empty on workload rows"
                reader.fail(reader.at(str(field)), message, value)
            continue
        reader.unknown(
            str(field),
            _WORKLOAD_KEYS,
            "a workload has name, kind, namespace, replicas, cpu, memory, cpu_limit, memory_limit, "
            "requests and limits",
        )


def _split(text: str, fields: tuple[str, ...], syntax: str, path: str) -> dict[str, str]:
    """The fields of one GET parameter by name; a wrong count is one problem at ``path``."""
    values = [value.strip() for value in text.split(",")]
    if not text.strip():
        raise ManifestError([Problem(path, f"empty: expected {syntax}", value=_quote(text))])
    if len(values) == 1 and len(fields) > 1:
        parts = [part for part in re.split(r"\s*[;|\t]\s*|\s+", values[0]) if part]
        if len(parts) > 1:
            fixed = ",".join(parts)
            raise ManifestError(
                [
                    Problem(
                        path,
                        f"expected the fields {syntax} separated by commas, got one field",
                        value=_quote(text),
                        hint=f'fields are separated by commas: did you mean "{fixed}"?',
                    )
                ]
            )
    if len(values) > len(fields):
        hint = None
        if "labels" in fields:
            hint = 'labels and taints inside the line are separated by ";" (zone=a;disk=ssd)'
        raise ManifestError(
            [
                Problem(
                    path,
                    f"expected at most {len(fields)} fields ({syntax}), got {len(values)}",
                    value=_quote(text),
                    hint=hint,
                )
            ]
        )
    return dict(zip(fields, values, strict=False))


def read_node_fields(text: str, path: str = "node") -> NodeRow:
    """A node written ``name,cpu,memory[,pods[,labels[,taints]]]`` (labels and taints separated by ``;``)."""
    return read_node(_split(text, NODE_FIELDS, _NODE_SYNTAX, path), path)


def read_workload_fields(text: str, path: str = "workload") -> WorkloadRow:
    """A workload written ``name,replicas,cpu,memory[,cpu_limit[,memory_limit]]`` (replicas empty: 1)."""
    return read_workload(_split(text, WORKLOAD_FIELDS, _WORKLOAD_SYNTAX, path), path, requests_required=True)


def read_pod_fields(text: str, path: str = "pod") -> WorkloadRow:
    """A pod written ``name,cpu,memory[,cpu_limit[,memory_limit]]``: a workload of one replica."""
    fields = _split(text, POD_FIELDS, _POD_SYNTAX, path)
    return read_workload(fields, path, requests_required=True, form=f"a pod is {_POD_SYNTAX}")


def read_pod_requests(cpu: str | None, memory: str | None) -> WorkloadRow:
    """The pod of ``/v1/fit?cpu=...&memory=...``: at least one request, each a quantity.

    >>> read_pod_requests("2", None).requests
    (('cpu', Quantity('2')),)
    """
    reader = _Reader("")
    if cpu is None and memory is None:
        reader.fail("cpu", "give the pod's cpu and/or memory request (cpu=500m&memory=1Gi)")
    for name, value in (("cpu", cpu), ("memory", memory)):
        if value is not None and not value.strip():
            example = "500m" if name == "cpu" else "1Gi"
            reader.fail(name, f"empty: give a quantity such as {example} or leave {name} out")
    reader.check()
    return read_workload({"name": "pod", "cpu": cpu, "memory": memory})


def _looks_like_data(cells: Sequence[str]) -> bool:
    """A first line that holds values, not column names: a number, a quantity or an empty cell."""
    for cell in cells[1:]:
        if not cell or cell[0].isdigit() or cell.lower() in ("node", "true", "false"):
            return True
    return "name" not in [c.lower() for c in cells] and any(c and c[0].isdigit() for c in cells)


def read_csv_table(
    text: str, example: str = "name,cpu,memory,pods,...", options: Options | None = None
) -> list[CsvRow]:
    """The data rows of a CSV table whose first line names the columns.

    Columns: ``name``, ``kind`` (``Node`` for node rows in a plan table), the node
    fields (``cpu``, ``memory``, ``pods``, ``labels``, ``taints``,
    ``unschedulable``, resources such as ``ephemeral-storage`` or
    ``nvidia.com/gpu``) and the workload fields (``namespace``, ``replicas``,
    ``cpu_limit``, ``memory_limit``, ``cpu_request``, ``memory_request``).
    Blank lines are skipped; row ``rows[i]`` is the i-th data row (0-based).

    >>> [dict(row) for row in read_csv_table("name,cpu,memory\\nn1,4,8Gi\\n")]
    [{'name': 'n1', 'cpu': '4', 'memory': '8Gi'}]
    >>> read_csv_table("n1,4,8Gi,110\\n")
    Traceback (most recent call last):
      ...
    quantities.manifest.problems.ManifestError: header: the first line must be a header naming the columns: name,cpu,memory,pods,...; got a data row (line 1); add a header line such as "name,cpu,memory,pods" before it
    """  # noqa: E501
    limits = (options or DEFAULT_OPTIONS).limits
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    problems: list[Problem] = []
    header: list[str] | None = None
    rows: list[CsvRow] = []
    data_line = 0
    try:
        for cells in reader:
            line = reader.line_num - sum(cell.count("\n") for cell in cells)
            if not cells:
                continue  # a blank line
            if header is None:
                header = [cell.strip() for cell in cells]
                problems += _first_line_problems(header, line, example)
                if problems:
                    break
                continue
            if data_line >= limits.max_rows:
                raise InputTooLarge(
                    f"the CSV table has more than {limits.max_rows:,} rows (line {line})",
                    "rows",
                    data_line,
                    None,
                )
            if options is not None and not data_line % 1024:
                options.check_deadline("reading the CSV table", data_line)
            row = _csv_row(cells, header, index("rows", data_line), line)
            data_line += 1
            if isinstance(row, Problem):
                problems.append(row)
            else:
                rows.append(row)
    except csv.Error:
        problems.append(Problem("rows", f"the CSV is malformed on line {reader.line_num}"))
    if header is None and not problems:
        problems.append(Problem("header", f"the CSV is empty: the first line names the columns ({example})"))
    if problems:
        raise ManifestError(problems)
    return rows


def _first_line_problems(header: list[str], line: int, example: str) -> list[Problem]:
    """What is wrong with the header line (``line``: where it is, after any blank lines)."""
    if not any(header):
        return [Problem("header", f"the first line has no column names (line {line})")]
    return _header_problems(header, example)


def _csv_row(cells: list[str], header: list[str], path: str, line: int) -> CsvRow | Problem:
    """One data line as a row, or why it is not one (empty, or more cells than columns)."""
    stripped = [cell.strip() for cell in cells]
    if not any(stripped):
        return Problem(path, f"empty row (line {line}): delete it", value=_quote(",".join(cells)))
    extra = [cell for cell in stripped[len(header) :] if cell]
    if extra:
        return Problem(
            path,
            f"{len(cells)} cells but the header names {len(header)} columns (line {line})",
            value=_quote(",".join(cells)),
            hint='quote a cell that holds commas: "zone=a,disk=ssd"',
        )
    cells_by_name = {name: value for name, value in zip(header, stripped, strict=False) if name}
    return CsvRow(cells_by_name, path, line)


def _header_problems(header: list[str], example: str) -> list[Problem]:
    problems: list[Problem] = []
    line = ",".join(header)
    if "name" not in header:
        if _looks_like_data(header):
            count = len(header)
            guess = example
            if example.startswith("name,") and count <= len(NODE_FIELDS):
                guess = ",".join(NODE_FIELDS[:count])
            return [
                Problem(
                    "header",
                    f"the first line must be a header naming the columns: {example}; got a data row (line 1)",
                    value=_quote(line),
                    hint=f'add a header line such as "{guess}" before it',
                )
            ]
        problems.append(
            Problem("header", f"the header has no name column ({example}) (line 1)", value=_quote(line))
        )
    if len(header) > MAX_COLUMNS:
        return [
            Problem(
                "header",
                f"the header names {len(header)} columns; a table has at most {MAX_COLUMNS} (line 1)",
                hint=f"the columns are {example}",
            )
        ]
    return problems + _column_problems(header, example)


def _column_problems(header: list[str], example: str) -> list[Problem]:
    """Each column: named, once, and a known field or a resource name."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, name in enumerate(header):
        path = index("header", position)
        if not name:
            problems.append(
                Problem(path, f"column {position + 1} has no name (line 1)", hint=f"name it, as in {example}")
            )
        elif name in seen:
            message = f"column {_quote(name)} is given twice (line 1)"
            problems.append(Problem(path, message, value=_quote(name)))
        elif name not in CSV_COLUMNS and not _is_resource_column(name):
            problems.append(
                Problem(
                    path,
                    f"unknown column {_quote(name)} (line 1): columns are {', '.join(CSV_COLUMNS)} "
                    "and resource names such as ephemeral-storage or nvidia.com/gpu",
                    value=_quote(name),
                    hint=_did_you_mean(name, [*CSV_COLUMNS, "ephemeral-storage"]),
                )
            )
        seen.add(name)
    return problems


def looks_like_csv(text: str) -> bool:
    """Whether text is a CSV table rather than YAML: its first line has commas and no YAML ``key: value``.

    >>> looks_like_csv("name,cpu\\nn1,4\\n"), looks_like_csv("n1,4,8Gi,110"), looks_like_csv("kind: Node")
    (True, True, False)
    """
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "").strip()
    if not first or first[0] in "{[-#%&*!|>'" or first == "---":
        return first.startswith(('"name"', "'name'"))
    return "," in first and ": " not in first and not first.endswith(":")
