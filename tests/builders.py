"""Builders of the small manifests the table tests write, shared so that each test file reads as its rows."""

from __future__ import annotations

from typing import Any


def container(
    name: str,
    requests: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
    restart_policy: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A container manifest: ``resources`` holds only the maps given (``{}`` is kept: it is not absent).

    >>> container("app", {"cpu": "1"}, restart_policy="Always")
    {'name': 'app', 'resources': {'requests': {'cpu': '1'}}, 'restartPolicy': 'Always'}
    """
    resources: dict[str, Any] = {}
    if requests is not None:
        resources["requests"] = requests
    if limits is not None:
        resources["limits"] = limits
    result: dict[str, Any] = {"name": name, "resources": resources, **extra}
    if restart_policy is not None:
        result["restartPolicy"] = restart_policy
    return result
