"""The scheduler's filters, one table per plugin, and the node model they read."""

from __future__ import annotations

from typing import Any

import pytest

from quantities.manifest.problems import ManifestError
from quantities.node.compact import compact_node, node_from_compact
from quantities.node.model import is_scalar_resource_name, parse_node
from quantities.node.selectors import Taint, Toleration, parse_taint, tolerates
from quantities.options import Options
from quantities.scheduler.framework.nodeinfo import NodeInfo, Snapshot
from quantities.scheduler.framework.podinfo import pod_info
from quantities.scheduler.plugins.node_affinity import REASON_NODE_AFFINITY, node_affinity
from quantities.scheduler.plugins.node_name import REASON_NODE_NAME, node_name
from quantities.scheduler.plugins.node_unschedulable import REASON_UNSCHEDULABLE, node_unschedulable
from quantities.scheduler.plugins.noderesources.fit import node_resources_fit
from quantities.scheduler.plugins.taint_toleration import taint_toleration
from tests.kind_cluster import node


def _pod(**spec: Any) -> Any:
    # The filters' semantics on any pod a cluster may hold (state=True): some rows below carry
    # fields today's API server refuses (an Lt toleration, one Gt with two values), which the
    # scheduler still meets in stored pods. Proposals are validated: tests/scheduler/test_malformed.py.
    return pod_info({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}], **spec}}, state=True)


CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("taints", "tolerations", "reason"),
    [
        ([], [], None),
        ([CONTROL_PLANE], [], "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
        (
            [CONTROL_PLANE],
            [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}],
            None,
        ),
        ([CONTROL_PLANE], [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}], None),
        ([CONTROL_PLANE], [{"operator": "Exists"}], None),
        (
            [CONTROL_PLANE],
            [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoExecute"}],
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
        ),
        ([{"key": "gpu", "value": "true", "effect": "NoSchedule"}], [{"key": "gpu", "value": "true"}], None),
        (
            [{"key": "gpu", "value": "true", "effect": "NoSchedule"}],
            [{"key": "gpu", "operator": "Equal", "value": "false"}],
            "node(s) had untolerated taint {gpu: true}",
        ),
        ([{"key": "gpu", "value": "true", "effect": "PreferNoSchedule"}], [], None),
        (
            [{"key": "dedicated", "value": "db", "effect": "NoExecute"}],
            [],
            "node(s) had untolerated taint {dedicated: db}",
        ),
        # The first untolerated taint in node order is reported.
        (
            [
                {"key": "a", "value": "1", "effect": "PreferNoSchedule"},
                {"key": "b", "value": "2", "effect": "NoSchedule"},
                {"key": "c", "value": "3", "effect": "NoExecute"},
            ],
            [],
            "node(s) had untolerated taint {b: 2}",
        ),
        (
            [
                {"key": "b", "value": "2", "effect": "NoSchedule"},
                {"key": "c", "value": "3", "effect": "NoExecute"},
            ],
            [{"key": "b", "operator": "Exists"}],
            "node(s) had untolerated taint {c: 3}",
        ),
        # Lt/Gt are alpha in 1.35 only; 1.32 tolerates nothing with them.
        (
            [{"key": "n", "value": "5", "effect": "NoSchedule"}],
            [{"key": "n", "operator": "Lt", "value": "9"}],
            "node(s) had untolerated taint {n: 5}",
        ),
        # An empty key skips the key check; Equal still compares the value.
        ([{"key": "k", "value": "", "effect": "NoSchedule"}], [{"operator": "Equal", "value": ""}], None),
        (
            [{"key": "k", "value": "x", "effect": "NoSchedule"}],
            [{"operator": "Equal", "value": ""}],
            "node(s) had untolerated taint {k: x}",
        ),
    ],
)
def test_taint_toleration(
    taints: list[dict[str, str]], tolerations: list[dict[str, str]], reason: str | None
) -> None:
    info = NodeInfo(parse_node(node(taints=taints)))
    # The reasons name the taint as 1.32 (and up to 1.34.1) words them.
    rejection = taint_toleration(_pod(tolerations=tolerations), info, Options.of("1.32"))
    assert (rejection.reasons[0] if rejection else None) == reason
    if rejection:
        assert rejection.unresolvable and rejection.plugin == "TaintToleration"


@pytest.mark.parametrize(
    ("unschedulable", "tolerations", "fits"),
    [
        (False, [], True),
        (True, [], False),
        (
            True,
            [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}],
            True,
        ),
        (True, [{"operator": "Exists"}], True),
        (
            True,
            [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoExecute"}],
            False,
        ),
    ],
)
def test_node_unschedulable(unschedulable: bool, tolerations: list[dict[str, str]], fits: bool) -> None:
    info = NodeInfo(parse_node(node(unschedulable=unschedulable)))
    rejection = node_unschedulable(_pod(tolerations=tolerations), info)
    assert (rejection is None) == fits
    if rejection:
        assert rejection.reasons == (REASON_UNSCHEDULABLE,)


