"""``kq describe-node|fit|max-replicas|plan --context NAME``: the live cluster read once, as from a file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from quantities.cli import main
from tests.fake_kube import FakeKube
from tests.live.cluster_data import objects


def _kq(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture()
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps({"kind": "List", "apiVersion": "v1", "items": objects()}))
    return path


@pytest.fixture()
def workload(tmp_path: Path) -> Path:
    path = tmp_path / "web.json"
    path.write_text(json.dumps({"name": "web", "replicas": 7, "cpu": "1", "memory": "2Gi"}))
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["describe-node", "--node", "n1"],
        ["describe-node", "--node", "n2", "-o", "json"],
        ["fit", "--cpu", "2", "--memory", "4Gi", "--pods", "3"],
        ["fit", "--cpu", "64", "-o", "csv"],
        ["max-replicas", "--cpu", "1", "--memory", "1Gi"],
        ["plan", "--workload", "WORKLOAD", "-o", "json"],
        ["capacity"],
        ["capacity", "--group-by", "topology.kubernetes.io/zone", "-o", "csv"],
        ["stranded", "--cpu", "1", "--memory", "2Gi"],
        ["what-if", "--drain", "n1", "-o", "json"],
    ],
)
def test_a_context_answers_as_the_same_objects_in_a_file(
    fake: FakeKube, kubeconfig: Path, dump: Path, workload: Path, command: list[str]
) -> None:
    command = [str(workload) if word == "WORKLOAD" else word for word in command]
    from_file = _kq(*command[:1], str(dump), *command[1:])
    live = _kq(*command, "--context", "fake", "--kubeconfig", str(kubeconfig))
    assert live == from_file
    assert from_file[0] in (0, 1) and from_file[1]


def test_the_kubeconfig_alone_uses_its_current_context(fake: FakeKube, kubeconfig: Path, dump: Path) -> None:
    assert _kq("max-replicas", "--cpu", "1", "--kubeconfig", str(kubeconfig)) == _kq(
        "max-replicas", "--cpu", "1", str(dump)
    )
    assert (
        len([1 for _, path, q in fake.requests if path == "/api/v1/pods" and "watch" in q]) == 0
    )  # no watch


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["fit", "--cpu", "1"], "which cluster? give CLUSTER_FILE"),
        (["fit", "--cpu", "1", "DUMP", "--context", "fake"], "not both"),
        (["describe-node"], "which cluster? give FILE"),
    ],
)
def test_a_file_or_a_context_not_both_nor_neither(dump: Path, arguments: list[str], words: str) -> None:
    status, out, err = _kq(*[str(dump) if a == "DUMP" else a for a in arguments])
    assert status == 2 and out == "" and words in err


def test_an_unreachable_cluster_is_named(tmp_path: Path) -> None:
    fake = FakeKube(objects())
    fake.start()
    kubeconfig = fake.kubeconfig(tmp_path / "kc")
    fake.stop()
    status, out, err = _kq("fit", "--cpu", "1", "--kubeconfig", str(kubeconfig))
    assert status == 2 and out == ""
    assert err == f"kq: cannot reach the Kubernetes API server at {fake.url}: connection refused\n"


def test_an_rbac_denial_names_the_permission(fake: FakeKube, kubeconfig: Path) -> None:
    fake.forbidden["nodes"] = {"list"}
    status, _, err = _kq(
        "describe-node", "--context", "fake", "--kubeconfig", str(kubeconfig), "--node", "n1"
    )
    assert status == 2
    assert err.startswith(
        'kq: cannot list nodes at the cluster scope: the user of context "fake" needs get/list/watch'
    )


def test_an_optional_kind_denied_is_left_out(fake: FakeKube, kubeconfig: Path, dump: Path) -> None:
    fake.forbidden["daemonsets"] = {"list"}
    assert _kq("max-replicas", "--cpu", "1", "--kubeconfig", str(kubeconfig))[0] == 0
