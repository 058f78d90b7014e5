"""A real Prometheus scrapes /metrics on 127.0.0.1, fires the low-headroom alert and answers the dashboard."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from werkzeug.serving import make_server

from api import create_app
from tests.api.test_deploy_monitoring import expressions, filled, rule_groups
from tests.live.static_cluster import StaticCluster, low_headroom_cluster
from tests.server import free_port

PROMETHEUS = shutil.which("prometheus")
pytestmark = pytest.mark.skipif(
    PROMETHEUS is None, reason="prometheus (Debian package prometheus) is not installed"
)
SECONDS = 25


@pytest.fixture
def service() -> Iterator[str]:
    """The app with a cluster whose "web" headroom is 2 (below the alert's 3), served on 127.0.0.1."""
    source = StaticCluster(low_headroom_cluster())
    app = create_app({"CLUSTER_SOURCE": source, "HEADROOM_SHAPES": "web=500m/1Gi"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def prometheus(service: str, tmp_path: Path) -> Iterator[str]:
    groups = rule_groups()
    for group in groups["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"  # the `for` durations are promtool's unit tests' (test_deploy_monitoring)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(groups))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(tmp_path / "rules.yaml")],
        "scrape_configs": [{"job_name": "kube-quantities", "static_configs": [{"targets": [service]}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    assert PROMETHEUS is not None
    log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--log.level=warn"],
        stdout=log, stderr=log,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def api(base: str, path: str, **query: str) -> Any:
    url = f"{base}{path}?{urllib.parse.urlencode(query)}" if query else base + path
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["data"]


def until(condition: Any, deadline: float, what: str) -> Any:
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except OSError:  # Prometheus not listening yet
            last = None
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"{what} within {SECONDS} s (last seen: {last})")


def test_a_real_prometheus_fires_the_low_headroom_alert(prometheus: str) -> None:
    deadline = time.monotonic() + SECONDS

    def firing() -> list[dict[str, Any]]:
        alerts = api(prometheus, "/api/v1/alerts")["alerts"]
        low = [a for a in alerts if a["labels"]["alertname"] == "KubeQuantitiesLowHeadroom"]
        return [a for a in low if a["state"] == "firing"]

    (alert,) = until(firing, deadline, "the low-headroom alert did not fire")
    assert alert["labels"]["shape"] == "web" and alert["labels"]["severity"] == "warning"
    assert float(alert["value"]) == 2
    assert alert["annotations"]["summary"] == 'Fewer than 3 more "web" pods would fit in the cluster'
    # The cluster is read and current: the other alerts stay quiet.
    alerts = api(prometheus, "/api/v1/alerts")["alerts"]
    assert {a["labels"]["alertname"] for a in alerts} == {"KubeQuantitiesLowHeadroom"}
    (target,) = api(prometheus, "/api/v1/targets")["activeTargets"]
    assert target["health"] == "up"

    # Every dashboard query returns data from what Prometheus scraped.
    def answered() -> list[str]:
        empty = [e for e in expressions() if not api(prometheus, "/api/v1/query", query=filled(e))["result"]]
        return ["all answered"] if not empty else []

    until(answered, deadline, "some dashboard queries had no data")
    result = api(prometheus, "/api/v1/query", query='kq_headroom_pods{shape="web"}')["result"]
    assert [float(r["value"][1]) for r in result] == [2.0]
