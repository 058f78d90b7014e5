"""``k3s``: the kubelet flags k3s starts its agents with.

k3s reserves nothing and passes ``--eviction-hard=imagefs.available<5%,nodefs.available<5%``.
That partial flag *replaces* the kubelet's defaults, so there is no ``memory.available``
threshold at all: a k3s node's allocatable memory is its whole capacity.
"""

from __future__ import annotations

from quantities.capacity.providers.base import Profile, ProfileInput, ProfileSettings, Source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quantities.capacity.instance_types import InstanceType

__all__ = ["PROFILE"]

EVICTION_HARD = "imagefs.available<5%,nodefs.available<5%"

_SOURCES = (
    Source(
        "kubelet args: eviction-hard=" + EVICTION_HARD + ", eviction-minimum-reclaim=imagefs.available=10%,"
        "nodefs.available=10%; no kube-reserved or system-reserved",
        "https://github.com/k3s-io/k3s/blob/master/pkg/daemons/agent/agent_linux.go (kubelet args map)",
        "k3s releases v1.28 to v1.36",
    ),
    Source(
        "a partial --eviction-hard replaces the kubelet's defaults (LangleSeparatedMapStringString.Set"
        " clears them), so memory.available has no threshold",
        "https://github.com/kubernetes/component-base/blob/master/cli/flag/langle_separated_map_string_string.go",
        "every release (1.28-1.36)",
    ),
)


def _settings(given: ProfileInput) -> ProfileSettings:
    return ProfileSettings(
        {},
        {},
        EVICTION_HARD,
        notes=(
            "no memory.available threshold: k3s's partial --eviction-hard replaced the kubelet's default",
        ),
        sources=_SOURCES,
    )


def _max_pods(
    instance: InstanceType | None, custom_networking: bool, prefix_delegation: bool
) -> tuple[int, str]:
    return 110, "k3s leaves --max-pods at the kubelet's default"


PROFILE = Profile("k3s", "k3s agents (k3s-io/k3s kubelet args)", _settings, _max_pods)
