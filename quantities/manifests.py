"""Kubernetes manifests in, pods out.

What people have is a Pod, a bare PodSpec, or an object that carries a pod
template: Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job, CronJob, PodTemplate; a ``List`` of those (what
``kubectl get ... -o json`` prints); multi-document YAML. This module reads
all of them:

* :func:`load_json`, :func:`load_yaml` and :func:`load_documents` turn text
  into plain data (YAML with ``safe_load`` semantics only). Numbers keep their
  exact text, as the API server reads a quantity from the bytes of a JSON
  number (``cpu: 0.5`` is ``500m``, never a binary float).
* :func:`pods_in` finds every pod spec in an object, with its JSON path;
  :func:`read_pod` expects exactly one; :func:`load_pods` does both for text.
* :func:`parse_manifest_quantity` is Kubernetes' ``Quantity.UnmarshalJSON``:
  a string (surrounding white space trimmed), a JSON number, or ``null``
  (zero).

Unknown fields are ignored, as the API server ignores them. A known field of
the wrong type is a :class:`~quantities.problems.Problem` naming its JSON path
(``spec.template.spec.containers[1].resources.limits.memory``); so is a string
that is not a quantity, with the :class:`~quantities.QuantityError` message.
Reading never stops at the first problem.

Objects of other kinds (Service, ConfigMap...) hold no pod and are skipped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from quantities.errors import KUBERNETES_FORMAT_MESSAGE, QuantityError
from quantities.exact_number import ExactNumber
from quantities.pod import EMPTY, Container, ContainerKind, Pod, ResourceList, Resources
from quantities.problems import ManifestError, Problem, child, index, key
from quantities.quantity import Quantity, parse_quantity

if TYPE_CHECKING:
    pass

__all__ = [
    "POD_TEMPLATE_PATHS",
    "ExactNumber",
    "PodLike",
    "as_pod",
    "load_documents",
    "load_json",
    "load_pods",
    "load_yaml",
    "parse_manifest_quantity",
    "pods_in",
    "read_pod",
]

#: A pod as callers hand it over: a parsed :class:`Pod`, or a mapping as
#: ``json.load`` / ``yaml.safe_load`` return it.
PodLike: TypeAlias = "Pod | Mapping[str, Any]"

#: Where each kind keeps its ``PodSpec``.
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

# Go's unicode.IsSpace, which strings.TrimSpace uses: Python's str.strip()
# would also remove the ASCII separators \x1c-\x1f.
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501

_INT32 = (-(1 << 31), (1 << 31) - 1)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean " + ("true" if value else "false")
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, int | float | Decimal):
        return f"number {value}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def _go_json_float(value: float) -> str:
    """A float64 as Go's ``encoding/json`` writes it: what kubectl sends for a YAML float.

    Shortest round-trip digits, plain notation from 1e-6 to 1e21, exponent
    notation outside (``1e-07`` shortened to ``1e-7``).
    """
    shortest = repr(value)
    magnitude = abs(value)
    if magnitude == 0 or 1e-6 <= magnitude < 1e21:
        text = format(Decimal(shortest), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exponent = shortest.partition("e")
    sign, digits = exponent[0], exponent[1:].lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


def parse_manifest_quantity(value: object) -> Quantity:
    """A quantity as it appears in a manifest, read as Kubernetes' ``Quantity.UnmarshalJSON`` does.

    Strings are trimmed of surrounding white space; JSON numbers are parsed
    from their text; ``null`` is zero. A boolean, object or array raises
    ``TypeError``; a string that is not a quantity raises ``QuantityError``.

    >>> parse_manifest_quantity(" 1Gi "), parse_manifest_quantity(0.5), parse_manifest_quantity(2)
    (Quantity('1Gi'), Quantity('500m'), Quantity('2'))
    >>> parse_manifest_quantity(True)
    Traceback (most recent call last):
      ...
    TypeError: expected a quantity (a string such as "500m" or a number), got boolean true
    """
    if isinstance(value, Quantity):
        return value
    if value is None:
        return parse_quantity("0")
    if isinstance(value, bool):
        raise TypeError(f'expected a quantity (a string such as "500m" or a number), got {_json_type(value)}')
    if isinstance(value, str):
        return parse_quantity(value.strip(_GO_SPACE))
    if isinstance(value, ExactNumber):
        return parse_quantity(value.text)
    if isinstance(value, int):
        try:
            text = str(value)
        except ValueError:  # more digits than Python converts
            raise QuantityError(f"<{value.bit_length()}-bit integer>", "too many digits") from None
        return parse_quantity(text)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise QuantityError(str(value), "quantities are finite numbers")
        return parse_quantity(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(repr(value), "quantities are finite numbers")
        return parse_quantity(_go_json_float(value))
    raise TypeError(f'expected a quantity (a string such as "500m" or a number), got {_json_type(value)}')


# -- text -> documents ----------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str) -> list[Any]:
    """The JSON values in ``text`` (one, or several one after another), numbers kept exact.

    >>> load_json('{"cpu": 0.10}')
    [{'cpu': ExactNumber('0.10')}]
    """
    decoder = json.JSONDecoder(parse_float=ExactNumber, parse_constant=_reject_constant)
    documents: list[Any] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position] in " \t\r\n\ufeff":
            position += 1
        if position >= end:
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ManifestError(
                [Problem("", f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})")]
            ) from None
        except ValueError as error:
            raise ManifestError([Problem("", f"invalid JSON: {error}")]) from None
        except RecursionError:
            raise ManifestError([Problem("", "invalid JSON: nested too deeply")]) from None
        documents.append(value)
    return documents


def load_yaml(text: str) -> list[Any]:
    """The documents of a YAML stream (``safe_load`` semantics, empty documents dropped).

    Floats keep their text (``ExactNumber``); integers are Python ints. Alias
    bombs and deep nesting are refused (see :mod:`quantities.manifest_yaml`).

    >>> load_yaml("cpu: 0.5\\n---\\n---\\nmemory: 1Gi\\n")
    [{'cpu': ExactNumber('0.5')}, {'memory': '1Gi'}]
    """
    from quantities.manifest_yaml import YamlError, load_yaml_documents

    try:
        return load_yaml_documents(text)
    except YamlError as error:
        raise ManifestError([Problem("", str(error))]) from None


def load_documents(text: str) -> list[Any]:
    """JSON or YAML text as a list of documents.

    Text that starts with ``{`` or ``[`` is read as JSON (exact numbers, several
    values allowed); YAML otherwise, or when it is not valid JSON after all
    (YAML flow style looks like JSON).
    """
    if text.lstrip(" \t\r\n\ufeff")[:1] in ("{", "["):
        try:
            return load_json(text)
        except ManifestError as json_error:
            try:
                return load_yaml(text)
            except ManifestError:
                raise json_error from None
    return load_yaml(text.lstrip("\ufeff"))


# -- documents -> pods -----------------------------------------------------------


class _Reader:
    """Reads typed fields, recording every problem instead of stopping at the first."""

    def __init__(self, source: str, decode_prefix: str) -> None:
        self.problems: list[Problem] = []
        self.source = source
        self.decode_prefix = decode_prefix

    def fail(self, path: str, message: str, kubernetes: str | None = None) -> None:
        self.problems.append(Problem(path, message, kubernetes, self.source))

    def mapping(self, value: object, path: str) -> Mapping[Any, Any] | None:
        if value is None or isinstance(value, Mapping):
            return value
        self.fail(path, f"expected an object, got {_json_type(value)}")
        return None

    def array(self, value: object, path: str) -> Sequence[Any]:
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return value
        self.fail(path, f"expected an array, got {_json_type(value)}")
        return ()

    def string(self, value: object, path: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.fail(path, f"expected a string, got {_json_type(value)}")
        return None

    def int32(self, value: object, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if _INT32[0] <= value <= _INT32[1]:
                return value
            self.fail(path, f"{value} does not fit in a 32-bit integer")
            return None
        self.fail(path, f"expected an integer, got {_json_type(value)}")
        return None

    def quantity(self, value: object, path: str, name: str | None = None) -> Quantity | None:
        """The quantity at ``path`` (or at the key ``name`` of the map at ``path``)."""
        try:
            return parse_manifest_quantity(value)
        except QuantityError as error:
            where = path if name is None else key(path, name)
            self.fail(where, str(error), self.decode_prefix + error.kubernetes_message)
        except TypeError as error:
            where = path if name is None else key(path, name)
            self.fail(where, str(error), self.decode_prefix + KUBERNETES_FORMAT_MESSAGE)
        return None

    def resource_list(self, value: object, path: str) -> ResourceList | None:
        entries = self.mapping(value, path)
        if entries is None:
            return None
        items: dict[str, Quantity] = {}
        for name, raw in entries.items():
            if not isinstance(name, str):
                self.fail(path, f"resource names are strings, got {_json_type(name)}")
                continue
            quantity = self.quantity(raw, path, name)
            if quantity is not None:
                items[name] = quantity
        return ResourceList(items)

    def resources(self, value: object, path: str) -> Resources | None:
        fields = self.mapping(value, path)
        if fields is None:
            return None
        requests = self.resource_list(fields.get("requests"), child(path, "requests"))
        limits = self.resource_list(fields.get("limits"), child(path, "limits"))
        return Resources(requests or EMPTY, limits or EMPTY)

    def container(self, value: object, path: str, kind: ContainerKind) -> Container:
        fields = self.mapping(value, path) or {}
        name = self.string(fields.get("name"), child(path, "name")) or ""
        restart_policy = self.string(fields.get("restartPolicy"), child(path, "restartPolicy"))
        resources = self.resources(fields.get("resources"), child(path, "resources"))
        return Container(name, resources or Resources(), kind, restart_policy, path)

    def containers(self, value: object, path: str, kind: ContainerKind) -> tuple[Container, ...]:
        items = self.array(value, path)
        return tuple(self.container(item, index(path, i), kind) for i, item in enumerate(items))

    def annotations(self, value: object, path: str) -> dict[str, str]:
        entries = self.mapping(value, path) or {}
        result: dict[str, str] = {}
        for name, text in entries.items():
            if isinstance(name, str) and isinstance(text, str):
                result[name] = text
            else:
                self.fail(key(path, str(name)), f"expected a string, got {_json_type(text)}")
        return result


def _walk(reader: _Reader, value: object, segments: Sequence[str], path: str) -> tuple[object, str]:
    """Follow ``segments`` from ``value``; a missing step gives None, a wrong type is recorded."""
    for segment in segments:
        fields = reader.mapping(value, path)
        path = child(path, segment)
        value = fields.get(segment) if fields is not None else None
    return value, path


def _locate(obj: Mapping[Any, Any]) -> tuple[str, tuple[str, ...]] | None:
    """``(kind, path of the PodSpec)`` for an object that holds a pod, else None."""
    kind = obj.get("kind")
    if isinstance(kind, str) and kind:
        segments = POD_TEMPLATE_PATHS.get(kind)
        return (kind, segments) if segments is not None else None
    # No kind: recognise the shape.
    if "containers" in obj:
        return ("PodSpec", ())
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        if "containers" in spec:
            return ("Pod", ("spec",))
        if "template" in spec:
            return ("object", ("spec", "template", "spec"))
        if "jobTemplate" in spec:
            return ("CronJob", POD_TEMPLATE_PATHS["CronJob"])
    if isinstance(obj.get("template"), Mapping):
        return ("PodTemplate", ("template", "spec"))
    return None


def _read(
    obj: Mapping[Any, Any], kind: str, segments: tuple[str, ...], prefix: str, document: int | None
) -> Pod:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    name = name if isinstance(name, str) else ""
    namespace = namespace if isinstance(namespace, str) else ""
    label = Pod(kind=kind, name=name, document=document).label
    version = obj.get("apiVersion")
    version = version.rsplit("/", 1)[-1] if isinstance(version, str) and version else "v1"
    decode_prefix = f'{kind} in version "{version}" cannot be handled as a {kind}: '
    reader = _Reader(label, decode_prefix if kind in POD_TEMPLATE_PATHS else "")

    object_path = ".".join(segments)
    spec_value, path = _walk(reader, obj, segments, prefix)
    spec = reader.mapping(spec_value, path) or {}
    # The pod's own metadata: the object's for a Pod, the template's otherwise.
    meta_value, meta_path = (
        _walk(reader, obj, (*segments[:-1], "metadata"), prefix) if segments else (None, "")
    )
    pod_meta = reader.mapping(meta_value, meta_path) or {}
    annotations = reader.annotations(pod_meta.get("annotations"), child(meta_path, "annotations"))
    status_qos = ""
    if segments == ("spec",):
        status = reader.mapping(obj.get("status"), child(prefix, "status")) or {}
        status_qos = reader.string(status.get("qosClass"), child(child(prefix, "status"), "qosClass")) or ""

    return Pod(
        containers=reader.containers(
            spec.get("containers"), child(path, "containers"), ContainerKind.CONTAINER
        ),
        init_containers=reader.containers(
            spec.get("initContainers"), child(path, "initContainers"), ContainerKind.INIT
        ),
        ephemeral_containers=reader.containers(
            spec.get("ephemeralContainers"), child(path, "ephemeralContainers"), ContainerKind.EPHEMERAL
        ),
        overhead=reader.resource_list(spec.get("overhead"), child(path, "overhead")),
        resources=reader.resources(spec.get("resources"), child(path, "resources")),
        priority=reader.int32(spec.get("priority"), child(path, "priority")),
        priority_class_name=reader.string(spec.get("priorityClassName"), child(path, "priorityClassName"))
        or "",
        annotations=annotations,
        status_qos_class=status_qos,
        kind=kind,
        name=name,
        namespace=namespace,
        document=document,
        path=path,
        object_path=object_path,
        problems=tuple(reader.problems),
    )


def pods_in(obj: object, *, document: int | None = None) -> list[Pod]:
    """Every pod spec in a Kubernetes object (a ``List`` is searched item by item).

    Each :class:`~quantities.pod.Pod` carries the problems found while reading
    it; kinds that hold no pod (Service, ConfigMap...) give nothing. Raises
    :class:`~quantities.problems.ManifestError` when ``obj`` is not an object.

    >>> [pod.name for pod in pods_in({"kind": "List", "items": [
    ...     {"kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": []}},
    ...     {"kind": "Service", "metadata": {"name": "b"}}]})]
    ['a']
    """
    structural: list[Problem] = []
    pods: list[Pod] = []
    _collect(obj, "", document, pods, structural)
    if structural:
        raise ManifestError(structural)
    return pods


def _collect(
    obj: object, prefix: str, document: int | None, pods: list[Pod], problems: list[Problem]
) -> None:
    if not isinstance(obj, Mapping):
        problems.append(Problem(prefix, f"expected a Kubernetes object, got {_json_type(obj)}"))
        return
    kind = obj.get("kind")
    if kind is not None and not isinstance(kind, str):
        problems.append(Problem(child(prefix, "kind"), f"expected a string, got {_json_type(kind)}"))
        return
    items = obj.get("items")
    if isinstance(items, list) and (kind is None or kind.endswith("List")):
        for position, item in enumerate(items):
            _collect(item, index(child(prefix, "items"), position), document, pods, problems)
        return
    located = _locate(obj)
    if located is not None:
        pods.append(_read(obj, located[0], located[1], prefix, document))


def read_pod(obj: object, *, strict: bool = True) -> Pod:
    """The one pod held by ``obj`` (a Pod, PodSpec, workload, or a :class:`Pod` already read).

    With ``strict`` (the default), problems found while reading raise
    :class:`~quantities.problems.ManifestError` listing all of them; otherwise
    they stay in ``pod.problems``.

    >>> pod = read_pod({"kind": "Deployment", "metadata": {"name": "web"},
    ...                 "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}})
    >>> pod.kind, pod.name, pod.path, pod.containers[0].name
    ('Deployment', 'web', 'spec.template.spec', 'app')
    """
    if isinstance(obj, Pod):
        pod = obj
    else:
        pods = pods_in(obj)
        if len(pods) != 1:
            kind = obj.get("kind") if isinstance(obj, Mapping) else None
            if not pods:
                what = f"a {kind}" if isinstance(kind, str) and kind else "this object"
                message = (
                    f"{what} holds no pod: expected a Pod, a PodSpec or an object with a pod template "
                    f"({', '.join(sorted(set(POD_TEMPLATE_PATHS) - {'Pod'}))})"
                )
            else:
                message = f"found {len(pods)} pods; pass one object, or use pods_in() for all of them"
            raise ManifestError([Problem("", message)])
        pod = pods[0]
    if strict and pod.problems:
        raise ManifestError(pod.problems)
    return pod


def as_pod(pod: PodLike) -> Pod:
    """``read_pod(pod, strict=False)``: a :class:`Pod` that may still carry reading problems."""
    return read_pod(pod, strict=False)


def load_pods(text: str) -> list[Pod]:
    """Every pod in JSON or YAML text (several documents, ``List`` objects), in order.

    Each pod's ``document`` is its index in the stream when there are several;
    its reading problems stay in ``pod.problems``. Documents that are not
    objects raise :class:`~quantities.problems.ManifestError` (all of them).
    """
    documents = load_documents(text)
    numbered = len(documents) > 1
    pods: list[Pod] = []
    problems: list[Problem] = []
    for number, document in enumerate(documents):
        try:
            pods.extend(pods_in(document, document=number if numbered else None))
        except ManifestError as error:
            where = f"document {number + 1}" if numbered else ""
            problems.extend(replace(problem, source=where) for problem in error.problems)
    if problems:
        raise ManifestError(problems)
    return pods
