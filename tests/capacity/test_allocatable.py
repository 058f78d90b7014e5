"""The kubelet's allocatable rule: capacity - kube-reserved - system-reserved - hard eviction, clamped at 0.

Rows cite their source. The kubelet code followed: pkg/kubelet/nodestatus/setters.go (MachineInfo),
pkg/kubelet/cm (GetNodeAllocatableReservation, hardEvictionReservation), pkg/kubelet/eviction
(ParseThresholdConfig, parseThresholdStatement, parsePercentage, GetThresholdQuantity),
cmd/kubelet/app/server.go (parseResourceList) and component-base's map flags.
"""

from __future__ import annotations

import struct
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity import node_allocatable, template_node
from quantities.capacity.kubelet_flags import (
    parse_eviction_hard,
    parse_reserved,
    round_float32,
    round_float64,
    threshold_amount,
)
from quantities.manifest.problems import ManifestError
from quantities.quantity.quantity import Quantity, parse_quantity

DOCS = "https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/#example-scenario"


def _kubelet(**arguments: object) -> dict[str, dict[str, str]]:
    return node_allocatable("kubelet", **arguments).to_json()  # type: ignore[arg-type]


def test_the_documented_example_scenario() -> None:
    # DOCS: 32Gi, 16 CPU, 100Gi; kube-reserved cpu=1,memory=2Gi,ephemeral-storage=1Gi; system-reserved
    # cpu=500m,memory=1Gi,ephemeral-storage=1Gi; eviction-hard memory.available<500Mi,nodefs.available<10%
    # -> "14.5 CPUs, 28.5Gi of memory and 88Gi of local storage". The page rounds: 32Gi - 2Gi - 1Gi - 500Mi
    # is 29196Mi (28.51Gi), and the kubelet's 10% of 100Gi is float32(0.1) * 107374182400 = 10737418400
    # bytes, 160 more than 10Gi, so the storage is 88Gi - 160 bytes.
    answer = _kubelet(
        cpu="16",
        memory="32Gi",
        ephemeral_storage="100Gi",
        kube_reserved="cpu=1,memory=2Gi,ephemeral-storage=1Gi",
        system_reserved="cpu=500m,memory=1Gi,ephemeral-storage=1Gi",
        eviction_hard="memory.available<500Mi,nodefs.available<10%",
    )
    allocatable = answer["allocatable"]
    assert allocatable == {
        "cpu": "14500m",
        "memory": "29196Mi",
        "ephemeral-storage": "94489280352",
        "pods": "110",
    }
    assert parse_quantity(allocatable["cpu"]) == parse_quantity("14.5")
    assert parse_quantity("88Gi").value() - parse_quantity(allocatable["ephemeral-storage"]).value() == 160
    assert answer["reserved"]["eviction_hard"] == {"memory": "500Mi", "ephemeral-storage": "10737418400"}


