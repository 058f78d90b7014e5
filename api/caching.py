"""GET answers depend only on the URL's known parameters and the Accept header, so they are cacheable.

* Every 200 answer to a GET (or HEAD) under ``/v1/`` carries ``Cache-Control`` and
  an ``ETag``; ``If-None-Match`` gets a 304, compared weakly as RFC 9110 §13.1.2
  requires (``W/"x"`` matches ``"x"``).
* The answers are also kept in the worker: spreadsheets recalculate the same URLs
  over and over, and a kept answer skips argument parsing, the library and
  serialisation. The store is bounded by bytes (``RESPONSE_CACHE_BYTES``) and by
  entries (``RESPONSE_CACHE_SIZE``), and it is keyed by the endpoint and the
  parameters that endpoint reads, in order: a parameter the endpoint ignores
  (a spreadsheet's cache-buster, say) neither splits nor grows the store. The key also
  holds the Kubernetes release the answer is for and its gate overrides, as the request
  resolved them (api.work): the same URL answers differently when the service's default
  release changes (``set_default_kubernetes_version``), and ``v1.30`` and ``1.30`` share one answer.
  The ETag covers the release too: a CSV or text answer for 1.30 is not the one for 1.36,
  even where its bytes are the same.
* Errors are never kept and never marked cacheable, including the ``errors=text``
  rendering of an error, which is a 200 for spreadsheets' sake.
* Live answers (``/v1/cluster/...``, :func:`mark_live`) depend on the cluster, not only on the
  URL: never kept, ``Cache-Control: no-cache`` (a client revalidates every time) and a weak
  ETag from the state's resourceVersion, so a dashboard polling an unchanged cluster gets 304s.

Written by hand rather than with werkzeug's add_etag/make_conditional, which
cost more than answering a small request: we need no ranges or dates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from flask import Flask, Response, current_app, g, request

__all__ = ["LIVE_PREFIX", "install", "mark_live", "mark_uncacheable"]

_CACHEABLE_BODY_BYTES = 64 * 1024
#: Answers under this path come from the live cluster (api/cluster.py).
LIVE_PREFIX = "/v1/cluster"
_GET_LIKE = frozenset({"GET", "HEAD"})
_RELEASE_PARAMETERS = frozenset({"kubernetes_version", "feature_gates"})


class _Kept(NamedTuple):
    body: bytes
    mimetype: str
    etag: str


class _Cache:
    """A dict bounded by entries and by bytes; full, it starts afresh (the hot set refills at once)."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.kept: dict[tuple[Any, ...], _Kept] = {}

    @property
    def enabled(self) -> bool:
        return self.entries > 0 and self.max_bytes > 0

    def get(self, key: tuple[Any, ...]) -> _Kept | None:
        return self.kept.get(key)

    def keep(self, key: tuple[Any, ...], kept: _Kept) -> None:
        size = len(kept.body) + len(kept.etag) + 64
        if size > self.max_bytes:
            return
        if len(self.kept) >= self.entries or self.bytes + size > self.max_bytes:
            self.kept.clear()
            self.bytes = 0
        previous = self.kept.get(key)
        if previous is not None:
            self.bytes -= len(previous.body) + len(previous.etag) + 64
        self.kept[key] = kept
        self.bytes += size


def _known_parameters(app: Flask) -> Mapping[str, frozenset[str]]:
    """Per endpoint, the query parameters its OpenAPI description declares."""
    api = app.extensions["kq_api"]
    spec = api.spec.to_dict()
    by_path: dict[str, frozenset[str]] = {}
    for path, operations in spec.get("paths", {}).items():
        get = operations.get("get") or {}
        names = {p["name"] for p in get.get("parameters", []) if p.get("in") == "query"}
        by_path[path] = frozenset(names)
    known: dict[str, frozenset[str]] = {}
    for rule in app.url_map.iter_rules():
        openapi_path = rule.rule.replace("<", "{").replace(">", "}")
        if openapi_path in by_path:
            known[rule.endpoint] = by_path[openapi_path]
    return known