def test_node_name() -> None:
    info = NodeInfo(parse_node(node()))
    assert node_name(_pod(), info) is None
    assert node_name(_pod(nodeName="kind-control-plane"), info) is None
    rejection = node_name(_pod(nodeName="other"), info)
    assert rejection is not None and rejection.reasons == (REASON_NODE_NAME,)


LABELS = {"zone": "a", "cores": "16", "disk": "ssd", "empty": ""}


def _term(*expressions: dict[str, Any], fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    term: dict[str, Any] = {"matchExpressions": list(expressions)}
    if fields is not None:
        term["matchFields"] = fields
    return term


@pytest.mark.parametrize(
    ("selector", "terms", "fits"),
    [
        ({}, None, True),
        ({"zone": "a"}, None, True),
        ({"zone": "b"}, None, False),
        ({"zone": "a", "disk": "ssd"}, None, True),
        ({"missing": ""}, None, False),
        ({"empty": ""}, None, True),
        ({}, [_term({"key": "zone", "operator": "In", "values": ["a", "b"]})], True),
        ({}, [_term({"key": "zone", "operator": "In", "values": ["b"]})], False),
        ({}, [_term({"key": "zone", "operator": "NotIn", "values": ["b"]})], True),
        ({}, [_term({"key": "absent", "operator": "NotIn", "values": ["b"]})], True),
        ({}, [_term({"key": "zone", "operator": "Exists"})], True),
        ({}, [_term({"key": "absent", "operator": "Exists"})], False),
        ({}, [_term({"key": "absent", "operator": "DoesNotExist"})], True),
        ({}, [_term({"key": "zone", "operator": "DoesNotExist"})], False),
        ({}, [_term({"key": "cores", "operator": "Gt", "values": ["8"]})], True),
        ({}, [_term({"key": "cores", "operator": "Gt", "values": ["16"]})], False),
        ({}, [_term({"key": "cores", "operator": "Lt", "values": ["32"]})], True),
        ({}, [_term({"key": "cores", "operator": "Lt", "values": ["16"]})], False),
        ({}, [_term({"key": "zone", "operator": "Gt", "values": ["1"]})], False),  # not an integer
        ({}, [_term({"key": "cores", "operator": "Gt", "values": ["1", "2"]})], False),  # one value only
        ({}, [_term({"key": "absent", "operator": "Lt", "values": ["1"]})], False),
        # Terms are ORed, expressions within a term ANDed.
        (
            {},
            [
                _term({"key": "zone", "operator": "In", "values": ["b"]}),
                _term({"key": "disk", "operator": "In", "values": ["ssd"]}),
            ],
            True,
        ),
        (
            {},
            [
                _term(
                    {"key": "zone", "operator": "In", "values": ["a"]},
                    {"key": "disk", "operator": "In", "values": ["hdd"]},
                )
            ],
            False,
        ),
        ({}, [{}], False),  # an empty term matches nothing
        ({}, [], False),
        ({}, [_term(fields=[{"key": "metadata.name", "operator": "In", "values": ["n1"]}])], True),
        ({}, [_term(fields=[{"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}])], False),
        ({"zone": "b"}, [_term({"key": "zone", "operator": "Exists"})], False),  # both must match
    ],
)
def test_node_affinity(selector: dict[str, str], terms: list[dict[str, Any]] | None, fits: bool) -> None:
    info = NodeInfo(compact_node("n1", cpu="1", memory="1Gi", labels=LABELS))
    spec: dict[str, Any] = {"nodeSelector": selector}
    if terms is not None:
        spec["affinity"] = {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}
        }
    rejection = node_affinity(_pod(**spec), info)
    assert (rejection is None) == fits
    if rejection:
        assert rejection.reasons == (REASON_NODE_AFFINITY,)


def _resources_pod(requests: dict[str, str], limits: dict[str, str] | None = None) -> Any:
    resources: dict[str, Any] = {"requests": requests}
    if limits:
        resources["limits"] = limits
    return pod_info(
        {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "resources": resources}]}}
    )


@pytest.mark.parametrize(
    ("requests", "used", "pods_used", "reasons"),
    [
        ({"cpu": "1"}, {}, 0, None),
        ({"cpu": "4"}, {}, 0, None),
        ({"cpu": "4001m"}, {}, 0, ("Insufficient cpu",)),
        ({"cpu": "2"}, {"cpu": "3"}, 1, ("Insufficient cpu",)),
        ({"memory": "8Gi"}, {}, 0, None),
        ({"memory": "8193Mi"}, {}, 0, ("Insufficient memory",)),
        ({"cpu": "5", "memory": "9Gi"}, {}, 0, ("Insufficient cpu", "Insufficient memory")),
        ({"ephemeral-storage": "11Gi"}, {}, 0, ("Insufficient ephemeral-storage",)),
        ({"nvidia.com/gpu": "1"}, {}, 0, None),
        ({"nvidia.com/gpu": "3"}, {}, 0, ("Insufficient nvidia.com/gpu",)),
        ({"example.com/foo": "1"}, {}, 0, ("Insufficient example.com/foo",)),  # the node has none
        ({"hugepages-2Mi": "2Gi", "memory": "1Gi"}, {}, 0, ("Insufficient hugepages-2Mi",)),
        ({"cpu": "1"}, {}, 10, ("Too many pods",)),
        (
            {"cpu": "5", "nvidia.com/gpu": "3"},
            {},
            10,
            ("Too many pods", "Insufficient cpu", "Insufficient nvidia.com/gpu"),
        ),
        ({}, {}, 10, ("Too many pods",)),  # the zero-request shortcut comes after the pod count
        ({}, {"cpu": "10"}, 1, None),  # a best-effort pod always fits an over-committed node
    ],
)
def test_node_resources_fit(
    requests: dict[str, str], used: dict[str, str], pods_used: int, reasons: tuple[str, ...] | None
) -> None:
    n = compact_node(
        "n1",
        cpu="4",
        memory="8Gi",
        pods=10,
        ephemeral_storage="10Gi",
        **{"nvidia.com/gpu": "2", "hugepages-2Mi": "1Gi"},
    )
    snapshot = Snapshot([n])
    for index in range(pods_used):
        existing = _resources_pod(used if index == 0 else {})
        existing.node_name = "n1"
        snapshot.add_pod(existing)
    limits = {
        k: v for k, v in requests.items() if k in ("nvidia.com/gpu", "hugepages-2Mi", "example.com/foo")
    }
    rejection = node_resources_fit(_resources_pod(requests, limits), snapshot.node_infos[0])
    assert (rejection.reasons if rejection else None) == reasons


@pytest.mark.parametrize(
    ("name", "scalar"),
    [
        ("cpu", False),
        ("memory", False),
        ("ephemeral-storage", False),
        ("pods", False),
        ("storage", False),
        ("nvidia.com/gpu", True),
        ("example.com/foo", True),
        ("hugepages-2Mi", True),
        ("kubernetes.io/batch", True),
        ("attachable-volumes-aws-ebs", True),
        ("requests.example.com/x", False),
        ("bad_domain/x", False),
        ("example.com/" + "x" * 64, False),
    ],
)
def test_scalar_resource_names(name: str, scalar: bool) -> None:
    assert is_scalar_resource_name(name) is scalar


def test_parse_node_and_compact_forms() -> None:
    parsed = parse_node(node(taints=[CONTROL_PLANE], unschedulable=True))
    assert (parsed.milli_cpu, parsed.memory, parsed.allowed_pods) == (10000, 8222072832, 110)
    assert (
        parsed.unschedulable and str(parsed.taints[0]) == "node-role.kubernetes.io/control-plane:NoSchedule"
    )
    compact = node_from_compact(
        {
            "name": "w1",
            "cpu": "3500m",
            "memory": "12Gi",
            "pods": "",
            "labels": "zone=b;disk=ssd",
            "taints": "gpu=true:NoSchedule,spot:NoExecute",
            "nvidia.com/gpu": "1",
        }
    )
    assert compact.allowed_pods == 110
    assert compact.labels == {"kubernetes.io/hostname": "w1", "zone": "b", "disk": "ssd"}
    assert [str(t) for t in compact.taints] == ["gpu=true:NoSchedule", "spot:NoExecute"]
    assert compact.scalars == {"nvidia.com/gpu": 1}
    assert compact.to_json()["allocatable"] == {
        "cpu": "3500m",
        "memory": "12Gi",
        "pods": "110",
        "nvidia.com/gpu": "1",
    }
    with pytest.raises(ValueError, match="invalid taint"):
        parse_taint("gpu=true")
    with pytest.raises(ManifestError, match=r"metadata\.name: a Node needs a name"):
        parse_node({"kind": "Node", "metadata": {}})


def test_tolerates_effect_and_key_rules() -> None:
    taint = Taint("k", "v", "NoSchedule")
    assert tolerates(Toleration("k", "Exists"), taint)
    assert tolerates(Toleration("k", "Equal", "v", "NoSchedule"), taint)
    assert not tolerates(Toleration("k", value="w"), taint)
    assert not tolerates(Toleration("other", "Exists"), taint)
    assert not tolerates(Toleration(operator="Exists", effect="NoExecute"), taint)
