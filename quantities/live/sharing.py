"""One watch per service, shared by every gunicorn worker through files in a private directory.

Why: each gunicorn worker is a process. A watch per worker would multiply the memory (the
trimmed state of 150,000 pods) and the API server's load (a list of every pod at each worker
start) by the number of workers. So the gunicorn master starts ONE watcher process
(``python -m quantities.live watch --dir DIR``, from ``api/gunicorn.conf.py``), which keeps
the informers' state and publishes it in ``DIR`` (mode 0700, created by the master, known to
the workers through ``KQ_LIVE_DIR``):

* ``items-<generation>.json``: the trimmed objects of a generation as one ``List`` document,
  one item a line; written only when the content changed, at most every ``min_interval``
  seconds (debounced), to a temporary name and renamed into place (atomic);
* ``status.json``: generation, items file name, resourceVersion, ``as_of``, ``stale`` and its
  reason, readiness and its reason, and ``written_at``; rewritten (atomically) when any of
  them changes, and at least every ``heartbeat`` seconds.

Each worker's :class:`SharedSource` reads ``status.json`` when it changed (one ``stat`` per
request otherwise) and loads the items of a new generation lazily, on the first request
that needs them. A worker that finds ``written_at`` older than ``3 * heartbeat + 5``
seconds answers ``stale`` (the watcher died; the master restarts it).

``/metrics`` with several workers: every worker computes from the same published
generation, so a scrape answered by any worker reports the numbers of one generation
(``resource_version`` and ``generation`` tell which); the service's own request counters
must use prometheus_client's multiprocess mode, which sums the workers' files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quantities.live.errors import ClusterUnavailable
from quantities.live.source import Items, LiveSettings, LiveState, Snapshot, WatchingSource

__all__ = ["SharedSource", "SnapshotWriter", "main"]

_log = logging.getLogger(__name__)
STATUS = "status.json"


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


class SnapshotWriter:
    """Publishes a :class:`LiveState` into a directory (runs in the watcher process)."""

    def __init__(
        self, state: LiveState, directory: Path, *, min_interval: float = 1.0, heartbeat: float = 1.0
    ) -> None:
        self.state = state
        self.directory = directory
        self.min_interval = min_interval
        self.heartbeat = heartbeat
        self.written_generation = -1
        self.written_at = 0.0
        self.last_status: dict[str, Any] = {}
        self.written_version = ("", "")
        self.generation_offset = self._previous_generation()

    def _previous_generation(self) -> int:
        """Generations keep growing across watcher restarts (a worker compares them)."""
        try:
            previous = json.loads((self.directory / STATUS).read_bytes())
            return int(previous.get("generation") or 0)
        except (OSError, ValueError, TypeError, AttributeError):
            return 0

    def publish(self, now: float | None = None) -> None:
        """Write what changed: the items of a new generation (debounced) and the status."""
        now = time.time() if now is None else now
        ready, reason = self.state.status()
        status: dict[str, Any] = {"ready": ready, "reason": reason, "generation": 0, "items": None}
        if ready:
            try:
                snapshot = self.state.snapshot()
            except ClusterUnavailable as error:
                status.update(ready=False, reason=str(error))
            else:
                generation = snapshot.generation + self.generation_offset
                if generation != self.written_generation and now - self.written_at >= self.min_interval:
                    self._write_items(snapshot, generation)
                    self.written_at = now
                if generation == self.written_generation:
                    self.written_version = (snapshot.resource_version, snapshot.as_of.isoformat())
                if self.written_generation >= 0:
                    # While a newer generation waits for its turn, the published one keeps the
                    # resourceVersion and time its content was current at.
                    version, as_of = self.written_version
                    status.update(
                        generation=self.written_generation,
                        items=f"items-{self.written_generation}.json",
                        resource_version=version,
                        as_of=as_of,
                        stale=snapshot.stale,
                        stale_reason=snapshot.stale_reason,
                    )
        heartbeat_due = now - float(self.last_status.get("written_at", 0)) >= self.heartbeat
        if status != {k: v for k, v in self.last_status.items() if k != "written_at"} or heartbeat_due:
            _write_atomically(self.directory / STATUS, json.dumps({**status, "written_at": now}).encode())
            self.last_status = {**status, "written_at": now}

    def _write_items(self, snapshot: Snapshot, generation: int) -> None:
        name = f"items-{generation}.json"
        _write_atomically(self.directory / name, snapshot.items.list_document(snapshot.resource_version))
        previous = self.written_generation
        self.written_generation = generation
        # Keep the previous file a while: a worker may have read the old status a moment ago.
        for old in self.directory.glob("items-*.json"):
            number = old.stem.removeprefix("items-")
            if number.isdigit() and int(number) not in (generation, previous):
                old.unlink(missing_ok=True)

    def run(self, stop: threading.Event, poll: float = 0.05) -> None:
        while not stop.is_set():
            try:
                self.publish()
            except OSError as error:  # a full disk: say so, keep watching
                _log.error("cannot publish the cluster state: %s", error.strerror or error)
            with self.state.changed:
                self.state.changed.wait(poll)


def _read_items(data: bytes) -> Items:
    """The items of an ``items-N.json`` file (one item a line between the header and ``]}``)."""
    lines = data.split(b"\n")
    encoded = []
    for line in lines[1:]:
        if not line or line == b"]}":
            continue
        encoded.append(line[:-1] if line.endswith(b",") else line)
    return Items(encoded)


class SharedSource:
    """A worker's view of the state the watcher process publishes in ``directory``."""

    def __init__(self, directory: str | Path, *, heartbeat: float = 1.0) -> None:
        self.directory = Path(directory)
        self.stale_after = 3 * heartbeat + 5
        self._lock = threading.Lock()
        self._stat: tuple[int, int, int] | None = None
        self._status: dict[str, Any] = {}
        self._items: tuple[int, Items] | None = None

    def _read_status(self) -> dict[str, Any]:
        path = self.directory / STATUS
        try:
            stat = path.stat()
        except OSError:
            return {}
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key != self._stat:
            try:
                status = json.loads(path.read_bytes())
            except (OSError, ValueError):
                return self._status
            with self._lock:
                self._stat, self._status = key, status if isinstance(status, dict) else {}
        return self._status

    def status(self) -> tuple[bool, str]:
        status = self._read_status()
        if not status:
            return False, "the cluster watcher process has not published any state yet"
        return bool(status.get("ready")), str(status.get("reason") or "")

    def snapshot(self) -> Snapshot:
        for _ in range(3):  # the items file of a status just replaced may be gone: read the status again
            status = self._read_status()
            if not status:
                raise ClusterUnavailable("the cluster watcher process has not published any state yet")
            if not status.get("ready") or not status.get("items"):
                raise ClusterUnavailable(str(status.get("reason") or "no cluster state yet"))
            generation = int(status["generation"])
            loaded = self._items
            if loaded is None or loaded[0] != generation:
                try:
                    data = (self.directory / str(status["items"])).read_bytes()
                except FileNotFoundError:
                    self._stat = None
                    continue
                loaded = (generation, _read_items(data))
                with self._lock:
                    if self._items is None or self._items[0] < generation:
                        self._items = loaded
            stale = bool(status.get("stale"))
            reason = str(status.get("stale_reason") or "")
            age = time.time() - float(status.get("written_at") or 0)
            if age > self.stale_after:
                stale, reason = True, f"the cluster watcher process has published nothing for {int(age)} s"
            return Snapshot(
                loaded[1],
                str(status.get("resource_version") or ""),
                dt.datetime.fromisoformat(str(status["as_of"])),
                stale,
                loaded[0],
                reason,
            )
        raise ClusterUnavailable("the cluster state is being replaced; ask again")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m quantities.live watch --dir DIR``: the service's one watcher process."""
    from quantities.live.client import connect

    parser = argparse.ArgumentParser(prog="python -m quantities.live")
    commands = parser.add_subparsers(dest="command", required=True)
    watch = commands.add_parser("watch", help="list and watch the cluster, publishing its state in --dir")
    watch.add_argument("--dir", required=True, help="the private directory the workers read")
    watch.add_argument("--mode", choices=("in-cluster", "kubeconfig"), required=True)
    watch.add_argument("--context")
    watch.add_argument("--kubeconfig")
    watch.add_argument("--page-size", type=int, default=500)
    watch.add_argument("--watch-seconds", type=int, default=60)
    watch.add_argument("--stale-seconds", type=float, default=120.0)
    watch.add_argument(
        "--min-interval", type=float, default=1.0, help="seconds between two published generations"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[kq-watcher] %(levelname)s %(message)s")
    settings = LiveSettings(
        page_size=arguments.page_size,
        watch_seconds=arguments.watch_seconds,
        stale_seconds=arguments.stale_seconds,
    )
    source = WatchingSource(
        lambda: connect(arguments.mode, context=arguments.context, kubeconfig=arguments.kubeconfig), settings
    ).start()
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    parent = os.getppid()

    def orphaned() -> None:
        # The gunicorn master is gone (killed): nobody reads the state any more.
        while not stop.wait(1):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=orphaned, daemon=True).start()
    writer = SnapshotWriter(source.state, Path(arguments.dir), min_interval=arguments.min_interval)
    try:
        writer.run(stop)
    finally:
        source.close(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
