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


def test_sigterm_drains_readiness_first_and_lets_in_flight_requests_finish() -> None:
    import threading
    import urllib.request

    values = json.dumps({"values": [f"{i}e-{i}" for i in range(30_000)]}).encode()
    with gunicorn(environment={"KQ_DRAIN_SECONDS": "2"}) as server:
        results: list[int] = []

        def slow_request() -> None:
            request = urllib.request.Request(
                server.base + "/v1/quantities/normalize",
                data=values,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                results.append(response.status)

        in_flight = threading.Thread(target=slow_request)
        in_flight.start()
        time.sleep(0.2)
        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 2
        while server.get("/readyz")[0] != 503:
            assert time.monotonic() < deadline, "/readyz did not turn 503 after SIGTERM"
            time.sleep(0.05)
        assert server.get("/v1/quantity?value=1&format=text") == (200, b"1\n"), "draining must still serve"
        in_flight.join(timeout=60)
        assert results == [200]
        assert server.process.wait(timeout=30) == 0
