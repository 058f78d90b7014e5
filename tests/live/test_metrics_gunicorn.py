"""/metrics under gunicorn with several workers: any worker's scrape gives the same numbers."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.live.static_cluster import low_headroom_cluster
from tests.server import ROOT, Server, gunicorn

APP = [sys.executable, "-m", "gunicorn", "--config", "api/gunicorn.conf.py", "tests.live.metrics_app:build()"]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def objects(tmp_path: Path) -> Path:
    path = tmp_path / "objects.json"
    path.write_text(json.dumps(low_headroom_cluster()))
    return path


def _environment(objects: Path, **more: str) -> dict[str, str]:
    return {"KQ_TEST_OBJECTS": str(objects), "KQ_HEADROOM_SHAPES": "web=500m/1Gi,batch=2/8Gi",
            "WEB_CONCURRENCY": "2", "KQ_METRICS_WAIT_SECONDS": "20", **more}  # fmt: skip


def _scrapes(server: Server, count: int) -> list[dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    found = []
    for _ in range(count):
        status, body = server.get("/metrics", timeout=30)
        assert status == 200
        found.append(samples(body.decode()))
    return found


def _steady(found: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> dict[Any, float]:
    """The numbers that do not move between two scrapes of one state (not the clock, not the scrapes)."""
    return {
        key: number
        for key, number in found.items()
        if not key[0].startswith(("kq_http", "kq_cluster_state_age", "kq_cluster_metrics_computation"))
    }


def test_every_worker_gives_the_same_numbers(objects: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with gunicorn(APP, _environment(objects)) as server:
        for _ in range(30):
            assert server.get("/readyz")[0] == 200
        scrapes = _scrapes(server, 8)
    key = ("kq_http_requests_total", (("endpoint", "/readyz"), ("method", "GET"), ("status", "200")))
    # The request counts are every worker's, summed (multiprocess mode), whichever worker answers.
    assert [scrape[key] for scrape in scrapes] == [30.0] * 8
    # /metrics itself: each scrape counted once it is answered, by any worker.
    metrics_key = ("kq_http_requests_total", (("endpoint", "/metrics"), ("method", "GET"), ("status", "200")))
    assert [scrape.get(metrics_key, 0.0) for scrape in scrapes] == [float(n) for n in range(8)]
    # The cluster numbers are the shared state's: the same in every scrape.
    first = _steady(scrapes[0])
    assert first[("kq_headroom_pods", (("shape", "web"),))] == 2
    assert all(_steady(scrape) == first for scrape in scrapes[1:])


def test_a_given_multiprocess_directory_is_emptied_at_start(
    objects: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_4242.db").write_bytes(b"left over from a previous run")
    (directory / "keep.txt").write_text("not a metrics file")
    with gunicorn(APP, _environment(objects, PROMETHEUS_MULTIPROC_DIR=str(directory))) as server:
        assert server.get("/livez")[0] == 200
        (scrape,) = _scrapes(server, 1)
        files = sorted(p.name for p in directory.iterdir())
    assert "counter_4242.db" not in files and "keep.txt" in files
    assert any(name.startswith("counter_") for name in files)
    livez = ("kq_http_requests_total", (("endpoint", "/livez"), ("method", "GET"), ("status", "200")))
    assert scrape[livez] >= 1


def test_a_bad_setting_stops_gunicorn_with_its_problems_and_no_traceback(objects: Path) -> None:
    environment = {**os.environ, **_environment(objects, KQ_HEADROOM_SHAPES="web=500m,1Gi"), "PORT": "0"}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    finished = subprocess.run(APP, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert "Error: the service cannot start: KQ_HEADROOM_SHAPES must list probe shapes" in finished.stderr
    assert 'KQ_HEADROOM_SHAPES[0]: expected name=cpu/memory, got "web=500m"' in finished.stderr
    assert 'did you mean "web=500m/1Gi"?' in finished.stderr
    assert "Traceback" not in finished.stderr and "Booting worker" not in finished.stderr


def test_an_exited_workers_live_gauges_go_and_its_counts_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(ROOT / "api" / "gunicorn.conf.py"))
    for name in ("gauge_livesum_123.db", "gauge_liveall_123.db", "counter_123.db", "gauge_livesum_124.db"):
        (tmp_path / name).write_bytes(b"")
    hooks["child_exit"](None, SimpleNamespace(pid=123))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_123.db", "gauge_livesum_124.db"]
