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


def worker_int(worker):  # type: ignore[no-untyped-def]
    from api.health import start_draining

    start_draining()


def worker_abort(worker):  # type: ignore[no-untyped-def]
    from api.health import start_draining

    start_draining()
