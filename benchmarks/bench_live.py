"""The service on a live cluster at Kubernetes' published limits: 5,000 nodes and 150,000 pods.

The cluster is the one of ``bench_plan.py`` (realistic nodes and pods), served by the fake API
server of the tests (``tests/fake_kube.py``: lists paged with ``limit``/``continue``, watches),
running in this process. Measured:

* **initial list**: the seconds from starting the service (``gunicorn`` with ``KQ_CLUSTER=kubeconfig``,
  its one watcher process) until ``/readyz`` says ready (the watcher listed every kind, trimmed
  the objects and published them for the workers), and the watcher's resident memory (VmRSS,
  and its peak VmHWM);
* **worker memory**: each worker's VmRSS and VmHWM once it has answered ``/v1/cluster/fit`` (its
  view of the state: every pod read for the scheduler) and ``/metrics`` (the numbers of every
  node and of the probe shapes), so the Deployment's memory can be sized from it;
* **/v1/cluster/fit under load**: ``--clients`` concurrent clients for ``--seconds``, each asking
  ``GET /v1/cluster/fit?cpu=500m&memory=1Gi`` over and over: latency percentiles and answers a
  second, as a ratio to the offline computation of the same answer (:func:`quantities.check_fit`
  on a scheduler snapshot of the same objects, in one process, timed per call);
* **/metrics**: the first scrape's seconds (the worker computes every number) and a scrape of
  an unchanged state.

Run: ``.venv/bin/python benchmarks/bench_live.py [--nodes N] [--pods-per-node N] [--workers N]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_plan import NODES, PODS_PER_NODE, _node, _pod  # noqa: E402
from tests.fake_kube import FakeKube  # noqa: E402
from tests.server import free_port  # noqa: E402

FIT = "/v1/cluster/fit?cpu=500m&memory=1Gi"
SHAPES = "web=500m/1Gi,batch=2/8Gi"


def _objects(nodes: int, pods_per_node: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(1)
    node_objects = [_node(i) for i in range(nodes)]
    pod_objects = []
    for node in node_objects:
        name = node["metadata"]["name"]  # type: ignore[index]
        for _ in range(pods_per_node):
            pod_objects.append(_pod(len(pod_objects), name, rng))
    return node_objects, pod_objects


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(rest.split()[0]) * 1024
    return found


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, whichever of its threads started them."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(p) for p in handle.read().split())
        except OSError:
            continue
    return found


def _command_line(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return handle.read().replace(b"\0", b" ").decode(errors="replace")


def _get(url: str, timeout: float = 120) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def _wait_ready(base: str, process: subprocess.Popen[bytes], seconds: float) -> float:
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with status {process.returncode}")
        try:
            status, _ = _get(base + "/readyz", timeout=2)
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the service was not ready within {seconds:.0f} s")


def _load(base: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = _get(base + FIT)
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def _offline_fit_seconds(nodes: list[dict[str, Any]], pods: list[dict[str, Any]], calls: int) -> float:
    """Seconds per check_fit of the same pod on a scheduler snapshot of the same objects (prepared once)."""
    from quantities.manifest.compact import read_pod_requests
    from quantities.options import Options
    from quantities.pod.workloads import workload_from_row
    from quantities.scheduler.fit import check_fit, make_snapshot

    options = Options()
    snapshot = make_snapshot(nodes, pods, options=options)
    pod = dict(workload_from_row(read_pod_requests("500m", "1Gi")).pod)
    check_fit(pod, snapshot, options=options)
    started = time.perf_counter()
    for _ in range(calls):
        check_fit(pod, snapshot, options=options)
    return (time.perf_counter() - started) / calls


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=NODES)
    parser.add_argument("--pods-per-node", type=int, default=PODS_PER_NODE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--ready-seconds", type=float, default=1200)
    arguments = parser.parse_args()

    nodes, pods = _objects(arguments.nodes, arguments.pods_per_node)
    print(f"cluster: {len(nodes):,} nodes, {len(pods):,} pods", flush=True)
    fake = FakeKube()
    for obj in (*nodes, *pods):
        fake.add(obj)
    fake.history.clear()  # the watches start from now: no need to keep every add for them
    fake.start()
    report: dict[str, Any] = {"nodes": len(nodes), "pods": len(pods), "workers": arguments.workers}
    with tempfile.TemporaryDirectory() as scratch:
        kubeconfig = fake.kubeconfig(Path(scratch) / "kubeconfig")
        port = free_port()
        environment = {
            **os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(arguments.workers),
            "KQ_CLUSTER": "kubeconfig", "KUBECONFIG": str(kubeconfig), "KQ_HEADROOM_SHAPES": SHAPES,
            "KQ_DRAIN_SECONDS": "0", "KQ_TIMEOUT": "600", "KQ_REQUEST_SECONDS": "300",
            "KQ_METRICS_WAIT_SECONDS": "600", "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "gunicorn", "--config", "api/gunicorn.conf.py", "api.wsgi:app"]
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            report["initial_list_seconds"] = round(_wait_ready(base, process, arguments.ready_seconds), 2)
            children = _children(process.pid)
            watcher = [pid for pid in children if "quantities.live" in _command_line(pid)]
            workers = [pid for pid in children if pid not in watcher]
            report["watcher"] = {f"{k}_mib": round(v / 2**20) for w in watcher for k, v in _memory(w).items()}
            started = time.perf_counter()
            status, body = _get(base + FIT, timeout=600)
            report["first_fit_seconds"] = round(time.perf_counter() - started, 2)
            assert status == 200, body[:500]
            # Every worker builds its view: ask until each has answered (a worker answers on its own).
            for _ in range(4 * arguments.workers):
                _get(base + FIT, timeout=600)
            started = time.perf_counter()
            status, body = _get(base + "/metrics", timeout=900)
            report["first_metrics_seconds"] = round(time.perf_counter() - started, 2)
            for _ in range(4 * arguments.workers):
                _get(base + "/metrics", timeout=900)
            started = time.perf_counter()
            status, body = _get(base + "/metrics", timeout=900)
            report["steady_metrics_seconds"] = round(time.perf_counter() - started, 3)
            report["metrics_bytes"] = len(body)
            headroom = [line for line in body.decode().splitlines() if line.startswith("kq_headroom_pods{")]
            report["headroom"] = headroom
            latencies, errors = _load(base, arguments.clients, arguments.seconds)
            report["fit_under_load"] = {
                "clients": arguments.clients,
                "answers": len(latencies),
                "errors": errors,
                "per_second": round(len(latencies) / arguments.seconds, 1),
                "p50_ms": round(1000 * statistics.median(latencies), 1),
                "p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
            }
            report["workers_memory"] = [
                {f"{k}_mib": round(v / 2**20) for k, v in _memory(w).items()} for w in workers
            ]
            master = _memory(process.pid)
            report["master"] = {f"{k}_mib": round(v / 2**20) for k, v in master.items()}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            fake.stop()
    offline = _offline_fit_seconds(nodes, pods, 20)
    report["offline_fit_ms"] = round(1000 * offline, 1)
    load = report["fit_under_load"]
    report["p50_ratio_to_offline"] = round(load["p50_ms"] / (1000 * offline), 2)
    report["throughput_ratio_to_offline"] = round(load["per_second"] * offline, 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
