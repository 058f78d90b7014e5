"""Hostile and broken input: each answered with a clear status in bounded time, and the app lives on.

The bound is 3 s a request on this shared 2-core machine: ten times stricter
than gunicorn's 30 s worker timeout, which is what would otherwise cut a
pathological request off, and far above what any of these takes when handled
right (milliseconds). Peak memory is checked to stay bounded, and after each
input an ordinary request must be served normally.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

PROBLEM = "application/problem+json"
SECONDS = 3.0
MEMORY_GROWTH_BYTES = 1024 * 1024 * 1024


def merge_bomb() -> str:
    """Each level merges the previous one nine times: PyYAML 6.0.2 took 7.5 s on this shape."""
    lines = ["a: &a {" + ", ".join(f"k{i}: {i}" for i in range(9)) + "}"]
    previous = "a"
    for name in "bcdefghijklmnopqrstuvwxyz":
        lines.append(f"{name}: &{name} {{<<: [" + ", ".join([f"*{previous}"] * 9) + f"], {name}: 1}}")
        previous = name
    return "\n".join(lines) + "\nvalues: [*z, *z, *z, *z, *z, *z, *z, *z, *z]\n"


def alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append("values: *i")
    return "\n".join(lines).encode()


def _spread(count: int) -> list[dict[str, Any]]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": f"topo-{i}",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}},
        }
        for i in range(count)
    ]


def _labelled_nodes(count: int, constraints: int, pods: int = 110) -> list[dict[str, Any]]:
    return [
        {
            "name": f"n{i}",
            "cpu": "64",
            "memory": "256Gi",
            "pods": pods,
            "labels": {f"topo-{k}": f"n{i}" for k in range(constraints)},
        }
        for i in range(count)
    ]


def _bound_pod(name: str, node: str, priority: int) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"nodeName": node, "priority": priority, "containers": [{"name": "c"}]},
    }


def preemption_with_constraints(nodes: int, constraints: int) -> bytes:
    """Every node full (one pod allowed, one running) and a pod of higher priority with spread
    constraints: every node is a preemption candidate (recomputed per candidate: 19 s)."""
    incoming = {
        "kind": "Pod",
        "metadata": {"name": "incoming", "labels": {"app": "web"}},
        "spec": {
            "priority": 10,
            "containers": [{"name": "c"}],
            "topologySpreadConstraints": _spread(constraints),
        },
    }
    return json.dumps(
        {
            "pod": incoming,
            "nodes": _labelled_nodes(nodes, constraints, pods=1),
            "pods": [_bound_pod(f"low{i}", f"n{i}", 0) for i in range(nodes)],
        }
    ).encode()


def daemonset_with_spread(nodes: int) -> bytes:
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c"}], "topologySpreadConstraints": _spread(1)},
    }
    daemonset = {"kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {"template": template}}
    return json.dumps({"workloads": [daemonset], "nodes": _labelled_nodes(nodes, 1)}).encode()


def crowded_node(pods: int) -> bytes:
    incoming = {
        "kind": "Pod",
        "metadata": {"name": "incoming"},
        "spec": {"priority": 10, "containers": [{"name": "c"}]},
    }
    return json.dumps(
        {
            "pod": incoming,
            "nodes": [{"name": "n0", "cpu": "64", "memory": "64Gi", "pods": pods}],
            "pods": [_bound_pod(f"p{i}", "n0", i % 2 * 20) for i in range(pods)],
        }
    ).encode()


@dataclass
class Hostile:
    name: str
    method: str
    url: str
    status: int
    body: Callable[[], bytes] | None = None
    content_type: str | None = "application/json"
    check: Callable[[Any], bool] = field(default=lambda response: True)


def q(value: str) -> str:
    return f"/v1/quantity?value={value}"


HOSTILE: list[Hostile] = [
    Hostile(
        "1 MB quantity in a batch",
        "POST",
        "/v1/quantities/normalize",
        200,
        lambda: json.dumps({"values": ["1" * 1_000_000]}).encode(),
        check=lambda r: "longer than" in r.get_json()["results"][0]["error"],
    ),
    Hostile("1 MB quantity in a query", "GET", q("9" * 1_000_000), 422),
    Hostile(
        "1e999999999 is a valid quantity",
        "GET",
        q("1e999999999"),
        200,
        check=lambda r: r.get_json()["value"] == "1E+999999999",
    ),
    Hostile("1e999999999 cannot be converted to GiB", "GET", q("1e999999999") + "&to=GiB", 422),
    Hostile(
        "1e-999999999 rounds up to a nano",
        "GET",
        q("1e-999999999"),
        200,
        check=lambda r: r.get_json()["canonical"] == "1e-9",
    ),
    Hostile(
        "exponent wrapping to int32",
        "GET",
        q("1e4294967297"),
        200,
        check=lambda r: r.get_json()["canonical"] == "10",
    ),
    Hostile(
        "10,000 nested JSON arrays",
        "POST",
        "/v1/quantities/normalize",
        400,
        lambda: b'{"values": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    ),
    Hostile(
        "JSON body of 50 MB",
        "POST",
        "/v1/quantities/normalize",
        413,
        lambda: b'{"values": ["' + b"1" * (50 * 1024 * 1024) + b'"]}',
    ),
    Hostile("invalid UTF-8", "POST", "/v1/quantities/normalize", 400, lambda: b'{"values": ["\xc3\x28"]}'),
    Hostile(
        "UTF-16 body", "POST", "/v1/quantities/normalize", 400, lambda: '{"values": ["1"]}'.encode("utf-16")
    ),
    Hostile("YAML alias bomb", "POST", "/v1/quantities/normalize", 413, alias_bomb, "application/yaml"),
    Hostile(
        "YAML tag building a Python object",
        "POST",
        "/v1/quantities/normalize",
        422,
        lambda: b"values: !!python/object/apply:os.system ['true']",
        "application/yaml",
    ),
    Hostile(
        "YAML tag for a Python module",
        "POST",
        "/v1/quantities/normalize",
        422,
        lambda: b"values: !!python/module:os",
        "application/yaml",
    ),
    Hostile(
        "YAML nested 10,000 deep",
        "POST",
        "/v1/quantities/normalize",
        400,
        lambda: b"values: " + b"[" * 10_000 + b"]" * 10_000,
        "application/yaml",
    ),
    Hostile(
        "query string of 100 KB",
        "GET",
        "/v1/quantities/normalize?" + "&".join(["value=1Gi"] * 10_000),
        200,
        check=lambda r: len(r.get_json()["results"]) == 10_000,
    ),
    Hostile("NaN in a JSON number", "POST", "/v1/quantities/normalize", 400, lambda: b'{"values": [NaN]}'),
    Hostile(
        "Infinity in a JSON number", "POST", "/v1/quantities/sum", 400, lambda: b'{"values": [-Infinity]}'
    ),
    Hostile(
        "a JSON number of 400 digits of exponent",
        "POST",
        "/v1/quantities/normalize",
        200,
        lambda: b'{"values": [1e400]}',
        check=lambda r: r.get_json()["results"][0]["canonical"] == "10e399",
    ),
    Hostile(
        "a number where the list belongs", "POST", "/v1/quantities/normalize", 422, lambda: b'{"values": 5}'
    ),
    Hostile(
        "a number where the unit belongs",
        "POST",
        "/v1/quantities/normalize",
        422,
        lambda: b'{"values": ["1"], "to": 5}',
    ),
    Hostile(
        "booleans and objects among values",
        "POST",
        "/v1/quantities/normalize",
        200,
        lambda: b'{"values": [true, {"a": 1}, [1]]}',
        check=lambda r: all("error" in row for row in r.get_json()["results"]),
    ),
    Hostile("body null", "POST", "/v1/quantities/normalize", 422, lambda: b"null"),
    Hostile("body a bare list", "POST", "/v1/quantities/normalize", 422, lambda: b"[1, 2]"),
    Hostile("empty body", "POST", "/v1/quantities/normalize", 400, lambda: b""),
    Hostile("truncated JSON", "POST", "/v1/quantities/compare", 400, lambda: b'{"a": "1", "b": '),
    Hostile("unknown fields", "POST", "/v1/quantities/compare", 422, lambda: b'{"a": "1", "b": "2", "c": 3}'),
    Hostile("no content type", "POST", "/v1/quantities/normalize", 415, lambda: b'{"values": []}', None),
    Hostile("XML body", "POST", "/v1/quantities/normalize", 415, lambda: b"<values/>", "application/xml"),
    Hostile("NUL byte in a value", "GET", q("1%00Gi"), 422),
    Hostile(
        "a lone surrogate, answered as CSV",
        "POST",
        "/v1/quantities/normalize?format=csv",
        200,
        lambda: b'{"values": ["\\ud800", "1"]}',
        check=lambda r: "\ufffd" in r.get_data(as_text=True),
    ),
    Hostile("right-to-left override in a value", "GET", q("1%E2%80%AEGi"), 422),
    Hostile("newline after a value", "GET", q("1Gi%0A"), 422),
    Hostile("a unit name of 100 KB", "GET", q("1Gi") + "&to=" + "B" * 100_000, 422),
    Hostile("pint expression as a unit", "GET", q("1Gi") + "&to=9**9**9*byte", 422),
    Hostile(
        "pint expression in a lenient value", "GET", "/v1/quantity?lenient=true&value=9**9**9%20byte", 422
    ),
    Hostile("garbage format", "GET", q("1") + "&format=%00", 422),
    Hostile(
        "errors=text does not hide a POST's 413",
        "POST",
        "/v1/quantities/normalize?errors=text",
        413,
        lambda: b'{"values": ["' + b"1" * (11 * 1024 * 1024) + b'"]}',
    ),
    Hostile(
        "errors=text turns a GET's 422 into a cell",
        "GET",
        "/v1/fit?cpu=1&node=n1,lots,4Gi,10&errors=text",
        200,
        check=lambda r: r.get_data(as_text=True).startswith("ERROR:"),
    ),
    Hostile(
        "100,000 containers in one pod",
        "POST",
        "/v1/pods/requests",
        413,
        lambda: json.dumps(
            {
                "kind": "Pod",
                "spec": {
                    "containers": [
                        {"name": f"c{i}", "resources": {"requests": {"cpu": "1m"}}} for i in range(100_000)
                    ]
                },
            }
        ).encode(),
        check=lambda r: "containers" in r.get_json()["detail"],
    ),
    Hostile(
        "negative allocatable",
        "POST",
        "/v1/fit",
        422,
        lambda: json.dumps(
            {"pod": {"cpu": "1"}, "nodes": [{"name": "n1", "cpu": "-4", "memory": "1Gi"}]}
        ).encode(),
    ),
    Hostile(
        "absurd allocatable",
        "GET",
        "/v1/fit?cpu=1&node=n1,1e999999999,8Ei,1000000000",
        200,
        check=lambda r: r.get_json()["fits"] is True,
    ),
    Hostile(
        "CSV with 1,000,000 columns",
        "POST",
        "/v1/plan",
        422,
        lambda: (
            ",".join(f"c{i}" for i in range(1_000_000)) + "\n" + ",".join("1" * 1_000_000) + "\n"
        ).encode(),
        "text/csv",
    ),
    Hostile(
        "a number where a manifest belongs",
        "POST",
        "/v1/pods/qos",
        422,
        lambda: b"42",
    ),
    Hostile(
        "a pod whose cpu is an object",
        "POST",
        "/v1/pods/qos",
        422,
        lambda: (
            b'{"kind": "Pod", "spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": {}}}}]}}'
        ),
        check=lambda r: r.get_json()["errors"][0]["path"] == "spec.containers[0].resources.limits.cpu",
    ),
    Hostile("unknown path", "GET", "/v1/../../etc/passwd", 404),
    Hostile("wrong method", "PUT", "/v1/quantities/sum", 405, lambda: b"{}"),
    Hostile(
        "a million-value batch",
        "POST",
        "/v1/quantities/normalize",
        413,
        lambda: json.dumps({"values": ["1"] * 1_000_000}).encode(),
    ),
    Hostile(
        "100,000 distinct values past the request time limit",
        "POST",
        "/v1/quantities/normalize",
        413,
        # Converted to cores: a few seconds of work, several times the one-second budget.
        lambda: json.dumps({"values": [f"{i}e-{i}" for i in range(100_000)], "to": "cores"}).encode(),
        check=lambda r: "split it" in r.get_json()["detail"],
    ),
    # Exact or refused: a sum past the digit bound is a located 422, never a 500.
    Hostile(
        "sum past the exact digit bound",
        "GET",
        "/v1/quantities/sum?value=1e4201&value=1",
        422,
        check=lambda r: r.get_json()["errors"][0]["path"] == "value[1]",
    ),
    Hostile(
        "pod requests past the exact digit bound",
        "POST",
        "/v1/pods/requests",
        422,
        lambda: json.dumps(
            {
                "kind": "Pod",
                "metadata": {"name": "big"},
                "spec": {
                    "containers": [
                        {"name": "a", "resources": {"requests": {"cpu": "1e4201"}}},
                        {"name": "b", "resources": {"requests": {"cpu": "1"}}},
                    ]
                },
            }
        ).encode(),
        check=lambda r: r.get_json()["errors"][0]["path"] == "spec",
    ),
    Hostile(
        "10 MB of concatenated empty JSON objects",
        "POST",
        "/v1/quantities/normalize",
        400,
        lambda: b"{}" * 5_000_000,
        check=lambda r: "more than one value" in r.get_json()["detail"],
    ),
    Hostile(
        "CSV plan body of 200,000 node rows",
        "POST",
        "/v1/plan",
        413,
        lambda: ("name,cpu,memory,kind\n" + "n,1,1Gi,Node\n" * 200_000).encode(),
        "text/csv",
        check=lambda r: r.get_json()["errors"][0]["path"] == "rows",
    ),
    # Limits checked while the YAML is read: memory stays a small multiple of the body.
    Hostile(
        "10 MB YAML list of zeros (5,000,000 values)",
        "POST",
        "/v1/quantities/normalize",
        413,
        lambda: ("values: [" + ",".join(["0"] * 5_000_000) + "]\n").encode(),
        "application/yaml",
        check=lambda r: "YAML" in r.get_json()["detail"],  # its value limit, or the deadline first
    ),
    Hostile(
        "YAML stream of 100,000 empty documents",
        "POST",
        "/v1/quantities/normalize",
        413,
        lambda: b"--- {}\n" * 100_000,
        "application/yaml",
        check=lambda r: "documents" in r.get_json()["detail"],
    ),
    Hostile(
        "YAML merge-key bomb",
        "POST",
        "/v1/quantities/normalize",
        413,
        lambda: merge_bomb().encode(),
        "application/yaml",
    ),
    Hostile(
        "YAML date where a quantity belongs",
        "POST",
        "/v1/quantities/normalize",
        422,
        lambda: b"values: [1Gi, 2024-01-01]",
        "application/yaml",
        check=lambda r: r.get_json()["errors"][0]["path"] == "values[1]",
    ),
    Hostile(
        "YAML integer of 5,000 digits",
        "POST",
        "/v1/pods/requests",
        422,
        lambda: ("kind: Pod\nspec:\n  priority: " + "7" * 5000 + "\n  containers: []\n").encode(),
        "application/yaml",
        check=lambda r: r.get_json()["errors"][0]["path"] == "spec.priority",
    ),
    Hostile(
        "YAML .inf and .nan",
        "POST",
        "/v1/quantities/normalize",
        422,
        lambda: b"values: [.inf, .nan]",
        "application/yaml",
    ),
    # Scheduler work: capped where it would grow without bound, linear where it used to be quadratic.
    Hostile(
        "a billion replicas in a 93-character URL",
        "GET",
        "/v1/plan?workload=web,1000000000,0,0&node=n1,1,1Gi,1000000000",
        413,
        check=lambda r: (
            r.get_json()["errors"][0]["path"] == "workload[0].replicas"
            and "max-replicas" in r.get_json()["detail"]
        ),
    ),
    Hostile(
        "10,000 replicas (the cap) on one roomy node",
        "GET",
        "/v1/plan?workload=web,10000,0,0&node=n1,1,1Gi,1000000000",
        200,
        check=lambda r: r.get_json()["workloads"][0]["placed"] == 10_000,
    ),
    Hostile(
        "a Deployment of 20,000 replicas",
        "POST",
        "/v1/plan",
        413,
        lambda: json.dumps(
            {
                "workloads": [
                    {
                        "kind": "Deployment",
                        "metadata": {"name": "web"},
                        "spec": {"replicas": 20_000, "template": {"spec": {"containers": [{"name": "c"}]}}},
                    }
                ],
                "nodes": [{"name": "n1", "cpu": "4", "memory": "8Gi"}],
            }
        ).encode(),
        check=lambda r: r.get_json()["errors"][0]["path"] == "workloads[0].spec.replicas",
    ),
    Hostile(
        "100 workloads of 10,000 replicas past the request time limit",
        "POST",
        "/v1/plan",
        413,
        lambda: json.dumps(
            {
                "workloads": [{"name": f"w{i}", "replicas": 10_000} for i in range(100)],
                "nodes": [{"name": "n1", "cpu": "4", "memory": "8Gi", "pods": 1_000_000}],
            }
        ).encode(),
        check=lambda r: "split it" in r.get_json()["detail"] and "plan of" in r.get_json()["detail"],
    ),
    Hostile(
        "preemption over 1,000 full nodes with 16 spread constraints",
        "POST",
        "/v1/fit",
        200,
        lambda: preemption_with_constraints(1000, 16),
        check=lambda r: len(r.get_json()["preemption_nodes"]) == 1000,
    ),
    Hostile(
        "preemption over 250 full nodes with 256 spread constraints",
        "POST",
        "/v1/fit",
        200,
        lambda: preemption_with_constraints(250, 256),
        check=lambda r: len(r.get_json()["preemption_nodes"]) == 250,
    ),
    Hostile(
        "a DaemonSet with a spread constraint on 1,000 nodes",
        "POST",
        "/v1/plan",
        200,
        lambda: daemonset_with_spread(1000),
        check=lambda r: r.get_json()["workloads"][0]["placed"] == 1000,
    ),
    Hostile(
        "5,000 pods of alternating priorities on one node",
        "POST",
        "/v1/fit",
        200,
        lambda: crowded_node(5_000),
        check=lambda r: r.get_json()["preemption_nodes"] == ["n0"],
    ),
    Hostile(
        "60,000 pods on one node: reading them outlasts the request time limit",
        "POST",
        "/v1/fit",
        413,
        lambda: crowded_node(60_000),
        check=lambda r: "reading the cluster" in r.get_json()["detail"],
    ),
]


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture(scope="module")
def hostile_app() -> Flask:
    from api import create_app

    # A one-second request budget: the time-limit row must be cut off well within SECONDS.
    return create_app({"TESTING": True, "REQUEST_SECONDS": 1})


@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_hostile_input_gets_a_clear_answer_and_the_app_lives_on(hostile_app: Flask, case: Hostile) -> None:
    client = hostile_app.test_client()
    body = case.body() if case.body else None
    before = peak_rss_bytes()
    started = time.perf_counter()
    response = client.open(case.url, method=case.method, data=body, content_type=case.content_type)
    elapsed = time.perf_counter() - started
    assert response.status_code == case.status, response.get_data(as_text=True)[:500]
    if case.status >= 400:
        assert response.mimetype == PROBLEM
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "site-packages" not in text and '.py"' not in text
    assert case.check(response), text[:500]
    assert elapsed < SECONDS, f"{case.name} took {elapsed:.2f} s"
    assert peak_rss_bytes() - before < MEMORY_GROWTH_BYTES
    follow_up = client.get("/v1/quantity?value=1.5Gi&format=text")
    assert (follow_up.status_code, follow_up.get_data()) == (200, b"1536Mi\n")


def test_there_are_at_least_forty_hostile_inputs() -> None:
    assert len(HOSTILE) >= 40


def test_every_json_answer_is_strict_json() -> None:
    """tests/conftest.py parses every JSON answer of the suite strictly; this proves the check bites."""
    from flask import Response

    from api import create_app

    app: Flask = create_app({"TESTING": True})

    @app.route("/not-json")
    def not_json() -> Response:
        return Response('{"value": NaN}', mimetype="application/json")

    with pytest.raises(AssertionError, match="NaN"):
        app.test_client().get("/not-json")