# (flags, capacity, expected allocatable): the kubelet's defaults and how flags replace them.
DEFAULTS = [
    # The kubelet's default --eviction-hard: memory.available<100Mi, nodefs.available<10%
    # (pkg/kubelet/eviction/defaults_linux.go); nothing reserved by default.
    ({}, ("4", "8Gi", "10Gi"), {"cpu": "4", "memory": "8092Mi", "ephemeral-storage": "9663676400"}),
    # A partial --eviction-hard replaces every default (LangleSeparatedMapStringString.Set clears the
    # map): with only nodefs, memory has no threshold at all.
    (
        {"eviction_hard": "nodefs.available<10%"},
        ("4", "8Gi", "10Gi"),
        {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "9663676400"},
    ),
    # ... and with only memory, ephemeral-storage has none.
    (
        {"eviction_hard": "memory.available<1Gi"},
        ("4", "8Gi", "10Gi"),
        {"cpu": "4", "memory": "7Gi", "ephemeral-storage": "10Gi"},
    ),
    # Signals other than memory.available and nodefs.available reserve nothing (hardEvictionReservation).
    (
        {"eviction_hard": "imagefs.available<50%,nodefs.inodesFree<50%,pid.available<10%"},
        ("4", "8Gi", "10Gi"),
        {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "10Gi"},
    ),
    # A percentage of memory, and "0%" and "100%" are ignored (parseThresholdStatement).
    ({"eviction_hard": "memory.available<10%"}, ("4", "10Gi", None), {"cpu": "4", "memory": "9663676400"}),
    (
        {"eviction_hard": "memory.available<0%,nodefs.available<100%"},
        ("4", "8Gi", "1Gi"),
        {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "1Gi"},
    ),
    # kube-reserved and system-reserved add up per resource; pid reserves nothing on the node object.
    (
        {"kube_reserved": "cpu=100m,memory=100Mi,pid=1000", "system_reserved": "cpu=200m, memory=200Mi"},
        ("2", "4Gi", None),
        {"cpu": "1700m", "memory": "3696Mi"},
    ),
    # Reservations beyond the capacity: clamped at 0.
    ({"kube_reserved": "cpu=5,memory=9Gi"}, ("4", "8Gi", None), {"cpu": "0", "memory": "0"}),
]


@pytest.mark.parametrize(("flags", "capacity", "expected"), DEFAULTS)
def test_the_kubelet_defaults_and_flags(
    flags: dict[str, str], capacity: tuple[str, str, str | None], expected: dict[str, str]
) -> None:
    cpu, memory, storage = capacity
    answer = _kubelet(cpu=cpu, memory=memory, ephemeral_storage=storage, **flags)
    assert answer["allocatable"] == {**expected, "pods": "110"}


def test_reservations_beyond_capacity_are_clamped_and_warned() -> None:
    result = node_allocatable("kubelet", cpu="1", memory="1Gi", kube_reserved="memory=2Gi")
    assert str(result.allocatable["memory"]) == "0"
    (warning,) = result.warnings
    assert warning.path == "reserved.memory"
    # validateNodeAllocatable's refusal, with the quantities written canonically.
    assert warning.message.endswith(
        'Resource "memory" has a reservation of 2148Mi but capacity of 1Gi. Expected capacity >= reservation.'
    )


def test_hugepages_come_off_memory_after_the_reservations() -> None:
    # MachineInfo: allocatable memory -= every hugepages capacity, clamped at 0 again.
    result = node_allocatable(
        "kubelet", cpu="4", memory="8Gi", hugepages="hugepages-2Mi=1Gi,hugepages-1Gi=2Gi"
    )
    assert {k: str(v) for k, v in result.allocatable.items()} == {
        "cpu": "4",
        "memory": "5020Mi",  # 8Gi - 100Mi - 1Gi - 2Gi
        "hugepages-2Mi": "1Gi",
        "hugepages-1Gi": "2Gi",
        "pods": "110",
    }
    too_many = node_allocatable("kubelet", cpu="1", memory="1Gi", hugepages="hugepages-1Gi=1Gi")
    assert str(too_many.allocatable["memory"]) == "0"
    assert too_many.warnings[0].path == "hugepages"


def test_max_pods_is_the_pods_allocatable() -> None:
    assert _kubelet(cpu="1", memory="1Gi", max_pods=42)["allocatable"]["pods"] == "42"
    assert _kubelet(cpu="1", memory="1Gi", max_pods="0")["allocatable"]["pods"] == "0"


def test_every_reserved_part_names_every_resource() -> None:
    reserved = _kubelet(cpu="1", memory="1Gi", kube_reserved="pid=100")["reserved"]
    assert reserved == {
        "kube_reserved": {"cpu": "0", "memory": "0", "ephemeral-storage": "0", "pid": "100"},
        "system_reserved": {"cpu": "0", "memory": "0", "ephemeral-storage": "0"},
        "eviction_hard": {"memory": "100Mi", "ephemeral-storage": "0"},
    }


