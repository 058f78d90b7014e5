"""Health endpoints for probes and load balancers.

``/livez``: the process answers. ``/readyz``: it should get traffic; 503 while
starting or draining (on SIGTERM the gunicorn master marks a drain first).
``/healthz``: both, for tools that know only one endpoint.
"""

from __future__ import annotations

import os

from flask import Response, current_app, json

from api.blueprint import Blueprint
from api.schemas import HealthSchema

blp = Blueprint("health", __name__, description="Liveness and readiness")
_NOT_READY = "draining, or (with KQ_CLUSTER) no cluster state yet: the reason"


def _status(ok: bool, detail: str) -> Response:
    body = {"status": "ok" if ok else "unavailable", "detail": detail}
    return Response(json.dumps(body), 200 if ok else 503, mimetype="application/json")


@blp.route("/livez", methods=["GET"])
@blp.response(200, HealthSchema, description="the process is alive")
def livez() -> Response:
    return _status(True, "alive")


def _draining_now() -> bool:
    # The gunicorn master marks a drain with a file all workers can see (api/gunicorn.conf.py).
    marker = os.environ.get("KQ_DRAIN_MARKER")
    return marker is not None and os.path.exists(marker)


def _readiness() -> Response:
    if _draining_now():
        return _status(False, "draining")
    # With a live cluster configured (api/cluster.py): ready once there is a state to answer from.
    live = current_app.extensions.get("kq_cluster")
    if live is not None:
        ready, reason = live.source.status()
        return _status(ready, reason if ready else f"no cluster state: {reason}")
    return _status(True, "ready")


@blp.route("/readyz", methods=["GET"])
@blp.response(200, HealthSchema, description="ready")
@blp.alt_response(503, schema=HealthSchema, description=_NOT_READY)
def readyz() -> Response:
    return _readiness()


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema, description="alive and ready")
@blp.alt_response(503, schema=HealthSchema, description=_NOT_READY)
def healthz() -> Response:
    return _readiness()
