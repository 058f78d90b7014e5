"""QoS classes against each release's ``kubectl describe pod`` (its ``QoS Class:`` line).

kubectl needs an API server to describe a pod, so the pods are served from a small fake
one on 127.0.0.1 (``tests/fake_apiserver.py``) that reports the release in ``/version``;
each release's own binary answers (``kubectl.1.28`` ... ``kubectl.1.33``, called
directly), every pod of a batch in one ``kubectl describe pods`` call. A release whose
binary is absent is skipped with the reason.

Two answers are checked (research note QC1, QC2):

* the cluster's class, :func:`quantities.qos_class`: pods served as that release's API
  server stores them (defaulted, ``spec.resources`` dropped without the gate) and
  without ``status.qosClass``, so kubectl computes the class itself and must agree;
* kubectl's own, :func:`quantities.pod.qos.kubectl_qos_class`, on objects served as they
  are: undefaulted manifests, pod-level resources on releases whose kubectl ignores
  them, a ``status.qosClass`` that disagrees, and generated stored pods.

Releases without a binary are checked from the sources: kubectl's ``qos.go`` differs
between v0.33 and v0.36 only in ``Sign() == 1`` for ``Cmp(zero) == 1``, and is
identical at v0.33-v0.35, so kubectl 1.33 answers for 1.34-1.36.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantities import default_pod, qos_class
from quantities.manifest.kinds import POD_TEMPLATE_PATHS
from quantities.options import Options
from quantities.pod.qos import kubectl_qos_class
from tests.builders import container as _container
from tests.fake_apiserver import KUBECTL_RELEASES, kubectl_binary, missing_kubectl, run_kubectl
from tests.node.stored_pods import stored_pod
from tests.pod.test_pods_qos import ROWS as QOS_ROWS

NAMESPACE = "default"
#: The releases with a binary that we also model (1.27 is below our range).
RELEASES = [release for release in KUBECTL_RELEASES if release != "1.27"]
#: kubectl's qos.go is the same code at v0.33-v0.36 (research note QC2; git diff of the tags).
SAME_AS_1_33 = ("1.34", "1.35", "1.36")
EXAMPLES = int(os.environ.get("KQ_KUBECTL_EXAMPLES", "3"))

EXTRA_CASES: list[tuple[str, dict[str, Any]]] = [
    ("deployment with a sidecar", {"kind": "Deployment", "spec": {"template": {"spec": {
        "initContainers": [_container("proxy", limits={"cpu": "100m", "memory": "64Mi"},
                                      restart_policy="Always")],
        "containers": [_container("app", limits={"cpu": "1", "memory": "1Gi"})]}}}}),
    ("cronjob, Burstable init", {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "initContainers": [_container("setup", {"cpu": "2"})],
        "containers": [_container("run", limits={"cpu": "1", "memory": "1Gi"})]}}}}}}),
    ("hugepages and cpu/memory limits", {"kind": "Pod", "spec": {
        "containers": [_container("a", limits={"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "4Mi"})]}}),
    ("overhead does not change the class", {"kind": "Pod", "spec": {
        "overhead": {"cpu": "250m", "memory": "120Mi"},
        "containers": [_container("a", limits={"cpu": "1", "memory": "1Gi"})]}}),
    ("several Burstable reasons", {"kind": "Pod", "spec": {"containers": [
        _container("a", {"cpu": "250m", "memory": "1Gi"}, {"cpu": "500m"}), _container("b")]}}),
    ("notations in sums", {"kind": "Pod", "spec": {"containers": [
        _container("a", {"cpu": "0.5", "memory": "0.5Gi"}, {"cpu": "500m", "memory": "512Mi"}),
        _container("b", {"cpu": "1000m", "memory": "1073741824"}, {"cpu": "1", "memory": "1Gi"})]}}),
]  # fmt: skip

CASES: list[tuple[str, dict[str, Any]]] = [(row.name, row.pod) for row in QOS_ROWS] + EXTRA_CASES


def _object(name: str, spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata = {"name": name, "namespace": NAMESPACE, "uid": name}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
            "status": status or {"phase": "Pending"}}  # fmt: skip


def _stored(manifest: dict[str, Any], options: Options) -> dict[str, Any]:
    """The pod spec as the release's API server stores it (defaulted; spec.resources per the gate)."""
    return default_pod(manifest, pod_level_resources=options.pod_level_resources).to_spec()


