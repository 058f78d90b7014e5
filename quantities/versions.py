"""Which Kubernetes release to answer for: the version, its feature gates, its behaviour switches.

Kubernetes' resource arithmetic changes between releases (sidecars, in-place resize,
pod-level resources, scheduler messages). Every computation that depends on the
release reads it from here, through :class:`Behaviour`: one frozen value with one
field per switch, each field citing where the change comes from. The evidence is
collected in the team's research note on Kubernetes versions (release tags of
kubectl, apimachinery and component-helpers, and the real kubectl binaries
1.27-1.33).

We model a **default-gated cluster** of the release: pods as that release's API
server stores them, scheduler and kubelet numbers with that release's feature-gate
defaults (which a caller may override), and ``kubectl`` text exactly as that
release's kubectl prints it (kubectl reads no gates).

>>> v = KubernetesVersion.parse("v1.30.4-gke.1348000")
>>> str(v), v.minor, v.patch
('1.30.4', 30, 4)
>>> KubernetesVersion.parse("1.27")
Traceback (most recent call last):
...
quantities.versions.UnsupportedVersion: kubernetes_version "1.27" is not supported: use one of 1.28, ...
>>> feature_gates(KubernetesVersion.parse("1.33"))["PodLevelResources"]
False
>>> behaviour(KubernetesVersion.parse("1.31")).kubectl_status_resources
'allocated'

This module imports nothing from the rest of the package, so every layer can use it.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "NEWEST",
    "OLDEST",
    "SUPPORTED",
    "Behaviour",
    "FeatureGateError",
    "KubernetesVersion",
    "UnsupportedVersion",
    "behaviour",
    "default_kubernetes_version",
    "feature_gates",
    "parse_feature_gates",
    "set_default_kubernetes_version",
]

#: The environment variable that sets the process default (``1.30``, ``1.34.1``).
ENVIRONMENT_VARIABLE = "KQ_KUBERNETES_VERSION"

_OLDEST_MINOR = 28
#: The newest release whose sources we can read (kubectl, apimachinery and
#: component-helpers tags v0.36.x); the default.
_NEWEST_MINOR = 36


class UnsupportedVersion(ValueError):
    """A ``kubernetes_version`` we cannot answer for; the message lists the ones we can."""

    def __init__(self, text: str, reason: str = "is not supported") -> None:
        self.text = text
        super().__init__(
            f"kubernetes_version {_quote(text)} {reason}: use one of {supported_text()}"
            " (a patch release may follow, as in 1.34.1)"
        )


class FeatureGateError(ValueError):
    """A feature-gate setting that the release's components would refuse."""


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# A version as users paste it: 1.30, v1.30, 1.30.4, v1.30.4-gke.1348000, v1.29.3+k3s1.
_VERSION = re.compile(r"v?(1)\.(0|[1-9][0-9]{0,3})(?:\.(0|[1-9][0-9]{0,4}))?(?:[-+][0-9A-Za-z.+-]{0,100})?")


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class KubernetesVersion:
    """A Kubernetes release: a minor version and, where pinned, a patch release.

    ``patch`` None means the newest patch of that minor release: where a behaviour
    changed inside a minor release (the taint message of 1.34), the newest wins.
    """

    minor: int
    patch: int | None = None

    @classmethod
    def parse(cls, text: str) -> KubernetesVersion:
        """Read ``1.30``, ``v1.30``, ``1.34.1`` or a provider's build string such as
        ``v1.30.4-gke.1348000``; refuse anything else, and releases we do not model."""
        if not isinstance(text, str):
            raise UnsupportedVersion(str(text), "is not a version string")
        match = _VERSION.fullmatch(text.strip())
        if match is None:
            raise UnsupportedVersion(text, "is not a Kubernetes version such as 1.32 or 1.34.1")
        minor = int(match.group(2))
        if not _OLDEST_MINOR <= minor <= _NEWEST_MINOR:
            raise UnsupportedVersion(text)
        patch = match.group(3)
        return cls(minor, None if patch is None else int(patch))

    def __str__(self) -> str:
        return f"1.{self.minor}" if self.patch is None else f"1.{self.minor}.{self.patch}"

    @property
    def release(self) -> str:
        """The minor release, ``1.34`` for ``1.34.1``."""
        return f"1.{self.minor}"

    def at_least(self, minor: int, patch: int = 0) -> bool:
        """Whether this is release 1.``minor``.``patch`` or newer (an unpinned patch is the newest)."""
        if self.minor != minor:
            return self.minor > minor
        return self.patch is None or self.patch >= patch


