"""Why there is no cluster state to answer from: a reason a person can act on."""

from __future__ import annotations

__all__ = ["ClusterError", "ClusterUnavailable", "ResourceGone"]


class ClusterUnavailable(Exception):
    """No state of the cluster to answer from; ``str(error)`` says why, in words a person can act on
    (``cannot reach the Kubernetes API server at https://10.0.0.1:443: connection refused``)."""


class ClusterError(ClusterUnavailable):
    """A request to the API server failed. ``status`` is its HTTP status (None: no answer at all)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class ResourceGone(ClusterError):
    """410 Gone: the resourceVersion (or continue token) is older than the API server keeps; relist."""
