"""How many CPUs this process may really use: its affinity, capped by a container's CPU quota.

``os.cpu_count()`` counts the host's CPUs; inside a container limited to 2 CPUs on a
64-core host that would start 65 workers. The quota is the cgroup's: ``cpu.max``
(cgroup v2: ``"<quota> <period>"`` or ``"max <period>"``) or ``cpu.cfs_quota_us`` /
``cpu.cfs_period_us`` (cgroup v1; -1 is unlimited), rounded up.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["cgroup_cpu_quota", "usable_cpus"]


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def cgroup_cpu_quota(root: str | Path = "/sys/fs/cgroup") -> int | None:
    """The CPUs the cgroup's quota allows (rounded up), or None when it sets none."""
    root = Path(root)
    text = _read(root / "cpu.max")
    if text is not None:
        parts = text.split()
        if len(parts) == 2 and parts[0] != "max" and parts[0].isdigit() and parts[1].isdigit():
            quota, period = int(parts[0]), int(parts[1])
            return max(1, math.ceil(quota / period)) if period > 0 else None
        return None
    for folder in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        quota_text = _read(root / folder / "cpu.cfs_quota_us")
        period_text = _read(root / folder / "cpu.cfs_period_us")
        if quota_text is None or period_text is None:
            continue
        try:
            quota, period = int(quota_text), int(period_text)
        except ValueError:
            return None
        if quota <= 0 or period <= 0:
            return None
        return max(1, math.ceil(quota / period))
    return None


def usable_cpus(root: str | Path = "/sys/fs/cgroup") -> int:
    """CPUs this process may run on, at most the cgroup's quota; at least 1."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    quota = cgroup_cpu_quota(root)
    return max(1, min(available, quota) if quota is not None else available)