def mark_uncacheable() -> None:
    """This answer must not be kept or marked cacheable (an error shown as text, say)."""
    g.kq_uncacheable = True


def mark_live(etag: str) -> None:
    """This answer comes from the live cluster state ``etag`` names: no-cache, never kept."""
    g.kq_live_etag = etag


def _decorate_live(response: Response, etag: str) -> None:
    headers = response.headers
    headers["Cache-Control"] = "no-cache"
    headers["Vary"] = "Accept" if "Vary" not in headers else headers["Vary"] + ", Accept"
    headers["ETag"] = etag
    if _matches(request.headers.get("If-None-Match"), etag):
        response.status_code = 304
        response.set_data(b"")
        del headers["Content-Type"]


def _decorate(response: Response, etag: str) -> None:
    headers = response.headers
    headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    headers["Vary"] = "Accept" if "Vary" not in headers else headers["Vary"] + ", Accept"
    headers["ETag"] = etag
    if _matches(request.headers.get("If-None-Match"), etag):
        response.status_code = 304
        response.set_data(b"")
        del headers["Content-Type"]


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _matches(header: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 §13.1.2): ``W/`` prefixes are ignored."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    ours = _opaque(etag)
    return any(_opaque(tag) == ours for tag in header.split(","))


def install(app: Flask) -> None:
    """Install the answer cache and the conditional-GET headers; call after the blueprints."""
    cache = _Cache(int(app.config["RESPONSE_CACHE_SIZE"]), int(app.config["RESPONSE_CACHE_BYTES"]))
    app.extensions["kq_answer_cache"] = cache
    known_by_endpoint: dict[str, frozenset[str]] = {}

    def key() -> tuple[Any, ...] | None:
        if request.method not in _GET_LIKE or not request.path.startswith("/v1/"):
            return None
        if request.path == LIVE_PREFIX or request.path.startswith(LIVE_PREFIX + "/"):
            return None
        endpoint = request.endpoint
        if endpoint is None:
            return None
        if not known_by_endpoint:
            known_by_endpoint.update(_known_parameters(current_app))
        known = known_by_endpoint.get(endpoint)
        if known is None:
            return None
        ignored = known - _RELEASE_PARAMETERS  # the release is keyed as resolved, below
        parameters = tuple((name, value) for name, value in request.args.items(multi=True) if name in ignored)
        # Set for every /v1 request before this hook runs (api.work reads it first).
        chosen = g.kq_release
        return endpoint, parameters, request.headers.get("Accept", ""), chosen.version, chosen.feature_gates

    @app.before_request
    def answer_from_cache() -> Response | None:
        if not cache.enabled:
            return None
        found = key()
        if found is None:
            return None
        kept = cache.get(found)
        if kept is None:
            return None
        g.kq_cached = True
        response = Response(kept.body, 200, mimetype=kept.mimetype)
        _decorate(response, kept.etag)
        return response

    @app.after_request
    def cache_headers(response: Response) -> Response:
        if g.get("kq_cached") or g.get("kq_uncacheable"):
            return response
        live = g.get("kq_live_etag")
        if live is not None:
            if response.status_code == 200 and not response.direct_passthrough:
                _decorate_live(response, live)
            return response
        if response.status_code != 200 or response.direct_passthrough:
            return response
        found = key()
        if found is None:
            return response
        body = response.get_data()
        tagged = hashlib.blake2b(body, digest_size=16)
        version, gates = found[-2:]
        tagged.update(f"{version}{gates}".encode() if gates else str(version).encode())
        etag = '"' + tagged.hexdigest() + '"'
        if len(body) <= _CACHEABLE_BODY_BYTES and cache.enabled:
            cache.keep(found, _Kept(body, response.mimetype or "application/octet-stream", etag))
        _decorate(response, etag)
        return response
