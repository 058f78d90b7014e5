"""The work one request may do: its body, its deadline and read limits, as the library's ``Options``.

* The body is read before any view runs, up to ``MAX_CONTENT_LENGTH`` bytes, whether it
  comes with a ``Content-Length`` or chunked (werkzeug would cut a chunked body at the
  limit and hand the view the part that fit: here it is a 413), and within
  ``BODY_SECONDS`` (a client trickling its body gets a 408 instead of holding a thread).
* Every request gets a :class:`~quantities.options.Deadline` when it starts
  (``REQUEST_SECONDS`` from then), so reading the body counts against it as well as the
  computation; views pass :func:`options` down to the library, which checks the deadline
  inside its loops and answers with a located 413 past it.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.problems import Problem
from quantities.manifest.yaml_safe import YamlLimits
from quantities.options import Deadline, Options, ReadLimits

__all__ = ["deadline", "install", "options", "yaml_limits"]


_CHUNK = 64 * 1024


def install(app: Flask) -> None:
    @app.before_request
    def start_the_clock_and_read_the_body() -> None:
        g.kq_deadline = Deadline.after(float(current_app.config["REQUEST_SECONDS"]))
        if request.method in ("POST", "PUT", "PATCH"):
            _read_body(request.environ)


def _read_body(environ: dict[str, Any]) -> None:
    """Read the whole body into memory, bounded in size and time, and hand it on as a stream."""
    config = current_app.config
    limit = int(config["MAX_CONTENT_LENGTH"])
    length = request.content_length
    if length is not None and length > limit:
        raise RequestEntityTooLarge()
    if length is None and not environ.get("wsgi.input_terminated"):
        return  # no length and not chunked: there is no body
    wanted = limit + 1 if length is None else length
    stream = environ["wsgi.input"]
    seconds = float(config["BODY_SECONDS"])
    # The server's reader blocks until it has all it was asked for, one byte a second or not;
    # past the time allowed, a timer shuts the socket for reading, which ends that wait.
    sock = environ.get("gunicorn.socket")
    expired = threading.Event()
    timer = threading.Timer(seconds, _stop_reading, (sock, expired)) if sock is not None else None
    parts: list[bytes] = []
    received = 0
    try:
        if timer is not None:
            timer.start()
        while received < wanted and not expired.is_set():
            part = stream.read(min(_CHUNK, wanted - received))
            if not part:
                break
            parts.append(part)
            received += len(part)
    except RequestEntityTooLarge:
        raise
    except Exception:  # the server's reader: a broken chunked encoding, a closed connection
        if not expired.is_set():
            raise Problem(400, "the request body could not be read (a broken chunked encoding?)") from None
    finally:
        if timer is not None:
            timer.cancel()
    if expired.is_set():
        raise Problem(408, f"the request body did not arrive within {seconds:g} s")
    if received > limit:
        raise RequestEntityTooLarge()
    data = b"".join(parts)
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    # werkzeug ignores CONTENT_LENGTH while the request says it is chunked.
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)


def _stop_reading(sock: socket.socket, expired: threading.Event) -> None:
    expired.set()
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)


def deadline() -> Deadline:
    """This request's deadline (set when it started)."""
    found: Deadline | None = g.get("kq_deadline")
    if found is None:  # outside a request started through the app (a test calling a view directly)
        found = g.kq_deadline = Deadline.after(float(current_app.config["REQUEST_SECONDS"]))
    return found


def options(**settings: object) -> Options:
    """The library options for this request: its deadline and the configured limits, plus ``settings``."""
    config = current_app.config
    limits = ReadLimits(max_replicas=int(config["MAX_REPLICAS"]), max_rows=int(config["MAX_ROWS"]))
    pod_level_resources = settings.pop("pod_level_resources", True)
    built = Options(deadline=deadline(), limits=limits).replace(**settings)
    return built if pod_level_resources else built.with_gate("PodLevelResources", False)


def yaml_limits() -> YamlLimits:
    """How much YAML one request body may hold."""
    config = current_app.config
    return YamlLimits(
        max_nodes=int(config["MAX_YAML_VALUES"]),
        max_aliases=int(config["MAX_YAML_ALIASES"]),
        max_documents=int(config["MAX_DOCUMENTS"]),
    )
