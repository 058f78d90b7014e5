"""What if nodes go: drain a node, lose the largest nodes, lose a zone. Does every pod reschedule?

The nodes that go are taken out of the cluster; the pods bound to them (not Succeeded or
Failed) are sorted out as their owners would treat them:

* a pod owned by a controller other than a DaemonSet (ReplicaSet, StatefulSet, Job...) is
  recreated by it and goes back to the scheduler: each replacement is scheduled with its own
  requests, tolerations, node selector and affinity, pod (anti-)affinity and topology spread,
  against the remaining nodes and the pods already rescheduled, in the scheduling queue's order
  (PrioritySort: higher ``spec.priority`` first, then the order of the input);
* a DaemonSet pod, or a static pod (its mirror pod has the ``kubernetes.io/config.mirror``
  annotation), belongs to its node and goes with it (``kubectl drain --ignore-daemonsets``);
* a pod without a controller is deleted and nobody recreates it (``kubectl drain`` refuses it
  without ``--force``): it is reported as not recreated.

Each replacement lands where :mod:`quantities.scheduler` would put it: the filters of the default
profile, then the highest score, the first such node in input order (as
:func:`~quantities.scheduler.plan.plan` chooses); one that fits nowhere gets the scheduler's
FailedScheduling message. Volumes (a StatefulSet's zonal disks) are not modelled.

>>> from quantities.node.compact import compact_node
>>> nodes = [compact_node("a", cpu="2", memory="4Gi"), compact_node("b", cpu="2", memory="4Gi")]
>>> def pod(name, node, cpu):
...     return {"kind": "Pod", "metadata": {"name": name, "namespace": "shop", "ownerReferences": [
...         {"kind": "ReplicaSet", "name": "web-1", "controller": True}]}, "spec": {"nodeName": node,
...         "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}}
>>> result = what_if(nodes, [pod("web-x", "a", "1500m"), pod("web-y", "b", "1")], drain=["a"],
...                  kubernetes_version="1.32")
>>> result.all_rescheduled, [(p.pod, p.outcome) for p in result.pods]
(False, [('shop/web-x', 'pending')])
>>> result.pods[0].message
'0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: \
1 No preemption victims found for incoming pod.'
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.manifest.problems import ManifestError, Problem
from quantities.node.model import ZONE_LABEL, Node
from quantities.options import Options, resolve_options
from quantities.scheduler.fit import evaluate, failure_message, make_snapshot
from quantities.scheduler.framework.nodeinfo import TERMINAL_PHASES, Snapshot
from quantities.scheduler.framework.podinfo import PodInfo, pod_info
from quantities.scheduler.profile import score

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.versions import KubernetesVersion

__all__ = ["CSV_HEADER", "DisplacedPod", "WhatIf", "what_if"]

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"

#: What becomes of a pod of a node that goes.
RESCHEDULED = "rescheduled"
PENDING = "pending"
LEAVES_WITH_NODE = "leaves-with-node"
NOT_RECREATED = "not-recreated"
OUTCOMES = (RESCHEDULED, PENDING, LEAVES_WITH_NODE, NOT_RECREATED)

CSV_HEADER = ("pod", "owner", "from_node", "outcome", "node", "message")

EXPLANATION = {
    "rescheduled": "recreated by its controller and placed by kube-scheduler's filters and scores on the "
    "remaining nodes (highest score, first in input order), in the queue's order (higher priority first)",
    "pending": "recreated, but no remaining node passes the filters: the scheduler's FailedScheduling "
    "message",
    "leaves-with-node": "a DaemonSet or static pod: it belongs to its node and goes with it",
    "not-recreated": "no controller owns it: deleted with its node and not recreated (kubectl drain refuses "
    "it without --force)",
    "lose_largest": "the largest nodes by allocatable cpu, then memory (ties: input order)",
    "lose_zone": f"the nodes labelled {ZONE_LABEL} with that value",
}


@dataclass(frozen=True, slots=True)
class DisplacedPod:
    """A pod of a node that goes, and what becomes of it."""

    pod: str
    owner: str | None
    from_node: str
    outcome: str
    node: str | None = None
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "pod": self.pod,
            "owner": self.owner,
            "from_node": self.from_node,
            "outcome": self.outcome,
            "node": self.node,
            "message": self.message,
        }

    def csv_row(self) -> tuple[str, ...]:
        return (self.pod, self.owner or "", self.from_node, self.outcome, self.node or "", self.message or "")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The nodes that go, and every pod they ran: rescheduled where, pending why, or gone with them."""

    kubernetes_version: str
    scenario: str
    removed_nodes: tuple[str, ...]
    remaining_nodes: int
    pods: tuple[DisplacedPod, ...]
    warnings: tuple[Problem, ...] = ()

    CSV_HEADER = CSV_HEADER

    def count(self, outcome: str) -> int:
        return sum(pod.outcome == outcome for pod in self.pods)

    @property
    def all_rescheduled(self) -> bool:
        """Every pod that should run somewhere else does: none pending, none lost."""
        return not any(pod.outcome in (PENDING, NOT_RECREATED) for pod in self.pods)

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "scenario": self.scenario,
            "removed_nodes": list(self.removed_nodes),
            "remaining_nodes": self.remaining_nodes,
            "all_rescheduled": self.all_rescheduled,
            "counts": {outcome: self.count(outcome) for outcome in OUTCOMES},
            "pods": [pod.to_json() for pod in self.pods],
            "explanation": dict(EXPLANATION),
            "warnings": [problem.to_json() for problem in self.warnings],
        }

    def csv_rows(self) -> list[tuple[str, ...]]:
        return [pod.csv_row() for pod in self.pods]

    def text(self) -> str:
        verdict = "every pod reschedules" if self.all_rescheduled else "NOT every pod reschedules"
        lines = [
            f"{self.scenario} (going: {', '.join(self.removed_nodes)}): {verdict}",
            f"rescheduled {self.count(RESCHEDULED)}, pending {self.count(PENDING)}, "
            f"leave with their node {self.count(LEAVES_WITH_NODE)}, "
            f"not recreated {self.count(NOT_RECREATED)}",
        ]
        for pod in self.pods:
            if pod.outcome == PENDING:
                lines.append(f"pending {pod.pod}: {pod.message}")
            elif pod.outcome == NOT_RECREATED:
                lines.append(f"not recreated {pod.pod}: no controller owns it")
        return "\n".join(lines) + "\n"


