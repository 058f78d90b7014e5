"""A live cluster's objects kept in memory, informer-style, and handed out as immutable snapshots.

The interface (what the HTTP API and ``/metrics`` use):

* :class:`Snapshot`: one state of the cluster. ``items`` is a ``kubectl get
  nodes,pods,resourcequotas,limitranges,daemonsets -A -o json``-shaped sequence of trimmed
  objects (:mod:`quantities.live.trim`), each with ``kind`` and ``apiVersion``; ``resource_version``
  the API server's version of that state; ``as_of`` (UTC) when the state was last confirmed
  current (a list completed, an event or a bookmark arrived, a watch ended cleanly);
  ``stale`` when it may not be current (a watch lost its connection, or nothing confirmed
  it for ``stale_seconds``); ``generation`` a number that changes exactly when ``items``
  change, so a consumer rebuilds what it computes from ``items`` once per generation.
* :class:`ClusterUnavailable`: there is no state to answer from, with the reason.
* :class:`ClusterSource`: ``snapshot()`` (raises ClusterUnavailable before the first list
  completes) and ``status()`` -> ``(ready, reason)`` for ``/readyz``.

Sources: :class:`StaticSource` (fixed objects, for tests and for ``kq`` reading a cluster
once), :class:`WatchingSource` (list and watch in threads of this process: the Flask
development server and tests) and :class:`quantities.live.sharing.SharedSource` (gunicorn
workers reading the state one watcher process keeps for the whole service).

Informer semantics (as client-go's reflector): list (paged) then watch from the list's
resourceVersion; ADDED/MODIFIED/DELETED change the store, BOOKMARK moves the
resourceVersion on; 410 Gone (an HTTP 410 or an ERROR event with code 410) relists;
any other failure reconnects after an exponential backoff with jitter, watching on from
the last resourceVersion seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, overload

from quantities.live.errors import ClusterError, ClusterUnavailable, ResourceGone
from quantities.live.trim import API_VERSIONS, KINDS, object_key, trim

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.live.client import KubeClient, Resource

__all__ = [
    "ClusterSource",
    "ClusterUnavailable",
    "Items",
    "LiveSettings",
    "LiveState",
    "Snapshot",
    "StaticSource",
    "WatchingSource",
    "backoff_delay",
    "encode",
    "read_once",
]

_log = logging.getLogger(__name__)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def encode(obj: Mapping[str, Any]) -> bytes:
    """A trimmed object as compact JSON: what a snapshot keeps (a few hundred bytes a pod)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _kind_of(encoded: bytes) -> str:
    """The kind of an encoded trimmed object: :func:`~quantities.live.trim.trim` writes it first."""
    prefix = b'{"kind":"'
    if encoded.startswith(prefix):
        end = encoded.find(b'"', len(prefix))
        return encoded[len(prefix) : end].decode()
    kind = json.loads(encoded).get("kind")
    return kind if isinstance(kind, str) else ""


class Items(Sequence[Mapping[str, Any]]):
    """The objects of a snapshot, kept as compact JSON and grouped by kind (nodes first).

    Reading an item decodes a fresh dict: whatever a caller does with it, the snapshot
    does not change (it is immutable data), and 150,000 pods take the memory of their
    JSON rather than of Python dicts.
    """

    __slots__ = ("_encoded", "_spans")

    def __init__(self, encoded: Iterable[bytes]) -> None:
        ordered = sorted(encoded, key=lambda item: _KIND_ORDER.get(_kind_of(item), len(_KIND_ORDER)))
        self._encoded: tuple[bytes, ...] = tuple(ordered)
        spans: dict[str, tuple[int, int]] = {}
        for position, item in enumerate(self._encoded):
            kind = _kind_of(item)
            start, _ = spans.get(kind, (position, position))
            spans[kind] = (start, position + 1)
        self._spans = spans

    @classmethod
    def of(cls, objects: Iterable[Mapping[str, Any]]) -> Items:
        """Items from decoded objects (kept in their order within each kind)."""
        return cls(encode(obj) for obj in objects)

    def __len__(self) -> int:
        return len(self._encoded)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [json.loads(item) for item in self._encoded[index]]
        decoded: Mapping[str, Any] = json.loads(self._encoded[index])
        return decoded

    def encoded(self, index: int) -> bytes:
        """Item ``index`` as its compact JSON."""
        return self._encoded[index]

    @property
    def all_encoded(self) -> tuple[bytes, ...]:
        return self._encoded

    def span(self, kind: str) -> range:
        """The positions of the items of ``kind``."""
        start, end = self._spans.get(kind, (0, 0))
        return range(start, end)

    def of_kind(self, kind: str) -> int:
        """How many items of ``kind``."""
        return len(self.span(kind))

    def objects(self, kind: str) -> Iterator[Mapping[str, Any]]:
        """The items of ``kind``, decoded one at a time."""
        for position in self.span(kind):
            yield self[position]

    def list_document(self, resource_version: str = "") -> bytes:
        """The items as one ``List`` document (what ``kubectl get ... -o json`` prints), one item a line."""
        head = json.dumps(
            {"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": resource_version}}
        )
        body = b",\n".join(self._encoded)
        return head[:-1].encode() + b', "items": [\n' + body + b"\n]}\n"


_KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """One state of the cluster: its trimmed objects and how current they are."""

    items: Items
    resource_version: str
    as_of: dt.datetime
    stale: bool
    generation: int
    #: Why the state may not be current ("" when it is).
    stale_reason: str = ""

    def age_seconds(self, now: dt.datetime | None = None) -> int:
        """Whole seconds since ``as_of`` (0 if the clock says it is in the future)."""
        now = now or dt.datetime.now(dt.UTC)
        return max(0, int((now - self.as_of).total_seconds()))


class ClusterSource(Protocol):
    """Where the API finds the cluster's state."""

    def snapshot(self) -> Snapshot:
        """The newest state; :class:`ClusterUnavailable` (with the reason) when there is none yet."""
        ...

    def status(self) -> tuple[bool, str]:
        """``(ready, reason)``: ready once there is a state to answer from."""
        ...


class StaticSource:
    """A fixed set of objects: tests, and ``kq --context`` (the cluster read once)."""

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]] | Items,
        resource_version: str = "1",
        as_of: dt.datetime | None = None,
        *,
        stale: bool = False,
        generation: int = 1,
        trimmed: bool = True,
    ) -> None:
        if isinstance(objects, Items):
            items = objects
        else:
            items = Items.of(_trimmed(obj) if trimmed else obj for obj in objects)
        self._snapshot = Snapshot(
            items, resource_version, as_of or dt.datetime.now(dt.UTC), stale, generation
        )

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def status(self) -> tuple[bool, str]:
        return True, "ready"


