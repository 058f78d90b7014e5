"""kq allocatable: the CLI contract, every output format, and errors that name the flag."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from quantities.cli import main
from quantities.quantity.quantity import parse_quantity


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["allocatable", *argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _canonical(value: str) -> bool:
    return str(parse_quantity(value)) == value


def test_eks_instance_type_alone_is_enough() -> None:
    status, out, err = _run("--provider", "eks", "--instance-type", "m5.large", "-o", "json")
    assert (status, err) == (0, "")
    answer = json.loads(out)
    assert answer["provider"] == "eks"
    assert answer["capacity"] == {"cpu": "2", "memory": "7577Mi", "pods": "29"}
    assert answer["reserved"] == {
        "kube_reserved": {"cpu": "70m", "memory": "574Mi", "ephemeral-storage": "1Gi"},
        "system_reserved": {"cpu": "0", "memory": "0", "ephemeral-storage": "0"},
        "eviction_hard": {"memory": "100Mi", "ephemeral-storage": "0"},
    }
    assert answer["allocatable"] == {"cpu": "1930m", "memory": "6903Mi", "pods": "29"}
    assert answer["kubernetes_version"] == "1.36"


CONTRACT = [
    ("--provider", "kubelet", "--cpu", "16", "--memory", "32Gi", "--ephemeral-storage", "100Gi",
     "--kube-reserved", "cpu=1,memory=2Gi,ephemeral-storage=1Gi",
     "--system-reserved", "cpu=500m,memory=1Gi,ephemeral-storage=1Gi",
     "--eviction-hard", "memory.available<500Mi,nodefs.available<10%"),
    ("--provider", "gke", "--cpu", "4", "--memory", "16Gi", "--max-pods", "64",
     "--kubernetes-version", "1.32"),
    ("--provider", "aks", "--cpu", "8", "--memory", "32Gi", "--max-pods", "250",
     "--kubernetes-version", "1.28"),
    ("--provider", "openshift", "--instance-type", "m6i.2xlarge", "--sizing", "auto"),
    ("--provider", "k3s", "--cpu", "2", "--memory", "4Gi", "--ephemeral-storage", "30Gi"),
    ("--provider", "eks", "--instance-type", "m7g.xlarge", "--prefix-delegation",
     "--ephemeral-storage", "20Gi"),
]  # fmt: skip


@pytest.mark.parametrize("argv", CONTRACT)
def test_the_json_contract(argv: tuple[str, ...]) -> None:
    status, out, _ = _run(*argv, "-o", "json")
    assert status == 0
    answer = json.loads(out)
    assert set(answer) >= {
        "provider",
        "capacity",
        "reserved",
        "allocatable",
        "kubernetes_version",
        "explanation",
    }
    assert set(answer["reserved"]) == {"kube_reserved", "system_reserved", "eviction_hard"}
    assert {"cpu", "memory", "ephemeral-storage"} <= set(answer["reserved"]["kube_reserved"])
    assert {"cpu", "memory", "ephemeral-storage"} <= set(answer["reserved"]["system_reserved"])
    assert {"memory", "ephemeral-storage"} <= set(answer["reserved"]["eviction_hard"])
    assert {"cpu", "memory", "pods"} <= set(answer["allocatable"])
    values = [*answer["capacity"].values(), *answer["allocatable"].values()]
    values += [v for part in answer["reserved"].values() for v in part.values()]
    assert all(isinstance(v, str) and _canonical(v) for v in values)
    for resource, allocatable in answer["allocatable"].items():
        assert parse_quantity(allocatable) <= parse_quantity(answer["capacity"][resource])


def test_the_kubernetes_version_is_the_one_asked_for() -> None:
    _, out, _ = _run(
        "--provider", "aks", "--cpu", "2", "--memory", "8Gi", "--kubernetes-version", "1.28", "-o", "json"
    )
    answer = json.loads(out)
    assert answer["kubernetes_version"] == "1.28"
    assert answer["reserved"]["eviction_hard"]["memory"] == "750Mi"


def test_csv_text_and_yaml() -> None:
    _, out, _ = _run("--provider", "eks", "--instance-type", "m5.large", "-o", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "resource",
        "capacity",
        "kube_reserved",
        "system_reserved",
        "eviction_hard",
        "allocatable",
    ]
    assert rows[1:] == [
        ["cpu", "2", "70m", "0", "0", "1930m"],
        ["memory", "7577Mi", "574Mi", "0", "100Mi", "6903Mi"],
        ["pods", "29", "0", "0", "0", "29"],
    ]
    _, out, _ = _run("--provider", "eks", "--instance-type", "m5.large")
    assert out.startswith("eks m5.large (Kubernetes 1.36)\nRESOURCE   CAPACITY")
    assert "max pods: 29 (nodeadm for m5.large: 3 ENIs * (10 IPv4 per ENI - 1) + 2 = 29" in out
    assert "https://github.com/awslabs/amazon-eks-ami" in out
    _, out, _ = _run("--provider", "eks", "--instance-type", "m5.large", "-o", "yaml")
    assert yaml.safe_load(out)["allocatable"]["memory"] == "6903Mi"


# (arguments, the message on standard error): every error names the flag.
ERRORS = [
    (
        ("--provider", "eks", "--memory", "8GB", "--cpu", "2"),
        'kq: allocatable: --memory "8GB": invalid quantity "8GB"',
    ),
    (("--provider", "eks", "--instance-type", "m5.larg"), "did you mean m5.large"),
    (
        ("--provider", "ekss", "--cpu", "1", "--memory", "1Gi"),
        'kq: allocatable: --provider "ekss": unknown provider',
    ),
    (
        ("--cpu", "1", "--memory", "1Gi", "--kube-reserved", "gpu=1"),
        '--kube-reserved gpu "1": cannot reserve "gpu"',
    ),
    (("--cpu", "1", "--memory", "1Gi", "--eviction-hard", "memory.available=1Gi"), "--eviction-hard "),
    (("--cpu", "1", "--memory", "1Gi", "--max-pods", "many"), '--max-pods "many": expected a whole number'),
    (
        ("--cpu", "1", "--memory", "1Gi", "--kubernetes-version", "1.27"),
        '--kubernetes-version "1.27" is not supported',
    ),
    (("--cpu", "1"), "kq: allocatable: --memory: the node's memory capacity is needed"),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS)
def test_errors_name_the_flag(argv: tuple[str, ...], message: str) -> None:
    status, out, err = _run(*argv)
    assert (status, out) == (2, "")
    assert message in err
    assert "Traceback" not in err and "Errno" not in err


def test_warnings_go_to_standard_error() -> None:
    status, out, err = _run("--cpu", "1", "--memory", "1Gi", "--kube-reserved", "memory=2Gi", "-o", "json")
    assert status == 0
    assert json.loads(out)["allocatable"]["memory"] == "0"
    assert err.startswith("warning: reserved.memory: the reservations exceed the memory capacity")