def test_capacity_is_held_as_the_kubelet_holds_it() -> None:
    # cpu: NewMilliQuantity(cores * 1000, DecimalSI); memory and storage: whole bytes, BinarySI,
    # so 8G (8000000000 bytes) is written as the kubelet writes it, 7812500Ki.
    answer = _kubelet(
        cpu="1.5", memory="8G", ephemeral_storage="20000000001", eviction_hard="memory.available<1"
    )
    capacity = {"cpu": "1500m", "memory": "7812500Ki", "ephemeral-storage": "20000000001", "pods": "110"}
    assert answer["capacity"] == capacity
    assert answer["allocatable"]["memory"] == "7999999999"


# (flag text, kubelet's reading) for --kube-reserved: MapStringString then parseResourceList.
RESERVED_TEXT = [
    ("cpu=100m,memory=1Gi", {"cpu": "100m", "memory": "1Gi"}),
    (" cpu = 100m , memory=1Gi ,", {"cpu": "100m", "memory": "1Gi"}),
    ("cpu=1,cpu=2", {"cpu": "2"}),  # a later key wins, as in the Go map
    ("ephemeral-storage=1Gi,pid=1k", {"ephemeral-storage": "1Gi", "pid": "1k"}),
    ("", {}),
]


@pytest.mark.parametrize(("text", "expected"), RESERVED_TEXT)
def test_reserved_flag_syntax(text: str, expected: dict[str, str]) -> None:
    assert {k: str(v) for k, v in parse_reserved(text).items()} == expected


# (text, path, words of the kubelet's refusal)
RESERVED_ERRORS = [
    ("gpu=1", "kube_reserved.gpu", 'cannot reserve "gpu" resource'),
    ("memory", "kube_reserved", "malformed pair, expect string=string"),
    ("memory=1GB", "kube_reserved.memory", 'failed to parse quantity "1GB" for "memory" resource'),
    ("cpu=-1", "kube_reserved.cpu", 'resource quantity for "cpu" cannot be negative: -1'),
]


@pytest.mark.parametrize(("text", "path", "words"), RESERVED_ERRORS)
def test_reserved_flag_errors(text: str, path: str, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_reserved(text, "kube_reserved")
    (problem,) = caught.value.problems
    assert problem.path == path
    assert words in problem.message


EVICTION_ERRORS = [
    ("memory.available=100Mi", "eviction_hard", "malformed pair, expect string<string"),
    (
        "memory.availabel<100Mi",
        "eviction_hard[memory.availabel]",
        "unsupported eviction signal memory.availabel",
    ),
    (
        "memory.available<0",
        "eviction_hard[memory.available]",
        "eviction threshold memory.available must be positive: 0",
    ),
    ("memory.available<-1Mi", "eviction_hard[memory.available]", "must be positive"),
    ("nodefs.available<101%", "eviction_hard[nodefs.available]", "must be <= 100%: 101%"),
    ("nodefs.available<-5%", "eviction_hard[nodefs.available]", "must be >= 0%: -5%"),
    (
        "nodefs.available<ten%",
        "eviction_hard[nodefs.available]",
        'strconv.ParseFloat: parsing "ten": invalid syntax',
    ),
    ("nodefs.available<NaN%", "eviction_hard[nodefs.available]", "is not a number"),
    (
        "memory.available<1GB",
        "eviction_hard[memory.available]",
        'invalid threshold "1GB" for memory.available',
    ),
]


@pytest.mark.parametrize(("text", "path", "words"), EVICTION_ERRORS)
def test_eviction_flag_errors(text: str, path: str, words: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_eviction_hard(text)
    (problem,) = caught.value.problems
    assert problem.path == path
    assert words in problem.message


def test_the_hint_for_a_misspelt_signal() -> None:
    with pytest.raises(ManifestError) as caught:
        parse_eviction_hard("memory.availabel<100Mi")
    assert caught.value.problems[0].hint == "did you mean memory.available?"


# (threshold, capacity, the kubelet's amount): int64(float64(capacity.Value()) * float64(float32(p)/100)).
PERCENTAGES = [
    ("nodefs.available<10%", "100Gi", 10737418400),  # float32(0.1) = 0.100000001490116...
    ("nodefs.available<10%", "10Gi", 1073741840),
    ("nodefs.available<5%", "100Gi", 5368709200),
    ("nodefs.available<50%", "3", 1),  # truncated toward zero
    ("memory.available<12.5%", "8Gi", 1073741824),  # exact in binary
    ("memory.available<33.3%", "1Gi", 357556032),
    ("memory.available<1e1%", "1Gi", 107374184),  # ParseFloat reads exponents
    ("memory.available<10%%", "1Gi", 107374184),  # TrimRight removes every trailing %
]


@pytest.mark.parametrize(("text", "capacity", "expected"), PERCENTAGES)
def test_percentages_as_the_kubelet_computes_them(text: str, capacity: str, expected: int) -> None:
    (threshold,) = parse_eviction_hard(text)
    assert threshold_amount(threshold, parse_quantity(capacity)) == Quantity.from_int(expected)
    # The same with the machine's own float32/float64 arithmetic.
    percentage = struct.unpack("f", struct.pack("f", float(text.split("<")[1].rstrip("%"))))[0]
    as_float32 = struct.unpack("f", struct.pack("f", percentage / 100))[0]
    assert int(float(parse_quantity(capacity).value()) * as_float32) == expected


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_float64_rounding_is_the_machines(value: float) -> None:
    exact = Fraction(value) * Fraction(3, 7)
    assert round_float64(exact) == Fraction(float(exact))


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, width=64))
def test_float32_rounding_is_the_machines(value: float) -> None:
    assert round_float32(Fraction(value)) == Fraction(struct.unpack("f", struct.pack("f", value))[0])


