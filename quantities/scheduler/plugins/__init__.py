"""kube-scheduler's plugins, one module each, named as in ``pkg/scheduler/framework/plugins``.

Each filter answers one question for one pod and one node (may the pod go there,
and if not, why) in the scheduler's own words, and returns ``None`` (it fits) or a
:class:`~quantities.scheduler.framework.status.Rejection`. A rejection is
*unresolvable* (``UnschedulableAndUnresolvable``) when evicting pods could not help;
preemption then calls the node "not helpful". The order they run in, and the
scores, are in :mod:`quantities.scheduler.profile`.

Filters that depend on the other pods of the cluster (PodTopologySpread,
InterPodAffinity) read a state computed once per pod by their PreFilter, which then
changes only through the scheduler's ``PreFilterExtensions``: ``AddPod`` as a plan
places replicas, ``RemovePod`` (and ``AddPod`` to undo it) as preemption tries the
victims of one node, each at the cost of one pod.

Reasons are verbatim from kubernetes/kubernetes; where a release changed a reason or a verdict
(TaintToleration's reason in 1.34.2/1.35, NodeResourcesFit's unresolvable shortages in 1.34,
BalancedAllocation in 1.33 and 1.36), the plugin reads the switch from ``options.behaviour``
(:mod:`quantities.versions`). Fields the release's API server drops or merges (``matchLabelKeys``)
are already resolved in the :class:`~quantities.scheduler.framework.podinfo.PodInfo` the plugins read.
"""
