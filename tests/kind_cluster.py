"""Test data: a kind control-plane node with its system pods, as kubectl prints them."""

from __future__ import annotations

from typing import Any

NODE_NAME = "kind-control-plane"


def node(
    name: str = NODE_NAME,
    allocatable: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, str]] | None = None,
    unschedulable: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/hostname": name, **(labels or {})},
        },
        "spec": spec,
        "status": {
            "allocatable": allocatable
            or {
                "cpu": "10",
                "ephemeral-storage": "61202244Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": "8029368Ki",
                "pods": "110",
            },
            "capacity": {"cpu": "10", "memory": "8029368Ki", "pods": "110"},
        },
    }


def pod(
    namespace: str,
    name: str,
    cpu: str | None = None,
    cpu_limit: str | None = None,
    memory: str | None = None,
    memory_limit: str | None = None,
    node_name: str | None = NODE_NAME,
    phase: str = "Running",
    created: str | None = None,
    **spec: Any,
) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    limits = {k: v for k, v in (("cpu", cpu_limit), ("memory", memory_limit)) if v is not None}
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    metadata: dict[str, Any] = {"namespace": namespace, "name": name}
    if created:
        metadata["creationTimestamp"] = created
    body: dict[str, Any] = {"containers": [{"name": "c", "image": "busybox", "resources": resources}]}
    if node_name:
        body["nodeName"] = node_name
    body.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": body, "status": {"phase": phase}}


def system_pods(node_name: str = NODE_NAME) -> list[dict[str, Any]]:
    """A kind control plane's pods (Kubernetes 1.32 defaults)."""
    return [
        pod("kube-system", "coredns-668d6bf9bc-5xq2v", "100m", None, "70Mi", "170Mi", node_name),
        pod("kube-system", "coredns-668d6bf9bc-9kq7z", "100m", None, "70Mi", "170Mi", node_name),
        pod("kube-system", f"etcd-{node_name}", "100m", None, "100Mi", None, node_name),
        pod("kube-system", "kindnet-7x2lp", "100m", "100m", "50Mi", "50Mi", node_name),
        pod("kube-system", f"kube-apiserver-{node_name}", "250m", None, None, None, node_name),
        pod("kube-system", f"kube-controller-manager-{node_name}", "200m", None, None, None, node_name),
        pod("kube-system", "kube-proxy-c9h4w", None, None, None, None, node_name),
        pod("kube-system", f"kube-scheduler-{node_name}", "100m", None, None, None, node_name),
        pod("local-path-storage", "local-path-provisioner-58cc7856b6-tdtnt", node_name=node_name),
    ]


def deployment(name: str, replicas: int, cpu: str | None = None, memory: str | None = None,
               **pod_spec: Any) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container: dict[str, Any] = {"name": "app", "image": "nginx"}
    if requests:
        container["resources"] = {"requests": requests}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [container], **pod_spec},
            },
        },
    }
