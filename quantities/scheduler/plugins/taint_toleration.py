"""TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate them.

The reason names the taint until Kubernetes 1.34.1; from 1.34.2 (cherry-pick #135023) and
1.35.0 (#134740) it is the generic ``node(s) had untolerated taint(s)``, so that pod
statuses no longer show taint keys and values (``options.behaviour.generic_taint_message``).

>>> from quantities.node.compact import compact_node
>>> from quantities.options import Options
>>> from quantities.scheduler.framework.podinfo import pod_info
>>> node = NodeInfo(compact_node("n", cpu="1", memory="1Gi", taints="gpu=true:NoSchedule"))
>>> pod = pod_info({"spec": {"containers": [{"name": "c"}]}})
>>> taint_toleration(pod, node, options=Options.of("1.34.1")).reasons
('node(s) had untolerated taint {gpu: true}',)
>>> taint_toleration(pod, node, options=Options.of("1.34.2")).reasons
('node(s) had untolerated taint(s)',)
"""

from __future__ import annotations

from quantities.node.selectors import NO_EXECUTE, NO_SCHEDULE, Taint, find_untolerated_taint
from quantities.options import DEFAULT_OPTIONS, Options
from quantities.scheduler.framework.nodeinfo import NodeInfo
from quantities.scheduler.framework.podinfo import PodInfo
from quantities.scheduler.framework.status import Rejection

__all__ = ["DO_NOT_SCHEDULE", "GENERIC_TAINT_REASON", "taint_reason", "taint_toleration"]

#: The taint effects the scheduler's filters honour.
DO_NOT_SCHEDULE = (NO_SCHEDULE, NO_EXECUTE)

#: The reason from 1.34.2 and 1.35.0 on (#134740, #135023).
GENERIC_TAINT_REASON = "node(s) had untolerated taint(s)"


def taint_reason(taint: Taint, options: Options | None = None) -> str:
    """The TaintToleration reason for ``taint`` on the release of ``options``.

    >>> taint = Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")
    >>> taint_reason(taint, Options.of("1.32"))
    'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'
    >>> taint_reason(taint, Options.of("1.35"))
    'node(s) had untolerated taint(s)'
    """
    if (options or DEFAULT_OPTIONS).behaviour.generic_taint_message:
        return GENERIC_TAINT_REASON
    return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"


def taint_toleration(pod: PodInfo, node: NodeInfo, options: Options | None = None) -> Rejection | None:
    """TaintToleration: the first NoSchedule/NoExecute taint, in node order, that no toleration tolerates."""
    if not node.node.taints:
        return None
    taint = find_untolerated_taint(node.node.taints, pod.tolerations, DO_NOT_SCHEDULE)
    if taint is None:
        return None
    return Rejection("TaintToleration", (taint_reason(taint, options),), unresolvable=True)
