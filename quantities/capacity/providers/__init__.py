"""The provider profiles, one module each: what a managed offering gives its nodes' kubelets.

>>> sorted(PROFILES)
['aks', 'eks', 'gke', 'k3s', 'kubelet', 'openshift']
"""

from __future__ import annotations

from quantities.capacity.providers import aks, eks, gke, k3s, kubelet, openshift
from quantities.capacity.providers.base import Profile, ProfileInput, ProfileSettings, Source

__all__ = ["PROFILES", "Profile", "ProfileInput", "ProfileSettings", "Source"]

#: Every profile, by name.
PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (kubelet.PROFILE, gke.PROFILE, eks.PROFILE, aks.PROFILE, openshift.PROFILE, k3s.PROFILE)
}
