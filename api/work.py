"""The work one request may do: its body, its deadline and read limits, as the library's ``Options``.

* The body is read before any view runs, up to ``MAX_CONTENT_LENGTH`` bytes, whether it
  comes with a ``Content-Length`` or chunked (werkzeug would cut a chunked body at the
  limit and hand the view the part that fit: here it is a 413), and within
  ``BODY_SECONDS`` (a client trickling its body gets a 408 instead of holding a thread).
* Every request gets a :class:`~quantities.options.Deadline` when it starts
  (``REQUEST_SECONDS`` from then), so reading the body counts against it as well as the
  computation; views pass :func:`options` down to the library, which checks the deadline
  inside its loops and answers with a located 413 past it.
* Every /v1 request names its Kubernetes release with ``kubernetes_version`` and
  ``feature_gates`` (query parameters, read here before the view; a JSON object body may
  carry them instead, :func:`use_body_release`); without them the service's default
  (``KQ_KUBERNETES_VERSION`` at start, else the library's). :func:`options` carries the
  release down; every answer says which one it was (the ``Kubernetes-Version`` header, set
  here, and ``kubernetes_version`` in JSON, :func:`version_text`). An unsupported release or
  a refused gate is a 422 naming the parameter and where it was given.
"""

from __future__ import annotations

import contextlib
import functools
import io
import socket
import threading
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.problems import Problem
from quantities.manifest.yaml_safe import YamlLimits
from quantities.options import Deadline, Options, ReadLimits
from quantities.versions import (
    FeatureGateError,
    KubernetesVersion,
    UnsupportedVersion,
    default_kubernetes_version,
)

__all__ = [
    "VERSION_HEADER",
    "deadline",
    "install",
    "options",
    "release",
    "use_body_release",
    "version_text",
    "yaml_limits",
]

#: The response header that says which Kubernetes release an answer is for (every answer).
VERSION_HEADER = "Kubernetes-Version"
_VERSION = "kubernetes_version"
_GATES = "feature_gates"


_CHUNK = 64 * 1024


def install(app: Flask, default: KubernetesVersion | None = None) -> None:
    """The request's clock, body and release; ``default`` is the service's release (None: the
    library's process default, looked up per request so that ``set_default_kubernetes_version``
    applies to an embedded app)."""
    app.extensions["kq_default_version"] = default

    @app.before_request
    def start_the_clock_and_read_the_body() -> None:
        g.kq_deadline = Deadline.after(float(current_app.config["REQUEST_SECONDS"]))
        if request.method in ("POST", "PUT", "PATCH"):
            _read_body(request.environ)
        if request.path.startswith("/v1/"):
            _read_query_release()

    @app.after_request
    def say_which_release(response: Response) -> Response:
        response.headers[VERSION_HEADER] = version_text()
        return response


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
    """The library options for this request: its release, its deadline and the configured limits,
    plus ``settings`` (``pod_level_resources=False`` turns that gate off, where the release has it)."""
    config = current_app.config
    limits = ReadLimits(max_replicas=int(config["MAX_REPLICAS"]), max_rows=int(config["MAX_ROWS"]))
    pod_level_resources = settings.pop("pod_level_resources", True)
    built = release().replace(deadline=deadline(), limits=limits).replace(**settings)
    return built if pod_level_resources else built.with_gate("PodLevelResources", False)


def _service_default() -> KubernetesVersion:
    configured: KubernetesVersion | None = current_app.extensions["kq_default_version"]
    return configured or default_kubernetes_version()


@functools.lru_cache(maxsize=64)
def _default_options(version: KubernetesVersion) -> Options:
    return Options(kubernetes_version=version)


def release() -> Options:
    """This request's release and gates (the version always resolved, so answers and the cache
    key agree on it); the service's default release when the request named none."""
    found: Options | None = g.get("kq_release")
    if found is None:
        found = _default_options(_service_default())
    return found


