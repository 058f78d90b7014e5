"""``/metrics``: the cluster's allocation and headroom, and the service's own requests, for Prometheus.

Written with ``prometheus_client`` in Prometheus' text format (or OpenMetrics when the scraper
asks for it with ``Accept``), gzip-compressed when the scraper accepts it. Every name starts
with ``kq_``; label values are only node names, resource names (with their unit), probe shape
names, endpoint rules, methods and statuses: a bounded set (no pod names, no raw paths).

**The cluster** (with a cluster source, ``KQ_CLUSTER``): per node and resource allocatable,
requests, limits and free, the totals, and for each probe shape of ``KQ_HEADROOM_SHAPES``
(``web=500m/1Gi,batch=2/8Gi``) how many more pods of that shape the scheduler would place
(``kq_headroom_pods``: :func:`~quantities.scheduler.plan.max_replicas`, the alertable number)
and the capacity stranded for it. The numbers are :mod:`quantities.capacity.metrics`'; a bad
``KQ_HEADROOM_SHAPES`` stops the service at start with the problems and where they are.

**Several gunicorn workers.** Each scrape is answered by one worker, so every worker must give
the same answer:

* the cluster numbers are computed from the cluster source's snapshot, which every worker
  shares (one watcher per service); each worker computes them once per snapshot generation and
  keeps them, so the same generation gives the same numbers in every worker
  (``kq_cluster_metrics_generation`` says which generation the numbers are of). The computation
  runs beside the scrape: a scrape waits for it at most ``KQ_METRICS_WAIT_SECONDS`` and is
  otherwise answered from the previous generation's numbers (a new state of 150,000 pods must
  not make a scrape time out);
* the request counters and histograms use ``prometheus_client``'s multiprocess mode: each
  worker writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (a directory in the
  service's private run directory that ``api/gunicorn.conf.py`` creates empty at start) and a
  scrape sums every worker's files, those of workers that have exited included (counters never
  go back). Without that variable (``flask run``, tests) the counts are the process's own.

``/metrics`` is for scrapers: never cached (``Cache-Control: no-store``), no CORS headers (a web
page has no business reading it), and not a JSON answer (no problem documents: it always answers
200, with only the service's own metrics when the cluster is not there).
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from api.blueprint import Blueprint
from quantities.capacity.metrics import ClusterGauges, GaugeMemo, ResourceGauge, cluster_gauges, unit_of
from quantities.capacity.probes import ProbeShape, parse_probe_shapes, setting_problem
from quantities.live import ClusterSource, ClusterUnavailable, Snapshot
from quantities.manifest.problems import ManifestError
from quantities.options import Options
from quantities.scheduler.framework.nodeinfo import Snapshot as SchedulerSnapshot

__all__ = ["SettingError", "blp", "install"]

_log = logging.getLogger(__name__)

blp = Blueprint("metrics", __name__, description="Prometheus metrics: cluster allocation, headroom, requests")

_EXPOSITION = {"schema": {"type": "string"}}
_DOCUMENTED = {
    "summary": "Prometheus metrics",
    "description": "The cluster's allocation per node, totals, headroom per probe shape (KQ_HEADROOM_SHAPES) "
    "and stranded capacity, and the service's own request counts and latencies, in Prometheus' text "
    "format (OpenMetrics when asked for with Accept). All names start with kq_. Without a cluster "
    "source only the service's own metrics are given.",
    "responses": {
        200: {
            "description": "the metrics",
            "content": {"text/plain": _EXPOSITION, "application/openmetrics-text": _EXPOSITION},
        }
    },
}

#: Request methods counted by name; any other is counted as "other" (a client may send any token).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Bodies shorter than this go uncompressed (gzip would not pay for itself).
_GZIP_ABOVE = 1024


class SettingError(ValueError):
    """A setting the service cannot start with; the message says which, what is wrong and where."""


# -- the service's own requests ------------------------------------------------------------------


class _Requests:
    """Request counts and latencies by endpoint rule, method and status."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        labels = ("endpoint", "method", "status")
        self.count = Counter(
            "kq_http_requests",
            "HTTP requests answered, by endpoint rule (not the raw path), method and status",
            labels,
            registry=registry,
        )
        self.seconds = Histogram(
            "kq_http_request_duration_seconds",
            "Time to answer an HTTP request, by endpoint rule, method and status",
            labels,
            buckets=_BUCKETS,
            registry=registry,
        )

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        labels = (endpoint, method if method in _METHODS else "other", str(status))
        self.count.labels(*labels).inc()
        self.seconds.labels(*labels).observe(seconds)