def _controller(pod: Mapping[str, Any]) -> str | None:
    """``Kind/name`` of the pod's controller (the ownerReference with ``controller: true``), or None."""
    metadata = pod.get("metadata")
    references = metadata.get("ownerReferences") if isinstance(metadata, Mapping) else None
    for reference in references if isinstance(references, list) else ():
        if isinstance(reference, Mapping) and reference.get("controller") is True:
            return f"{reference.get('kind')}/{reference.get('name')}"
    return None


def _is_mirror(pod: Mapping[str, Any]) -> bool:
    metadata = pod.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    return isinstance(annotations, Mapping) and MIRROR_ANNOTATION in annotations


PodInput = Mapping[str, Any] | tuple[PodInfo, Mapping[str, Any]]


def _read_pods(pods: Iterable[PodInput], options: Options) -> list[tuple[PodInfo, Mapping[str, Any]]]:
    """Each pod as the scheduler reads stored state, with its manifest (for its owner)."""
    result: list[tuple[PodInfo, Mapping[str, Any]]] = []
    problems: list[Problem] = []
    for position, pod in enumerate(pods):
        if not position % 256:
            options.check_deadline("reading the pods", position)
        if isinstance(pod, tuple):
            result.append(pod)
            continue
        try:
            result.append((pod_info(pod, state=True, options=options, path=f"pods[{position}]"), pod))
        except ManifestError as error:
            problems.extend(error.problems)
    if problems:
        raise ManifestError(problems)
    return result


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _removed(
    nodes: Sequence[Node], drain: Sequence[str], lose_largest: int, lose_zone: str | None
) -> tuple[str, list[str]]:
    """The scenario in words and the names of the nodes that go; a located error for a bad choice."""
    names = [node.name for node in nodes]
    chosen = sum((bool(drain), lose_largest > 0, lose_zone is not None))
    if chosen != 1:
        message = "choose one scenario: drain (node names), lose_largest (a count) or lose_zone"
        raise ManifestError([Problem("scenario", message)])
    if drain:
        problems = []
        for position, name in enumerate(drain):
            if name not in names:
                close = difflib.get_close_matches(name, names, n=1)
                hint = f"did you mean {_quote(close[0])}?" if close else None
                problems.append(Problem(f"drain[{position}]", f"no node named {_quote(name)}", hint=hint))
        if problems:
            raise ManifestError(problems)
        return f"drain {', '.join(drain)}", list(dict.fromkeys(drain))
    if lose_largest > 0:
        order = sorted(range(len(nodes)), key=lambda i: (-nodes[i].milli_cpu, -nodes[i].memory, i))
        return f"lose the {lose_largest} largest nodes", [names[i] for i in order[:lose_largest]]
    zone = lose_zone or ""
    gone = [node.name for node in nodes if node.labels.get(ZONE_LABEL) == zone]
    if not gone:
        zones = sorted({node.labels[ZONE_LABEL] for node in nodes if ZONE_LABEL in node.labels})
        listed = ", ".join(_quote(z) for z in zones)
        known = f"the zones are {listed}" if zones else f"no node has the label {ZONE_LABEL}"
        message = f"no node is in zone {_quote(zone)}: {known}"
        raise ManifestError([Problem("lose_zone", message)])
    return f"lose zone {zone}", gone


