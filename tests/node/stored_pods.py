"""Hypothesis strategies for nodes and pods *as the API server stores them*, resize status and all.

The shapes are those kubectl's describe node and describe pod read (research note D1-D6,
QC2): sidecars and init containers, pod-level ``spec.resources``, overhead, and every
in-place-resize status shape of 1.29-1.36: ``status.resize`` (1.29-1.32),
``PodResizePending``/``PodResizeInProgress`` conditions (1.33+),
``containerStatuses[].allocatedResources``, ``containerStatuses[].resources`` (absent,
null, ``{}`` or set), ``initContainerStatuses`` for sidecars, and ties where the spec and the
status write the same value differently (``1`` and ``1000m``, ``1Gi`` and ``1073741824``).
Quantities include sub-milli cpu (``500u``, ``100n``), fractional bytes (``0.5``), JSON
numbers and a negative value: kubectl sums what is stored, without defaulting.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

CPU_VALUES = ["100m", "250m", "1", "1000m", "500u", "1500u", "0.5", "2", "0", "100n", "1.5", "-100m", 2]
MEMORY_VALUES = [
    "100Mi", "1Gi", "1073741824", "1024Mi", "0.5", "1G", "500m", "64Mi", "0", "1.5Gi", "128974848"
]  # fmt: skip
OTHER_VALUES = {
    "ephemeral-storage": ["1Gi", "10G", "0.5"],
    "hugepages-2Mi": ["2Mi", "4Mi"],
    "nvidia.com/gpu": ["1", "2"],
}
NAMESPACES = ["default", "kube-system", "a-b"]

Draw = Any  # hypothesis' draw function


@st.composite
def resource_list(draw: Draw, others: bool = True) -> dict[str, Any]:
    """Some of cpu, memory (and rarely another resource), each from its pool."""
    names = ["cpu", "memory", *(OTHER_VALUES if others else ())]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    pools: dict[str, list[Any]] = {"cpu": CPU_VALUES, "memory": MEMORY_VALUES, **OTHER_VALUES}
    return {name: draw(st.sampled_from(pools[name])) for name in chosen}


@st.composite
def requirements(draw: Draw, others: bool = True) -> dict[str, Any] | None:
    """A ``resources`` value: absent (None), ``{}``, or requests/limits each absent, ``{}`` or set."""
    shape = draw(st.sampled_from(["absent", "empty", "set", "set", "set"]))
    if shape == "absent":
        return None
    if shape == "empty":
        return {}
    result: dict[str, Any] = {}
    for field in ("requests", "limits"):
        kind = draw(st.sampled_from(["absent", "empty", "set", "set"]))
        if kind != "absent":
            result[field] = {} if kind == "empty" else draw(resource_list(others))
    return result


def _container(name: str, resources: dict[str, Any] | None, sidecar: bool = False) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": "busybox"}
    if resources is not None:
        container["resources"] = resources
    if sidecar:
        container["restartPolicy"] = "Always"
    return container


@st.composite
def container_status(draw: Draw, name: str) -> dict[str, Any]:
    """One status entry: ``resources`` absent, null, ``{}`` or set; ``allocatedResources`` absent or set."""
    status: dict[str, Any] = {"name": name, "ready": True, "restartCount": 0, "image": "busybox",
                              "imageID": "", "started": True, "state": {"running": {}}}  # fmt: skip
    resources = draw(st.sampled_from(["absent", "null", "empty", "set", "set"]))
    if resources == "null":
        status["resources"] = None
    elif resources == "empty":
        status["resources"] = {}
    elif resources == "set":
        status["resources"] = {
            field: draw(resource_list(False)) for field in ("requests", "limits") if draw(st.booleans())
        }
    if draw(st.booleans()):
        status["allocatedResources"] = draw(resource_list(False))
    return status


RESIZE_CONDITIONS = {
    "none": [],
    "pending-infeasible": [{"type": "PodResizePending", "status": "True", "reason": "Infeasible"}],
    "pending-deferred": [{"type": "PodResizePending", "status": "True", "reason": "Deferred"}],
    "in-progress": [{"type": "PodResizeInProgress", "status": "True"}],
}


@st.composite
def stored_pod(
    draw: Draw, name: str, node_name: str | None, pod_level: bool = True, statuses: bool = True
) -> dict[str, Any]:
    """A pod object as ``kubectl get pod -o json`` shows it (no creationTimestamp: Age is ``<unknown>``)."""
    containers = [
        _container(f"c{i}", draw(requirements())) for i in range(draw(st.integers(1, 3)))
    ]
    inits = [
        _container(f"i{i}", draw(requirements()), sidecar=draw(st.booleans()))
        for i in range(draw(st.integers(0, 2)))
    ]
    spec: dict[str, Any] = {"containers": containers}
    if inits:
        spec["initContainers"] = inits
    if node_name is not None:
        spec["nodeName"] = node_name
    if draw(st.integers(0, 5)) == 0:
        spec["overhead"] = draw(resource_list(False))
    if pod_level and draw(st.integers(0, 3)) == 0:
        spec["resources"] = draw(st.one_of(st.just({}), st.builds(dict, requests=resource_list(False)),
                                           st.builds(dict, requests=resource_list(False),
                                                     limits=resource_list(False))))  # fmt: skip
    phase = draw(st.sampled_from(["Running", "Running", "Running", "Pending", "Succeeded", "Failed"]))
    status: dict[str, Any] = {"phase": phase}
    if statuses:
        resize = draw(st.sampled_from([None, None, "Infeasible", "Deferred", "InProgress"]))
        if resize is not None:
            status["resize"] = resize
        conditions = RESIZE_CONDITIONS[draw(st.sampled_from(sorted(RESIZE_CONDITIONS)))]
        if conditions:
            status["conditions"] = conditions
        entries = [draw(container_status(c["name"])) for c in containers if draw(st.integers(0, 3))]
        if entries:
            status["containerStatuses"] = entries
        init_entries = [draw(container_status(c["name"])) for c in inits if draw(st.booleans())]
        if init_entries:
            status["initContainerStatuses"] = init_entries
    namespace = draw(st.sampled_from(NAMESPACES))
    metadata = {"name": name, "namespace": namespace, "uid": f"uid-{name}"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


ALLOCATABLE = [
    {"cpu": "4", "memory": "8Gi", "pods": "110"},
    {"cpu": "3500m", "memory": "8029368Ki", "pods": "110", "ephemeral-storage": "61202244Ki"},
    {"cpu": "8", "memory": "32G", "pods": "58", "hugepages-2Mi": "1Gi", "nvidia.com/gpu": "4",
     "ephemeral-storage": "100G"},
    {"cpu": "0.5", "memory": "1Gi", "pods": "10"},
]  # fmt: skip


@st.composite
def stored_node(draw: Draw, name: str) -> dict[str, Any]:
    """A Node with one of a few allocatable shapes; rarely only ``capacity`` (kubectl falls back to it)."""
    allocatable = dict(draw(st.sampled_from(ALLOCATABLE)))
    status: dict[str, Any] = {"capacity": allocatable, "allocatable": allocatable}
    if draw(st.integers(0, 5)) == 0:
        status["allocatable"] = {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {}}, "spec": {},
            "status": status}  # fmt: skip


@st.composite
def stored_cluster(
    draw: Draw, max_nodes: int = 3, max_pods: int = 6
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes ``node-0``... and pods bound to them (a few bound elsewhere), names unique."""
    nodes = [draw(stored_node(f"node-{n}")) for n in range(draw(st.integers(1, max_nodes)))]
    pods: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, max_pods * len(nodes)))):
        bound = draw(st.sampled_from([*(node["metadata"]["name"] for node in nodes), "elsewhere"]))
        pods.append(draw(stored_pod(f"p{number}", bound)))
    return nodes, pods
