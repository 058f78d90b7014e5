"""Just enough of the Kubernetes API on 127.0.0.1 for ``kubectl describe`` to run without a cluster.

Discovery (``/api``, ``/apis``, ``/api/v1``) is answered from the resource list
given; every other GET goes to ``answer(path, query)``, which returns the JSON
body, or None for a 404 Status as the API server writes it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

Answer = Callable[[str, Mapping[str, list[str]]], object | None]

NOT_FOUND = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
             "message": "not found"}  # fmt: skip


def resource(name: str, kind: str, namespaced: bool, short: str) -> dict[str, Any]:
    """One entry of the ``/api/v1`` APIResourceList."""
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
            "verbs": ["get", "list"], "shortNames": [short]}  # fmt: skip


class FakeAPIServer:
    def __init__(self, resources: Sequence[Mapping[str, Any]], answer: Answer) -> None:
        discovery = {
            "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
            "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
            "/api/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                        "resources": list(resources)},
        }  # fmt: skip

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                url = urlparse(self.path)
                body = discovery.get(url.path)
                if body is None:
                    body = answer(url.path, parse_qs(url.query))
                status = 200 if body is not None else 404
                data = json.dumps(body if body is not None else NOT_FOUND).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeAPIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
