"""Operations under real gunicorn: slow clients, chunked bodies, the drain marker, CPU quotas."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from api.cpu_quota import cgroup_cpu_quota, usable_cpus
from tests.server import Server, gunicorn

# --- slow clients and bodies ----------------------------------------------------------------------


def _connect(server: Server) -> socket.socket:
    host, port = server.base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _receive(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        if b"\r\n\r\n" in b"".join(chunks):
            head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
            length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                break
    return b"".join(chunks)


def _trickle(server: Server, answers: list[bytes]) -> None:
    """Send a 16-byte body one byte per second, as a slow or hostile client would, until answered."""
    import select

    with _connect(server) as sock:
        sock.sendall(
            b"POST /v1/quantities/normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 16\r\n\r\n"
        )
        for byte in b'{"values":["1"]}':
            if select.select([sock], [], [], 1.0)[0]:
                break  # the server answered before the body was complete
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
        sock.settimeout(5)
        answers.append(_receive(sock))


def test_ten_trickling_clients_do_not_delay_other_requests() -> None:
    with gunicorn(environment={"KQ_BODY_SECONDS": "3"}) as server:
        answers: list[bytes] = []
        trickles = [threading.Thread(target=_trickle, args=(server, answers)) for _ in range(10)]
        for thread in trickles:
            thread.start()
        time.sleep(1)  # every trickling connection is open and being read
        for path in ("/livez", "/v1/quantity?value=1.5Gi&format=text", "/readyz"):
            started = time.monotonic()
            status, _ = server.get(path, timeout=5)
            assert status == 200
            assert time.monotonic() - started < 1.0, path
        for thread in trickles:
            thread.join(timeout=30)
    # Each slow body was cut off at KQ_BODY_SECONDS with a 408, freeing its thread.
    assert len(answers) == 10
    assert all(_status_of(answer) == 408 for answer in answers), answers[:1]


def test_a_chunked_body_over_the_limit_is_refused_not_cut() -> None:
    limit = 64 * 1024
    with gunicorn(environment={"KQ_MAX_CONTENT_LENGTH": str(limit)}) as server:
        body = b'{"values": [' + b'"1",' * (limit // 4) + b'"1"]}'
        assert len(body) > limit
        with _connect(server) as sock:
            sock.sendall(
                b"POST /v1/quantities/normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )
            for start in range(0, len(body), 8192):
                piece = body[start : start + 8192]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
            answer = _receive(sock)
        assert _status_of(answer) == 413
        # The same body within the limit, chunked, is read whole.
        small = b'{"values": ["1Gi", "500m"]}'
        with _connect(server) as sock:
            sock.sendall(
                b"POST /v1/quantities/normalize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + f"{len(small):x}\r\n".encode()
                + small
                + b"\r\n0\r\n\r\n"
            )
            answer = _receive(sock)
        assert _status_of(answer) == 200 and b'"canonical": "500m"' in answer.replace(b'":"', b'": "')


def test_the_drain_marker_is_private_to_the_service(tmp_path: Path) -> None:
    with gunicorn(environment={"TMPDIR": str(tmp_path)}) as server:
        assert server.get("/readyz")[0] == 200
        (folder,) = tmp_path.glob("kq-drain-*")
        mode = stat.S_IMODE(folder.stat().st_mode)
        assert mode == 0o700, oct(mode)
        assert folder.name != f"kq-drain-{server.process.pid}"  # not a name another user can guess
    assert not folder.exists()  # removed when the service stops


def test_no_control_socket_is_shared_between_instances(tmp_path: Path) -> None:
    with (
        gunicorn(environment={"HOME": str(tmp_path)}) as first,
        gunicorn(environment={"HOME": str(tmp_path)}),
    ):
        assert first.get("/livez")[0] == 200
        assert not (tmp_path / ".gunicorn").exists()


# --- CPU quota --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "200000 100000"}, 2),
        ({"cpu.max": "150000 100000"}, 2),
        ({"cpu.max": "50000 100000"}, 1),
        ({"cpu.max": "max 100000"}, None),
        ({"cpu.max": "garbage"}, None),
        ({"cpu/cpu.cfs_quota_us": "400000", "cpu/cpu.cfs_period_us": "100000"}, 4),
        ({"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, None),
        ({"cpu/cpu.cfs_quota_us": "x", "cpu/cpu.cfs_period_us": "100000"}, None),
        ({}, None),
    ],
)
def test_cgroup_cpu_quota(tmp_path: Path, files: dict[str, str], expected: int | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n")
    assert cgroup_cpu_quota(tmp_path) == expected


def test_usable_cpus_is_capped_by_the_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert usable_cpus(tmp_path) == 1
    assert usable_cpus(tmp_path / "missing") == len(os.sched_getaffinity(0))


def test_workers_come_from_the_quota_unless_web_concurrency_says() -> None:
    import runpy

    config = runpy.run_path(str(Path(__file__).parents[2] / "api" / "gunicorn.conf.py"))
    assert config["workers"] == int(os.environ.get("WEB_CONCURRENCY") or usable_cpus() + 1)
    assert config["worker_class"] == "gthread" and config["control_socket_disable"] is True
