"""CORS for browser dashboards: any origin by default, or a configured list.

Our needs are the simple case (no cookies, no credentials), so this is a few
lines rather than flask-cors, which cost a fifth of a small request's time
even for requests without an ``Origin`` (measured with benchmarks/bench_service.py).

With the default ``*`` every answer carries ``Access-Control-Allow-Origin: *``,
whether or not the request had an ``Origin``: answers are ``public`` and a shared
cache may hand one copy to browsers and scripts alike, so the header may not
depend on the request. With a list of origins the header does depend on it, and
every answer says so with ``Vary: Origin``. A preflight allows only the request
headers the API reads, never whatever the browser asks for.
"""

from __future__ import annotations

from flask import Flask, Response, request

__all__ = ["ALLOWED_HEADERS", "install"]

_METHODS = "GET, HEAD, POST, OPTIONS"
#: The request headers the API reads; a preflight allows these and no others.
ALLOWED_HEADERS = "Accept, Content-Type, If-None-Match"
#: Answers say which Kubernetes release they are for in a header a dashboard should be able to read.
_EXPOSED = "ETag, Content-Type, Kubernetes-Version"
_MAX_AGE = "86400"


def install(app: Flask) -> None:
    setting = str(app.config["CORS_ORIGINS"]).strip()
    wildcard = setting == "*"
    allowed = frozenset(origin.strip() for origin in setting.split(",") if origin.strip())

    @app.after_request
    def cors(response: Response) -> Response:
        headers = response.headers
        if wildcard:
            headers["Access-Control-Allow-Origin"] = "*"
        else:
            vary = headers.get("Vary")
            headers["Vary"] = f"{vary}, Origin" if vary else "Origin"
            origin = request.headers.get("Origin")
            if origin is None or origin not in allowed:
                return response
            headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = _EXPOSED
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            headers["Access-Control-Allow-Methods"] = _METHODS
            headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            headers["Access-Control-Max-Age"] = _MAX_AGE
        return response
