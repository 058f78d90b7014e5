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

Reasons are verbatim from kubernetes/kubernetes v1.32.
"""