def _multiprocess_directory() -> str | None:
    """prometheus_client's multiprocess directory, when this process runs in that mode."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return directory if directory and os.path.isdir(directory) else None


# -- the cluster's numbers, once per snapshot generation -------------------------------------------


@dataclass(frozen=True, slots=True)
class _Computed:
    key: tuple[int, int]
    generation: int
    gauges: ClusterGauges
    seconds: float


@dataclass
class _Gauges:
    """The numbers of the newest snapshot generation this worker computed, computed beside the scrapes.

    One computation at a time; a scrape that finds the numbers of its generation takes them,
    otherwise it starts the computation (if none runs) and waits for it at most ``wait`` seconds.
    """

    shapes: tuple[ProbeShape, ...]
    wait: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: GaugeMemo = field(default_factory=GaugeMemo)
    latest: _Computed | None = None
    working: tuple[int, int] | None = None
    failed: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        self.done = threading.Condition(self.lock)

    def get(
        self, source: object, snapshot: Snapshot, scheduler: Callable[[], SchedulerSnapshot | None]
    ) -> _Computed | None:
        key = (id(source), snapshot.generation)
        with self.lock:
            if self.latest is not None and self.latest.key == key:
                return self.latest
            if self.working is None and self.failed != key:
                self.working = key
                worker = threading.Thread(
                    target=self._compute, args=(key, snapshot, scheduler), name="kq-metrics", daemon=True
                )
                worker.start()
            deadline = time.monotonic() + self.wait
            while self.working == key and (left := deadline - time.monotonic()) > 0:
                self.done.wait(left)
            return self.latest

    def _compute(
        self, key: tuple[int, int], snapshot: Snapshot, scheduler: Callable[[], SchedulerSnapshot | None]
    ) -> None:
        started = time.perf_counter()
        computed: _Computed | None = None
        try:
            # The process's release (KQ_KUBERNETES_VERSION), as /v1/cluster answers by default.
            options = Options()
            prepared = scheduler() if self.shapes else None
            gauges = cluster_gauges(
                snapshot.items, self.shapes, scheduler=prepared, memo=self.memo, options=options
            )
            computed = _Computed(key, snapshot.generation, gauges, time.perf_counter() - started)
        except Exception:  # never a failed scrape: the numbers of the previous generation stay
            _log.exception("the cluster metrics of generation %s could not be computed", snapshot.generation)
        with self.lock:
            if computed is not None:
                self.latest = computed
            else:
                self.failed = key
            self.working = None
            self.done.notify_all()


def _source(app: Flask) -> tuple[ClusterSource | None, Any]:
    """The app's cluster source and the live views beside it (api/cluster.py), or the configured source."""
    live = app.extensions.get("kq_cluster")
    if live is not None:
        return live.source, getattr(live, "views", None)
    source: ClusterSource | None = app.config.get("CLUSTER_SOURCE")
    return source, None


def _number(value: Fraction | int) -> float:
    # The exposition format is floating point; the arithmetic before it is exact.
    return float(value)


class _Cluster:
    """The cluster's metric families, for one scrape."""

    def __init__(self, app: Flask, gauges: _Gauges) -> None:
        self.app = app
        self.gauges = gauges

    def collect(self) -> Iterator[Metric]:
        source, views = _source(self.app)
        if source is None:
            return
        ready = GaugeMetricFamily("kq_cluster_ready", "1 when the cluster source has a state to answer from")
        try:
            is_ready, _ = source.status()
            snapshot = source.snapshot()
        except ClusterUnavailable as error:  # no state yet (/readyz says why)
            _log.debug("no cluster state for /metrics: %s", error)
            snapshot = None
        except Exception:  # the scrape still succeeds, with the service's own metrics
            _log.exception("the cluster source failed")
            snapshot = None
        if snapshot is None:
            ready.add_metric([], 0)
            yield ready
            return
        ready.add_metric([], 1 if is_ready else 0)
        yield ready
        yield from _state_families(snapshot)

        def scheduler() -> SchedulerSnapshot | None:
            # The scheduler snapshot the live endpoints already keep for this generation, when there is one.
            if views is None:
                return None
            prepared: SchedulerSnapshot = views.view(snapshot, Options()).scheduler
            return prepared

        computed = self.gauges.get(source, snapshot, scheduler)
        if computed is not None:
            yield from _gauge_families(computed, self.gauges.shapes)


