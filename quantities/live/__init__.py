"""Live clusters: the state of a cluster read from its API server, kept current, shared by workers.

* :mod:`quantities.live.source`: :class:`Snapshot`, :class:`ClusterSource`,
  :class:`ClusterUnavailable`; the informer-style :class:`WatchingSource`; :func:`read_once`.
* :mod:`quantities.live.trim`: only the fields the computations read.
* :mod:`quantities.live.client`: the official ``kubernetes`` client, without its models.
* :mod:`quantities.live.sharing`: one watcher process per service, its state shared with
  the gunicorn workers through files.
* :mod:`quantities.live.view`: the per-generation computed form of a snapshot.

Nothing here runs unless asked: importing it starts no thread and opens no connection.
"""

from quantities.live.errors import ClusterUnavailable
from quantities.live.source import ClusterSource, Snapshot, StaticSource

__all__ = ["ClusterSource", "ClusterUnavailable", "Snapshot", "StaticSource"]
