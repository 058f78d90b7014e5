"""A small cluster as the API server returns it: every field a real object carries, most never read.

Nodes in two zones (one tainted, one cordoned), pods with init containers, a sidecar, overhead,
an in-place resize reported in the status, tolerations, node affinity, pod anti-affinity,
topology spread, priorities, a finished pod, a mirror pod; and the clutter of real objects
(managedFields, last-applied annotations, images, env, probes, volumes, conditions).
"""

from __future__ import annotations

import copy
from typing import Any

CREATED = "2025-01-01T00:00:00Z"

_CLUTTER_METADATA = {
    "uid": "9d4c6c1e-0000-4000-8000-000000000000",
    "resourceVersion": "12345",
    "managedFields": [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "v1",
            "time": CREATED,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {}}},
        }
    ],
    "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1","kind":"Pod"}' * 20,
        "prometheus.io/scrape": "true",
    },
}


def node(name: str, zone: str, cpu: str = "4", memory: str = "16Gi", **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {
            **copy.deepcopy(_CLUTTER_METADATA),
            "name": name,
            "creationTimestamp": CREATED,
            "labels": {
                "kubernetes.io/hostname": name,
                "topology.kubernetes.io/zone": zone,
                "kubernetes.io/os": "linux",
            },
        },
        "spec": {"podCIDR": "10.244.0.0/24", "providerID": f"kind://docker/kind/{name}", **spec},
        "status": {
            "capacity": {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {
                "cpu": cpu,
                "memory": memory,
                "pods": "110",
                "ephemeral-storage": "100Gi",
                "hugepages-2Mi": "0",
            },
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "lastHeartbeatTime": CREATED,
                    "lastTransitionTime": CREATED,
                    "reason": "KubeletReady",
                    "message": "kubelet is ready",
                }
            ],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            "nodeInfo": {"kubeletVersion": "v1.32.0", "containerRuntimeVersion": "containerd://1.7"},
            "images": [{"names": ["registry.k8s.io/etcd:3.5"], "sizeBytes": 57680541}],
        },
    }


def container(
    name: str, requests: dict[str, str] | None = None, limits: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {
        "name": name,
        "image": f"registry.example/{name}:1.0",
        "command": ["/bin/server", "--port=8080"],
        "env": [{"name": "MODE", "value": "production"}],
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}, "periodSeconds": 10},
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        "resources": resources,
        **extra,
    }


def pod(
    namespace: str,
    name: str,
    node_name: str | None,
    containers: list[dict[str, Any]],
    phase: str = "Running",
    labels: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "phase": phase,
        "qosClass": "Burstable",
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": CREATED}],
        "containerStatuses": [
            {
                "name": c["name"],
                "ready": True,
                "restartCount": 0,
                "image": c["image"],
                "state": {"running": {"startedAt": CREATED}},
            }
            for c in containers
        ],
    }
    body = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            **copy.deepcopy(_CLUTTER_METADATA),
            "namespace": namespace,
            "name": name,
            "creationTimestamp": CREATED,
            "labels": labels or {"app": name.rsplit("-", 1)[0]},
        },
        "spec": {
            "containers": containers,
            "volumes": [{"name": "data", "emptyDir": {}}],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "schedulerName": "default-scheduler",
            **spec,
        },
        "status": status,
    }
    if node_name:
        body["spec"]["nodeName"] = node_name
    return body


def objects() -> list[dict[str, Any]]:
    """The cluster: nodes, then pods (in the API server's order, namespace/name)."""
    nodes = [
        node("n1", "a"),
        node("n2", "a", cpu="8", memory="32Gi"),
        node("n3", "b", taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}]),
        node(
            "n4",
            "b",
            unschedulable=True,
            taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}],
        ),
    ]
    web = {"app": "web"}
    spread = [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": web},
        }
    ]
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    resized = pod(
        "default", "resized-0", "n2", [container("app", {"cpu": "500m", "memory": "1Gi"}, {"memory": "2Gi"})]
    )
    resized["status"]["containerStatuses"][0]["allocatedResources"] = {"cpu": "1500m", "memory": "1Gi"}
    resized["status"]["containerStatuses"][0]["resources"] = {"requests": {"cpu": "1500m", "memory": "1Gi"}}
    mirror = pod("kube-system", "etcd-n1", "n1", [container("etcd", {"cpu": "100m", "memory": "100Mi"})])
    mirror["metadata"]["annotations"]["kubernetes.io/config.mirror"] = "abc"
    mirror["metadata"]["annotations"]["kubernetes.io/config.source"] = "file"
    pods = [
        pod("default", "batch-done", "n1", [container("job", {"cpu": "3"})], phase="Succeeded"),
        pod(
            "default",
            "db-0",
            "n1",
            [container("db", {"cpu": "1", "memory": "4Gi"}, {"memory": "4Gi"})],
            labels={"app": "db"},
            affinity=anti,
            priority=1000,
            priorityClassName="high",
        ),
        resized,
        pod(
            "default",
            "sidecar-0",
            "n2",
            [container("app", {"cpu": "250m", "memory": "256Mi"})],
            initContainers=[
                container("init", {"cpu": "2"}),
                container("proxy", {"cpu": "100m", "memory": "64Mi"}, restartPolicy="Always"),
            ],
            overhead={"cpu": "50m", "memory": "32Mi"},
        ),
        pod(
            "default",
            "web-1",
            "n1",
            [container("web", {"cpu": "500m", "memory": "512Mi"}, {"cpu": "1", "memory": "1Gi"})],
            labels=web,
            topologySpreadConstraints=spread,
        ),
        pod(
            "default",
            "web-2",
            "n3",
            [container("web", {"cpu": "500m", "memory": "512Mi"})],
            labels=web,
            topologySpreadConstraints=spread,
            tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        ),
        pod("default", "pending", None, [container("big", {"cpu": "64"})], phase="Pending"),
        pod(
            "gpu",
            "trainer",
            "n3",
            [
                container(
                    "train", {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"}
                )
            ],
            tolerations=[{"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}],
            affinity={
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["b"]}
                                ]
                            }
                        ]
                    }
                }
            },
        ),
        mirror,
    ]
    return nodes + pods
