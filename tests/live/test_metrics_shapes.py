"""KQ_HEADROOM_SHAPES: probe shapes read strictly, every problem located (``KQ_HEADROOM_SHAPES[1].cpu``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.capacity.probes import ProbeShape, parse_probe_shapes
from quantities.manifest.compact import read_pod_requests
from quantities.manifest.problems import ManifestError
from quantities.pod.workloads import workload_from_row
from quantities.quantity.quantity import Quantity

GOOD = [
    ("", []),
    ("   ", []),
    ("web=500m/1Gi", [("web", "500m", "1Gi")]),
    ("web=500m/1Gi,batch=2/8Gi", [("web", "500m", "1Gi"), ("batch", "2", "8Gi")]),
    (" web = 500m / 1Gi , batch=2/8Gi ", [("web", "500m", "1Gi"), ("batch", "2", "8Gi")]),
    ("tiny=0/0", [("tiny", "0", "0")]),
    ("big-1=1.5/1.5Gi", [("big-1", "1500m", "1536Mi")]),  # Kubernetes' canonical notation
    ("m=100m/128974848", [("m", "100m", "128974848")]),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good_settings(text: str, expected: list[tuple[str, str, str]]) -> None:
    shapes = parse_probe_shapes(text)
    assert [(s.name, str(s.cpu), str(s.memory)) for s in shapes] == expected


# Rows: (setting, [(path, words in the message)]): every problem, each where it is.
BAD = [
    ("web=500m/1Gi,", [("KQ_HEADROOM_SHAPES[1]", "empty shape: remove the extra comma")]),
    (",web=500m/1Gi", [("KQ_HEADROOM_SHAPES[0]", "empty shape")]),
    ("web", [("KQ_HEADROOM_SHAPES[0]", 'expected name=cpu/memory, got "web"')]),
    ("500m/1Gi", [("KQ_HEADROOM_SHAPES[0]", 'name the shape: "probe=500m/1Gi"')]),
    ("web=500m", [("KQ_HEADROOM_SHAPES[0]", 'give both requests, cpu/memory: "web=500m/1Gi"')]),
    ("web=500m,1Gi", [("KQ_HEADROOM_SHAPES[0]", 'did you mean "web=500m/1Gi"?'),
                      ("KQ_HEADROOM_SHAPES[1]", 'did you mean "web=500m/1Gi"?')]),
    ("web=1/2/3", [("KQ_HEADROOM_SHAPES[0]", "one cpu and one memory request")]),
    ("web=/1Gi", [("KQ_HEADROOM_SHAPES[0].cpu", "required: a shape is name=cpu/memory (0 for no request)")]),
    ("web=1/", [("KQ_HEADROOM_SHAPES[0].memory", "required")]),
    ("web=-1/1Gi", [("KQ_HEADROOM_SHAPES[0].cpu", '"-1" must be greater than or equal to 0')]),
    ("web=1/1Gb", [("KQ_HEADROOM_SHAPES[0].memory", 'invalid quantity "1Gb"')]),
    ("web=2x/1Gi", [("KQ_HEADROOM_SHAPES[0].cpu", 'invalid quantity "2x"')]),
    ("Web_1=1/1Gi", [("KQ_HEADROOM_SHAPES[0].name", 'invalid shape name "Web_1"')]),
    ("=1/1Gi", [("KQ_HEADROOM_SHAPES[0].name", "empty shape name")]),
    ("a.b=1/1Gi", [("KQ_HEADROOM_SHAPES[0].name", 'invalid shape name "a.b"')]),
    ("x" * 64 + "=1/1Gi", [("KQ_HEADROOM_SHAPES[0].name", "at most 63")]),
    ("web=1/1Gi,web=2/2Gi", [("KQ_HEADROOM_SHAPES[1].name", 'shape "web" is given twice')]),
    # Several problems in one setting: all of them, in order.
    ("ok=1/1Gi,Bad=x/1Gi,,c=1", [
        ("KQ_HEADROOM_SHAPES[1].name", 'invalid shape name "Bad"'),
        ("KQ_HEADROOM_SHAPES[1].cpu", 'invalid quantity "x"'),
        ("KQ_HEADROOM_SHAPES[2]", "empty shape"),
        ("KQ_HEADROOM_SHAPES[3]", "give both requests"),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_settings_name_every_problem_where_it_is(text: str, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_probe_shapes(text)
    problems = caught.value.problems
    assert [p.path for p in problems] == [path for path, _ in expected]
    for problem, (_, words) in zip(problems, expected, strict=True):
        assert words in str(problem)
    # Never Python's own words or reprs in what a person reads.
    message = str(caught.value)
    for python in ("Traceback", "'str'", "invalid literal", "object has no attribute", "None"):
        assert python not in message


def test_a_bad_setting_is_hinted_in_kubernetes_words() -> None:
    with pytest.raises(ManifestError) as caught:
        parse_probe_shapes("web=500m/1gi")
    (problem,) = caught.value.problems
    assert problem.path == "KQ_HEADROOM_SHAPES[0].memory"
    assert problem.hint and "Gi" in problem.hint


def test_the_source_names_the_paths() -> None:
    with pytest.raises(ManifestError) as caught:
        parse_probe_shapes("web", source="shapes")
    assert caught.value.problems[0].path == "shapes[0]"


def test_the_probe_pod_is_the_max_replicas_query_pod() -> None:
    """One definition: the shape's pod is GET /v1/capacity/max-replicas?cpu=&memory='s pod, renamed."""
    (shape,) = parse_probe_shapes("web=500m/1Gi")
    query = dict(workload_from_row(read_pod_requests("500m", "1Gi")).pod)
    assert shape.pod["spec"]["containers"][0]["resources"] == query["spec"]["containers"][0]["resources"]
    assert shape.pod["metadata"]["name"] == "web"
    assert str(shape) == "web=500m/1Gi"
    assert shape.requests == {"cpu": shape.cpu, "memory": shape.memory}


NAMES = st.from_regex(r"[a-z]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
CPUS = st.sampled_from(["0", "1m", "100m", "500m", "1", "2", "1.5", "64"])
MEMORIES = st.sampled_from(["0", "1", "128Mi", "1Gi", "1.5Gi", "8G", "2e9"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, CPUS, MEMORIES), min_size=1, max_size=5, unique_by=lambda row: row[0]))
def test_what_is_written_reads_back(rows: list[tuple[str, str, str]]) -> None:
    text = ",".join(f"{name}={cpu}/{memory}" for name, cpu, memory in rows)
    shapes = parse_probe_shapes(text)
    assert [(s.name, s.cpu, s.memory) for s in shapes] == [(n, Quantity(c), Quantity(m)) for n, c, m in rows]
    assert parse_probe_shapes(",".join(str(s) for s in shapes)) == shapes
    assert all(isinstance(s, ProbeShape) for s in shapes)
