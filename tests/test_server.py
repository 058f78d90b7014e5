"""The service as it is deployed: real gunicorn on 127.0.0.1, called over HTTP."""

from __future__ import annotations

import json
import signal
import time

from tests.server import gunicorn


def test_gunicorn_serves_the_api_over_http() -> None:
    with gunicorn() as server:
        status, body = server.get("/v1/quantity?value=1.5Gi&to=GiB&format=text")
        assert (status, body) == (200, b"1.5\n")
        status, body = server.get("/v1/quantity?value=1.5Gi")
        assert status == 200 and json.loads(body)["canonical"] == "1536Mi"
        status, body = server.get("/v1/quantity?value=1K")
        assert status == 422 and b"did you mean" in body
        assert server.get("/readyz")[0] == 200
        status, body = server.get("/docs")
        assert status == 200 and b"swagger-ui" in body


def test_sigterm_stops_gunicorn_gracefully() -> None:
    with gunicorn() as server:
        assert server.get("/livez")[0] == 200
        server.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert server.process.wait(timeout=20) == 0
        assert time.monotonic() - started < 20
