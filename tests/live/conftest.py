"""Fixtures for the live-cluster tests: a fake API server holding tests.live.cluster_data, sources on it."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quantities.live.client import connect
from quantities.live.source import LiveSettings, WatchingSource
from tests.fake_kube import FakeKube
from tests.live.cluster_data import objects


def kubectl(release: str = "1.32") -> str | None:
    """The kubectl binary of ``release`` (the ``kubectl`` on PATH is a dispatcher), or None."""
    found = shutil.which("kubectl")
    if found is None:
        return None
    pinned = Path(os.path.realpath(found)).parent / f"kubectl.{release}"
    return str(pinned) if pinned.exists() else None


#: Fast settings for tests: short watches, quick reconnection.
FAST = LiveSettings(
    page_size=3,
    watch_seconds=1,
    stale_seconds=30,
    connect_seconds=1,
    read_seconds=5,
    backoff_initial=0.05,
    backoff_cap=0.3,
)


def wait_for(condition: Callable[[], bool], seconds: float = 10, what: str = "the condition") -> None:
    """Poll until ``condition()`` holds; fail (never hang) after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@pytest.fixture()
def fake() -> Iterator[FakeKube]:
    with FakeKube(objects()) as server:
        yield server


@pytest.fixture()
def kubeconfig(fake: FakeKube, tmp_path: Path) -> Path:
    return fake.kubeconfig(tmp_path / "kubeconfig")


def watching(kubeconfig: Path, settings: LiveSettings = FAST, context: str | None = None) -> WatchingSource:
    return WatchingSource(
        lambda: connect("kubeconfig", kubeconfig=str(kubeconfig), context=context), settings
    ).start()


@pytest.fixture()
def source(kubeconfig: Path) -> Iterator[WatchingSource]:
    started = watching(kubeconfig)
    try:
        assert started.wait_ready(10), started.status()
        yield started
    finally:
        started.close()