# -- properties ------------------------------------------------------------------------------

_RESERVATIONS = st.fixed_dictionaries(
    {
        "kube_reserved": st.sampled_from(
            ["", "cpu=100m,memory=256Mi", "cpu=2,memory=4Gi,ephemeral-storage=5Gi"]
        ),
        "system_reserved": st.sampled_from(["", "cpu=500m,memory=1Gi,ephemeral-storage=1Gi"]),
        "eviction_hard": st.sampled_from(
            [
                "memory.available<100Mi,nodefs.available<10%",
                "memory.available<7.5%",
                "nodefs.available<99.9%",
                "imagefs.available<15%",
            ]
        ),
    }
)


def _allocatable(provider: str, cpu: int, memory: int, storage: int, flags: dict[str, str]) -> dict[str, int]:
    result = node_allocatable(
        provider, cpu=f"{cpu}m", memory=str(memory), ephemeral_storage=str(storage), **flags
    )
    return {name: q.milli_value() if name == "cpu" else q.value() for name, q in result.allocatable.items()}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 256_000),
    st.integers(0, 2**40),
    st.integers(0, 2**42),
    st.integers(0, 2**30),
    _RESERVATIONS,
)
def test_allocatable_is_never_negative_never_above_capacity_and_monotone(
    cpu: int, memory: int, storage: int, more: int, flags: dict[str, str]
) -> None:
    small = _allocatable("kubelet", cpu, memory, storage, flags)
    assert all(value >= 0 for value in small.values())
    assert small["cpu"] <= cpu and small["memory"] <= memory and small["ephemeral-storage"] <= storage
    bigger = _allocatable("kubelet", cpu + more // 1000, memory + more, storage + more, flags)
    assert all(bigger[name] >= small[name] for name in small)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 192), st.integers(2**29, 2**40), st.integers(0, 2**30), st.sampled_from(["eks", "aks"]))
