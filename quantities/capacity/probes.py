"""Probe shapes: the pods whose headroom a dashboard watches (``KQ_HEADROOM_SHAPES``).

A probe shape is a name and a pod's cpu and memory requests, written ``name=cpu/memory``;
several are separated by commas: ``web=500m/1Gi,batch=2/8Gi``. Headroom for a shape is
:func:`~quantities.scheduler.plan.max_replicas` of the pod the shape stands for: the pod
``GET /v1/capacity/max-replicas?cpu=&memory=`` asks about (one container, those requests,
no limits: :func:`~quantities.pod.workloads.workload_from_row`), named after the shape.

The setting is read strictly, every problem reported with where it is:

* a name is a DNS-1123 label (``web``, ``batch-2``): it becomes a metric label value and the
  probe pod's name; each name once;
* cpu and memory are Kubernetes quantities, never negative (``ValidateNonnegativeQuantity``);
  both are required (write 0 for no request), as in the compact rows of the HTTP API.

>>> [(shape.name, str(shape.cpu), str(shape.memory)) for shape in parse_probe_shapes("web=500m/1Gi, batch=2/8Gi")]
[('web', '500m', '1Gi'), ('batch', '2', '8Gi')]
>>> parse_probe_shapes("web=500m,1Gi")
Traceback (most recent call last):
  ...
quantities.manifest.problems.ManifestError: 2 problems:
  KQ_HEADROOM_SHAPES[0]: expected name=cpu/memory, got "web=500m"; cpu and memory are separated by "/": did you mean "web=500m/1Gi"?
  KQ_HEADROOM_SHAPES[1]: expected name=cpu/memory, got "1Gi"; cpu and memory are separated by "/": did you mean "web=500m/1Gi"?
"""  # noqa: E501

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from quantities.manifest.compact import read_workload
from quantities.manifest.names import is_dns1123_label
from quantities.manifest.problems import ManifestError, Problem, index
from quantities.pod.workloads import workload_from_row
from quantities.quantity.quantity import Quantity

__all__ = ["SETTING", "SYNTAX", "ProbeShape", "parse_probe_shapes", "setting_problem"]

#: The environment variable the service reads the shapes from (the paths of problems start with it).
SETTING = "KQ_HEADROOM_SHAPES"
SYNTAX = "name=cpu/memory"
_EXAMPLE = "web=500m/1Gi,batch=2/8Gi"
_NAME_RULE = 'lower case letters, digits and "-", starting and ending with a letter or digit, at most 63'


@dataclass(frozen=True, slots=True)
class ProbeShape:
    """One probe shape: its name and its pod's cpu and memory requests."""

    name: str
    cpu: Quantity
    memory: Quantity
    #: The probe pod (one container, the requests, no limits), as the compact HTTP forms build it.
    pod: Mapping[str, Any] = field(compare=False, repr=False, default_factory=dict)

    @property
    def requests(self) -> dict[str, Quantity]:
        return {"cpu": self.cpu, "memory": self.memory}

    def __str__(self) -> str:
        return f"{self.name}={self.cpu}/{self.memory}"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _split_hint(parts: list[str], position: int) -> str | None:
    """``web=500m,1Gi``: the comma that should have been a slash."""
    here = parts[position].strip()
    if "=" in here and "/" not in here and position + 1 < len(parts):
        following = parts[position + 1].strip()
        if following and "=" not in following:
            return f'cpu and memory are separated by "/": did you mean "{here}/{following}"?'
    if "=" not in here and "/" not in here and position > 0:
        previous = parts[position - 1].strip()
        if "=" in previous and "/" not in previous:
            return f'cpu and memory are separated by "/": did you mean "{previous}/{here}"?'
    return None


def parse_probe_shapes(text: str, source: str = SETTING) -> tuple[ProbeShape, ...]:
    """The shapes written in ``text`` (``web=500m/1Gi,batch=2/8Gi``; empty: none).

    Raises :class:`~quantities.manifest.problems.ManifestError` listing every problem, each at
    ``source[i]`` (the i-th shape, from 0) or ``source[i].cpu`` / ``source[i].memory``.
    """
    if not text.strip():
        return ()
    parts = text.split(",")
    problems: list[Problem] = []
    shapes: list[ProbeShape] = []
    seen: set[str] = set()
    for position, raw in enumerate(parts):
        path = index(source, position)
        part = raw.strip()
        if not part:
            problems.append(Problem(path, f"empty shape: remove the extra comma (shapes are {_EXAMPLE})"))
            continue
        name, equals, requests = part.partition("=")
        name = name.strip()
        cpu, slash, memory = requests.partition("/")
        if not equals or not slash:
            hint = _split_hint(parts, position)
            if hint is None:
                if not equals and "/" in part:
                    hint = f'name the shape: "probe={part}"'
                elif equals:
                    given = requests.strip() or "500m"
                    hint = f'give both requests, cpu/memory: "{name or "web"}={given}/1Gi" (0 for no request)'
                else:
                    hint = f"for example {_EXAMPLE}"
            message = f"expected {SYNTAX}, got {_quote(part)}"
            problems.append(Problem(path, message, value=_quote(part), hint=hint))
            continue
        if "/" in memory:
            message = f"expected {SYNTAX}: one cpu and one memory request, got {_quote(part)}"
            problems.append(Problem(path, message, value=_quote(part)))
            continue
        ok = True
        if not is_dns1123_label(name):
            lowered = "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower()).strip("-")[:63]
            hint = f'did you mean "{lowered}"?' if lowered and is_dns1123_label(lowered) else None
            message = f"invalid shape name {_quote(name)}" if name else "empty shape name"
            message += f": a name is {_NAME_RULE}"
            problems.append(Problem(f"{path}.name", message, value=_quote(name), hint=hint))
            ok = False
        elif name in seen:
            message = f"shape {_quote(name)} is given twice"
            problems.append(Problem(f"{path}.name", message, value=_quote(name)))
            ok = False
        seen.add(name)
        try:
            # The compact rows' reader: quantities strictly, with its hints; never negative; both required.
            row = read_workload(
                {"name": "probe", "cpu": cpu, "memory": memory},
                path,
                requests_required=True,
                form=f"a shape is {SYNTAX}",
            )
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        if not ok:
            continue
        requests_by_name = dict(row.requests)
        pod = workload_from_row(replace(row, name=name)).pod
        shapes.append(ProbeShape(name, requests_by_name["cpu"], requests_by_name["memory"], pod))
    if problems:
        raise ManifestError(problems)
    return tuple(shapes)


def setting_problem(error: ManifestError, source: str = SETTING) -> str:
    """Why the service cannot start with the shapes ``error`` found wrong (its message at start).

    >>> try:
    ...     parse_probe_shapes("web=1/-1Gi")
    ... except ManifestError as error:
    ...     print(setting_problem(error))
    the service cannot start: KQ_HEADROOM_SHAPES must list probe shapes name=cpu/memory separated by commas, \
as in web=500m/1Gi,batch=2/8Gi: KQ_HEADROOM_SHAPES[0].memory: "-1Gi" must be greater than or equal to 0
    """
    form = f"probe shapes {SYNTAX} separated by commas, as in {_EXAMPLE}"
    return f"the service cannot start: {source} must list {form}: {error}"
