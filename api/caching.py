"""GET answers depend only on the URL and the Accept header, so they are cacheable.

* Every 200 answer to a GET under ``/v1/`` carries ``Cache-Control`` and an
  ``ETag``; ``If-None-Match`` gets a 304.
* The answers are also kept in the worker (bounded, small answers only):
  spreadsheets recalculate the same URLs over and over, and a kept answer
  skips argument parsing, the library and serialisation.

Written by hand rather than with werkzeug's add_etag/make_conditional, which
cost more than answering a small request: we need no ranges or dates.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from flask import Flask, Response, current_app, g, request

__all__ = ["install"]

_CACHEABLE_BODY_BYTES = 64 * 1024


class _Kept(NamedTuple):
    body: bytes
    mimetype: str
    etag: str


class _Cache(dict[tuple[str, str], _Kept]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: tuple[str, str], kept: _Kept) -> None:
        if len(self) >= self.size:
            self.clear()  # cheaper than tracking recency; the hot set refills at once
        self[key] = kept


def _key() -> tuple[str, str] | None:
    if request.method != "GET" or not request.path.startswith("/v1/"):
        return None
    return request.full_path, request.headers.get("Accept", "")


def _answer(kept: _Kept) -> Response:
    response = Response(kept.body, 200, mimetype=kept.mimetype)
    _decorate(response, kept.etag)
    return response


def _decorate(response: Response, etag: str) -> None:
    headers = response.headers
    headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    headers["Vary"] = "Accept" if "Vary" not in headers else headers["Vary"] + ", Accept"
    headers["ETag"] = etag
    match = request.headers.get("If-None-Match")
    if match and (match.strip() == "*" or etag in (tag.strip() for tag in match.split(","))):
        response.status_code = 304
        response.set_data(b"")
        del headers["Content-Type"]


def install(app: Flask) -> None:
    cache = _Cache(int(app.config["RESPONSE_CACHE_SIZE"]))

    @app.before_request
    def answer_from_cache() -> Response | None:
        key = _key()
        if key is None or cache.size <= 0:
            return None
        kept = cache.get(key)
        if kept is None:
            return None
        g.kq_cached = True
        return _answer(kept)

    @app.after_request
    def cache_headers(response: Response) -> Response:
        if g.get("kq_cached"):
            return response
        key = _key()
        if key is None or response.status_code != 200 or response.direct_passthrough:
            return response
        body = response.get_data()
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        if len(body) <= _CACHEABLE_BODY_BYTES and cache.size > 0:
            cache.keep(key, _Kept(body, response.mimetype or "application/octet-stream", etag))
        _decorate(response, etag)
        return response
