"""gunicorn settings; each can be overridden by an environment variable."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8080')}"
# Sync workers: the work is CPU-bound and short. One per core plus one, as gunicorn advises.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
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


# On SIGTERM the service first drains: for KQ_DRAIN_SECONDS every endpoint still
# answers but /readyz says 503, so load balancers and Kubernetes stop sending
# traffic; then gunicorn stops gracefully, letting in-flight requests finish.
drain_seconds = float(os.environ.get("KQ_DRAIN_SECONDS", "5"))


def on_starting(server):  # type: ignore[no-untyped-def]
    import tempfile
    import time

    marker = os.path.join(tempfile.gettempdir(), f"kq-draining-{os.getpid()}")
    if os.path.exists(marker):
        os.remove(marker)
    os.environ["KQ_DRAIN_MARKER"] = marker  # workers are forked after this and inherit it

    def drain_then_stop():  # type: ignore[no-untyped-def]
        if drain_seconds > 0 and not os.path.exists(marker):
            open(marker, "w").close()
            server.log.info("draining for %.1f s before stopping", drain_seconds)
            time.sleep(drain_seconds)
        raise StopIteration

    server.handle_term = drain_then_stop


def on_exit(server):  # type: ignore[no-untyped-def]
    marker = os.environ.get("KQ_DRAIN_MARKER")
    if marker and os.path.exists(marker):
        os.remove(marker)
