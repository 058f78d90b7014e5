"""A fake Kubernetes API server that lists and watches, on 127.0.0.1: enough for kubectl and informers.

It keeps objects (Nodes, Pods, ResourceQuotas, LimitRanges, DaemonSets, Events) with a global
resourceVersion, as etcd numbers revisions, and speaks the protocol as the API server does:

* discovery (``/api``, ``/apis``, ``/api/v1``, ``/apis/apps/v1``) and ``/version``;
* lists with ``limit``/``continue`` (pages of one consistent state; an expired token is a
  410 ``Expired`` Status), ``fieldSelector`` (``spec.nodeName=n1,status.phase!=Failed``)
  and ``labelSelector`` (equality only);
* watches (``?watch=true``) as a chunked HTTP/1.1 stream of JSON events, one a line, from
  ``resourceVersion``: ADDED/MODIFIED/DELETED, BOOKMARK when ``allowWatchBookmarks``, the
  stream ending after ``timeoutSeconds``; a resourceVersion older than the last
  :meth:`FakeKube.compact` gets the ERROR event with a 410 Status the API server sends;
* a Table (``Accept: ...;as=Table``) for ``kubectl get``'s columns;
* faults: :attr:`forbidden` resources (403 Status naming the verb and scope, as RBAC
  words it), a bearer :attr:`token` (401 without it), :attr:`stall_watches` (a watch
  that never sends anything), :meth:`stop` and :meth:`start` again on the same port.

Mutations (:meth:`add`, :meth:`update`, :meth:`delete`) notify every open watch.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["KINDS", "FakeKube", "Kind"]


class Kind:
    def __init__(self, kind: str, plural: str, group: str, namespaced: bool, short: str) -> None:
        self.kind, self.plural, self.group, self.namespaced, self.short = (
            kind,
            plural,
            group,
            namespaced,
            short,
        )

    @property
    def group_version(self) -> str:
        return f"{self.group}/v1" if self.group else "v1"

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group}/v1" if self.group else "/api/v1"

    def discovery(self) -> dict[str, Any]:
        return {"name": self.plural, "singularName": self.kind.lower(), "namespaced": self.namespaced,
                "kind": self.kind, "verbs": ["get", "list", "watch"], "shortNames": [self.short]}  # fmt: skip


KINDS = {
    k.plural: k
    for k in (
        Kind("Node", "nodes", "", False, "no"),
        Kind("Pod", "pods", "", True, "po"),
        Kind("ResourceQuota", "resourcequotas", "", True, "quota"),
        Kind("LimitRange", "limitranges", "", True, "limits"),
        Kind("Event", "events", "", True, "ev"),
        Kind("Namespace", "namespaces", "", False, "ns"),
        Kind("DaemonSet", "daemonsets", "apps", True, "ds"),
    )
}
_BY_KIND = {k.kind: k for k in KINDS.values()}


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}  # fmt: skip


def _field(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)


def _matches_fields(obj: Mapping[str, Any], selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            path, value = term.split("!=", 1)
            if _field(obj, path) == value:
                return False
        else:
            path, value = term.replace("==", "=").split("=", 1)
            if _field(obj, path) != value:
                return False
    return True


def _matches_labels(obj: Mapping[str, Any], selector: str) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in filter(None, selector.split(",")):
        key, _, value = term.replace("==", "=").partition("=")
        if labels.get(key) != value:
            return False
    return True


def _age(obj: Mapping[str, Any]) -> str:
    created = (obj.get("metadata") or {}).get("creationTimestamp")
    if not created:
        return "<unknown>"
    seconds = (
        dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    ).total_seconds()
    return f"{int(seconds // 86400)}d" if seconds >= 86400 else f"{int(seconds // 60)}m"


class FakeKube:
    """The fake API server; a context manager (started on entry, stopped on exit)."""

    def __init__(self, objects: Iterable[Mapping[str, Any]] = (), *, token: str | None = None) -> None:
        self.lock = threading.Condition()
        self.resource_version = 100
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.history: list[tuple[int, str, str, dict[str, Any]]] = []
        self.compacted = 0
        self.continues: dict[str, list[dict[str, Any]]] = {}
        self.continue_versions: dict[str, int] = {}
        #: plural -> verbs refused with 403 ({"pods": {"list", "watch"}}).
        self.forbidden: dict[str, set[str]] = {}
        #: When set, requests without ``Authorization: Bearer <token>`` get 401.
        self.token = token
        #: Watches accepted but silent forever (until the server stops).
        self.stall_watches = False
        #: Seconds between bookmarks on watches that allow them (None: only when :meth:`bookmark` is called).
        self.bookmark_seconds: float | None = None
        self.bookmarks = 0
        #: Every request: (method, path, query).
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.connections: set[socket.socket] = set()
        self.stopping = threading.Event()
        for obj in objects:
            self.add(obj)

    # -- state -------------------------------------------------------------------------------------

    def _key(self, obj: Mapping[str, Any]) -> tuple[str, str, str]:
        kind = _BY_KIND[obj["kind"]]
        metadata = obj.get("metadata") or {}
        namespace = metadata.get("namespace") or ("default" if kind.namespaced else "")
        return kind.plural, namespace, metadata["name"]

    def _record(self, event: str, obj: dict[str, Any]) -> None:
        self.resource_version += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.resource_version)
        self.history.append((self.resource_version, self._key(obj)[0], event, copy.deepcopy(obj)))
        self.lock.notify_all()

    def add(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(dict(obj))
        kind = _BY_KIND[stored["kind"]]
        stored.setdefault("apiVersion", kind.group_version)
        metadata = stored.setdefault("metadata", {})
        if kind.namespaced:
            metadata.setdefault("namespace", "default")
        metadata.setdefault("uid", f"uid-{metadata['name']}-{self.resource_version}")
        metadata.setdefault("creationTimestamp", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        with self.lock:
            key = self._key(stored)
            event = "MODIFIED" if key in self.objects else "ADDED"
            self.objects[key] = stored
            self._record(event, stored)
        return stored

    def update(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        return self.add(obj)

    def delete(self, kind: str, name: str, namespace: str = "") -> None:
        plural = _BY_KIND[kind].plural
        with self.lock:
            if _BY_KIND[kind].namespaced:
                namespace = namespace or "default"
            obj = self.objects.pop((plural, namespace, name))
            self._record("DELETED", obj)

    def compact(self) -> None:
        """Forget the history: a watch from any resourceVersion before now gets 410 Gone."""
        with self.lock:
            self.compacted = self.resource_version
            self.history.clear()
            self.continues.clear()

    def bookmark(self) -> None:
        """Send a BOOKMARK with the current resourceVersion on every watch that allows them."""
        with self.lock:
            self.bookmarks += 1
            self.lock.notify_all()

    def _items(self, plural: str, namespace: str | None) -> list[dict[str, Any]]:
        items = [obj for (p, ns, _), obj in self.objects.items() if p == plural and namespace in (None, ns)]
        return sorted(items, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    # -- server --------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kubeconfig(self, path: Path, *, token: str | None = None, context: str = "fake") -> Path:
        """A kubeconfig for this server (context ``context``, bearer ``token`` or the server's own)."""
        user: dict[str, Any] = {"token": token if token is not None else (self.token or "anything")}
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake-user", "user": user}],
            "contexts": [{"name": context, "context": {"cluster": "fake", "user": "fake-user"}}],
        }  # fmt: skip
        path.write_text(json.dumps(config))
        return path

    def start(self) -> FakeKube:
        self.stopping.clear()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection (watches included), as a dead server would."""
        self.stopping.set()
        with self.lock:
            self.lock.notify_all()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.server = None

    def __enter__(self) -> FakeKube:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(fake: FakeKube) -> type[BaseHTTPRequestHandler]:
    groups = sorted({k.group for k in KINDS.values() if k.group})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def setup(self) -> None:
            super().setup()
            fake.connections.add(self.connection)

        def finish(self) -> None:
            fake.connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def _send(self, code: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            fake.requests.append(("GET", url.path, query))
            if fake.token is not None and self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._send(401, _status(401, "Unauthorized", "Unauthorized"))
                return
            path = url.path.rstrip("/")
            if path == "/version":
                self._send(
                    200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "platform": "linux/amd64"}
                )
            elif path == "/api":
                self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
            elif path == "/apis":
                versions = [{"groupVersion": f"{g}/v1", "version": "v1"} for g in groups]
                pairs = zip(groups, versions, strict=True)
                listed = [{"name": g, "versions": [v], "preferredVersion": v} for g, v in pairs]
                self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": listed})
            elif path in ("/api/v1", *(f"/apis/{g}/v1" for g in groups)):
                group_version = path.removeprefix("/api/").removeprefix("/apis/")
                resources = [k.discovery() for k in KINDS.values() if k.prefix == path]
                self._send(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
                                 "resources": resources})  # fmt: skip
            else:
                self._resource(path, query)

        def _route(self, path: str) -> tuple[Kind, str | None, str | None] | None:
            for kind in KINDS.values():
                if not path.startswith(kind.prefix + "/"):
                    continue
                rest = path[len(kind.prefix) + 1 :].split("/")
                namespace: str | None = None
                if rest[0] == "namespaces" and len(rest) >= 3 and kind.namespaced:
                    namespace, rest = rest[1], rest[2:]
                if rest[0] != kind.plural or len(rest) > 2:
                    continue
                return kind, namespace, rest[1] if len(rest) == 2 else None
            return None

        def _resource(self, path: str, query: Mapping[str, list[str]]) -> None:
            route = self._route(path)
            if route is None:
                self._send(404, _status(404, "NotFound", "the server could not find the requested resource"))
                return
            kind, namespace, name = route
            watching = query.get("watch", ["false"])[0] in ("true", "1")
            verb = "get" if name else ("watch" if watching else "list")
            if verb in fake.forbidden.get(kind.plural, set()):
                scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
                message = (f'{kind.plural} is forbidden: User "system:serviceaccount:kq:kq" cannot {verb} '
                           f'resource "{kind.plural}" in API group "{kind.group}" {scope}')  # fmt: skip
                self._send(403, _status(403, "Forbidden", message))
                return
            if name is not None:
                with fake.lock:
                    obj = fake.objects.get((kind.plural, namespace or "", name))
                if obj is None:
                    self._send(404, _status(404, "NotFound", f'{kind.plural} "{name}" not found'))
                else:
                    self._send(200, obj)
            elif watching:
                self._watch(kind, namespace, query)
            else:
                self._list(kind, namespace, query)

        def _list(self, kind: Kind, namespace: str | None, query: Mapping[str, list[str]]) -> None:
            token = query.get("continue", [""])[0]
            limit = int(query.get("limit", ["0"])[0] or 0)
            with fake.lock:
                if token:
                    if token not in fake.continues:
                        self._send(410, _status(410, "Expired", "The provided continue parameter is too old "
                                                "to display a consistent list result."))  # fmt: skip
                        return
                    items = fake.continues[token]
                    version = fake.continue_versions[token]
                else:
                    items = [copy.deepcopy(o) for o in fake._items(kind.plural, namespace)]
                    fields = query.get("fieldSelector", [""])[0]
                    labels = query.get("labelSelector", [""])[0]
                    items = [o for o in items if _matches_fields(o, fields) and _matches_labels(o, labels)]
                    version = fake.resource_version
                page, rest = (items[:limit], items[limit:]) if limit else (items, [])
                metadata: dict[str, Any] = {"resourceVersion": str(version)}
                if rest:
                    following = base64.urlsafe_b64encode(
                        json.dumps([version, len(fake.continues)]).encode()
                    ).decode()
                    fake.continues[following] = rest
                    fake.continue_versions[following] = version
                    metadata["continue"] = following
            accept = self.headers.get("Accept", "")
            if "as=Table" in accept:
                self._send(200, self._table(kind, page, metadata))
                return
            listed = {"kind": f"{kind.kind}List", "apiVersion": kind.group_version, "metadata": metadata}
            self._send(200, {**listed, "items": page})

        def _table(self, kind: Kind, items: list[dict[str, Any]], metadata: dict[str, Any]) -> dict[str, Any]:
            columns = [
                {"name": name, "type": "string", "format": shape, "description": "", "priority": 0}
                for name, shape in (("Name", "name"), ("Age", ""))
            ]
            rows = [
                {"cells": [o["metadata"]["name"], _age(o)],
                 "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                            "metadata": o["metadata"]}}
                for o in items
            ]  # fmt: skip
            return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                    "columnDefinitions": columns, "rows": rows}  # fmt: skip

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _watch(self, kind: Kind, namespace: str | None, query: Mapping[str, list[str]]) -> None:
            since = int(query.get("resourceVersion", ["0"])[0] or 0)
            timeout = float(query.get("timeoutSeconds", ["1800"])[0])
            bookmarks = query.get("allowWatchBookmarks", ["false"])[0] == "true"
            fields = query.get("fieldSelector", [""])[0]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            end = time.monotonic() + timeout
            try:
                if since and since < fake.compacted:
                    message = f"too old resource version: {since} ({fake.compacted})"
                    self._chunk(
                        json.dumps({"type": "ERROR", "object": _status(410, "Expired", message)}).encode()
                        + b"\n"
                    )
                    self._chunk(b"")
                    return
                if since == 0:
                    since = fake.resource_version
                seen_bookmarks = fake.bookmarks
                last_bookmark = time.monotonic()
                while not fake.stopping.is_set():
                    with fake.lock:
                        if fake.stall_watches:
                            pending: list[bytes] = []
                        else:
                            pending = [
                                json.dumps({"type": event, "object": obj}).encode() + b"\n"
                                for version, plural, event, obj in fake.history
                                if version > since and plural == kind.plural
                                and namespace in (None, obj["metadata"].get("namespace"))
                                and _matches_fields(obj, fields)
                            ]  # fmt: skip
                            since = max(since, fake.resource_version)
                        send_bookmark = bookmarks and not fake.stall_watches and (
                            fake.bookmarks != seen_bookmarks
                            or (fake.bookmark_seconds is not None
                                and time.monotonic() - last_bookmark >= fake.bookmark_seconds)
                        )  # fmt: skip
                        seen_bookmarks = fake.bookmarks
                        if not pending and not send_bookmark:
                            left = end - time.monotonic()
                            if left <= 0 and not fake.stall_watches:
                                break
                            left = max(left, 0.05)
                            fake.lock.wait(min(left, 0.05))
                            continue
                    for line in pending:
                        self._chunk(line)
                    if send_bookmark:
                        last_bookmark = time.monotonic()
                        mark = {"kind": kind.kind, "apiVersion": kind.group_version,
                                "metadata": {"resourceVersion": str(since)}}  # fmt: skip
                        self._chunk(json.dumps({"type": "BOOKMARK", "object": mark}).encode() + b"\n")
                if not fake.stopping.is_set():
                    self._chunk(b"")
            except OSError:
                return  # the client went away
            self.close_connection = True

    return Handler