OLDEST = KubernetesVersion(_OLDEST_MINOR)
NEWEST = KubernetesVersion(_NEWEST_MINOR)
#: Every minor release we model, oldest first.
SUPPORTED: tuple[KubernetesVersion, ...] = tuple(
    KubernetesVersion(minor) for minor in range(_OLDEST_MINOR, _NEWEST_MINOR + 1)
)


def supported_text() -> str:
    return ", ".join(str(version) for version in SUPPORTED)


_process_default: KubernetesVersion | None = None


def set_default_kubernetes_version(version: str | KubernetesVersion | None) -> KubernetesVersion | None:
    """Set the release that calls without ``kubernetes_version`` answer for, for this process.

    None goes back to ``KQ_KUBERNETES_VERSION``, or the newest release when it is unset
    (and returns None: the environment is read when a default is needed). Returns the new default.
    """
    global _process_default
    if version is None:
        _process_default = None
        return None
    _process_default = version if isinstance(version, KubernetesVersion) else KubernetesVersion.parse(version)
    return _process_default


def default_kubernetes_version() -> KubernetesVersion:
    """The process default: :func:`set_default_kubernetes_version`, else ``KQ_KUBERNETES_VERSION``,
    else the newest release we model."""
    if _process_default is not None:
        return _process_default
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not text:
        return NEWEST
    try:
        return KubernetesVersion.parse(text)
    except UnsupportedVersion as error:
        reason = f"(from the environment variable {ENVIRONMENT_VARIABLE}) is not supported"
        raise UnsupportedVersion(text, reason) from error


# ---------------------------------------------------------------------------
# Feature gates: the defaults of a default cluster of each release.
#
# Only the gates that change an output of ours. Source: pkg/features/kube_features.go
# (two stored copies, 1.33-era and 1.35-era, agreeing where they overlap) and the
# scheduler's feature file; 1.28 values from the 1.28 release's feature list.
# A row is (gate, first minor it exists in, default per minor from there on,
# minor from which it is locked to its default or None).


@dataclasses.dataclass(frozen=True, slots=True)
class _Gate:
    name: str
    since: int
    #: (first minor, default) pairs: the default holds until the next pair.
    defaults: tuple[tuple[int, bool], ...]
    locked_from: int | None = None

    def default(self, minor: int) -> bool:
        value = False
        for first, default in self.defaults:
            if minor >= first:
                value = default
        return value


_GATES: tuple[_Gate, ...] = (
    # KEP-753: alpha 1.28, beta (on) 1.29, GA 1.33 (locked).
    _Gate("SidecarContainers", 28, ((28, False), (29, True)), locked_from=33),
    # KEP-1287: alpha 1.27-1.32, beta (on) 1.33, GA (locked) 1.35.
    _Gate("InPlacePodVerticalScaling", 27, ((27, False), (33, True)), locked_from=35),
    # 1.32 alpha, deprecated (off) from 1.33.
    _Gate("InPlacePodVerticalScalingAllocatedStatus", 32, ((32, False),)),
    # KEP-5419: alpha 1.35, beta (on) 1.36.
    _Gate("InPlacePodLevelResourcesVerticalScaling", 35, ((35, False), (36, True))),
    # KEP-2837: alpha 1.32-1.33, beta (on) 1.34.
    _Gate("PodLevelResources", 32, ((32, False), (34, True))),
    # KEP-4381 (structured parameters): beta off 1.32-1.33, GA on 1.34, locked 1.35.
    _Gate("DynamicResourceAllocation", 26, ((26, False), (34, True)), locked_from=35),
    # KEP-3633: alpha 1.29-1.30, beta (on) 1.31, GA (locked) 1.33.
    _Gate("MatchLabelKeysInPodAffinity", 29, ((29, False), (31, True)), locked_from=33),
    # KEP-3243: beta (on) since 1.27.
    _Gate("MatchLabelKeysInPodTopologySpread", 25, ((25, False), (27, True))),
    # 1.34 beta (on): the API server merges matchLabelKeys into labelSelector.
    _Gate("MatchLabelKeysInPodTopologySpreadSelectorMerge", 34, ((34, True),)),
    # KEP-3094: beta (on) 1.26, GA 1.33.
    _Gate("NodeInclusionPolicyInPodTopologySpread", 25, ((25, False), (26, True)), locked_from=33),
)

_GATE_BY_NAME = {gate.name: gate for gate in _GATES}


