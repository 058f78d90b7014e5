"""The scheduler framework's shared state: what every plugin reads.

* :mod:`~quantities.scheduler.framework.podinfo`: a pod as the scheduler sees it (``PodInfo``);
* :mod:`~quantities.scheduler.framework.nodeinfo`: a node and the pods bound to it (``NodeInfo``),
  and the cluster ``Snapshot``;
* :mod:`~quantities.scheduler.framework.status`: a filter's verdict (``Rejection``).
"""