def version_text() -> str:
    """The release this request is answered for, as the header and the JSON field write it.

    Before the request's own release is read, or when it was refused, the service's default.
    """
    return str(release().version)


def _given(value: object) -> bool:
    return value is not None and value != ""


def _read_query_release() -> None:
    """``kubernetes_version`` and ``feature_gates`` of the query string; 422 naming them when refused."""
    args = request.args
    if _VERSION not in args and _GATES not in args:  # the common case, kept cheap
        g.kq_release = _default_options(_service_default())
        return
    for name in (_VERSION, _GATES):
        # Two different values would leave one silently unused.
        if len(set(request.args.getlist(name))) > 1:
            raise Problem(
                422,
                f"{name} is given more than once with different values; give it once",
                [{"path": name, "in": "query", "message": "given more than once with different values"}],
            )
    version, gates = args.get(_VERSION), args.get(_GATES)
    # Always set (the default resolved now): the answer cache keys on it.
    g.kq_release = _release_of(version, gates, "query", "query")


def use_body_release(version: object = None, gates: object = None) -> Options:
    """A JSON object body's ``kubernetes_version``/``feature_gates``, for the rest of the request.

    Each may be given in the body or in the query, not in both with different values
    (one would be silently dropped): that is a 422 naming both places.
    """
    query_version, query_gates = request.args.get(_VERSION), request.args.get(_GATES)
    conflicts = [
        name
        for name, body, query in ((_VERSION, version, query_version), (_GATES, gates, query_gates))
        if _given(body) and _given(query) and body != query
    ]
    if conflicts:
        rows = [
            {"path": name, "in": where, "message": "given both in the body and in the query; give it once"}
            for name in conflicts
            for where in ("body", "query")
        ]
        raise Problem(422, f"{' and '.join(conflicts)} given both in the body and in the query", rows)
    if not _given(version) and not _given(gates):
        return release()
    chosen_version, version_place = (version, "body") if _given(version) else (query_version, "query")
    chosen_gates, gates_place = (gates, "body") if _given(gates) else (query_gates, "query")
    g.kq_release = _release_of(chosen_version, chosen_gates, version_place, gates_place)
    return g.kq_release  # type: ignore[no-any-return]


def _release_of(version: object, gates: object, version_place: str, gates_place: str) -> Options:
    if _given(version):
        if not isinstance(version, str):
            raise _refused(_VERSION, version_place, 'expected a string such as "1.32"', version)
        try:
            chosen = KubernetesVersion.parse(version)
        except UnsupportedVersion as error:
            raise _refused(_VERSION, version_place, str(error), version) from None
    else:
        chosen = _service_default()
    if not _given(gates):
        return _default_options(chosen)
    if isinstance(gates, dict) and all(type(value) is bool for value in gates.values()):
        settings: str | dict[str, bool] = gates
    elif isinstance(gates, str):
        settings = gates
    else:
        expected = 'expected the kubelet\'s text "Name=true,Other=false" or an object of booleans'
        raise _refused(_GATES, gates_place, expected, gates)
    try:
        return Options.of(chosen, settings)
    except FeatureGateError as error:
        raise _refused(_GATES, gates_place, str(error), gates) from None


def _refused(name: str, place: str, message: str, value: object) -> Problem:
    import json

    # A JSON body's numbers are read exactly (ExactNumber), and are echoed as they were written.
    text = json.dumps(value, ensure_ascii=False, default=str)
    row = {"path": name, "in": place, "message": message, "value": text}
    # The library's message already starts with the parameter's name ("kubernetes_version "1.27" is ...").
    return Problem(422, message if message.startswith(name) else f"{name}: {message}", [row])


def yaml_limits() -> YamlLimits:
    """How much YAML one request body may hold."""
    config = current_app.config
    return YamlLimits(
        max_nodes=int(config["MAX_YAML_VALUES"]),
        max_aliases=int(config["MAX_YAML_ALIASES"]),
        max_documents=int(config["MAX_DOCUMENTS"]),
    )