def _raw_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's pod spec as written: no defaulting (kubectl computes on what it is served)."""
    spec: Any = manifest
    for step in POD_TEMPLATE_PATHS[manifest.get("kind", "Pod")]:
        spec = spec[step]
    return copy.deepcopy(spec)  # type: ignore[no-any-return]


def describe_qos(release: str, pods: list[dict[str, Any]], directory: Path) -> dict[str, str]:
    """``{pod name: QoS Class}`` as ``kubectl.<release> describe pods`` prints it for every pod."""
    result = run_kubectl(release, ["describe", "pods", "--show-events=false"], [], pods, directory, NAMESPACE)
    assert result.returncode == 0, result.stderr[-2000:]
    classes: dict[str, str] = {}
    name = None
    for line in result.stdout.splitlines():
        if match := re.match(r"^Name:\s+(\S+)$", line):
            name = match.group(1)
        elif (match := re.match(r"^QoS Class:\s+(\S+)$", line)) and name is not None:
            classes[name] = match.group(1)
    assert len(classes) == len(pods), result.stdout[-2000:]
    return classes


def _batch(release: str) -> dict[str, tuple[dict[str, Any], str | None]]:
    """Every fixed case in four shapes: ``{name: (served object, the cluster's class or None)}``."""
    options = Options.of(release)
    batch: dict[str, tuple[dict[str, Any], str | None]] = {}
    for number, (_, manifest) in enumerate(CASES):
        # As this release's API server stores it, without status.qosClass: kubectl computes = qos_class.
        stored = _object(f"stored-{number}", _stored(manifest, options))
        batch[stored["metadata"]["name"]] = (stored, str(qos_class(manifest, options=options)))
        # Stored with pod-level resources kept (the gate on; ignored by kubectl up to 1.31): from 1.32 the
        # cluster's class with the gate on is what kubectl prints.
        kept = _object(f"kept-{number}", default_pod(manifest).to_spec())
        expected = None
        if options.behaviour.kubectl_pod_level_qos:
            expected = str(qos_class(manifest, options=options.with_gate("PodLevelResources", True)))
        batch[kept["metadata"]["name"]] = (kept, expected)
        # Undefaulted: kubectl does not default (limits alone are not requests to it).
        raw = _object(f"raw-{number}", _raw_spec(manifest))
        batch[raw["metadata"]["name"]] = (raw, None)
        # A status.qosClass that disagrees: printed as it is.
        status = {"phase": "Running", "qosClass": "Burstable"}
        printed = _object(f"status-{number}", _stored(manifest, options), status)
        batch[printed["metadata"]["name"]] = (printed, None)
    return batch


@pytest.fixture(scope="module", params=[pytest.param(r, marks=pytest.mark.skipif(
    kubectl_binary(r) is None, reason=missing_kubectl(r))) for r in RELEASES])  # fmt: skip
