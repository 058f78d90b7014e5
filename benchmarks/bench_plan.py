"""Plan a 1,000-replica Deployment on a cluster at Kubernetes' published limits.

The cluster is 5,000 nodes and 150,000 pods, written as ``kubectl get nodes
-o json`` and ``kubectl get pods -A -o json`` print them (two ``List``
documents in one file, realistic fields included). Two child processes read
the same file:

* ``json``: the standard ``json`` module decodes it (the yardstick);
* ``plan``: ``quantities`` loads the nodes and pods and plans the workload.

The figure of merit is the ratio of the two times (target: at most 5) and
the peak resident memory of the ``plan`` process (target: under 2 GiB).

Run: ``.venv/bin/python benchmarks/bench_plan.py [--nodes N] [--pods-per-node N]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

NODES = 5000
PODS_PER_NODE = 30
REPLICAS = 1000

_SHAPES = [
    # (cpu request, memory request, cpu limit, memory limit) of the cluster's deployments
    ("100m", "128Mi", None, "256Mi"),
    ("250m", "256Mi", "500m", "512Mi"),
    ("500m", "512Mi", "1", "1Gi"),
    ("50m", "64Mi", None, None),
    ("1", "2Gi", "2", "2Gi"),
    (None, None, None, None),
    ("200m", "300Mi", "200m", "300Mi"),
    ("10m", "20Mi", "100m", "100Mi"),
]


def _node(index: int) -> dict[str, object]:
    name = f"ip-10-{index // 250}-{index % 250}-{index % 7}.ec2.internal"
    zone = f"us-east-1{'abc'[index % 3]}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": "2024-05-01T10:00:00Z",
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/instance-type": "m5.4xlarge",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "m5.4xlarge",
                "topology.kubernetes.io/region": "us-east-1",
                "topology.kubernetes.io/zone": zone,
            },
            "name": name,
            "resourceVersion": str(1000000 + index),
            "uid": f"6c1f6a4e-{index:04x}-4c2e-9d1b-{index:012x}",
        },
        "spec": {"providerID": f"aws:///{zone}/i-{index:017x}"},
        "status": {
            "addresses": [
                {"address": f"10.{index // 250}.{index % 250}.{index % 7}", "type": "InternalIP"},
                {"address": name, "type": "Hostname"},
            ],
            "allocatable": {
                "attachable-volumes-aws-ebs": "25",
                "cpu": "15890m",
                "ephemeral-storage": "95551679124",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": "62498992Ki",
                "pods": "110",
            },
            "capacity": {
                "attachable-volumes-aws-ebs": "25",
                "cpu": "16",
                "ephemeral-storage": "104845292Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
                "memory": "64349360Ki",
                "pods": "110",
            },
            "conditions": [
                {
                    "lastHeartbeatTime": "2024-05-02T10:00:00Z",
                    "lastTransitionTime": "2024-05-01T10:00:00Z",
                    "message": message,
                    "reason": reason,
                    "status": status,
                    "type": kind,
                }
                for kind, status, reason, message in (
                    (
                        "MemoryPressure",
                        "False",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory",
                    ),
                    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    (
                        "PIDPressure",
                        "False",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                )
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"b00710d-{index:08x}",
                "containerRuntimeVersion": "containerd://1.7.11",
                "kernelVersion": "5.10.205-195.807.amzn2.x86_64",
                "kubeProxyVersion": "v1.32.0",
                "kubeletVersion": "v1.32.0",
                "machineID": f"ec2{index:029x}",
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2",
                "systemUUID": f"ec2{index:05x}-0000-0000-0000-000000000000",
            },
        },
    }


def _pod(index: int, node: str, rng: random.Random) -> dict[str, object]:
    app = f"app-{index % 400}"
    cpu, memory, cpu_limit, memory_limit = _SHAPES[index % len(_SHAPES)]
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    limits = {k: v for k, v in (("cpu", cpu_limit), ("memory", memory_limit)) if v}
    resources: dict[str, object] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    suffix = f"{rng.getrandbits(40):010x}"
    name = f"{app}-7d9f8b6c5-{suffix[:5]}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "2024-05-02T08:00:00Z",
            "generateName": f"{app}-7d9f8b6c5-",
            "labels": {"app": app, "pod-template-hash": "7d9f8b6c5"},
            "name": name,
            "namespace": f"team-{index % 40}",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "ReplicaSet",
                    "name": f"{app}-7d9f8b6c5",
                    "uid": f"0b2c{index % 400:04x}-1111-2222-3333-444455556666",
                }
            ],
            "resourceVersion": str(2000000 + index),
            "uid": f"{suffix}-aaaa-bbbb-cccc-{index:012x}",
        },
        "spec": {
            "containers": [
                {
                    "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
                    "image": f"registry.example.com/{app}:1.4.2",
                    "imagePullPolicy": "IfNotPresent",
                    "name": "app",
                    "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                    "resources": resources,
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "volumeMounts": [
                        {
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                            "name": f"kube-api-access-{suffix[5:10]}",
                            "readOnly": True,
                        }
                    ],
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
            ],
            "volumes": [
                {
                    "name": f"kube-api-access-{suffix[5:10]}",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                    "name": "kube-root-ca.crt",
                                }
                            },
                        ],
                    },
                }
            ],
        },
        "status": {
            "conditions": [
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": "2024-05-02T08:00:05Z",
                    "status": "True",
                    "type": kind,
                }
                for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": [
                {
                    "containerID": f"containerd://{suffix}{index:054x}",
                    "image": f"registry.example.com/{app}:1.4.2",
                    "imageID": f"registry.example.com/{app}@sha256:{index:064x}",
                    "lastState": {},
                    "name": "app",
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "state": {"running": {"startedAt": "2024-05-02T08:00:04Z"}},
                }
            ],
            "hostIP": "10.0.0.1",
            "phase": "Running" if index % 50 else "Succeeded",
            "podIP": f"100.64.{index // 256 % 256}.{index % 256}",
            "podIPs": [{"ip": f"100.64.{index // 256 % 256}.{index % 256}"}],
            "qosClass": "Burstable",
            "startTime": "2024-05-02T08:00:00Z",
        },
    }


def generate(path: str, nodes: int, pods_per_node: int) -> int:
    """Write the cluster to ``path``; returns its size in bytes."""
    rng = random.Random(1)
    node_objects = [_node(i) for i in range(nodes)]
    with open(path, "w", encoding="utf-8") as out:
        json.dump(
            {"apiVersion": "v1", "items": node_objects, "kind": "List", "metadata": {"resourceVersion": ""}},
            out,
            indent=4,
        )
        out.write("\n")
        out.write('{\n    "apiVersion": "v1",\n    "items": [\n')
        index = 0
        for node in node_objects:
            name = node["metadata"]["name"]  # type: ignore[index]
            for _ in range(pods_per_node):
                if index:
                    out.write(",\n")
                out.write(json.dumps(_pod(index, name, rng), indent=4))
                index += 1
        out.write(
            '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
        )
    return os.path.getsize(path)


WORKLOAD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "checkout", "namespace": "shop"},
    "spec": {
        "replicas": REPLICAS,
        "template": {
            "metadata": {"labels": {"app": "checkout"}},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "resources": {
                            "requests": {"cpu": "500m", "memory": "1Gi"},
                            "limits": {"memory": "1Gi"},
                        },
                    }
                ]
            },
        },
    },
}


def _child(mode: str, path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start = time.perf_counter()
    if mode == "json":
        decoder = json.JSONDecoder()
        position = 0
        documents = []
        while position < len(text):
            document, position = decoder.raw_decode(text, position)
            documents.append(document)
            while position < len(text) and text[position] in " \n\r\t":
                position += 1
        summary = {"documents": len(documents)}
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from quantities.scheduler.cluster import load_cluster
        from quantities.scheduler.plan import plan

        cluster = load_cluster(text)
        loaded = time.perf_counter() - start
        result = plan([WORKLOAD], cluster.nodes, cluster.pods)
        workload = result.workloads[0]
        summary = {
            "nodes": len(cluster.nodes),
            "pods": len(cluster.pods),
            "placed": workload.placed,
            "pending": workload.pending,
            "nodes_used": len(workload.placements),
            "load_seconds": round(loaded, 3),
        }
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps({"seconds": elapsed, "peak_bytes": peak, **summary}))


def _run(mode: str, path: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", mode, path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=NODES)
    parser.add_argument("--pods-per-node", type=int, default=PODS_PER_NODE)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _child(*arguments.child)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "cluster.json")
        size = generate(path, arguments.nodes, arguments.pods_per_node)
        baseline = _run("json", path)
        planned = _run("plan", path)
    ratio = planned["seconds"] / baseline["seconds"]
    print(
        f"input: {arguments.nodes} nodes, {arguments.nodes * arguments.pods_per_node} pods, "
        f"{size / 2**20:.0f} MiB of kubectl JSON"
    )
    print(f"json decode: {baseline['seconds']:.2f} s (peak {baseline['peak_bytes'] / 2**30:.2f} GiB)")
    print(
        f"load + plan {REPLICAS} replicas: {planned['seconds']:.2f} s "
        f"(load {planned['load_seconds']:.2f} s), "
        f"peak {planned['peak_bytes'] / 2**30:.2f} GiB; placed {planned['placed']:.0f}, "
        f"pending {planned['pending']:.0f}, on {planned['nodes_used']:.0f} nodes"
    )
    print(f"ratio (load + plan / json decode): {ratio:.2f}  (target <= 5)")
    print(f"peak memory under 2 GiB: {'yes' if planned['peak_bytes'] < 2 * 2**30 else 'no'}")


if __name__ == "__main__":
    main()