class UnavailableSource:
    """No state, ever: a source that could not even be configured says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def snapshot(self) -> Snapshot:
        raise ClusterUnavailable(self.reason)

    def status(self) -> tuple[bool, str]:
        return False, self.reason


def _trimmed(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    kind = obj.get("kind")
    return trim(kind, obj) if isinstance(kind, str) and kind in API_VERSIONS else obj


@dataclasses.dataclass(frozen=True, slots=True)
class LiveSettings:
    """How the source talks to the API server (every number can be set; see ``api.config``)."""

    #: Items per list page (``limit``).
    page_size: int = 500
    #: Seconds a watch lasts before the server ends it (``timeoutSeconds``); a clean end confirms the state.
    watch_seconds: int = 60
    #: The state is stale when nothing confirmed it for this long (or a watch lost its connection).
    stale_seconds: float = 120
    #: Seconds to connect, and to wait for a list page.
    connect_seconds: float = 5
    read_seconds: float = 60
    #: Reconnection backoff: from ``backoff_initial`` seconds, doubling, at most ``backoff_cap``, jittered.
    backoff_initial: float = 0.5
    backoff_cap: float = 30


def backoff_delay(attempt: int, initial: float, cap: float, rng: random.Random | None = None) -> float:
    """The wait before reconnection ``attempt`` (0-based): exponential, capped, with "equal jitter"
    (half fixed, half random) so that many replicas do not reconnect in step.

    >>> all(0.25 <= backoff_delay(0, 0.5, 30) <= 0.5 for _ in range(100))
    True
    >>> all(15 <= backoff_delay(20, 0.5, 30) <= 30 for _ in range(100))
    True
    """
    base = min(cap, initial * 2 ** min(attempt, 60))
    return float(base / 2 + (rng or random).random() * base / 2)


class _KindState:
    __slots__ = ("confirmed_at", "connected", "error", "resource_version", "store", "synced")

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], bytes] = {}
        self.resource_version = ""
        self.synced = False
        self.connected = False
        self.confirmed_at = 0.0
        self.error: ClusterUnavailable | None = None


def _newest(versions: Iterable[str]) -> str:
    """The newest of resourceVersions from one etcd (numbers); joined when they are not numbers."""
    present = [v for v in versions if v]
    if all(v.isdigit() for v in present):
        return max(present, key=int, default="")
    return ",".join(present)


class LiveState:
    """The stores of every watched kind, their resourceVersions and health; thread-safe.

    ``generation`` goes up by one whenever a store's content changes (a trimmed object
    that is byte for byte the same changes nothing).
    """

    def __init__(
        self,
        resources: Sequence[Resource],
        settings: LiveSettings = LiveSettings(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.resources = {resource.kind: resource for resource in resources}
        self.settings = settings
        self.clock = clock
        self.generation = 0
        self.changed = threading.Condition()
        self._lock = threading.Lock()
        self._kinds = {kind: _KindState() for kind in self.resources}
        self._built: Snapshot | None = None
        self._setup_error: ClusterUnavailable | None = None

    # -- what informers report -------------------------------------------------------------------

    def _bump(self) -> None:
        self.generation += 1
        with self.changed:
            self.changed.notify_all()

    def replace(self, kind: str, store: dict[tuple[str, str], bytes], resource_version: str) -> None:
        """A list completed: its objects are the whole store of ``kind``."""
        with self._lock:
            state = self._kinds[kind]
            different = store != state.store
            state.store = store
            self._confirm(state, resource_version)
            state.synced = True
            self._setup_error = None
            if different or self.generation == 0:
                self._bump()

    def apply(
        self, kind: str, event: str, key: tuple[str, str], encoded: bytes | None, resource_version: str
    ) -> None:
        """A watch event: ADDED/MODIFIED (``encoded`` the trimmed object) or DELETED."""
        with self._lock:
            state = self._kinds[kind]
            if event == "DELETED":
                different = state.store.pop(key, None) is not None
            else:
                assert encoded is not None
                different = state.store.get(key) != encoded
                state.store[key] = encoded
            self._confirm(state, resource_version)
            if different:
                self._bump()

    def confirm(self, kind: str, resource_version: str = "") -> None:
        """A bookmark, or a watch that ended cleanly: the store is current."""
        with self._lock:
            self._confirm(self._kinds[kind], resource_version)
        with self.changed:
            self.changed.notify_all()

    def _confirm(self, state: _KindState, resource_version: str) -> None:
        if resource_version:
            state.resource_version = resource_version
        state.confirmed_at = self.clock()
        state.connected = True
        state.error = None

    def connected(self, kind: str) -> None:
        """The server accepted a watch."""
        with self._lock:
            state = self._kinds[kind]
            state.connected = True

    def lost(self, kind: str, error: ClusterUnavailable) -> None:
        """A list or watch of ``kind`` failed: the state may fall behind until it reconnects."""
        with self._lock:
            state = self._kinds[kind]
            state.connected = False
            state.error = error
        with self.changed:
            self.changed.notify_all()

    def unconfigured(self, error: ClusterUnavailable) -> None:
        """The client could not even be set up (no kubeconfig, not in a pod)."""
        with self._lock:
            self._setup_error = error
            for state in self._kinds.values():
                state.connected = False
                state.error = error

    # -- what consumers read ---------------------------------------------------------------------

    def _required(self) -> list[str]:
        return [kind for kind, resource in self.resources.items() if resource.required]

    def status(self) -> tuple[bool, str]:
        with self._lock:
            missing = [kind for kind in self._required() if not self._kinds[kind].synced]
            if missing:
                errors = [self._kinds[kind].error for kind in missing if self._kinds[kind].error]
                if errors:
                    return False, str(errors[0])
                names = " and ".join(self.resources[kind].plural for kind in missing)
                return False, f"listing {names} from the Kubernetes API server (not done yet)"
            notes = [
                str(state.error)
                for kind, state in self._kinds.items()
                if not state.synced and state.error is not None
            ]
        reason = "ready"
        stale, why = self._staleness()
        if stale:
            reason += f"; answering from the last state seen, which is stale: {why}"
        if notes:
            reason += "; without " + "; ".join(notes)
        return True, reason

    def _staleness(self) -> tuple[bool, str]:
        with self._lock:
            synced = [(kind, state) for kind, state in self._kinds.items() if state.synced]
            for _, state in synced:
                if not state.connected and state.error is not None:
                    return True, str(state.error)
            oldest = min((state.confirmed_at for _, state in synced), default=0.0)
        if synced and self.clock() - oldest > self.settings.stale_seconds:
            return True, f"the API server confirmed nothing for {int(self.clock() - oldest)} s"
        return False, ""

    def snapshot(self) -> Snapshot:
        """The current state (:class:`ClusterUnavailable` before nodes and pods are listed)."""
        ready, reason = self.status()
        if not ready:
            raise ClusterUnavailable(reason)
        with self._lock:
            generation = self.generation
            built = self._built
            copies = None
            if built is None or built.generation != generation:
                copies = [sorted(state.store.items()) for state in self._kinds.values() if state.synced]
            synced = [state for state in self._kinds.values() if state.synced]
            version = _newest(state.resource_version for state in synced)
            as_of = min(state.confirmed_at for state in synced)
        if copies is not None:
            items = Items(encoded for pairs in copies for _, encoded in pairs)
            built = Snapshot(items, version, _EPOCH, False, generation)
            with self._lock:
                if self._built is None or self._built.generation < generation:
                    self._built = built
        assert built is not None
        stale, why = self._staleness()
        return dataclasses.replace(
            built,
            resource_version=version,
            as_of=dt.datetime.fromtimestamp(as_of, dt.UTC),
            stale=stale,
            stale_reason=why,
        )

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {kind: len(state.store) for kind, state in self._kinds.items()}


class Informer:
    """List and watch one resource into a :class:`LiveState`, until ``stop`` is set."""

    def __init__(
        self, client: KubeClient, resource: Resource, state: LiveState, stop: threading.Event
    ) -> None:
        self.client = client
        self.resource = resource
        self.state = state
        self.stop = stop
        self.settings = state.settings
        self.resource_version = ""
        self.rng = random.Random()

    def run(self) -> None:
        attempt = 0
        while not self.stop.is_set():
            try:
                if not self.resource_version:
                    self._list()
                self._watch()
                attempt = 0
            except ResourceGone:
                # Too old to watch from: list again (at once the first time, then backing off).
                self.resource_version = ""
                if attempt:
                    self.stop.wait(
                        backoff_delay(
                            attempt, self.settings.backoff_initial, self.settings.backoff_cap, self.rng
                        )
                    )
                attempt += 1
            except ClusterUnavailable as error:
                self.state.lost(self.resource.kind, error)
                self.stop.wait(
                    backoff_delay(attempt, self.settings.backoff_initial, self.settings.backoff_cap, self.rng)
                )
                attempt += 1
            except Exception as error:  # a bug or a client surprise: report it, never die
                _log.exception("watching %s failed", self.resource.plural)
                self.state.lost(
                    self.resource.kind,
                    ClusterError(
                        f"watching {self.resource.plural} failed unexpectedly ({type(error).__name__})"
                    ),
                )
                self.stop.wait(
                    backoff_delay(attempt, self.settings.backoff_initial, self.settings.backoff_cap, self.rng)
                )
                attempt += 1

    def _list(self) -> None:
        kind = self.resource.kind
        items, version = self.client.list_all(self.resource, self.settings.page_size)
        store: dict[tuple[str, str], bytes] = {}
        for obj in items:
            if self.stop.is_set():
                return
            if isinstance(obj, dict):
                store[object_key(obj)] = encode(trim(kind, obj))
        self.resource_version = version[0] if version else ""
        self.state.replace(kind, store, self.resource_version)

    def _watch(self) -> None:
        kind = self.resource.kind
        events = self.client.watch(
            self.resource,
            self.resource_version,
            self.settings.watch_seconds,
            on_connected=lambda: self.state.connected(kind),
        )
        try:
            for event in events:
                if self.stop.is_set():
                    return
                self._event(event)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
        # The server ended the watch after timeoutSeconds: everything up to now was delivered.
        self.state.confirm(kind, self.resource_version)

    def _event(self, event: Mapping[str, Any]) -> None:
        kind = self.resource.kind
        kind_of_event = event.get("type")
        obj = event.get("object")
        if not isinstance(obj, dict):
            return
        metadata = obj.get("metadata")
        version = str(metadata.get("resourceVersion") or "") if isinstance(metadata, dict) else ""
        if kind_of_event == "BOOKMARK":
            self.resource_version = version or self.resource_version
            self.state.confirm(kind, self.resource_version)
        elif kind_of_event in ("ADDED", "MODIFIED"):
            self.resource_version = version or self.resource_version
            self.state.apply(
                kind, "MODIFIED", object_key(obj), encode(trim(kind, obj)), self.resource_version
            )
        elif kind_of_event == "DELETED":
            self.resource_version = version or self.resource_version
            self.state.apply(kind, "DELETED", object_key(obj), None, self.resource_version)
        elif kind_of_event == "ERROR":
            code = obj.get("code")
            message = obj.get("message") if isinstance(obj.get("message"), str) else ""
            if code == 410:
                raise ResourceGone(f"watch {self.resource.plural}: {message}", 410)
            raise ClusterError(
                f"the watch of {self.resource.plural} failed: {message or obj.get('reason')}",
                code if isinstance(code, int) else None,
            )


class WatchingSource:
    """List and watch every resource in threads of this process (one per resource)."""

    def __init__(
        self,
        connect: Callable[[], KubeClient],
        settings: LiveSettings = LiveSettings(),
        resources: Sequence[Resource] | None = None,
    ) -> None:
        from quantities.live.client import RESOURCES

        self._connect = connect
        self.resources = tuple(resources or RESOURCES)
        self.state = LiveState(self.resources, settings)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.client: KubeClient | None = None

    def start(self) -> WatchingSource:
        thread = threading.Thread(target=self._run, name="kq-cluster-source", daemon=True)
        thread.start()
        self.threads.append(thread)
        return self

    def _run(self) -> None:
        attempt = 0
        settings = self.state.settings
        while not self.stop.is_set():
            try:
                self.client = self._connect()
                break
            except ClusterUnavailable as error:
                self.state.unconfigured(error)
            except Exception as error:  # an exec plugin that crashed, a kubeconfig the loader chokes on
                _log.exception("setting up the Kubernetes client failed")
                self.state.unconfigured(
                    ClusterError(f"cannot set up the Kubernetes client ({type(error).__name__})")
                )
            self.stop.wait(backoff_delay(attempt, settings.backoff_initial, settings.backoff_cap))
            attempt += 1
        if self.client is None:
            return
        for resource in self.resources:
            informer = Informer(self.client, resource, self.state, self.stop)
            thread = threading.Thread(target=informer.run, name=f"kq-watch-{resource.plural}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def snapshot(self) -> Snapshot:
        return self.state.snapshot()

    def status(self) -> tuple[bool, str]:
        return self.state.status()

    def close(self, timeout: float = 5) -> None:
        self.stop.set()
        client = self.client
        if client is not None:
            client.close()
        for thread in self.threads:
            thread.join(timeout)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until there is a state (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        with self.state.changed:
            while not self.state.status()[0]:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.state.changed.wait(min(left, 0.1))
        return True


def read_once(
    client: KubeClient, resources: Sequence[Resource] | None = None, page_size: int = 500
) -> Snapshot:
    """The cluster listed once, without a watch (``kq --context``): what kube-capacity does.

    A kind the credentials may not list is left out unless it is required (nodes, pods).
    """
    from quantities.live.client import RESOURCES

    encoded: list[bytes] = []
    versions: list[str] = []
    for resource in resources or RESOURCES:
        try:
            items, version = client.list_all(resource, page_size)
            objects = sorted(
                (object_key(obj), encode(trim(resource.kind, obj))) for obj in items if isinstance(obj, dict)
            )
        except ClusterError as error:
            if resource.required or error.status not in (403, 404):
                raise
            continue
        encoded.extend(item for _, item in objects)
        versions.extend(version)
    return Snapshot(Items(encoded), _newest(versions), dt.datetime.now(dt.UTC), False, 1)
