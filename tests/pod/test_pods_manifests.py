"""Reading manifests: every kind that carries a pod, JSON and YAML text, exact numbers, paths on problems."""

# ruff: noqa: E501  (table rows stay one case per line)

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from typing import Any

import pytest

from quantities import (
    ManifestError,
    Quantity,
    QuantityError,
    load_documents,
    load_json,
    load_pods,
    load_yaml,
    parse_manifest_quantity,
    pod_requests,
    pods_in,
    read_pod,
)
from quantities.manifest.exact_number import ExactNumber

SPEC = {"containers": [{"name": "app", "resources": {"requests": {"cpu": "1"}}}]}
TEMPLATE = {"metadata": {"annotations": {"a": "b"}}, "spec": SPEC}


@pytest.mark.parametrize(
    ("obj", "kind", "path"),
    [
        ({"kind": "Pod", "metadata": {"name": "n"}, "spec": SPEC}, "Pod", "spec"),
        (SPEC, "PodSpec", ""),
        ({"metadata": {"name": "n"}, "spec": SPEC}, "Pod", "spec"),
        (
            {"kind": "PodTemplate", "metadata": {"name": "n"}, "template": TEMPLATE},
            "PodTemplate",
            "template.spec",
        ),
        ({"template": TEMPLATE}, "PodTemplate", "template.spec"),
        (
            {"kind": "Deployment", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "Deployment",
            "spec.template.spec",
        ),
        (
            {"kind": "StatefulSet", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "StatefulSet",
            "spec.template.spec",
        ),
        (
            {"kind": "DaemonSet", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "DaemonSet",
            "spec.template.spec",
        ),
        (
            {"kind": "ReplicaSet", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "ReplicaSet",
            "spec.template.spec",
        ),
        (
            {"kind": "ReplicationController", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "ReplicationController",
            "spec.template.spec",
        ),
        (
            {"kind": "Job", "metadata": {"name": "n"}, "spec": {"template": TEMPLATE}},
            "Job",
            "spec.template.spec",
        ),
        (
            {
                "kind": "CronJob",
                "metadata": {"name": "n"},
                "spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}},
            },
            "CronJob",
            "spec.jobTemplate.spec.template.spec",
        ),
        ({"spec": {"template": TEMPLATE}}, "object", "spec.template.spec"),
    ],
)
def test_every_kind_that_carries_a_pod(obj: dict[str, Any], kind: str, path: str) -> None:
    pod = read_pod(obj)
    assert (pod.kind, pod.path) == (kind, path)
    assert pod.containers[0].name == "app"
    assert pod.containers[0].path == (f"{path}.containers[0]" if path else "containers[0]")
    assert str(pod_requests(obj)["cpu"]) == "1"


def test_template_annotations_are_the_pods() -> None:
    pod = read_pod(
        {
            "kind": "Deployment",
            "metadata": {"annotations": {"x": "deployment"}},
            "spec": {"template": TEMPLATE},
        }
    )
    assert pod.annotations == {"a": "b"}


def test_list_items_and_other_kinds() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"kind": "Service", "metadata": {"name": "svc"}},
            {
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "prod"},
                "spec": {"template": TEMPLATE},
            },
            {"kind": "PodList", "items": [{"kind": "Pod", "metadata": {"name": "p"}, "spec": SPEC}]},
            {"kind": "ConfigMap", "data": {"containers": "not a pod"}},
        ],
    }
    pods = pods_in(obj)
    assert [(pod.kind, pod.name, pod.namespace, pod.path) for pod in pods] == [
        ("Deployment", "web", "prod", "items[1].spec.template.spec"),
        ("Pod", "p", "", "items[2].items[0].spec"),
    ]
    assert pods[0].object_path == "spec.template.spec"


def test_read_pod_wants_exactly_one() -> None:
    with pytest.raises(ManifestError, match="a Service holds no pod"):
        read_pod({"kind": "Service"})
    with pytest.raises(ManifestError, match="found 2 pods"):
        read_pod({"kind": "List", "items": [{"kind": "Pod", "spec": SPEC}, {"kind": "Pod", "spec": SPEC}]})
    with pytest.raises(ManifestError, match="expected a Kubernetes object, got an array"):
        read_pod([SPEC])


def test_wrong_types_name_their_json_path() -> None:
    obj = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "a"},
                        {"name": 7, "resources": {"limits": {"memory": {"value": "1Gi"}, "cpu": True}}},
                        "not a container",
                    ],
                    "initContainers": {"name": "x"},
                    "overhead": ["cpu"],
                    "priority": "high",
                }
            }
        },
    }
    with pytest.raises(ManifestError) as caught:
        read_pod(obj)
    problems = [(problem.path, problem.message) for problem in caught.value.problems]
    assert problems == [
        ("spec.template.spec.containers[1].name", "expected a string, got number 7"),
        (
            "spec.template.spec.containers[1].resources.limits.memory",
            'expected a quantity (a string such as "500m" or a number), got an object',
        ),
        (
            "spec.template.spec.containers[1].resources.limits.cpu",
            'expected a quantity (a string such as "500m" or a number), got boolean true',
        ),
        ("spec.template.spec.containers[2]", 'expected an object, got string "not a container"'),
        ("spec.template.spec.initContainers", "expected an array, got an object"),
        ("spec.template.spec.overhead", "expected an object, got an array"),
        ("spec.template.spec.priority", 'expected an integer, got string "high"'),
    ]
    assert all(problem.source == 'Deployment "web"' for problem in caught.value.problems)
    assert "7 problems" in str(caught.value)
    lenient = read_pod(obj, strict=False)
    assert len(lenient.problems) == 7
    assert [container.name for container in lenient.containers] == ["a", "", ""]