def kubectl_classes(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    """One ``kubectl describe pods`` call per release over the whole fixed batch."""
    release: str = request.param
    batch = _batch(release)
    with tempfile.TemporaryDirectory() as directory:
        printed = describe_qos(release, [served for served, _ in batch.values()], Path(directory))
    yield release, batch, printed


def test_cluster_class_is_what_kubectl_prints_for_the_stored_pod(
    kubectl_classes: tuple[str, dict[str, Any], dict[str, str]],
) -> None:
    """qos_class(manifest, kubernetes_version=R) = kubectl R's class of the pod R's API server stored."""
    _, batch, printed = kubectl_classes
    wrong = {name: (expected, printed[name]) for name, (_, expected) in batch.items()
             if expected is not None and expected != printed[name]}  # fmt: skip
    assert not wrong, wrong


def test_kubectl_qos_class_matches_kubectl_and_1_33_stands_for_1_34_to_1_36(
    kubectl_classes: tuple[str, dict[str, Any], dict[str, str]],
) -> None:
    """kubectl_qos_class(object, R) = kubectl R's line for every served shape; kubectl 1.33's answers
    also stand for 1.34-1.36 (no binaries; qos.go identical at v0.33-v0.35, v0.36 only Sign() for
    Cmp(0): checked from the source, not run)."""
    release, batch, printed = kubectl_classes
    versions = [release, *SAME_AS_1_33] if release == "1.33" else [release]
    wrong = {(name, version): (kubectl_qos_class(served, kubernetes_version=version), printed[name])
             for name, (served, _) in batch.items() for version in versions
             if kubectl_qos_class(served, kubernetes_version=version) != printed[name]}  # fmt: skip
    assert not wrong, wrong


@pytest.mark.parametrize("release", [pytest.param(r, marks=pytest.mark.skipif(
    kubectl_binary(r) is None, reason=missing_kubectl(r))) for r in RELEASES])  # fmt: skip
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_stored_pods_match_kubectl(release: str, data: st.DataObject) -> None:
    """Generated stored pods (sidecars, init containers, pod-level resources, resize statuses, zero and
    negative quantities), up to thirty per kubectl call; kubectl 1.33 also for 1.34-1.36 (from the source)."""
    count = data.draw(st.integers(15, 30))
    pods = [data.draw(stored_pod(f"g{number}", None)) for number in range(count)]
    for served in pods:
        served["metadata"]["namespace"] = NAMESPACE
    with tempfile.TemporaryDirectory() as directory:
        printed = describe_qos(release, pods, Path(directory))
    versions = [release, *SAME_AS_1_33] if release == "1.33" else [release]
    wrong = {(served["metadata"]["name"], version): (kubectl_qos_class(served, kubernetes_version=version),
                                                    printed[served["metadata"]["name"]])
             for served in pods for version in versions
             if kubectl_qos_class(served, kubernetes_version=version) != printed[served["metadata"]["name"]]}
    assert not wrong, wrong


def test_kubectl_reads_what_is_stored() -> None:
    """QC2 measured with kubectl 1.27-1.33 (research note): pod-level resources from 1.32, even {}."""
    guaranteed = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
    pod_level = {"containers": [{"name": "a"}], "resources": guaranteed}
    empty = {"containers": [{"name": "a", "resources": guaranteed}], "resources": {}}
    answers = {release: (str(kubectl_qos_class({"spec": pod_level}, kubernetes_version=release)),
                         str(kubectl_qos_class({"spec": empty}, kubernetes_version=release)))
               for release in ("1.28", "1.31", "1.32", "1.33", "1.36")}  # fmt: skip
    assert answers == {
        "1.28": ("BestEffort", "Guaranteed"),
        "1.31": ("BestEffort", "Guaranteed"),
        "1.32": ("Guaranteed", "BestEffort"),
        "1.33": ("Guaranteed", "BestEffort"),
        "1.36": ("Guaranteed", "BestEffort"),
    }


def test_kubectl_qos_class_refuses_unreadable_objects() -> None:
    from quantities.manifest.problems import ManifestError

    bad = {"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "one"}}}]}}
    with pytest.raises(ManifestError) as caught:
        kubectl_qos_class(bad, kubernetes_version="1.32")
    assert caught.value.problems[0].path == "spec.containers[0].resources.limits.cpu"
    with pytest.raises(ManifestError, match="expected a Pod object"):
        kubectl_qos_class([], kubernetes_version="1.32")  # type: ignore[arg-type]
