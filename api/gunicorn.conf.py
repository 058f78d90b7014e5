"""gunicorn settings; each can be overridden by an environment variable."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import Any

from api.config import check_environment
from api.cpu_quota import usable_cpus

# A setting the service cannot use (KQ_KUBERNETES_VERSION=1.99, KQ_MAX_ROWS=lots) stops the
# master here, before any worker starts, with one line saying what is wrong and what is
# accepted: not a traceback from every worker as it boots, and not a service that answers
# for a release nobody asked for.
_problems = check_environment(os.environ)
if _problems:
    for _message in _problems:
        sys.stderr.write(f"kube-quantities cannot start: {_message}\n")
    sys.exit(2)

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8080')}"
# Workers from the CPUs this process may use (a container's quota, not the host's count),
# one per CPU plus one as gunicorn advises; WEB_CONCURRENCY wins.
workers = int(os.environ.get("WEB_CONCURRENCY") or usable_cpus() + 1)
# Threaded workers: a client that sends its request slowly holds one thread, not a whole
# worker, so a few slow connections cannot stop the service (sync workers would block on
# them). The work itself is CPU-bound and short, and bounded by the request deadline.
worker_class = "gthread"
threads = int(os.environ.get("KQ_THREADS", "16"))
timeout = int(os.environ.get("KQ_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("KQ_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Bounded requests: a hostile client cannot send an endless request line or headers.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("KQ_LOG_LEVEL", "info")
# Recycling workers now and then bounds any slow growth in memory.
max_requests = int(os.environ.get("KQ_MAX_REQUESTS", "100000"))
max_requests_jitter = 1000
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), shared
# by every instance that user runs: a second service would take over the first one's. We use
# no control interface.
control_socket_disable = True


# On SIGTERM the service first drains: for KQ_DRAIN_SECONDS every endpoint still
# answers but /readyz says 503, so load balancers and Kubernetes stop sending
# traffic; then gunicorn stops gracefully, letting in-flight requests finish.
drain_seconds = float(os.environ.get("KQ_DRAIN_SECONDS", "5"))


def on_starting(server):  # type: ignore[no-untyped-def]
    import time

    _refuse_bad_settings()
    # The drain marker lives in a directory only this service's user can enter (mode 0700,
    # unpredictable name): no other local user can create it and force /readyz to 503.
    private = tempfile.mkdtemp(prefix="kq-drain-")
    marker = os.path.join(private, "draining")
    os.environ["KQ_DRAIN_MARKER"] = marker  # workers are forked after this and inherit it
    _prepare_metrics_directory(private)

    def drain_then_stop():  # type: ignore[no-untyped-def]
        if drain_seconds > 0 and not os.path.exists(marker):
            open(marker, "w").close()
            server.log.info("draining for %.1f s before stopping", drain_seconds)
            time.sleep(drain_seconds)
        raise StopIteration

    server.handle_term = drain_then_stop
    _start_cluster_watcher(server)


# With KQ_CLUSTER set, ONE watcher process per service lists and watches the cluster and
# publishes its state in a private directory (KQ_LIVE_DIR, mode 0700) that every worker reads
# (quantities/live/sharing.py): a watch per worker would multiply the memory and the API
# server's load by the number of workers. The master restarts the watcher if it dies.
class _Watcher:
    process: "subprocess.Popen[bytes] | None" = None
    stopping = False


_watcher = _Watcher()


def _watcher_command(directory: str) -> "list[str] | None":
    from api.config import DEFAULTS, from_environment

    settings = {**DEFAULTS, **from_environment(os.environ)}
    mode = str(settings["CLUSTER"]).strip()
    if mode not in ("in-cluster", "kubeconfig"):
        return None  # none (or a wrong value, which each worker refuses to start with, saying why)
    command = [sys.executable, "-m", "quantities.live", "watch", "--dir", directory, "--mode", mode,
               "--page-size", str(settings["CLUSTER_PAGE_SIZE"]),
               "--watch-seconds", str(settings["CLUSTER_WATCH_SECONDS"]),
               "--stale-seconds", str(settings["CLUSTER_STALE_SECONDS"]),
               "--min-interval", str(settings["CLUSTER_PUBLISH_SECONDS"])]  # fmt: skip
    if settings["CONTEXT"]:
        command += ["--context", str(settings["CONTEXT"])]
    return command


def _start_cluster_watcher(server: Any) -> None:  # server: gunicorn's Arbiter
    import random
    import time

    directory = tempfile.mkdtemp(prefix="kq-live-")
    command = _watcher_command(directory)
    if command is None:
        os.rmdir(directory)
        return
    os.environ["KQ_LIVE_DIR"] = directory  # workers are forked after this and inherit it

    def supervise() -> None:
        failures = 0
        while not _watcher.stopping:
            started = time.monotonic()
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
            _watcher.process = process
            process.wait()
            if _watcher.stopping:
                return
            failures = 0 if time.monotonic() - started > 60 else failures + 1
            delay = min(30.0, 0.5 * 2**failures) * (0.5 + random.random() / 2)
            server.log.warning(
                "the cluster watcher exited (status %s); restarting in %.1f s", process.returncode, delay
            )
            time.sleep(delay)

    threading.Thread(target=supervise, name="kq-watcher-supervisor", daemon=True).start()
    server.log.info(
        "watching the cluster (KQ_CLUSTER=%s) in one process, shared through %s", command[7], directory
    )


def _stop_cluster_watcher() -> None:
    _watcher.stopping = True
    process = _watcher.process
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    directory = os.environ.get("KQ_LIVE_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


def on_exit(server):  # type: ignore[no-untyped-def]
    _stop_cluster_watcher()
    marker = os.environ.get("KQ_DRAIN_MARKER")
    if marker:
        shutil.rmtree(os.path.dirname(marker), ignore_errors=True)


def _refuse_bad_settings() -> None:
    """A bad KQ_HEADROOM_SHAPES stops the service here, once, with every problem and where it is
    (gunicorn prints a RuntimeError as "Error: ..." and exits 1), before any worker starts."""
    # Not api.metrics: prometheus_client must not be imported before PROMETHEUS_MULTIPROC_DIR is set.
    from quantities.capacity.probes import parse_probe_shapes, setting_problem
    from quantities.manifest.problems import ManifestError

    try:
        parse_probe_shapes(os.environ.get("KQ_HEADROOM_SHAPES", ""))
    except ManifestError as error:
        raise RuntimeError(setting_problem(error)) from None


def _prepare_metrics_directory(private: str) -> None:
    """prometheus_client's multiprocess mode (api/metrics.py): each worker writes its request counts to
    files in PROMETHEUS_MULTIPROC_DIR and /metrics sums them all. The directory starts empty at each
    start (counts of a previous run would be added to this one's): by default a new one in the private
    run directory, removed at exit; one given by the operator is emptied of its metric files. Set before
    any worker imports prometheus_client, which reads it once."""
    import glob

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):
            os.remove(stale)
    else:
        directory = os.path.join(private, "metrics")
        os.mkdir(directory, mode=0o700)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    # prometheus_client's bookkeeping for a worker that exited: its live gauges go; its counters stay
    # (a counter never goes back, so an exited worker's requests stay counted).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