def test_unknown_fields_are_ignored() -> None:
    pod = read_pod(
        {
            "kind": "Pod",
            "spec": {
                "containers": [
                    {
                        "name": "a",
                        "image": "x",
                        "resources": {"requests": {"cpu": "1"}, "claims": [{"name": "c"}], "extra": 1},
                    }
                ],
                "nodeName": "n",
            },
            "whatever": [1],
        }
    )
    assert pod.problems == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1Gi", "1Gi"),
        (" 1Gi ", "1Gi"),
        ("\t500m\n", "500m"),
        ("\u00a0250m\u3000", "250m"),
        (1, "1"),
        (0, "0"),
        (-1, "-1"),
        (0.5, "500m"),
        (1e-3, "1m"),
        (1e16, "10P"),
        (1e21, "1e+21"),
        (1.5e-7, "150e-9"),
        (2.0, "2"),
        (-0.0, "0"),
        (Decimal("0.25"), "250m"),
        (ExactNumber("1e3"), "1e3"),
        (ExactNumber("1.50"), "1500m"),
        (None, "0"),
        (Quantity("2Gi"), "2Gi"),
    ],
)
def test_manifest_quantities(value: object, expected: str) -> None:
    assert str(parse_manifest_quantity(value)) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [(True, TypeError), ({"a": 1}, TypeError), ([1], TypeError), ("1GB", QuantityError), ("", QuantityError),
     (float("inf"), QuantityError), (Decimal("NaN"), QuantityError), ("\x1c1", QuantityError)],
)  # fmt: skip
def test_manifest_quantity_errors(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_manifest_quantity(value)


def test_json_numbers_keep_their_text() -> None:
    (document,) = load_json(
        '{"cpu": 0.10, "big": 123456789012345678901234567890, "exp": 1e3, "neg": -2.5E-1}'
    )
    assert isinstance(document["cpu"], ExactNumber) and document["cpu"].text == "0.10"
    assert document["big"] == 123456789012345678901234567890
    assert str(parse_manifest_quantity(document["exp"])) == "1e3"
    assert str(parse_manifest_quantity(document["neg"])) == "-250e-3"  # an exponent stays an exponent
    assert str(parse_manifest_quantity(document["big"])) == "123456789012345678901234567890"


def test_exact_number_is_a_decimal_and_pickles() -> None:
    number = ExactNumber("0.10")
    assert number == Decimal("0.1") and repr(number) == "ExactNumber('0.10')"
    assert pickle.loads(pickle.dumps(number)).text == "0.10"


def test_json_several_values_and_errors() -> None:
    assert load_json('{"a": 1}\n{"b": 2}  ') == [{"a": 1}, {"b": 2}]
    assert load_json("") == []
    with pytest.raises(ManifestError, match=r"invalid JSON: .* \(line 1, column 7\)"):
        load_json('{"a": }')
    with pytest.raises(ManifestError, match="NaN is not valid JSON"):
        load_json('{"cpu": NaN}')


def test_yaml_documents_numbers_and_errors() -> None:
    documents = load_yaml("a: 0.5\nb: 1e3\nc: 1_000\nd: 0x10\nf:\n---\n---\n- 1\n")
    assert documents[0]["a"].text == "0.5"
    assert documents[0]["b"] == "1e3"  # YAML 1.1: no dot, no float
    assert documents[0]["c"] == 1000 and documents[0]["d"] == 16
    assert documents[0]["f"] is None
    assert documents[1] == [1]
    with pytest.raises(ManifestError, match=r"invalid YAML: .*line 2"):
        load_yaml("a: [1\nb: 2: 3\n")
    with pytest.raises(ManifestError, match=r"tag tag:yaml\.org,2002:python/object:os\.system is not allowed"):
        load_yaml("!!python/object:os.system {}\n")
    # Infinities and NaN are not JSON numbers: refused, with the place.
    with pytest.raises(ManifestError, match=r"\.inf is not a JSON number .*line 1, column 4"):
        load_yaml("e: .inf\n")


def test_yaml_null_quantity_is_zero_and_a_float_is_exact() -> None:
    # "{memory:}" without a space is read three ways: PyYAML gives the key "memory", libyaml
    # (which we use) refuses it, and kubectl's go-yaml reads the key "memory:". With the space
    # all agree.
    (pod,) = load_pods(
        "kind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n      requests: {cpu: 0.1, memory: }\n"
    )
    requests = pod.containers[0].resources.requests
    assert str(requests["cpu"]) == "100m" and str(requests["memory"]) == "0"


def test_load_documents_prefers_json_then_yaml() -> None:
    assert load_documents('{"cpu": 0.5}')[0]["cpu"].text == "0.5"
    assert load_documents("{cpu: 0.5}") == [{"cpu": ExactNumber("0.5")}]
    assert load_documents("\ufeffkind: Pod\n") == [{"kind": "Pod"}]
    with pytest.raises(ManifestError, match="invalid JSON"):
        load_documents("{cpu: [}")


def test_load_pods_numbers_documents() -> None:
    text = (
        "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: x}]}\n---\nkind: Service\n---\n"
        + json.dumps(
            {
                "kind": "List",
                "items": [{"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": TEMPLATE}}],
            }
        )
    )
    pods = load_pods(text)
    assert [(pod.label, pod.path) for pod in pods] == [
        ('document 1, Pod "a"', "spec"),
        ('document 3, Job "j"', "items[0].spec.template.spec"),
    ]
    (single,) = load_pods("kind: Pod\nspec: {containers: [{name: x}]}\n")
    assert single.document is None and single.label == "Pod"


