"""``kubernetes_version`` and ``feature_gates`` on every /v1 operation; ``Kubernetes-Version`` on all answers.

* Every /v1 operation of the contract declares both parameters (pattern and supported list),
  every JSON object body that can carry them declares them, every JSON answer declares the field.
* Every operation refuses an unsupported release with a located 422 listing the supported ones,
  and answers for the one asked: header and JSON field.
* A JSON object body may carry them instead of the query, not both with different values.
* The service's default: ``KQ_KUBERNETES_VERSION`` at start (a bad one stops it, in words),
  else the library's process default; the answer cache keys on the release as resolved.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.config import check_environment
from api.problems import PROBLEM_TYPE
from quantities.versions import NEWEST, SUPPORTED, UnsupportedVersion, set_default_kubernetes_version
from tests.api.test_api_contract import EXCHANGES
from tests.server import ROOT, gunicorn

SUPPORTED_LIST = ", ".join(str(version) for version in SUPPORTED)
HEADER = "Kubernetes-Version"


@pytest.fixture(autouse=True)
def _no_environment_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import quantities.versions

    monkeypatch.delenv("KQ_KUBERNETES_VERSION", raising=False)
    # A test that sets the process default gets it undone, whatever happens.
    monkeypatch.setattr(quantities.versions, "_process_default", None)


def _spec(app: Flask) -> dict[str, Any]:
    return app.extensions["kq_api"].spec.to_dict()  # type: ignore[no-any-return]


def _operations(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in _spec(app)["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if method != "parameters"  # a path's own parameters ({name}), not an operation
    ]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _with(url: str, **parameters: str) -> str:
    extra = "&".join(f"{name}={value}" for name, value in parameters.items())
    return url + ("&" if "?" in url else "?") + extra


# ---- the contract ----


def test_every_v1_operation_declares_the_release_parameters(app: Flask) -> None:
    operations = _operations(app)
    assert len(operations) >= 15
    for method, path, operation in operations:
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"kubernetes_version", "feature_gates"} <= query.keys(), (method, path)
        version = query["kubernetes_version"]
        assert SUPPORTED_LIST in version["description"] and f"else {NEWEST}" in version["description"]
        pattern = re.compile(version["schema"]["pattern"])
        for good in ("", "1.28", "v1.36", "1.34.1", "v1.30.4-gke.1348000", *(str(v) for v in SUPPORTED)):
            assert pattern.search(good), good
        for bad in ("1.27", "1.37", "2.0", "latest", "1.3", "1.280"):
            assert not pattern.search(bad), bad
        assert "kubelet" in query["feature_gates"]["description"]


def test_json_object_bodies_declare_the_release_fields(app: Flask) -> None:
    spec = _spec(app)
    carrying = set()
    for method, path, operation in _operations(app):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        schema = _resolve(spec, body["schema"])
        if schema.get("type") == "object" or "properties" in schema:
            assert {"kubernetes_version", "feature_gates"} <= schema["properties"].keys(), (method, path)
            carrying.add((method, path))
    assert {("POST", "/v1/fit"), ("POST", "/v1/plan"), ("POST", "/v1/quantities/normalize")} <= carrying
    assert {("POST", "/v1/quantities/sum"), ("POST", "/v1/quantities/compare")} <= carrying


def test_every_json_answer_declares_the_field(app: Flask) -> None:
    spec = _spec(app)
    for _, path, operation in [*_operations(app), *_health_operations(app)]:
        content = operation["responses"]["200"].get("content", {})
        schema = _resolve(spec, content["application/json"]["schema"])
        assert "kubernetes_version" in schema["properties"] and "kubernetes_version" in schema["required"], (
            path
        )


def test_every_documented_answer_declares_the_header(app: Flask) -> None:
    spec = _spec(app)
    every = [*_operations(app), *_health_operations(app)]
    for _, path, operation in every:
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            assert response["headers"][HEADER] == {"$ref": "#/components/headers/KubernetesVersion"}, (
                path,
                status,
            )
    assert "1.28 to 1.36" in spec["components"]["headers"]["KubernetesVersion"]["description"]


def _health_operations(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    paths = _spec(app)["paths"]
    return [("GET", path, paths[path]["get"]) for path in ("/livez", "/readyz", "/healthz")]


# ---- every operation: refused, or answered for the release asked ----


def _operation_ids(app: Flask) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in _operations(app)]


OPERATIONS = _operation_ids(create_app({"TESTING": True}))


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize(
    ("parameters", "name", "words"),
    [
        (
            {"kubernetes_version": "1.27"},
            "kubernetes_version",
            f'"1.27" is not supported: use one of {SUPPORTED_LIST}',
        ),
        ({"kubernetes_version": "latest"}, "kubernetes_version", SUPPORTED_LIST),
        (
            {"kubernetes_version": "1.30", "feature_gates": "PodLevelResources=false"},
            "feature_gates",
            "Kubernetes 1.30 does not have it",
        ),
        ({"feature_gates": "SidecarContainers=false"}, "feature_gates", "locked to true in Kubernetes 1.36"),
        ({"feature_gates": "Sidecars"}, "feature_gates", "missing bool value"),
    ],
)
def test_every_operation_refuses_what_it_cannot_answer_for(
    client: FlaskClient, method: str, path: str, parameters: dict[str, str], name: str, words: str
) -> None:
    response = client.open(_with(path, **parameters), method=method)
    assert response.status_code == 422 and response.mimetype == PROBLEM_TYPE
    document = response.get_json()
    assert words in document["detail"]
    [row] = document["errors"]
    assert (row["path"], row["in"]) == (name, "query") and words in row["message"]
    assert row["value"] == json.dumps(parameters[name])
    # Refused: the header says the service's default, the document claims no release.
    assert response.headers[HEADER] == str(NEWEST) and "kubernetes_version" not in document


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_says_the_release_asked_for_even_in_its_errors(
    client: FlaskClient, method: str, path: str
) -> None:
    # No body and no other parameter: whatever the operation says, it says it for 1.30.
    response = client.open(_with(path, kubernetes_version="v1.30.2"), method=method)
    assert response.headers[HEADER] == "1.30.2"
    assert response.get_json()["kubernetes_version"] == "1.30.2"


@pytest.mark.parametrize("name", ["kubernetes_version", "feature_gates"])
def test_a_repeated_parameter_must_agree(client: FlaskClient, name: str) -> None:
    first, second = ("1.30", "1.31") if name == "kubernetes_version" else ("A=true", "B=true")
    response = client.get(f"/v1/quantity?value=1&{name}={first}&{name}={second}")
    assert response.status_code == 422
    assert [(row["path"], row["in"]) for row in response.get_json()["errors"]] == [(name, "query")]
    same = client.get("/v1/quantity?value=1&kubernetes_version=1.30&kubernetes_version=1.30")
    assert same.headers[HEADER] == "1.30"


def test_errors_text_says_the_supported_releases_in_the_cell(client: FlaskClient) -> None:
    response = client.get("/v1/quantity?value=1&format=text&errors=text&kubernetes_version=1.99")
    assert response.status_code == 200 and response.headers[HEADER] == str(NEWEST)
    assert response.get_data(as_text=True).startswith(
        f'ERROR: kubernetes_version "1.99" is not supported: use one of {SUPPORTED_LIST}'
    )


_GOOD = [
    (method, url, options)
    for method, url, options in EXCHANGES
    if url.startswith("/v1/") and url != "/v1/nope" and method in ("GET", "POST")
]


@pytest.mark.parametrize(("method", "url", "options"), _GOOD)
def test_the_exchanges_answer_for_the_release_asked(
    app: Flask, method: str, url: str, options: dict[str, Any]
) -> None:
    if "kubernetes_version=" in url:
        pytest.skip("the exchange names its own release (a refusal row)")
    default = app.test_client().open(url, method=method, **options)
    asked = app.test_client().open(_with(url, kubernetes_version="1.33"), method=method, **options)
    assert (default.headers[HEADER], asked.headers[HEADER]) == (str(NEWEST), "1.33")
    assert asked.status_code == default.status_code
    if asked.mimetype == "application/json" or (asked.mimetype == PROBLEM_TYPE and asked.status_code != 400):
        assert next(iter(asked.get_json().items())) == ("kubernetes_version", "1.33") or (
            asked.get_json()["kubernetes_version"] == "1.33"
        )
    if asked.mimetype == "application/json":
        assert next(iter(asked.get_json())) == "kubernetes_version"
    if asked.mimetype in ("text/csv", "text/plain"):
        assert "kubernetes_version" not in asked.get_data(as_text=True)


@pytest.mark.parametrize(("method", "url", "options"), EXCHANGES)
def test_every_answer_carries_the_header(app: Flask, method: str, url: str, options: dict[str, Any]) -> None:
    response = app.test_client().open(url, method=method, **options)
    assert response.headers[HEADER] == str(NEWEST)


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/healthz", "/openapi.json", "/docs", "/nope"])
def test_answers_outside_v1_say_the_default(client: FlaskClient, path: str) -> None:
    response = client.get(path + "?kubernetes_version=1.27")  # not read outside /v1
    assert response.headers[HEADER] == str(NEWEST) and response.status_code in (200, 404)
    if path in ("/livez", "/readyz", "/healthz"):
        assert response.get_json()["kubernetes_version"] == str(NEWEST)


def test_head_and_preflight_carry_the_header(client: FlaskClient) -> None:
    assert client.head("/v1/quantity?value=1&kubernetes_version=1.29").headers[HEADER] == "1.29"
    preflight = client.options(
        "/v1/fit", headers={"Origin": "https://dash.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers[HEADER] == str(NEWEST)


@pytest.mark.parametrize("origins", ["*", "https://a.example"])
def test_cors_exposes_the_header(origins: str) -> None:
    client = create_app({"TESTING": True, "CORS_ORIGINS": origins}).test_client()
    response = client.get("/v1/quantity?value=1", headers={"Origin": "https://a.example"})
    exposed = [name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")]
    assert HEADER in exposed


# ---- a JSON object body's fields ----

_FIT = {"pod": {"cpu": "1"}, "nodes": [{"name": "n", "cpu": "2", "memory": "1Gi"}]}
_PLAN = {
    "workloads": [{"name": "w", "replicas": 1, "cpu": "1"}],
    "nodes": [{"name": "n", "cpu": "2", "memory": "1Gi"}],
}
_BODIES = [
    ("/v1/quantities/normalize", {"values": ["1Gi"]}),
    ("/v1/quantities/sum", {"values": ["1Gi", "1Mi"]}),
    ("/v1/quantities/compare", {"a": "1", "b": "1000m"}),
    ("/v1/fit", _FIT),
    ("/v1/plan", _PLAN),
]


@pytest.mark.parametrize(("path", "body"), _BODIES)
def test_a_json_body_may_name_the_release(client: FlaskClient, path: str, body: dict[str, Any]) -> None:
    response = client.post(
        path, json={**body, "kubernetes_version": "1.34", "feature_gates": {"PodLevelResources": False}}
    )
    assert response.status_code == 200, response.get_json()
    assert response.headers[HEADER] == "1.34" and response.get_json()["kubernetes_version"] == "1.34"
    as_text = client.post(
        path, json={**body, "kubernetes_version": "1.29", "feature_gates": "SidecarContainers=true"}
    )
    assert as_text.status_code == 200 and as_text.headers[HEADER] == "1.29"
    same = client.post(path + "?kubernetes_version=1.31", json={**body, "kubernetes_version": "1.31"})
    assert same.status_code == 200 and same.headers[HEADER] == "1.31"
    from_query = client.post(path + "?kubernetes_version=1.31", json=body)
    assert from_query.get_json()["kubernetes_version"] == "1.31"


@pytest.mark.parametrize(("path", "body"), _BODIES)
def test_a_body_and_a_query_that_disagree_are_refused(
    client: FlaskClient, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path + "?kubernetes_version=1.31", json={**body, "kubernetes_version": "1.32"})
    assert response.status_code == 422
    rows = response.get_json()["errors"]
    assert [(row["path"], row["in"]) for row in rows] == [
        ("kubernetes_version", "body"),
        ("kubernetes_version", "query"),
    ]


@pytest.mark.parametrize(("path", "body"), _BODIES)
@pytest.mark.parametrize(
    ("fields", "name", "words"),
    [
        ({"kubernetes_version": "1.27"}, "kubernetes_version", SUPPORTED_LIST),
        ({"kubernetes_version": 1.3}, "kubernetes_version", "string"),
        ({"feature_gates": {"PodLevelResources": "false"}}, "feature_gates", "object of booleans"),
        ({"feature_gates": ["PodLevelResources=false"]}, "feature_gates", "object of booleans"),
        (
            {"kubernetes_version": "1.31", "feature_gates": {"PodLevelResources": False}},
            "feature_gates",
            "does not have it",
        ),
    ],
)
def test_bad_release_fields_in_a_body_are_located(
    client: FlaskClient, path: str, body: dict[str, Any], fields: dict[str, Any], name: str, words: str
) -> None:
    response = client.post(path, json={**body, **fields})
    assert response.status_code == 422, response.get_json()
    rows = [row for row in response.get_json()["errors"] if row["path"] == name]
    assert rows and rows[0]["in"] == "body" and words in rows[0]["message"]


def test_manifest_bodies_take_the_query_parameters(client: FlaskClient) -> None:
    pod_level = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "resources": {"requests": {"cpu": "2", "memory": "2Gi"}},
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}],
        },
    }

    def requests(query: str) -> dict[str, str]:
        response = client.post("/v1/pods/requests" + query, json=pod_level)
        assert response.status_code == 200
        return dict(response.get_json()["objects"][0]["requests"])

    containers, pod_level_requests = {"cpu": "500m", "memory": "1Gi"}, {"cpu": "2", "memory": "2Gi"}
    # PodLevelResources: off by default in 1.32-1.33 (the API server drops spec.resources), on from 1.34.
    assert requests("?kubernetes_version=1.33") == containers
    assert requests("?kubernetes_version=1.34") == pod_level_requests
    assert requests("") == pod_level_requests
    assert requests("?kubernetes_version=1.33&feature_gates=PodLevelResources=true") == pod_level_requests
    assert requests("?feature_gates=PodLevelResources=false") == containers
    assert requests("?pod_level_resources=false") == containers
    assert requests("?kubernetes_version=1.30&pod_level_resources=false") == containers


_WATCHED = [
    ("api.nodes", "check_fit"),
    ("api.nodes", "plan"),
    ("api.nodes", "node_allocated"),
    ("api.nodes", "node_and_pods"),
    ("api.nodes", "read_csv_table"),
    ("api.pods", "checked_pods"),
]


@pytest.mark.parametrize(("method", "url", "options"), [e for e in _GOOD if "/v1/quantit" not in e[1]])
def test_the_release_reaches_every_library_call(
    app: Flask, monkeypatch: pytest.MonkeyPatch, method: str, url: str, options: dict[str, Any]
) -> None:
    seen: list[object] = []

    def spy(function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = kwargs.get("options")
            seen.append(None if given is None else (str(given.version), given.feature_gates))
            return function(*args, **kwargs)

        return wrapper

    for module_name, name in _WATCHED:
        module = importlib.import_module(module_name)
        monkeypatch.setattr(module, name, spy(getattr(module, name)))
    asked = _with(url, kubernetes_version="1.33", feature_gates="PodLevelResources=true")
    app.test_client().open(asked, method=method, **options)
    # pod_level_resources=false is the same gate, set after the query's.
    gate = "pod_level_resources=false" not in url
    assert set(seen) <= {("1.33", (("PodLevelResources", gate),))}, seen


# ---- the service's default ----


def test_the_environment_sets_the_service_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", "v1.31.1")
    client = create_app({"TESTING": True}).test_client()
    response = client.get("/v1/quantity?value=1")
    assert response.headers[HEADER] == "1.31.1" and response.get_json()["kubernetes_version"] == "1.31.1"
    assert client.get("/v1/quantity?value=1&kubernetes_version=1.29").headers[HEADER] == "1.29"
    assert client.get("/readyz").get_json()["kubernetes_version"] == "1.31.1"


def test_the_configured_default_is_read_once_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app({"TESTING": True, "KUBERNETES_VERSION": "1.30"}).test_client()
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", "1.99")  # changed after start: not read again
    assert client.get("/v1/quantity?value=1").headers[HEADER] == "1.30"


@pytest.mark.parametrize("value", ["1.99", "1.27", "latest"])
def test_a_bad_default_stops_the_service_in_words(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", value)
    message = (
        f'kubernetes_version "{value}" (from the environment variable KQ_KUBERNETES_VERSION) is not '
        f"supported: use one of {SUPPORTED_LIST} (a patch release may follow, as in 1.34.1)"
    )
    with pytest.raises(UnsupportedVersion) as raised:
        create_app({"TESTING": True})
    assert str(raised.value) == message
    import os

    assert check_environment(os.environ) == [message]


def test_check_environment_names_every_setting() -> None:
    assert check_environment({}) == []
    assert check_environment({"KQ_KUBERNETES_VERSION": "1.32"}) == []
    assert check_environment({"KQ_MAX_ROWS": "lots"}) == ['KQ_MAX_ROWS must be a whole number, not "lots"']


def test_gunicorn_refuses_to_start_with_an_unsupported_release() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "api/gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
            "api.wsgi:app",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "KQ_KUBERNETES_VERSION": "1.99", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert stderr.startswith(
        'kube-quantities cannot start: kubernetes_version "1.99" (from the environment variable'
    )
    assert SUPPORTED_LIST in stderr and "Traceback" not in stderr


def test_gunicorn_answers_for_the_environment_default() -> None:
    with gunicorn(environment={"KQ_KUBERNETES_VERSION": "1.30"}) as server:
        status, body = server.get("/v1/quantity?value=1")
        assert status == 200 and json.loads(body)["kubernetes_version"] == "1.30"


def test_the_library_default_applies_to_an_embedded_app_and_the_cache_keys_on_it(app: Flask) -> None:
    client = app.test_client()
    url = "/v1/fit?cpu=1&node=n1,2,4Gi,10&format=csv"
    first = client.get(url)
    assert first.headers[HEADER] == str(NEWEST)
    set_default_kubernetes_version("1.30")
    second = client.get(url)
    assert second.headers[HEADER] == "1.30"
    assert second.get_data() == first.get_data()  # the same table...
    assert second.headers["ETag"] != first.headers["ETag"]  # ...for another release
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    assert client.get(url, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
    set_default_kubernetes_version(None)
    assert client.get(url).headers["ETag"] == first.headers["ETag"]


def test_the_cache_keys_on_the_release_as_resolved(app: Flask) -> None:
    client = app.test_client()
    cache = app.extensions["kq_answer_cache"]
    answers = {
        spelled: client.get(f"/v1/quantity?value=1&kubernetes_version={spelled}").get_json()[
            "kubernetes_version"
        ]
        for spelled in ("1.30", "v1.30", "1.31", "1.31.0")
    }
    assert answers == {"1.30": "1.30", "v1.30": "1.30", "1.31": "1.31", "1.31.0": "1.31.0"}
    gated = client.get("/v1/quantity?value=1&kubernetes_version=1.33&feature_gates=PodLevelResources=true")
    assert gated.status_code == 200
    releases = {(str(key[-2]), key[-1]) for key in cache.kept}
    assert releases == {("1.30", ()), ("1.31", ()), ("1.31.0", ()), ("1.33", (("PodLevelResources", True),))}