def _place(pod: PodInfo, snapshot: Snapshot, options: Options) -> tuple[str | None, str | None]:
    """The node the scheduler binds ``pod`` to (highest score, first in input order), or its message."""
    evaluation = evaluate(pod, snapshot, options=options)
    if not evaluation.feasible:
        message, _ = failure_message(pod, snapshot, evaluation, options=options)
        return None, message
    # max keeps the first of equals
    best = max(evaluation.feasible, key=lambda info: score(pod, info, options))
    best.add_pod(pod.copy(node_name=best.node.name))
    return best.node.name, None


def what_if(
    nodes: Iterable[Node | Mapping[str, Any]],
    pods: Iterable[PodInput] = (),
    *,
    drain: Sequence[str] = (),
    lose_largest: int = 0,
    lose_zone: str | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | None = None,
    options: Options | None = None,
) -> WhatIf:
    """Take nodes out (one scenario: ``drain`` names, the ``lose_largest`` largest, or zone ``lose_zone``)
    and reschedule what their pods' owners recreate (see the module docstring).

    ``pods`` are the cluster's pods as ``kubectl get pods -A -o json`` prints them (or pairs of a
    :class:`~quantities.scheduler.framework.podinfo.PodInfo` and its manifest). A bad choice (no
    such node, no node in the zone) raises :class:`~quantities.manifest.problems.ManifestError` at
    ``drain[i]``, ``lose_zone`` or ``scenario``.
    """
    options = resolve_options(options, kubernetes_version, feature_gates)
    everything = make_snapshot(nodes, options=options)
    read = _read_pods(pods, options)
    all_nodes = [info.node for info in everything.node_infos]
    scenario, gone = _removed(all_nodes, drain, lose_largest, lose_zone)
    going = set(gone)
    remaining = Snapshot([node for node in all_nodes if node.name not in going])
    displaced: list[tuple[int, PodInfo, Mapping[str, Any]]] = []
    for position, (info, manifest) in enumerate(read):
        if info.phase in TERMINAL_PHASES or not info.node_name:
            continue
        if info.node_name in going:
            displaced.append((position, info, manifest))
        else:
            remaining.add_pod(info)
    outcomes: dict[int, DisplacedPod] = {}
    queue: list[tuple[int, PodInfo, str | None]] = []
    for position, info, manifest in displaced:
        owner = _controller(manifest)
        name = f"{info.namespace}/{info.name}"
        if _is_mirror(manifest) or (owner or "").startswith("DaemonSet/"):
            outcomes[position] = DisplacedPod(name, owner, info.node_name, LEAVES_WITH_NODE)
        elif owner is None:
            outcomes[position] = DisplacedPod(name, owner, info.node_name, NOT_RECREATED)
        else:
            queue.append((position, info, owner))
    # PrioritySort: higher priority first; equal priorities keep the input order (sort is stable).
    queue.sort(key=lambda entry: -entry[1].priority)
    for number, (position, info, owner) in enumerate(queue):
        options.check_deadline("rescheduling the displaced pods", number, len(queue))
        node, message = _place(info.copy(node_name=""), remaining, options)
        outcome = RESCHEDULED if node is not None else PENDING
        name = f"{info.namespace}/{info.name}"
        outcomes[position] = DisplacedPod(name, owner, info.node_name, outcome, node, message)
    warnings = tuple(problem for info, _ in read for problem in info.warnings)
    return WhatIf(
        str(options.version),
        scenario,
        tuple(gone),
        len(remaining),
        tuple(outcomes[position] for position in sorted(outcomes)),
        tuple(node_warning for node in all_nodes for node_warning in node.warnings) + warnings,
    )
