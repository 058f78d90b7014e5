"""The providers' published figures, as test tables; every row cites where its figures come from."""

from __future__ import annotations

import pytest

from quantities.capacity import instance_types, node_allocatable
from quantities.capacity.instance_types import capacity_memory, instance_type
from quantities.quantity.quantity import parse_quantity

MIB = 2**20
GIB = 2**30


def _bytes(text: str) -> int:
    return parse_quantity(text).value()


def _millis(text: str) -> int:
    return parse_quantity(text).milli_value()


# -- GKE ------------------------------------------------------------------------------------
# https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes#memory_and_cpu_reservations,
# as Gardener's tests publish the table (gardener/gardener
# plugin/pkg/shoot/resourcereservation/admission_test.go, "calculate memory/CPU reservations").
GKE_MEMORY = [
    (500 * MIB, 255 * MIB),
    (1 * GIB, 256 * MIB),
    (2 * GIB, 512 * MIB),
    (4 * GIB, 1 * GIB),
    (8 * GIB, GIB + 4 * GIB // 5),
    (16 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10),
    (32 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 16 * GIB // 100 * 6),
    (64 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 48 * GIB // 100 * 6),
    (128 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 112 * GIB // 100 * 6),
    (256 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 112 * GIB // 100 * 6 + 128 * GIB // 100 * 2),
    (18 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 2 * GIB // 100 * 6),
    (42 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 26 * GIB // 100 * 6),
    (1024 * GIB, GIB + 4 * GIB // 5 + 8 * GIB // 10 + 112 * GIB // 100 * 6 + 896 * GIB // 100 * 2),
]
GKE_CPU = [(1000, 60), (2000, 70), (3000, 75), (4000, 80), (5000, 82), (6000, 85), (10000, 95)]


@pytest.mark.parametrize(("memory", "reserved"), GKE_MEMORY)
def test_gke_memory_tiers(memory: int, reserved: int) -> None:
    answer = node_allocatable("gke", cpu="2", memory=str(memory)).to_json()
    assert _bytes(answer["reserved"]["kube_reserved"]["memory"]) == reserved
    # GKE's eviction threshold: 100 MiB.
    assert answer["reserved"]["eviction_hard"]["memory"] == "100Mi"
    assert _bytes(answer["allocatable"]["memory"]) == max(0, memory - reserved - 100 * MIB)


@pytest.mark.parametrize(("cpu", "reserved"), GKE_CPU)
def test_gke_cpu_tiers(cpu: int, reserved: int) -> None:
    answer = node_allocatable("gke", cpu=f"{cpu}m", memory="8Gi").to_json()
    assert _millis(answer["reserved"]["kube_reserved"]["cpu"]) == reserved
    assert _millis(answer["allocatable"]["cpu"]) == cpu - reserved


# -- EKS ------------------------------------------------------------------------------------
# eni-max-pods.txt (awslabs/amazon-eks-ami templates/shared/runtime/eni-max-pods.txt@2bed73dc), every row
# of the families the data file covers: nodeadm's max pods must be these.
ENI_MAX_PODS = [
    ("c5.12xlarge", 234),
    ("c5.18xlarge", 737),
    ("c5.24xlarge", 737),
    ("c5.2xlarge", 58),
    ("c5.4xlarge", 234),
    ("c5.9xlarge", 234),
    ("c5.large", 29),
    ("c5.metal", 737),
    ("c5.xlarge", 58),
    ("g5.12xlarge", 737),
    ("g5.16xlarge", 234),
    ("g5.24xlarge", 737),
    ("g5.2xlarge", 58),
    ("g5.48xlarge", 345),
    ("g5.4xlarge", 234),
    ("g5.8xlarge", 234),
    ("g5.xlarge", 58),
    ("m5.12xlarge", 234),
    ("m5.16xlarge", 737),
    ("m5.24xlarge", 737),
    ("m5.2xlarge", 58),
    ("m5.4xlarge", 234),
    ("m5.8xlarge", 234),
    ("m5.large", 29),
    ("m5.metal", 737),
    ("m5.xlarge", 58),
    ("m6i.12xlarge", 234),
    ("m6i.16xlarge", 737),
    ("m6i.24xlarge", 737),
    ("m6i.2xlarge", 58),
    ("m6i.32xlarge", 737),
    ("m6i.4xlarge", 234),
    ("m6i.8xlarge", 234),
    ("m6i.large", 29),
    ("m6i.metal", 737),
    ("m6i.xlarge", 58),
    ("m7g.12xlarge", 234),
    ("m7g.16xlarge", 737),
    ("m7g.2xlarge", 58),
    ("m7g.4xlarge", 234),
    ("m7g.8xlarge", 234),
    ("m7g.large", 29),
    ("m7g.medium", 8),
    ("m7g.metal", 737),
    ("m7g.xlarge", 58),
    ("m7i.12xlarge", 234),
    ("m7i.16xlarge", 737),
    ("m7i.24xlarge", 737),
    ("m7i.2xlarge", 58),
    ("m7i.48xlarge", 737),
    ("m7i.4xlarge", 234),
    ("m7i.8xlarge", 234),
    ("m7i.large", 29),
    ("m7i.metal-24xl", 737),
    ("m7i.metal-48xl", 737),
    ("m7i.xlarge", 58),
    ("r5.12xlarge", 234),
    ("r5.16xlarge", 737),
    ("r5.24xlarge", 737),
    ("r5.2xlarge", 58),
    ("r5.4xlarge", 234),
    ("r5.8xlarge", 234),
    ("r5.large", 29),
    ("r5.metal", 737),
    ("r5.xlarge", 58),
    ("t3.2xlarge", 58),
    ("t3.large", 35),
    ("t3.medium", 17),
    ("t3.micro", 4),
    ("t3.nano", 4),
    ("t3.small", 11),
    ("t3.xlarge", 58),
    ("t4g.2xlarge", 58),
    ("t4g.large", 35),
    ("t4g.medium", 17),
    ("t4g.micro", 4),
    ("t4g.nano", 4),
    ("t4g.small", 11),
    ("t4g.xlarge", 58),
]


def test_the_table_covers_the_data_file() -> None:
    assert {name for name, _ in ENI_MAX_PODS} == set(instance_types())


@pytest.mark.parametrize(("name", "pods"), ENI_MAX_PODS)
def test_eks_max_pods_are_eni_max_pods(name: str, pods: int) -> None:
    result = node_allocatable("eks", instance_type=name)
    assert result.max_pods == pods
    assert str(result.allocatable["pods"]) == str(pods)
    # nodeadm: kube-reserved memory = 11 * maxPods + 255 Mi.
    assert str(result.kube_reserved["memory"]) == str(parse_quantity(f"{11 * pods + 255}Mi"))


# nodeadm's e2e expectations (nodeadm/test/e2e/cases/*/expected-kubelet-config.json@81fec2e8): the mock
# instance has 2 cores and 4 ENIs of 15 IPv4 addresses (m4.xlarge; m5.xlarge has the same limits).
NODEADM = [
    # kubelet-config-dir: maxPods 58, kubeReserved cpu 70m, ephemeral-storage 1Gi, memory 893Mi.
    (
        {"instance_type": "m5.xlarge", "cpu": "2"},
        58,
        {"cpu": "70m", "memory": "893Mi", "ephemeral-storage": "1Gi"},
    ),
    # custom-max-pods-expression/scenarios/custom-networking: ((default_enis - 1) * (ips_per_eni - 1)) + 2.
    (
        {"instance_type": "m5.xlarge", "cpu": "2", "custom_networking": True},
        44,
        {"cpu": "70m", "memory": "739Mi", "ephemeral-storage": "1Gi"},
    ),
    # scenarios/kubelet-config-max-pods: max_pods + 2 = 60 -> 915Mi.
    (
        {"instance_type": "m5.xlarge", "cpu": "2", "max_pods": 60},
        60,
        {"cpu": "70m", "memory": "915Mi", "ephemeral-storage": "1Gi"},
    ),
    # kubelet-config-new-instance-type: an unknown type falls back to 110 -> 1465Mi.
    ({"cpu": "2", "memory": "8Gi"}, 110, {"cpu": "70m", "memory": "1465Mi", "ephemeral-storage": "1Gi"}),
]


@pytest.mark.parametrize(("arguments", "pods", "kube_reserved"), NODEADM)
def test_eks_nodeadm_expectations(
    arguments: dict[str, object], pods: int, kube_reserved: dict[str, str]
) -> None:
    answer = node_allocatable("eks", **arguments).to_json()  # type: ignore[arg-type]
    assert answer["max_pods"] == pods
    assert answer["reserved"]["kube_reserved"] == kube_reserved
    assert answer["explanation"]["eviction_thresholds"] == {
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%",
    }


# max-pods-calculator.sh (templates/al2023/runtime/max-pods-calculator.sh@a92d9fde) with a VPC CNI of 1.9+.
CALCULATOR = [
    ("m5.large", {"prefix_delegation": True}, 110),  # 3 * (9 * 16) + 2 = 434, capped at 110 (2 vCPUs)
    ("m5.24xlarge", {"prefix_delegation": True}, 250),  # 15 * (49 * 16) + 2 = 11762, capped at 250 (96 vCPUs)
    ("m5.metal", {"prefix_delegation": True}, 250),  # bare metal: not Nitro, secondary IPs: 737, capped
    ("t3.nano", {"prefix_delegation": True}, 34),  # 2 * ((2 - 1) * 16) + 2, under the 110 cap
    ("m5.large", {"custom_networking": True}, 20),  # (3 - 1) * (10 - 1) + 2
    ("t3.nano", {"custom_networking": True}, 3),  # (2 - 1) * (2 - 1) + 2
    ("m5.16xlarge", {"custom_networking": True}, 250),  # 14 * 49 + 2 = 688, capped at 250 (64 vCPUs)
    ("m5.large", {"custom_networking": True, "prefix_delegation": True}, 110),  # 2 * 144 + 2 = 290 -> 110
]


@pytest.mark.parametrize(("name", "flags", "pods"), CALCULATOR)
def test_eks_max_pods_calculator(name: str, flags: dict[str, bool], pods: int) -> None:
    assert node_allocatable("eks", instance_type=name, **flags).max_pods == pods  # type: ignore[arg-type]


# Karpenter's capacity estimate (aws/karpenter-provider-aws pkg/providers/instancetype/types.go memory()):
# SizeInMiB, less 64 on arm64, less ceil(SizeInMiB * 0.075) Mi.
KARPENTER = [
    ("m5.large", "7577Mi"),  # 8192 - ceil(614.4)
    ("t3.medium", "3788Mi"),  # 4096 - ceil(307.2)
    ("t3.nano", "473Mi"),  # 512 - ceil(38.4)
    ("m7g.large", "7518Mi"),  # 8192 - 64 = 8128; - ceil(609.6)
    ("r5.24xlarge", "727449Mi"),  # 786432 - ceil(58982.4)
]


@pytest.mark.parametrize(("name", "memory"), KARPENTER)
def test_karpenter_capacity_model(name: str, memory: str) -> None:
    assert str(capacity_memory(instance_type(name), "karpenter")) == memory
    answer = node_allocatable("eks", instance_type=name).to_json()
    assert answer["capacity"]["memory"] == memory
    assert answer["explanation"]["capacity_model"]["name"] == "karpenter"


def test_capacity_models_are_said() -> None:
    nominal = node_allocatable("eks", instance_type="m5.large", capacity_model="nominal").to_json()
    assert nominal["capacity"] == {"cpu": "2", "memory": "8Gi", "pods": "29"}
    assert nominal["explanation"]["capacity_model"]["name"] == "nominal"
    lighter = node_allocatable("eks", instance_type="m5.large", vm_memory_overhead="0.05").to_json()
    assert lighter["capacity"]["memory"] == "7782Mi"  # 8192 - ceil(409.6)
    given = node_allocatable("eks", instance_type="m5.large", memory="7910Mi").to_json()
    assert given["capacity"]["memory"] == "7910Mi"
    assert given["explanation"]["capacity_model"]["resources"]["memory"] == "given"
    node = node_allocatable("eks", cpu="2", memory="8Gi").to_json()
    assert node["explanation"]["capacity_model"]["model"] == "node capacity given"


# -- AKS ------------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/aks/node-resource-reservations (azure-aks-docs
# articles/aks/node-resource-reservations.md@11fb7fb8).
AKS_CPU = [(1, 60), (2, 100), (4, 140), (8, 180), (16, 260), (32, 420), (64, 740)]


@pytest.mark.parametrize(("cores", "reserved"), AKS_CPU)
def test_aks_cpu_table(cores: int, reserved: int) -> None:
    answer = node_allocatable("aks", cpu=str(cores), memory="8Gi").to_json()
    assert _millis(answer["reserved"]["kube_reserved"]["cpu"]) == reserved


AKS_MEMORY = [
    # 1.29+: "8 GB of memory and the node supports up to 30 pods: 20 MB * 30 Max Pods + 50 MB = 650 MB"
    ("1.29", "8Gi", 30, "650Mi", "100Mi"),
    # "4 GB of memory and up to 70 pods: 25% * 4 GB = 1000 MB, as this is less than 1450 MB" (25% of 4Gi)
    ("1.30", "4Gi", 70, "1Gi", "100Mi"),
    # before 1.29: "7 GB ... 0.75 + (0.25*4) + (0.20*3)": 1Gi + 3Gi/5 kube-reserved, 750Mi eviction.
    ("1.28", "7Gi", 30, str(parse_quantity(str(GIB + 3 * GIB // 5))), "750Mi"),
]


@pytest.mark.parametrize(("version", "memory", "pods", "reserved", "eviction"), AKS_MEMORY)
def test_aks_memory_by_release(version: str, memory: str, pods: int, reserved: str, eviction: str) -> None:
    answer = node_allocatable(
        "aks", cpu="2", memory=memory, max_pods=pods, kubernetes_version=version
    ).to_json()
    assert answer["kubernetes_version"] == version
    assert answer["reserved"]["kube_reserved"]["memory"] == reserved
    assert answer["reserved"]["eviction_hard"]["memory"] == eviction
    assert _bytes(answer["allocatable"]["memory"]) == _bytes(memory) - _bytes(reserved) - _bytes(eviction)


def test_aks_before_1_29_reserves_about_a_third_of_7_gb() -> None:
    # The page: "if a node offers 7 GB, it reports 34% of memory not allocatable"
    # (0.75 + 0.25 * 4 + 0.20 * 3 = 2.35 GB, 33.57%); its sum counts the 750Mi threshold as 0.75 GB.
    # In the kubelet's units: 1Gi + 3Gi/5 kube-reserved plus 750Mi is 33.32% of 7Gi.
    answer = node_allocatable("aks", cpu="2", memory="7Gi", kubernetes_version="1.28").to_json()
    reserved = 7 * GIB - _bytes(answer["allocatable"]["memory"])
    assert reserved == GIB + 3 * GIB // 5 + 750 * MIB
    assert abs(100 * reserved / (7 * GIB) - 33.57) < 0.3


# -- OpenShift --------------------------------------------------------------------------------
# openshift/machine-config-operator templates/common/_base/files/kubelet-auto-sizing.yaml@11e313d7.
OPENSHIFT_AUTO = [
    ("8Gi", "4", "1Gi", "500m"),  # up to 8 GiB: 1 GiB; CPU at least 0.5
    ("16Gi", "4", "1Gi", "500m"),  # 1 + 0.06 * 8 = 1.48 -> 1
    ("32Gi", "8", "2Gi", "500m"),  # 1 + 0.06 * 24 = 2.44 -> 2
    ("64Gi", "16", "4Gi", "500m"),  # 1 + 0.06 * 56 = 4.36 -> 4
    ("128Gi", "40", "8Gi", "530m"),  # 1 + 0.06 * 120 = 8.2 -> 8; 0.06 + 0.012 * 39 = 0.528 -> 0.53
    ("256Gi", "64", "10Gi", "820m"),  # 1 + 6.72 + 0.02 * 136 = 10.44 -> 10; 0.816 -> 0.82
]


@pytest.mark.parametrize(("memory", "cpu", "reserved_memory", "reserved_cpu"), OPENSHIFT_AUTO)
def test_openshift_auto_sizing(memory: str, cpu: str, reserved_memory: str, reserved_cpu: str) -> None:
    answer = node_allocatable("openshift", cpu=cpu, memory=memory, sizing="auto").to_json()
    assert answer["reserved"]["system_reserved"] == {
        "cpu": reserved_cpu,
        "memory": reserved_memory,
        "ephemeral-storage": "1Gi",
    }


def test_openshift_static_defaults_and_max_pods() -> None:
    answer = node_allocatable("openshift", cpu="4", memory="16Gi").to_json()
    assert answer["reserved"]["system_reserved"] == {
        "cpu": "500m",
        "memory": "1Gi",
        "ephemeral-storage": "1Gi",
    }
    assert answer["reserved"]["kube_reserved"] == {"cpu": "0", "memory": "0", "ephemeral-storage": "0"}
    assert answer["allocatable"] == {"cpu": "3500m", "memory": "15260Mi", "pods": "250"}


# -- k3s ------------------------------------------------------------------------------------


def test_k3s_has_no_memory_threshold() -> None:
    # k3s-io/k3s pkg/daemons/agent: --eviction-hard=imagefs.available<5%,nodefs.available<5%, which
    # replaces the kubelet's defaults: no memory.available threshold, nothing reserved.
    answer = node_allocatable("k3s", cpu="2", memory="4Gi", ephemeral_storage="20Gi").to_json()
    assert answer["allocatable"]["memory"] == "4Gi"
    assert answer["reserved"]["eviction_hard"] == {"memory": "0", "ephemeral-storage": "1073741840"}
    assert answer["explanation"]["eviction_thresholds"] == {
        "imagefs.available": "5%",
        "nodefs.available": "5%",
    }


def test_every_answer_cites_and_says_its_version() -> None:
    for provider in ("kubelet", "gke", "eks", "aks", "openshift", "k3s"):
        answer = node_allocatable(provider, cpu="4", memory="16Gi", kubernetes_version="1.31").to_json()
        assert answer["kubernetes_version"] == "1.31"
        explanation = answer["explanation"]
        assert explanation["formula"].startswith("allocatable = capacity - kube-reserved")
        assert explanation["sources"] and all(
            source["document"] and source["applies_to"] for source in explanation["sources"]
        )


def test_a_given_flag_replaces_the_profile_setting() -> None:
    # As the kubelet flag does: a partial --eviction-hard on eks drops nodeadm's memory threshold.
    answer = node_allocatable("eks", instance_type="m5.large", eviction_hard="nodefs.available<15%").to_json()
    assert answer["reserved"]["eviction_hard"]["memory"] == "0"
    assert answer["allocatable"]["memory"] == "7003Mi"  # 7577Mi - 574Mi
    replaced = node_allocatable("eks", instance_type="m5.large", kube_reserved="memory=1Gi").to_json()
    assert replaced["reserved"]["kube_reserved"] == {"cpu": "0", "memory": "1Gi", "ephemeral-storage": "0"}
