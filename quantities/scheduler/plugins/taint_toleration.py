"""TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate them.

Kubernetes 1.35 (and a 1.34 patch) replaced the reason by the generic
``node(s) had untolerated taint(s)``.
"""

from __future__ import annotations

from quantities.node.selectors import NO_EXECUTE, NO_SCHEDULE, Taint, find_untolerated_taint
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = ["DO_NOT_SCHEDULE", "taint_reason", "taint_toleration"]

#: The taint effects the scheduler's filters honour.
DO_NOT_SCHEDULE = (NO_SCHEDULE, NO_EXECUTE)


def taint_reason(taint: Taint) -> str:
    """The TaintToleration reason of Kubernetes 1.26-1.34 (1.35: ``node(s) had untolerated taint(s)``).

    >>> taint_reason(Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"))
    'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'
    """
    return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"


def taint_toleration(pod: PodInfo, node: NodeInfo) -> Rejection | None:
    """TaintToleration: the first NoSchedule/NoExecute taint, in node order, that no toleration tolerates."""
    if not node.node.taints:
        return None
    taint = find_untolerated_taint(node.node.taints, pod.tolerations, DO_NOT_SCHEDULE)
    if taint is None:
        return None
    return Rejection("TaintToleration", (taint_reason(taint),), unresolvable=True)