def _state_families(snapshot: Snapshot) -> Iterator[Metric]:
    as_of = snapshot.as_of
    age = max(0.0, (dt.datetime.now(dt.UTC) - as_of).total_seconds())
    for name, text, value in (
        ("kq_cluster_stale", "1 when the cluster state may not be current (a watch lost, nothing "
         "confirmed it)", 1 if snapshot.stale else 0),
        ("kq_cluster_state_age_seconds", "Seconds since the cluster state was last confirmed current", age),
        ("kq_cluster_state_timestamp_seconds", "When the cluster state was last confirmed current "
         "(Unix time)", as_of.timestamp()),
        ("kq_cluster_state_generation", "The generation of the cluster state (changes when objects change)",
         snapshot.generation),
    ):  # fmt: skip
        family = GaugeMetricFamily(name, text)
        family.add_metric([], value)
        yield family


def _family(name: str, text: str, labels: Sequence[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, labels=list(labels))


def _resource_rows(
    families: Mapping[str, GaugeMetricFamily], prefix: list[str], gauges: Iterable[ResourceGauge]
) -> None:
    for gauge in gauges:
        labels = [*prefix, gauge.resource, unit_of(gauge.resource)]
        families["allocatable"].add_metric(labels, _number(gauge.allocatable))
        families["requests"].add_metric(labels, _number(gauge.requests))
        if gauge.limits is not None:
            families["limits"].add_metric(labels, _number(gauge.limits))
        families["free"].add_metric(labels, _number(gauge.free))


_WHAT = {
    "allocatable": "allocatable (status.allocatable; pods: pod slots)",
    "requests": "requested by the non-terminated pods bound to it, as kubectl describe node sums them "
    "(pods: the pods)",
    "limits": "the limits of those pods, as kubectl describe node sums them",
    "free": "free: allocatable - requests",
}


def _gauge_families(computed: _Computed, shapes: Sequence[ProbeShape]) -> Iterator[Metric]:
    gauges = computed.gauges
    node = {
        what: _family(f"kq_node_{what}", f"Per node and resource: {text}; unit: core, byte or integer",
                      ("node", "resource", "unit"))
        for what, text in _WHAT.items()
    }  # fmt: skip
    schedulable = _family(
        "kq_node_schedulable", "1 unless the node is cordoned or has a NoSchedule/NoExecute taint", ("node",)
    )
    for row in gauges.nodes:
        _resource_rows(node, [row.name], row.resources)
        schedulable.add_metric([row.name], 1 if row.schedulable else 0)
    yield from node.values()
    yield schedulable
    total = {
        what: _family(f"kq_cluster_{what}", f"Sum over the nodes: {text}" + (
            " (free: schedulable nodes only)" if what == "free" else ""), ("resource", "unit"))
        for what, text in _WHAT.items()
    }  # fmt: skip
    _resource_rows(total, [], gauges.total)
    yield from total.values()
    for name, text, value in (
        ("kq_cluster_nodes", "Nodes", len(gauges.nodes)),
        ("kq_cluster_schedulable_nodes", "Nodes a pod without tolerations may be scheduled to",
         gauges.schedulable_nodes),
        ("kq_cluster_objects_skipped", "Objects left out of the numbers (no API server could have "
         "stored them)", len(gauges.skipped)),
        ("kq_cluster_metrics_generation", "The cluster state generation the kq_node_, kq_cluster_ and "
         "kq_headroom_ numbers are of", computed.generation),
        ("kq_cluster_metrics_computation_seconds", "Seconds this worker took to compute those numbers",
         computed.seconds),
    ):  # fmt: skip
        family = GaugeMetricFamily(name, text)
        family.add_metric([], value)
        yield family
    yield from _headroom_families(gauges, shapes)


def _headroom_families(gauges: ClusterGauges, shapes: Sequence[ProbeShape]) -> Iterator[Metric]:
    if not shapes:
        return
    pods = _family(
        "kq_headroom_pods",
        "How many more pods of the probe shape (KQ_HEADROOM_SHAPES) the scheduler would place: max_replicas",
        ("shape",),
    )
    per_node = _family("kq_headroom_node_pods", "How many more pods of the probe shape each node takes",
                       ("shape", "node"))  # fmt: skip
    requests = _family(
        "kq_headroom_shape_requests", "The probe shape's pod requests", ("shape", "resource", "unit")
    )
    stranded = _family(
        "kq_stranded",
        "Free capacity no further pod of the probe shape can use once the nodes hold their copies, summed",
        ("shape", "resource", "unit"),
    )
    for headroom in gauges.headroom:
        name = headroom.shape.name
        pods.add_metric([name], headroom.total)
        for node, count in headroom.per_node:
            per_node.add_metric([name, node], count)
        for resource, quantity in headroom.shape.requests.items():
            requests.add_metric([name, resource, unit_of(resource)], _number(quantity.to_fraction()))
        for resource, amount in headroom.stranded:
            stranded.add_metric([name, resource, unit_of(resource)], _number(amount))
    yield from (pods, per_node, requests, stranded)


# -- the endpoint ---------------------------------------------------------------------------------


@dataclass
class _Metrics:
    requests: _Requests
    own: CollectorRegistry | None
    multiprocess: str | None
    cluster: _Gauges


class _Scrape:
    """What one scrape writes: the requests (this process's, or every worker's) and the cluster."""

    def __init__(self, collectors: Sequence[Any]) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def _scrape(app: Flask, state: _Metrics) -> Any:
    collectors: list[Any] = []
    if state.multiprocess is not None:
        workers = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(workers, path=state.multiprocess)  # type: ignore[no-untyped-call]
        collectors.append(workers)
    elif state.own is not None:
        collectors.append(state.own)
    collectors.append(_Cluster(app, state.cluster))
    return _Scrape(collectors)


@blp.route("/metrics", methods=["GET"])
@blp.doc(**_DOCUMENTED)
def metrics() -> Response:
    state: _Metrics = current_app.extensions["kq_metrics"]
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = encoder(_scrape(current_app, state))
    response = Response(body, 200, content_type=content_type)
    if len(body) > _GZIP_ABOVE and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(gzip.compress(body, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["Cache-Control"] = "no-store"
    return response


def headroom_shapes(setting: str) -> tuple[ProbeShape, ...]:
    """The probe shapes of ``KQ_HEADROOM_SHAPES``; :class:`SettingError` naming every problem otherwise."""
    try:
        return parse_probe_shapes(setting)
    except ManifestError as error:
        raise SettingError(setting_problem(error)) from None


def install(app: Flask, api: Any) -> None:
    """Register /metrics and count every request; raises :class:`SettingError` on a bad KQ_HEADROOM_SHAPES."""
    shapes = headroom_shapes(str(app.config.get("HEADROOM_SHAPES") or ""))
    # The *_created series are not written in multiprocess mode: none in either mode, so the two agree.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    directory = _multiprocess_directory()
    own = None if directory is not None else CollectorRegistry(auto_describe=False)
    cluster = _Gauges(shapes, float(app.config["METRICS_WAIT_SECONDS"]))
    state = _Metrics(_Requests(own), own, directory, cluster)
    app.extensions["kq_metrics"] = state
    api.register_blueprint(blp)

    def start_the_clock() -> None:
        g.kq_metrics_started = time.perf_counter()

    def count(response: Response) -> Response:
        started = g.pop("kq_metrics_started", None)
        if started is not None:
            rule = request.url_rule
            endpoint = rule.rule if rule is not None else "unmatched"
            seconds = time.perf_counter() - started
            state.requests.observe(endpoint, request.method, response.status_code, seconds)
        if request.path == "/metrics":
            # For scrapers only: no browser page may read it across origins.
            for header in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
                response.headers.pop(header, None)
        return response

    # First before every other hook (the body is read in one, the answer cache may answer in
    # another) and last after them (the answer cache may turn a 200 into a 304).
    app.before_request_funcs.setdefault(None, []).insert(0, start_the_clock)
    app.after_request_funcs.setdefault(None, []).insert(0, count)