def feature_gates(
    version: KubernetesVersion, overrides: Mapping[str, bool] | Iterable[tuple[str, bool]] = ()
) -> dict[str, bool]:
    """The gates of a default cluster of ``version``, with ``overrides`` applied.

    An override of a gate that the release does not have, or of a gate locked to its
    default, is refused as that release's components refuse it.
    """
    minor = version.minor
    gates = {gate.name: gate.default(minor) for gate in _GATES if gate.since <= minor}
    items = overrides.items() if hasattr(overrides, "items") else overrides
    for name, value in items:
        gate = _GATE_BY_NAME.get(name)
        if gate is None:
            close = difflib.get_close_matches(name, list(_GATE_BY_NAME), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise FeatureGateError(
                f"unrecognized feature gate: {name}{hint}; the gates that change our answers are "
                + ", ".join(sorted(_GATE_BY_NAME))
            )
        if gate.since > minor:
            raise FeatureGateError(
                f"unrecognized feature gate: {name} (Kubernetes {version.release} does not have it;"
                f" it appears in 1.{gate.since})"
            )
        if gate.locked_from is not None and minor >= gate.locked_from and value != gate.default(minor):
            raise FeatureGateError(
                f"cannot set feature gate {name} to {str(value).lower()}, feature is locked to "
                f"{str(gate.default(minor)).lower()} in Kubernetes {version.release}"
            )
        gates[name] = bool(value)
    return gates


def parse_feature_gates(text: str) -> tuple[tuple[str, bool], ...]:
    """Read the kubelet's ``--feature-gates`` syntax: ``A=true,B=false``.

    >>> parse_feature_gates("PodLevelResources=false, SidecarContainers=true")
    (('PodLevelResources', False), ('SidecarContainers', True))
    """
    pairs: list[tuple[str, bool]] = []
    for number, item in enumerate(text.split(",")):
        item = item.strip()
        if not item:
            continue
        name, equals, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name:
            raise FeatureGateError(
                f"feature-gates[{number}] {_quote(item)}: missing bool value for {name or 'a gate'};"
                " write Name=true or Name=false"
            )
        lowered = value.lower()
        if lowered not in ("true", "false", "1", "0", "t", "f"):
            raise FeatureGateError(
                f"feature-gates[{number}] {_quote(item)}: invalid value of {name}: {value}, err: "
                'strconv.ParseBool: parsing "' + value + '": invalid syntax'
            )
        pairs.append((name, lowered in ("true", "1", "t")))
    return tuple(pairs)


# ---------------------------------------------------------------------------
# Behaviour switches. Each field says what differs and cites where it comes from
# (research note rows in brackets).


@dataclasses.dataclass(frozen=True, slots=True)
class Behaviour:
    """What a default-gated cluster of one release (plus overrides) does, switch by switch."""

    version: KubernetesVersion
    gates: tuple[tuple[str, bool], ...]

    # --- the API server (what it stores) ---
    #: restartPolicy: Always on init containers is accepted (SidecarContainers) [P1].
    sidecars: bool
    #: spec.resources is kept (PodLevelResources); otherwise the API server drops it [P3].
    pod_level_resources: bool
    #: hugepages-* are supported pod-level resources (component-helpers v0.33) [P3].
    pod_level_hugepages: bool
    #: podAffinity matchLabelKeys/mismatchLabelKeys are kept and merged into the
    #: selector (MatchLabelKeysInPodAffinity); otherwise dropped [S11].
    pod_affinity_match_label_keys: bool
    #: topologySpreadConstraints matchLabelKeys are kept (MatchLabelKeysInPodTopologySpread, beta on
    #: since 1.27); otherwise dropped [S10].
    spread_match_label_keys: bool

    # --- scheduler and kubelet (gated) ---
    #: Which container values of a running pod count for the scheduler, quota and the
    #: kubelet [P2]: "spec" (InPlacePodVerticalScaling off), "allocated" (1.29-1.31),
    #: "actual" (1.32), "max3" (1.33+).
    status_resources: str
    #: Pod-level values of a running pod follow status.resources/allocatedResources as containers do
    #: (InPlacePodLevelResourcesVerticalScaling, with status_resources != "spec"; component-helpers
    #: v0.35 PodRequests/PodLimits) [P2].
    pod_level_status_resources: bool
    #: A request beyond the node's allocatable is UnschedulableAndUnresolvable (1.34+, PR #131345) [S3].
    fit_unresolvable: bool
    #: The DRA plugin's PostFilter adds "no new claims to deallocate" (DynamicResourceAllocation) [S4].
    dra_postfilter_message: bool
    #: TaintToleration says "had untolerated taint(s)" (1.35.0, #134740; cherry-picked to 1.34.2, #135023:
    #: CHANGELOG-1.34.md, "Changelog since v1.34.1", "Kube-scheduler: Pod statuses no longer include
    #: specific taint keys or values") [S5].
    generic_taint_message: bool
    #: BalancedAllocation is skipped for pods that request nothing (1.33, PR #130260) [S7].
    balanced_skips_best_effort: bool
    #: BalancedAllocation scores the change in balance (1.36: CHANGELOG-1.36.md, v1.36.0-alpha.1,
    #: PR #135573) [S8].
    balanced_delta_formula: bool
    #: The kubelet's OOM score of sidecars: "A" (1.29-1.32: NonMissing requests, +1)
    #: or "B" (1.33+: min with the smallest regular container) [O1, O2].
    oom_sidecar_rule: str

    # --- kubectl of that minor release (reads no gates) ---
    #: kubectl knows sidecars in describe node (1.29+) [D1].
    kubectl_sidecars: bool
    #: Which status values describe node counts [D2-D6]: "none" (<=1.28), "allocated"
    #: (1.29-1.31), "actual" (1.32), "max3" (1.33-1.35), "component-helpers" (1.36).
    kubectl_status_resources: str
    #: kubectl's max() keeps the status copy on a tie, which changes the printed form: 1.29-1.31
    #: (allocatedResources) and 1.32 (status.resources), kubectl v0.29-v0.32 ``max(a, b)`` with
    #: ``Cmp <= 0``; measured with kubectl 1.29-1.33 [P4, D2, D3].
    kubectl_tie_keeps_status: bool
    #: kubectl's QoS honours spec.resources whenever present (1.32+) [QC2].
    kubectl_pod_level_qos: bool
    #: kubectl prints status.qosClass when set [QC2]: in describe.go itself up to 1.28 (v0.28.0
    #: ``if pod.Status.QOSClass != ""``), in qos.GetPodQOS from 1.29 (commit cacd4f855); so every
    #: release we model (measured with kubectl 1.28-1.33).
    kubectl_prints_status_qos: bool
    #: describe node honours pod-level resources (1.36) [D6].
    kubectl_describe_pod_level: bool

    # --- managed offerings' node settings, by release ---
    #: AKS kube-reserved memory: "max-pods" (1.29+: min(20Mi * max pods + 50Mi, 25% of memory),
    #: 100Mi eviction) or "regressive" (before 1.29: 25/20/10/6/2% tiers, 750Mi eviction);
    #: https://learn.microsoft.com/azure/aks/node-resource-reservations#memory-reservations
    aks_memory_reservation: str

    def gate(self, name: str) -> bool:
        for gate, value in self.gates:
            if gate == name:
                return value
        return False


def behaviour(
    version: KubernetesVersion | None = None, overrides: tuple[tuple[str, bool], ...] = ()
) -> Behaviour:
    """The switches of ``version`` (None: the process default) with gate ``overrides``."""
    return _behaviour(version or default_kubernetes_version(), tuple(overrides))


@functools.lru_cache(maxsize=256)
def _behaviour(version: KubernetesVersion, overrides: tuple[tuple[str, bool], ...]) -> Behaviour:
    gates = feature_gates(version, overrides)
    minor = version.minor
    in_place = gates.get("InPlacePodVerticalScaling", False)
    if not in_place:
        status_resources = "spec"
    elif minor <= 31:
        status_resources = "allocated"
    elif minor == 32:
        status_resources = "actual"
    else:
        status_resources = "max3"
    if minor <= 28:
        kubectl_status = "none"
    elif minor <= 31:
        kubectl_status = "allocated"
    elif minor == 32:
        kubectl_status = "actual"
    elif minor <= 35:
        kubectl_status = "max3"
    else:
        kubectl_status = "component-helpers"
    return Behaviour(
        version=version,
        gates=tuple(sorted(gates.items())),
        sidecars=gates.get("SidecarContainers", False),
        pod_level_resources=gates.get("PodLevelResources", False),
        pod_level_hugepages=minor >= 33,
        pod_affinity_match_label_keys=gates.get("MatchLabelKeysInPodAffinity", False),
        spread_match_label_keys=gates.get("MatchLabelKeysInPodTopologySpread", False),
        status_resources=status_resources,
        pod_level_status_resources=status_resources != "spec"
        and gates.get("InPlacePodLevelResourcesVerticalScaling", False),
        fit_unresolvable=minor >= 34,
        dra_postfilter_message=gates.get("DynamicResourceAllocation", False),
        generic_taint_message=version.at_least(35) or (minor == 34 and version.at_least(34, 2)),
        balanced_skips_best_effort=minor >= 33,
        balanced_delta_formula=minor >= 36,
        oom_sidecar_rule="A" if minor <= 32 else "B",
        kubectl_sidecars=minor >= 29,
        kubectl_status_resources=kubectl_status,
        kubectl_tie_keeps_status=29 <= minor <= 32,
        kubectl_pod_level_qos=minor >= 32,
        kubectl_prints_status_qos=True,
        kubectl_describe_pod_level=minor >= 36,
        aks_memory_reservation="max-pods" if minor >= 29 else "regressive",
    )
