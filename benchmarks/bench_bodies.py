"""Memory a request body costs while it is read and refused or answered, as a multiple of its size.

Each case runs in a fresh Python process (so peak RSS is its own), sends one body through the
app's test client, and reports the peak RSS growth over the process's baseline (app built,
modules imported) divided by the body's size. Bodies are 10 MB, the default KQ_MAX_CONTENT_LENGTH.

Run: .venv/bin/python benchmarks/bench_bodies.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES: dict[str, tuple[str, str, str]] = {
    "JSON values list (normalize)": (
        "/v1/quantities/normalize",
        "application/json",
        "json.dumps({'values': ['1Gi'] * 1_400_000}).encode()",
    ),
    "JSON concatenated {}{}{}": ("/v1/quantities/normalize", "application/json", "b'{}' * 5_000_000"),
    "YAML list of zeros": (
        "/v1/quantities/normalize",
        "application/yaml",
        "('values: [' + ','.join(['0'] * 5_000_000) + ']').encode()",
    ),
    "YAML 1,400,000 empty documents": (
        "/v1/quantities/normalize",
        "application/yaml",
        "b'--- {}\\n' * 1_400_000",
    ),
    "CSV plan of node rows": (
        "/v1/plan",
        "text/csv",
        "('name,cpu,memory,kind\\n' + 'n,1,1Gi,Node\\n' * 760_000).encode()",
    ),
}

_PROBE = """
import resource, sys, json, time
from api import create_app
app = create_app({{"TESTING": True}})
client = app.test_client()
client.get("/v1/quantity?value=1")
body = {body}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
response = client.post({url!r}, data=body, content_type={content_type!r})
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"status": response.status_code, "size": len(body), "growth": max(0, peak - base),
                  "seconds": elapsed}}))
"""


def main() -> None:
    print(f"{'body':32} {'size':>8} {'status':>6} {'peak growth':>12} {'x body':>7} {'seconds':>8}")
    for name, (url, content_type, body) in CASES.items():
        code = _PROBE.format(body=body, url=url, content_type=content_type)
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        size, growth = result["size"], result["growth"]
        print(
            f"{name:32} {size / 1e6:7.1f}M {result['status']:>6} {growth / 2**20:10.0f}Mi "
            f"{growth / size:7.2f} {result['seconds']:8.2f}"
        )


if __name__ == "__main__":
    main()