def test_load_pods_reports_every_document_that_is_not_an_object() -> None:
    with pytest.raises(ManifestError) as caught:
        load_pods("- 1\n---\nkind: Pod\n---\nplain text\n")
    assert [str(problem) for problem in caught.value.problems] == [
        "document 1: expected a Kubernetes object, got an array",
        'document 3: expected a Kubernetes object, got string "plain text"',
    ]


def test_status_and_priority_fields() -> None:
    pod = read_pod({"kind": "Pod", "metadata": {"annotations": {"kubernetes.io/config.source": "file"}},
                    "spec": {"containers": [], "priority": 2000001000, "priorityClassName": "system-node-critical"},
                    "status": {"qosClass": "Burstable"}})  # fmt: skip
    assert (pod.priority, pod.priority_class_name, pod.status_qos_class) == (
        2000001000,
        "system-node-critical",
        "Burstable",
    )
    assert pod.annotations["kubernetes.io/config.source"] == "file"
    with pytest.raises(ManifestError, match="does not fit in a 32-bit integer"):
        read_pod({"kind": "Pod", "spec": {"containers": [], "priority": 1 << 31}})


def test_pod_resources_null_and_empty() -> None:
    assert read_pod({"kind": "Pod", "spec": {"containers": [], "resources": None}}).resources is None
    empty = read_pod({"kind": "Pod", "spec": {"containers": [], "resources": {}}}).resources
    assert empty is not None and not empty
