"""The Kubernetes release setting: parsing, the process default, the gate table, the switches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities import versions
from quantities.options import Options, resolve_options
from quantities.versions import (
    NEWEST,
    SUPPORTED,
    FeatureGateError,
    KubernetesVersion,
    UnsupportedVersion,
    behaviour,
    default_kubernetes_version,
    feature_gates,
    parse_feature_gates,
    set_default_kubernetes_version,
)

PARSED = [
    ("1.28", "1.28", 28, None),
    ("1.36", "1.36", 36, None),
    ("v1.30", "1.30", 30, None),
    ("1.34.1", "1.34.1", 34, 1),
    ("1.34.0", "1.34.0", 34, 0),
    (" 1.31 ", "1.31", 31, None),
    ("v1.30.4-gke.1348000", "1.30.4", 30, 4),
    ("v1.29.3+k3s1", "1.29.3", 29, 3),
    ("v1.32.2-eks-bc803b4", "1.32.2", 32, 2),
]


@pytest.mark.parametrize(("text", "printed", "minor", "patch"), PARSED)
def test_parse(text: str, printed: str, minor: int, patch: int | None) -> None:
    version = KubernetesVersion.parse(text)
    assert (str(version), version.minor, version.patch) == (printed, minor, patch)
    assert KubernetesVersion.parse(str(version)) == version


REFUSED = [
    ("1.27", "is not supported"),
    ("1.37", "is not supported"),
    ("2.0", "is not a Kubernetes version"),
    ("", "is not a Kubernetes version"),
    ("latest", "is not a Kubernetes version"),
    ("1.30.x", "is not a Kubernetes version"),
    ("1", "is not a Kubernetes version"),
    ("1.030", "is not a Kubernetes version"),
    ("1.3" + "0" * 200, "is not a Kubernetes version"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_versions_list_the_supported_ones(text: str, reason: str) -> None:
    with pytest.raises(UnsupportedVersion) as error:
        KubernetesVersion.parse(text)
    message = str(error.value)
    assert reason in message
    assert "1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36" in message
    assert isinstance(error.value, ValueError)


def test_supported_range_and_order() -> None:
    assert [str(version) for version in SUPPORTED] == [f"1.{minor}" for minor in range(28, 37)]
    assert SUPPORTED[-1] == NEWEST
    assert (
        KubernetesVersion.parse("1.34.1")
        < KubernetesVersion.parse("1.34.2")
        < KubernetesVersion.parse("1.35")
    )


AT_LEAST = [
    ("1.34", 34, 3, True),  # an unpinned patch is the newest patch
    ("1.34.2", 34, 3, False),
    ("1.34.3", 34, 3, True),
    ("1.35.0", 34, 3, True),
    ("1.33", 34, 0, False),
]


@pytest.mark.parametrize(("text", "minor", "patch", "expected"), AT_LEAST)
def test_at_least(text: str, minor: int, patch: int, expected: bool) -> None:
    assert KubernetesVersion.parse(text).at_least(minor, patch) is expected


def test_process_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(versions.ENVIRONMENT_VARIABLE, raising=False)
    try:
        assert default_kubernetes_version() == NEWEST
        monkeypatch.setenv(versions.ENVIRONMENT_VARIABLE, "1.30")
        assert str(default_kubernetes_version()) == "1.30"
        assert str(Options().version) == "1.30"
        assert str(set_default_kubernetes_version("1.29")) == "1.29"
        assert str(Options().version) == "1.29"  # the library setting wins over the environment
        assert str(Options.of("1.33").version) == "1.33"  # and an explicit version over both
        set_default_kubernetes_version(None)
        monkeypatch.setenv(versions.ENVIRONMENT_VARIABLE, "1.26")
        with pytest.raises(UnsupportedVersion, match="KQ_KUBERNETES_VERSION"):
            default_kubernetes_version()
    finally:
        set_default_kubernetes_version(None)


# (gate, {minor: default}) rows from the research note's gate table (section 1).
GATE_DEFAULTS = [
    ("SidecarContainers", {28: False, 29: True, 32: True, 33: True, 36: True}),
    ("InPlacePodVerticalScaling", {28: False, 32: False, 33: True, 35: True}),
    ("PodLevelResources", {32: False, 33: False, 34: True, 36: True}),
    ("DynamicResourceAllocation", {28: False, 33: False, 34: True}),
    ("MatchLabelKeysInPodAffinity", {29: False, 30: False, 31: True, 33: True}),
    ("InPlacePodLevelResourcesVerticalScaling", {35: False, 36: True}),
]


@pytest.mark.parametrize(("gate", "defaults"), GATE_DEFAULTS)
def test_gate_defaults(gate: str, defaults: dict[int, bool]) -> None:
    for minor, expected in defaults.items():
        assert feature_gates(KubernetesVersion(minor))[gate] is expected, f"{gate} in 1.{minor}"


def test_gates_absent_before_they_exist() -> None:
    assert "PodLevelResources" not in feature_gates(KubernetesVersion(31))
    with pytest.raises(FeatureGateError, match=r"appears in 1\.32"):
        feature_gates(KubernetesVersion(31), {"PodLevelResources": True})


GATE_ERRORS = [
    ("1.34", {"PodLevelResource": False}, "did you mean PodLevelResources"),
    ("1.34", {"NoSuchGate": True}, "unrecognized feature gate: NoSuchGate"),
    ("1.33", {"SidecarContainers": False}, "locked to true"),
    ("1.35", {"InPlacePodVerticalScaling": False}, "locked to true"),
]


@pytest.mark.parametrize(("version", "overrides", "message"), GATE_ERRORS)
def test_gate_errors(version: str, overrides: dict[str, bool], message: str) -> None:
    with pytest.raises(FeatureGateError, match=message):
        feature_gates(KubernetesVersion.parse(version), overrides)


def test_overrides_apply() -> None:
    gates = feature_gates(
        KubernetesVersion(32), {"PodLevelResources": True, "InPlacePodVerticalScaling": True}
    )
    assert gates["PodLevelResources"] and gates["InPlacePodVerticalScaling"]
    assert (
        behaviour(KubernetesVersion(32), (("InPlacePodVerticalScaling", True),)).status_resources == "actual"
    )


PARSED_GATES = [
    ("PodLevelResources=false", (("PodLevelResources", False),)),
    ("A=true,B=False, C=1,D=0,,", (("A", True), ("B", False), ("C", True), ("D", False))),
    ("", ()),
]


@pytest.mark.parametrize(("text", "expected"), PARSED_GATES)
def test_parse_feature_gates(text: str, expected: tuple[tuple[str, bool], ...]) -> None:
    assert parse_feature_gates(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("PodLevelResources", "missing bool value"), ("A=yes", "invalid value of A: yes"), ("=true", "missing")],
)
def test_bad_feature_gate_text(text: str, message: str) -> None:
    with pytest.raises(FeatureGateError, match=message):
        parse_feature_gates(text)


# (switch, {minor (or "1.34.x"): value}) rows from the research note's section 4.
SWITCHES = [
    (
        "kubectl_status_resources",
        {
            "1.28": "none",
            "1.29": "allocated",
            "1.31": "allocated",
            "1.32": "actual",
            "1.33": "max3",
            "1.35": "max3",
            "1.36": "component-helpers",
        },
    ),
    ("status_resources", {"1.28": "spec", "1.32": "spec", "1.33": "max3", "1.36": "max3"}),
    ("kubectl_pod_level_qos", {"1.31": False, "1.32": True}),
    ("kubectl_describe_pod_level", {"1.35": False, "1.36": True}),
    ("kubectl_tie_keeps_status", {"1.28": False, "1.29": True, "1.31": True, "1.32": True, "1.33": False}),
    ("oom_sidecar_rule", {"1.32": "A", "1.33": "B"}),
    ("fit_unresolvable", {"1.33": False, "1.34": True}),
    ("dra_postfilter_message", {"1.33": False, "1.34": True}),
    ("generic_taint_message", {"1.33": False, "1.34.0": False, "1.34": True, "1.35.0": True}),
    ("balanced_skips_best_effort", {"1.32": False, "1.33": True}),
    ("balanced_delta_formula", {"1.35": False, "1.36": True}),
    ("pod_affinity_match_label_keys", {"1.30": False, "1.31": True}),
    ("sidecars", {"1.28": False, "1.29": True}),
    ("pod_level_resources", {"1.32": False, "1.33": False, "1.34": True}),
    ("kubectl_sidecars", {"1.28": False, "1.29": True}),
]


@pytest.mark.parametrize(("switch", "values"), SWITCHES)
def test_switches(switch: str, values: dict[str, object]) -> None:
    for version, expected in values.items():
        assert getattr(behaviour(KubernetesVersion.parse(version)), switch) == expected, (
            f"{switch} in {version}"
        )


def test_options_forms() -> None:
    assert Options.of("1.34", "PodLevelResources=false").pod_level_resources is False
    assert Options.of("1.34", {"PodLevelResources": False}).pod_level_resources is False
    assert Options.of(KubernetesVersion(34)).pod_level_resources is True
    with pytest.raises(FeatureGateError):
        Options.of("1.30", "PodLevelResources=true")
    with pytest.raises(UnsupportedVersion):
        Options.of("1.20")
    # pod_level_resources=False means the same on releases without the gate.
    assert Options.of("1.30").with_gate("PodLevelResources", False).pod_level_resources is False
    assert resolve_options(None, "1.31").behaviour.kubectl_status_resources == "allocated"
    base = Options.of("1.33")
    assert resolve_options(base) is base


@settings(max_examples=200)
@given(st.integers(28, 36), st.one_of(st.none(), st.integers(0, 30)), st.booleans())
def test_version_text_round_trips(minor: int, patch: int | None, prefix: bool) -> None:
    text = ("v" if prefix else "") + f"1.{minor}" + ("" if patch is None else f".{patch}")
    version = KubernetesVersion.parse(text)
    assert KubernetesVersion.parse(str(version)) == version
    assert behaviour(version).version == version