def test_managed_profiles_are_monotone_in_capacity(cores: int, memory: int, more: int, provider: str) -> None:
    small = _allocatable(provider, cores * 1000, memory, 2**35, {})
    bigger = _allocatable(provider, cores * 1000 + (more // 2**20) * 1000, memory + more, 2**35, {})
    assert all(0 <= small[name] <= bigger[name] for name in small)


def test_gke_is_not_monotone_at_one_gibibyte() -> None:
    # The published rule reserves 255Mi below 1Gi and 25% (256Mi) at 1Gi: one byte more memory
    # gives a mebibyte less allocatable. Faithful, and worth knowing.
    below = node_allocatable("gke", cpu="1", memory=str(2**30 - 1)).allocatable["memory"]
    at = node_allocatable("gke", cpu="1", memory="1Gi").allocatable["memory"]
    assert below > at


def test_template_node_for_other_helpers() -> None:
    node = template_node("eks", "m5.large", name="new-0", labels={"pool": "a"}, kubernetes_version="1.32")
    assert (node.name, node.milli_cpu, node.allowed_pods) == ("new-0", 1930, 29)
    assert node.labels == {
        "kubernetes.io/hostname": "new-0",
        "node.kubernetes.io/instance-type": "m5.large",
        "pool": "a",
    }
    result = node_allocatable("eks", instance_type="m5.large")
    assert result.compact("n1") == {"name": "n1", "cpu": "1930m", "memory": "6903Mi", "pods": "29"}


# (arguments, path of the problem): every bad input located at its argument.
LOCATED = [
    ({"memory": "8GB", "cpu": "1"}, "memory"),
    ({"memory": "1Gi", "cpu": "-1"}, "cpu"),
    ({"memory": "1Gi"}, "cpu"),
    ({"cpu": "1"}, "memory"),
    ({"cpu": "1", "memory": "1Gi", "max_pods": "ten"}, "max_pods"),
    ({"cpu": "1", "memory": "1Gi", "max_pods": -1}, "max_pods"),
    ({"cpu": "1", "memory": "1Gi", "kube_reserved": "gpu=1"}, "kube_reserved.gpu"),
    (
        {"cpu": "1", "memory": "1Gi", "eviction_hard": {"memory.available": "x"}},
        "eviction_hard[memory.available]",
    ),
    ({"cpu": "1", "memory": "1Gi", "hugepages": "2Mi=1Gi"}, "hugepages[2Mi]"),
    ({"cpu": "1", "memory": "1Gi", "kubernetes_version": "1.27"}, "kubernetes_version"),
    ({"cpu": "1", "memory": "1Gi", "capacity_model": "karpenter"}, "capacity_model"),
    ({"instance_type": "m5.large", "vm_memory_overhead": "7.5%"}, "vm_memory_overhead"),
    ({"cpu": "1", "memory": "1Gi", "prefix_delegation": True}, "prefix_delegation"),
    ({"cpu": "1", "memory": "1Gi", "sizing": "auto"}, "sizing"),
    ({"instance_type": "m5.larg"}, "instance_type"),
    # A cpu capacity whose millicores do not fit the kubelet's int64 (quantities themselves are
    # clamped at 2^63-1 by the parser, so bytes always fit).
    ({"cpu": "1e100", "memory": "1Gi"}, "cpu"),
]


@pytest.mark.parametrize(("arguments", "path"), LOCATED)
def test_problems_are_located(arguments: dict[str, object], path: str) -> None:
    with pytest.raises(ManifestError) as caught:
        node_allocatable("kubelet", **arguments)  # type: ignore[arg-type]
    assert [problem.path for problem in caught.value.problems] == [path]


def test_unknown_provider_and_instance_type_hints() -> None:
    with pytest.raises(ManifestError) as caught:
        node_allocatable("ekss", cpu="1", memory="1Gi")
    assert caught.value.problems[0].hint == "did you mean eks?"
    with pytest.raises(ManifestError) as caught:
        node_allocatable("eks", instance_type="m5.larg")
    (problem,) = caught.value.problems
    assert problem.hint is not None and problem.hint.startswith("did you mean m5.large")
