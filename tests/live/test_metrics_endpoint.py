"""/metrics through the Flask app: the service's own requests, and the cluster's numbers from a source."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

import api.metrics as api_metrics
from api import create_app, openapi_yaml
from api.metrics import SettingError
from quantities.capacity.metrics import cluster_gauges, unit_of
from quantities.capacity.probes import parse_probe_shapes
from quantities.quantity.quantity import Quantity
from tests.live.static_cluster import StaticCluster, low_headroom_cluster, node, pod

SHAPES = "web=500m/1Gi,batch=2/8Gi"
#: Every label a kq_ metric may carry: values from a bounded set only.
BOUNDED_LABELS = {"node", "resource", "unit", "shape", "endpoint", "method", "status", "le"}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def app_with(source: StaticCluster | None = None, **config: Any) -> Flask:
    settings: dict[str, Any] = {"HEADROOM_SHAPES": SHAPES, "METRICS_WAIT_SECONDS": 60, **config}
    if source is not None:
        settings["CLUSTER_SOURCE"] = source
    return create_app(settings)


@pytest.fixture
def cluster() -> StaticCluster:
    return StaticCluster(low_headroom_cluster())


@pytest.fixture
def client(cluster: StaticCluster) -> Iterator[FlaskClient]:
    yield app_with(cluster).test_client()


def scrape(client: FlaskClient, **headers: str) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- without a cluster -----------------------------------------------------------------------------


def test_without_a_cluster_the_service_metrics_are_served() -> None:
    client = app_with(None).test_client()
    client.get("/livez")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    found = samples(text)
    assert value(found, "kq_http_requests_total", endpoint="/livez", method="GET", status="200") == 1
    assert "kq_node_" not in text and "kq_cluster_" not in text and "kq_headroom" not in text


def test_requests_are_counted_by_rule_method_and_status_not_by_path() -> None:
    client = app_with(None).test_client()
    for path in ("/v1/quantity?value=1Gi", "/v1/quantity?value=2Gi", "/no/such/path/1", "/no/such/path/2"):
        client.get(path)
    client.open("/livez", method="BREW")  # any token a client sends is a method to werkzeug
    client.post("/livez")
    found = samples(scrape(client))
    assert value(found, "kq_http_requests_total", endpoint="/v1/quantity", method="GET", status="200") == 2
    assert value(found, "kq_http_requests_total", endpoint="unmatched", method="GET", status="404") == 2
    # A method the path does not take matches no rule either.
    assert value(found, "kq_http_requests_total", endpoint="unmatched", method="other", status="405") == 1
    assert value(found, "kq_http_requests_total", endpoint="unmatched", method="POST", status="405") == 1
    assert value(found, "kq_http_request_duration_seconds_count", endpoint="/v1/quantity", method="GET",
                 status="200") == 2  # fmt: skip
    for (_, labels), _ in found.items():
        assert {name for name, _ in labels} <= BOUNDED_LABELS
    assert "/no/such/path" not in scrape(client) and "BREW" not in scrape(client)


def test_an_answer_from_the_cache_and_a_304_are_counted_as_answered() -> None:
    client = app_with(None).test_client()
    first = client.get("/v1/quantity?value=1Gi")
    client.get("/v1/quantity?value=1Gi")  # the worker's answer cache answers
    client.get("/v1/quantity?value=1Gi", headers={"If-None-Match": first.headers["ETag"]})
    found = samples(scrape(client))
    assert value(found, "kq_http_requests_total", endpoint="/v1/quantity", method="GET", status="200") == 2
    assert value(found, "kq_http_requests_total", endpoint="/v1/quantity", method="GET", status="304") == 1


def test_an_error_is_counted_with_its_status() -> None:
    client = app_with(None).test_client()
    assert client.get("/v1/quantity?value=2x").status_code == 422
    found = samples(scrape(client))
    assert value(found, "kq_http_requests_total", endpoint="/v1/quantity", method="GET", status="422") == 1


# -- the endpoint itself ---------------------------------------------------------------------------


def test_metrics_are_for_scrapers_not_cached_not_cross_origin(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Origin": "https://example.com"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/plain"
    # Other answers keep their CORS headers.
    assert client.get("/livez").headers["Access-Control-Allow-Origin"] == "*"


def test_gzip_when_the_scraper_accepts_it(client: FlaskClient) -> None:
    plain = client.get("/metrics").get_data()
    response = client.get("/metrics", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    unzipped = gzip.decompress(response.get_data())

    def steady(body: bytes) -> list[bytes]:
        return [line for line in body.splitlines() if b"kq_http" not in line and b"age_seconds" not in line]

    assert steady(unzipped) == steady(plain)


def test_openmetrics_when_the_scraper_asks_for_it(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.mimetype == "application/openmetrics-text"
    assert response.get_data(as_text=True).endswith("# EOF\n")


def test_head_answers_without_a_body(client: FlaskClient) -> None:
    response = client.head("/metrics")
    assert response.status_code == 200 and response.get_data() == b""


def test_metrics_is_documented_as_text_in_openapi() -> None:
    document = yaml.safe_load(openapi_yaml(app_with(None)))
    operation = document["paths"]["/metrics"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/plain", "application/openmetrics-text"}


# -- the cluster's numbers -------------------------------------------------------------------------


def test_the_cluster_numbers_are_the_librarys(client: FlaskClient, cluster: StaticCluster) -> None:
    found = samples(scrape(client))
    gauges = cluster_gauges(cluster.objects, parse_probe_shapes(SHAPES))
    for row in gauges.nodes:
        assert value(found, "kq_node_schedulable", node=row.name) == (1 if row.schedulable else 0)
        for gauge in row.resources:
            labels = {"node": row.name, "resource": gauge.resource, "unit": unit_of(gauge.resource)}
            assert value(found, "kq_node_allocatable", **labels) == float(gauge.allocatable)
            assert value(found, "kq_node_requests", **labels) == float(gauge.requests)
            assert value(found, "kq_node_free", **labels) == float(gauge.free)
            if gauge.limits is None:
                assert ("kq_node_limits", tuple(sorted(labels.items()))) not in found
            else:
                assert value(found, "kq_node_limits", **labels) == float(gauge.limits)
    for gauge in gauges.total:
        labels = {"resource": gauge.resource, "unit": unit_of(gauge.resource)}
        assert value(found, "kq_cluster_free", **labels) == float(gauge.free)
        assert value(found, "kq_cluster_allocatable", **labels) == float(gauge.allocatable)
    for headroom in gauges.headroom:
        assert value(found, "kq_headroom_pods", shape=headroom.shape.name) == headroom.total
        for name, count in headroom.per_node:
            assert value(found, "kq_headroom_node_pods", shape=headroom.shape.name, node=name) == count
        for resource, amount in headroom.stranded:
            labels = {"shape": headroom.shape.name, "resource": resource, "unit": unit_of(resource)}
            assert value(found, "kq_stranded", **labels) == float(amount)
    assert value(found, "kq_cluster_nodes") == 3 and value(found, "kq_cluster_schedulable_nodes") == 2
    assert value(found, "kq_cluster_ready") == 1 and value(found, "kq_cluster_stale") == 0
    assert value(found, "kq_cluster_state_generation") == value(found, "kq_cluster_metrics_generation") == 1
    assert value(found, "kq_headroom_shape_requests", shape="web", resource="memory", unit="byte") == 2**30


def test_the_alertable_headroom_is_the_offline_max_replicas_answer(
    client: FlaskClient, cluster: StaticCluster
) -> None:
    """One definition: POST /v1/max-replicas and /v1/stranded on the same objects give the same numbers."""
    found = samples(scrape(client))
    nodes = [o for o in cluster.objects if o["kind"] == "Node"]
    pods = [o for o in cluster.objects if o["kind"] == "Pod"]
    for shape in parse_probe_shapes(SHAPES):
        body = {"nodes": nodes, "pods": pods, "pod": {"cpu": str(shape.cpu), "memory": str(shape.memory)}}
        answer = client.post("/v1/max-replicas", json=body).get_json()
        assert value(found, "kq_headroom_pods", shape=shape.name) == answer["total"]
        for row in answer["nodes"]:
            count = value(found, "kq_headroom_node_pods", shape=shape.name, node=row["name"])
            assert count == row["replicas"]
        stranded = client.post("/v1/stranded", json=body).get_json()
        memory = stranded["total"]["stranded"]["memory"]
        stranded_bytes = float(Quantity(memory).to_fraction())
        assert value(found, "kq_stranded", shape=shape.name, resource="memory", unit="byte") == stranded_bytes
    assert value(found, "kq_headroom_pods", shape="web") == 2  # low: the alert's example fires below 3


def test_label_values_are_bounded_no_pod_names(client: FlaskClient) -> None:
    text = scrape(client)
    for name in ("busy-a", "busy-b", "waiting", "default"):
        assert name not in text
    for (_, labels), _ in samples(text).items():
        assert {label for label, _ in labels} <= BOUNDED_LABELS
    assert all(line.startswith(("kq_", "# HELP kq_", "# TYPE kq_")) for line in text.splitlines() if line)


def test_numbers_are_computed_once_per_generation(
    client: FlaskClient, cluster: StaticCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = api_metrics.cluster_gauges

    def counting(items: Any, *arguments: Any, **keywords: Any) -> Any:
        calls.append(len(items))
        return original(items, *arguments, **keywords)

    monkeypatch.setattr(api_metrics, "cluster_gauges", counting)
    first = samples(scrape(client))
    second = samples(scrape(client))
    assert len(calls) == 1
    assert {k: v for k, v in first.items() if not k[0].startswith(("kq_http", "kq_cluster_state_age"))} == {
        k: v for k, v in second.items() if not k[0].startswith(("kq_http", "kq_cluster_state_age"))
    }
    cluster.replace([*cluster.objects, node("node-d", "4", "8Gi")])
    third = samples(scrape(client))
    assert len(calls) == 2
    assert value(third, "kq_cluster_metrics_generation") == 2
    assert value(third, "kq_headroom_node_pods", shape="web", node="node-d") == 8


def test_the_objects_changing_change_the_numbers(client: FlaskClient, cluster: StaticCluster) -> None:
    assert value(samples(scrape(client)), "kq_headroom_pods", shape="web") == 2
    cluster.replace([o for o in cluster.objects if o["metadata"]["name"] != "busy-b"])
    found = samples(scrape(client))
    assert value(found, "kq_headroom_pods", shape="web") == 5  # node-b empty: 4 by cpu; node-a: 1
    cluster.replace([*cluster.objects, pod("new", "node-b", "2", "1Gi")])
    assert value(samples(scrape(client)), "kq_headroom_pods", shape="web") == 1


def test_a_source_without_state_still_answers(client: FlaskClient, cluster: StaticCluster) -> None:
    cluster.fail("cannot reach the Kubernetes API server")
    response = client.get("/metrics")
    assert response.status_code == 200
    found = samples(response.get_data(as_text=True))
    assert value(found, "kq_cluster_ready") == 0
    assert not any(name.startswith(("kq_node_", "kq_headroom")) for name, _ in found)


def test_a_stale_state_is_said(cluster: StaticCluster) -> None:
    cluster.stale = True
    found = samples(scrape(app_with(cluster).test_client()))
    assert value(found, "kq_cluster_stale") == 1
    assert value(found, "kq_cluster_state_age_seconds") >= 0
    assert value(found, "kq_headroom_pods", shape="web") == 2


def test_a_failed_computation_still_answers(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(api_metrics, "cluster_gauges", broken)
    found = samples(scrape(client))
    assert value(found, "kq_cluster_ready") == 1
    assert not any(name.startswith(("kq_node_", "kq_headroom")) for name, _ in found)
    assert "could not be computed" in caplog.text
    scrape(client)  # the same generation is not tried again at every scrape
    assert caplog.text.count("could not be computed") == 1


def test_a_slow_computation_answers_with_the_previous_numbers(
    cluster: StaticCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app_with(cluster, METRICS_WAIT_SECONDS=0).test_client()
    release = threading.Event()
    original = api_metrics.cluster_gauges

    def slow(*arguments: Any, **keywords: Any) -> Any:
        release.wait(10)
        return original(*arguments, **keywords)

    monkeypatch.setattr(api_metrics, "cluster_gauges", slow)
    started = time.monotonic()
    first = samples(scrape(client))
    assert time.monotonic() - started < 5
    assert ("kq_cluster_metrics_generation", ()) not in first  # nothing computed yet: no numbers, no 500
    assert value(first, "kq_cluster_ready") == 1
    release.set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = samples(scrape(client))
        if ("kq_cluster_metrics_generation", ()) in found:
            break
        time.sleep(0.05)
    assert value(found, "kq_headroom_pods", shape="web") == 2
    # A new generation: the scrape is answered at once, with generation 1's numbers, until 2's are there.
    release.clear()
    cluster.replace([*cluster.objects, node("node-d", "4", "8Gi")])
    found = samples(scrape(client))
    assert value(found, "kq_cluster_state_generation") == 2
    assert value(found, "kq_cluster_metrics_generation") == 1
    assert value(found, "kq_headroom_pods", shape="web") == 2
    release.set()


def test_without_shapes_no_headroom_metrics(cluster: StaticCluster) -> None:
    found = samples(scrape(app_with(cluster, HEADROOM_SHAPES="").test_client()))
    assert value(found, "kq_node_free", node="node-a", resource="cpu", unit="core") == 0.5
    assert not any(name.startswith(("kq_headroom", "kq_stranded")) for name, _ in found)


# -- a bad KQ_HEADROOM_SHAPES stops the service ---------------------------------------------------------


def test_a_bad_setting_stops_the_app_with_every_problem_located() -> None:
    with pytest.raises(SettingError) as caught:
        app_with(None, HEADROOM_SHAPES="web=500m/1Gi,batch=2x/8Gi,web=1/1Gi")
    message = str(caught.value)
    assert message.startswith("the service cannot start: KQ_HEADROOM_SHAPES must list probe shapes")
    assert 'KQ_HEADROOM_SHAPES[1].cpu: invalid quantity "2x"' in message
    assert 'KQ_HEADROOM_SHAPES[2].name: shape "web" is given twice' in message


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KQ_HEADROOM_SHAPES", "web=500m")
    with pytest.raises(SettingError, match=r"KQ_HEADROOM_SHAPES\[0\]: expected name=cpu/memory"):
        create_app()
    monkeypatch.setenv("KQ_HEADROOM_SHAPES", "web=500m/1Gi")
    monkeypatch.setenv("KQ_METRICS_WAIT_SECONDS", "5")
    app = create_app({"CLUSTER_SOURCE": StaticCluster(low_headroom_cluster())})
    assert app.config["METRICS_WAIT_SECONDS"] == 5
    assert value(samples(scrape(app.test_client())), "kq_headroom_pods", shape="web") == 2


# -- with the live cluster endpoints (api/cluster.py) ----------------------------------------------------


def test_the_headroom_is_the_live_max_replicas_answer(client: FlaskClient, cluster: StaticCluster) -> None:
    """One definition, live: GET /v1/cluster/max-replicas?cpu=&memory= gives kq_headroom_pods' number."""
    found = samples(scrape(client))
    for shape in parse_probe_shapes(SHAPES):
        answer = client.get(f"/v1/cluster/max-replicas?cpu={shape.cpu}&memory={shape.memory}").get_json()
        assert value(found, "kq_headroom_pods", shape=shape.name) == answer["total"]
    cluster.replace([o for o in cluster.objects if o["metadata"]["name"] != "busy-a"])
    found = samples(scrape(client))
    answer = client.get("/v1/cluster/max-replicas?cpu=500m&memory=1Gi").get_json()
    assert value(found, "kq_headroom_pods", shape="web") == answer["total"] == 5


def test_the_headroom_uses_the_live_endpoints_scheduler_snapshot(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's view of the generation (kept for /v1/cluster/...) is reused, not read a second time."""
    given: list[Any] = []
    original = api_metrics.cluster_gauges

    def capture(*arguments: Any, **keywords: Any) -> Any:
        given.append(keywords.get("scheduler"))
        return original(*arguments, **keywords)

    monkeypatch.setattr(api_metrics, "cluster_gauges", capture)
    scrape(client)
    live = client.application.extensions["kq_cluster"]
    assert given and given[0] is not None
    (view,) = live.views._views.values()
    assert given[0] is view.scheduler
