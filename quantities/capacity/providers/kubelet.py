"""``kubelet``: a plain kubelet, with whatever ``--kube-reserved``, ``--system-reserved`` and
``--eviction-hard`` the caller gives in the kubelet's own syntax; by default nothing reserved
and the kubelet's default hard eviction thresholds."""

from __future__ import annotations

from quantities.capacity.kubelet_flags import DEFAULT_EVICTION_HARD
from quantities.capacity.providers.base import Profile, ProfileInput, ProfileSettings, Source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["PROFILE"]

_SOURCES = (
    Source(
        "allocatable = capacity - kube-reserved - system-reserved - hard eviction thresholds",
        "https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/#node-allocatable",
        "every release (1.28-1.36)",
    ),
    Source(
        "no reservations by default; --eviction-hard defaults to " + DEFAULT_EVICTION_HARD,
        "https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/eviction/defaults_linux.go",
        "every release (1.28-1.36), Linux nodes",
    ),
    Source(
        "--max-pods defaults to 110",
        "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/#kubelet-config-k8s-io-v1beta1-KubeletConfiguration",
        "every release (1.28-1.36)",
    ),
)


def _settings(given: ProfileInput) -> ProfileSettings:
    return ProfileSettings({}, {}, DEFAULT_EVICTION_HARD, sources=_SOURCES)


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    return 110, "the kubelet's default --max-pods"


PROFILE = Profile(
    "kubelet", "a kubelet with the given flags (defaults: no reservations)", _settings, _max_pods
)
