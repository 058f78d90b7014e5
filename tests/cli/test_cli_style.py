"""One style for every ``kq`` command: -o text|json|yaml|csv, errors naming the file, exit statuses 0/1/2/141.

* A table of bad inputs across every command: exit 2, nothing on standard
  output, a message naming the file (or option) and what was expected, and
  never Python's words.
* Every command in every format, parsed back and compared with the library's answer.
* ``kq ... | head -1`` on a big input: quiet, exit 141.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from quantities import KUBERNETES_VERSION
from quantities.capacity.headroom import max_replicas_detail
from quantities.cli import main, version_text
from quantities.cli.exits import EXIT_STATUS_HELP
from quantities.manifest.decode import load_documents
from quantities.manifest.stream import iter_objects
from quantities.node.allocated import node_allocated, node_and_pods
from quantities.pod.workloads import single_pod, workloads_in
from quantities.present.pods import (
    QOS_CSV_HEADER,
    REQUESTS_CSV_HEADER,
    checked_pods,
    object_label,
    qos_report,
    requests_csv_rows,
    requests_report,
)
from quantities.quantity.human import parse_human
from quantities.quantity.quantity import parse_quantity
from quantities.quantity.units import exact_decimal
from quantities.scheduler.cluster import load_cluster
from quantities.scheduler.fit import check_fit
from quantities.scheduler.plan import WorkloadPlan, max_replicas, plan
from quantities.versions import NEWEST
from tests.kind_cluster import node, pod, system_pods

ROOT = Path(__file__).resolve().parents[2]

#: Words that only Python says: none of them may reach a user.
PYTHON_WORDS = ("Errno", "Traceback", "'str' object", "invalid literal", "<unicode string>", "codec can't")

COMMANDS = ("parse", "convert", "qos", "requests", "describe-node", "fit", "plan", "max-replicas")
FORMATS = ("text", "json", "yaml", "csv")

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: app
        resources:
          requests: {cpu: 250m, memory: 1Gi}
          limits: {cpu: 500m}
---
apiVersion: v1
kind: Pod
metadata: {name: db}
spec:
  containers:
  - name: db
    resources: {limits: {cpu: 1, memory: 1Gi}}
"""


def run(
    *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    """Good and bad inputs, side by side in one directory."""

    def write(name: str, content: str | bytes | Any) -> None:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_text(json.dumps(content))

    write(
        "cluster.json",
        {"kind": "List", "items": [node(), *system_pods()]},
    )
    write("nodes.csv", "name,cpu,memory,pods\nn1,4,8Gi,110\nn2,2,4Gi,110\n")
    write("two-nodes.json", {"kind": "List", "items": [node("a"), node("b")]})
    write("pod.json", pod("default", "small", cpu="100m", memory="64Mi", node_name=None))
    write("big-pod.json", pod("default", "big", memory="64Gi", node_name=None))
    write("a.json", {"name": "a", "replicas": 2, "cpu": "1"})
    write("b.json", {"name": "b", "replicas": 1, "cpu": "500m", "memory": "1Gi"})
    write("too-many.json", {"name": "many", "replicas": 50, "cpu": "1"})
    write("manifests.yaml", MANIFESTS)
    write("broken.json", '{"kind": "List", "items": [}')
    write("broken.yaml", "kind: Pod\nspec: [1\n")
    write("latin1.yaml", b"kind: Pod\nmetadata: {name: caf\xe9}\n")
    write("empty.yaml", "")
    write("numbers.json", "[1, 2]")
    write("bad-replicas.json", {"name": "w", "replicas": "x", "cpu": "1"})
    write(
        "bad-node.json", {"kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "x"}}}
    )
    write("bad-labels.json", {"kind": "Node", "metadata": {"name": "n", "labels": "x"}})
    write("bad-nodes.csv", "name,cpu,memory,pods\nn1,4,8Gi,many\n")
    write("bad-pod.json", {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": "x"}})
    write(
        "two-pods.json",
        {"kind": "List", "items": [pod("d", "p1", node_name=None), pod("d", "p2", node_name=None)]},
    )
    (tmp_path / "dir").mkdir()
    return tmp_path


# Each row: the command line ({d} is the directory of the files), then what standard error must say.
BAD_INPUTS: list[tuple[str, tuple[str, ...]]] = [
    # Files that cannot be read at all.
    ("requests {d}/nosuchfile", ('kq: cannot read "{d}/nosuchfile": no such file',)),
    ("qos {d}/dir", ('kq: cannot read "{d}/dir": it is a directory',)),
    (
        "qos {d}/latin1.yaml",
        ('cannot read "{d}/latin1.yaml": not UTF-8 text (byte 0xe9 at line 2, column 21)',),
    ),
    ("describe-node {d}/nosuchfile", ('cannot read "{d}/nosuchfile": no such file',)),
    ("describe-node {d}/latin1.yaml", ('cannot read "{d}/latin1.yaml": not UTF-8 text',)),
    ("fit --pod {d}/nosuchfile {d}/cluster.json", ('cannot read "{d}/nosuchfile": no such file',)),
    ("fit --pod {d}/pod.json {d}/dir", ('cannot read "{d}/dir": it is a directory',)),
    ("plan --workload {d}/a.json --workload {d}/nosuchfile {d}/nodes.csv", ('cannot read "{d}/nosuchfile"',)),
    ("max-replicas --pod {d}/latin1.yaml {d}/nodes.csv", ('cannot read "{d}/latin1.yaml": not UTF-8 text',)),
    # Files that are not JSON or YAML: the file, the line and the column.
    ("qos {d}/broken.yaml", ('kq: "{d}/broken.yaml": invalid YAML at line 3, column 1:',)),
    ("requests {d}/broken.json", ('kq: "{d}/broken.json": invalid JSON', "line 1, column 28")),
    ("describe-node {d}/broken.yaml", ('"{d}/broken.yaml": invalid YAML at line 3, column 1',)),
    ("describe-node {d}/broken.json", ('"{d}/broken.json": invalid JSON at line 1, column 28',)),
    ("fit --pod {d}/broken.json {d}/cluster.json", ('"{d}/broken.json": invalid JSON at line 1, column 28',)),
    ("fit --pod {d}/pod.json {d}/broken.yaml", ('"{d}/broken.yaml": invalid YAML at line 3, column 1',)),
    ("plan --workload {d}/broken.yaml {d}/nodes.csv", ('"{d}/broken.yaml": invalid YAML at line 3',)),
    ("max-replicas --pod {d}/pod.json {d}/broken.json", ('"{d}/broken.json": invalid JSON at line 1',)),
    # Files that are read but hold the wrong thing.
    ("qos {d}/empty.yaml", ('"{d}/empty.yaml": no Pod, PodSpec or object with a pod template found',)),
    ("requests {d}/numbers.json", ('"{d}/numbers.json"', "expected a Kubernetes object")),
    ("qos {d}/bad-pod.json", ('"{d}/bad-pod.json": invalid pod', "spec.containers: expected an array")),
    ("describe-node {d}/two-nodes.json", ('"{d}/two-nodes.json": expected one Node, found 2', "with --node")),
    ("describe-node {d}/pod.json", ('"{d}/pod.json": expected one Node, found 0',)),
    ("describe-node {d}/bad-node.json", ('"{d}/bad-node.json"', "invalid quantity")),
    ("describe-node {d}/bad-labels.json", ('"{d}/bad-labels.json"',)),
    (
        "fit --pod {d}/numbers.json {d}/nodes.csv",
        ('[0]: expected a Kubernetes object, got number 1',),
    ),
    (
        "fit --pod {d}/two-pods.json {d}/nodes.csv",
        ('"{d}/two-pods.json": expected one pod or workload, found 2',),
    ),
    ("fit --pod {d}/bad-pod.json {d}/nodes.csv", ('"{d}/bad-pod.json": invalid pod', "spec.containers")),
    ("fit --pod {d}/pod.json {d}/bad-nodes.csv", ('"{d}/bad-nodes.csv"', "invalid quantity", "many")),
    ("fit --pod {d}/pod.json {d}/numbers.json", ('"{d}/numbers.json"', "expected a Kubernetes object")),
    ("plan --workload {d}/numbers.json {d}/nodes.csv", ('"{d}/numbers.json": no workload found', "compact")),
    (
        "plan --workload {d}/a.json --workload {d}/bad-replicas.json {d}/nodes.csv",
        ('"{d}/bad-replicas.json": ', 'replicas: replicas must be a whole number, got "x"'),
    ),
    ("plan --workload {d}/bad-pod.json {d}/nodes.csv", ('"{d}/bad-pod.json": invalid pod',)),
    ("max-replicas --pod {d}/pod.json {d}/bad-node.json", ('"{d}/bad-node.json"', "invalid quantity")),
    # The pod given by options.
    ("fit {d}/nodes.csv", ("kq: fit: which pod?", "--pod FILE", "--cpu")),
    ("max-replicas {d}/nodes.csv", ("kq: max-replicas: which pod?",)),
    ("fit --pod {d}/pod.json --cpu 1 {d}/nodes.csv", ("--pod FILE or with --cpu/--memory, not both",)),
    ("fit --cpu 1,5 {d}/nodes.csv", ('kq: --cpu "1,5": invalid quantity', "decimal point")),
    ("max-replicas --memory 3GB {d}/nodes.csv", ('kq: --memory "3GB": invalid quantity',)),
    ("fit --cpu -1 {d}/nodes.csv", ("the pod of --cpu/--memory", "cpu")),
    # Usage errors.
    (
        "fit --cpu 1 --pods 0 {d}/nodes.csv",
        ('argument --pods: expected a whole number of at least 1, got "0"',),
    ),
    ("fit --cpu 1 --pods x {d}/nodes.csv", ('got "x"',)),
    (
        "qos -o xml {d}/manifests.yaml",
        ("argument -o/--output: expected one of text, json, yaml, csv", 'got "xml"'),
    ),
    ("plan {d}/nodes.csv", ("the following arguments are required: --workload",)),
    ("plan --workload {d}/a.json --table pods {d}/nodes.csv", ('invalid choice: "pods"',)),
    ("nosuchcommand", ('invalid choice: "nosuchcommand"',)),
    ("requests", ("the following arguments are required: FILE",)),
    # Quantities.
    ("parse 1K", ("kq: invalid quantity", "1K")),
    ("parse -o json 1Gi 1K", ("kq: invalid quantity", "1K")),
    ("convert 1,5Gi GiB", ("kq: invalid quantity", "1,5Gi")),
    ("convert 1Gi parsec", ("parsec",)),
]


@pytest.mark.parametrize(("command", "expected"), BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS])
def test_bad_input_exits_2_naming_the_input(files: Path, command: str, expected: tuple[str, ...]) -> None:
    argv = [word.replace("{d}", str(files)) for word in command.split()]
    status, out, err = run(*argv)
    assert (status, out) == (2, ""), err
    assert err.startswith(("kq: ", "usage: kq")), err
    for text in expected:
        assert text.replace("{d}", str(files)) in err
    assert not any(word in err for word in PYTHON_WORDS), err
    assert err.count("\n") >= 1 and "kq" in err


def test_there_are_enough_bad_input_rows_for_every_command() -> None:
    assert len(BAD_INPUTS) >= 25
    assert {row[0].split()[0] for row in BAD_INPUTS} >= set(COMMANDS)


def test_standard_input_is_named_so(monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run("qos", "-", stdin="kind: Pod\nspec: [1\n", monkeypatch=monkeypatch)
    assert (status, out) == (2, "")
    assert err.startswith("kq: standard input: invalid YAML at line 3, column 1:")


def test_invalid_utf8_on_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    class BinaryStdin(io.StringIO):
        buffer = io.BytesIO(b"kind: Pod\n\xff\n")

    monkeypatch.setattr(sys, "stdin", BinaryStdin())
    status, _, err = run("describe-node", "-")
    assert status == 2
    assert err == (
        "kq: cannot read standard input: not UTF-8 text (byte 0xff at line 2, column 1); "
        "save the file as UTF-8\n"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(files: Path) -> None:
    secret = files / "secret.yaml"
    secret.write_text(MANIFESTS)
    secret.chmod(0)
    status, _, err = run("qos", str(secret))
    assert (status, err) == (2, f'kq: cannot read "{secret}": permission denied\n')


def test_a_byte_order_mark_is_not_part_of_the_text(files: Path) -> None:
    path = files / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(node()).encode())
    assert run("describe-node", str(path))[0] == 0


# ---- every command in every format, parsed back and compared with the library's answer ----


def _parse_back(output: str, text: str) -> Any:
    if output == "json":
        return json.loads(text)
    if output == "yaml":
        return yaml.safe_load(text)
    return list(csv.reader(io.StringIO(text)))


def _plain(data: Any) -> Any:
    """``data`` as JSON would carry it (tuples become lists, keys strings)."""
    return json.loads(json.dumps(data))


def _cells(rows: Any) -> list[list[str]]:
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


Expected = tuple[list[str], Any, list[str], list[list[str]]]


def _expected(command: str, d: Path) -> Expected:
    """(argv, the JSON data, the CSV header, the CSV rows) as the library answers them."""
    if command == "parse":
        values = ["1.5Gi", "500m", "1e3"]
        rows = []
        for value in values:
            q = parse_quantity(value)
            rows.append(
                {"input": value, "canonical": str(q), "format": str(q.format), "value": str(q.to_decimal())}
            )
        header = ["input", "canonical", "format", "value"]
        return ["parse", *values], rows, header, [[r[c] for c in header] for r in rows]
    if command == "convert":
        value = str(exact_decimal(parse_human("1.5Gi").to("MiB").magnitude))
        return (
            ["convert", "1.5Gi", "MiB"],
            {"input": "1.5Gi", "unit": "MiB", "value": value},
            [
                "input",
                "unit",
                "value",
            ],
            [["1.5Gi", "MiB", value]],
        )
    if command in ("qos", "requests"):
        pods = checked_pods(load_documents(MANIFESTS))
        if command == "qos":
            reports = [qos_report(p) for p in pods]
            rows = [
                [object_label(p), r["qos_class"], "; ".join(r["reasons"]), "; ".join(r["to_guaranteed"])]
                for p, r in zip(pods, reports, strict=True)
            ]
            return [command, str(d / "manifests.yaml")], reports, list(QOS_CSV_HEADER), rows
        reports = [requests_report(p) for p in pods]
        rows = [
            list(row)
            for p, r in zip(pods, reports, strict=True)
            for row in requests_csv_rows(r, object_label(p))
        ]
        return [command, str(d / "manifests.yaml")], reports, list(REQUESTS_CSV_HEADER), rows
    cluster_text = (d / "cluster.json").read_text()
    cluster = load_cluster(cluster_text)
    if command == "describe-node":
        allocation = node_allocated(*node_and_pods(iter_objects(cluster_text)))
        return (
            [command, str(d / "cluster.json")],
            allocation.to_json(),
            list(allocation.CSV_HEADER),
            _cells(allocation.csv_rows()),
        )
    the_pod = single_pod(iter_objects((d / "pod.json").read_text()))
    if command == "fit":
        result = check_fit(the_pod, cluster.nodes, cluster.pods)
        argv = [command, "--pod", str(d / "pod.json"), str(d / "cluster.json")]
        return argv, result.to_json(), list(result.CSV_HEADER), _cells(result.csv_rows())
    if command == "plan":
        workloads = [
            *workloads_in(json.loads((d / "a.json").read_text())),
            *workloads_in(json.loads((d / "b.json").read_text())),
        ]
        planned = plan(workloads, cluster.nodes, cluster.pods)
        argv = [
            command,
            "--workload",
            str(d / "a.json"),
            "--workload",
            str(d / "b.json"),
            str(d / "cluster.json"),
        ]
        rows = _cells(row for w in planned.workloads for row in w.csv_rows())
        return argv, planned.to_json(), list(WorkloadPlan.CSV_HEADER), rows
    detail = max_replicas_detail(the_pod, cluster.nodes, cluster.pods)
    assert detail.total == max_replicas(the_pod, cluster.nodes, cluster.pods)
    argv = [command, "--pod", str(d / "pod.json"), str(d / "cluster.json")]
    return argv, detail.to_json(), list(detail.CSV_HEADER), _cells(detail.csv_rows())


@pytest.mark.parametrize("output", ("json", "yaml", "csv"))
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_in_every_format(files: Path, command: str, output: str) -> None:
    argv, data, header, rows = _expected(command, files)
    status, out, err = run(*argv, "-o", output)
    assert (status, err) == (0, "")
    answer = _parse_back(output, out)
    if output == "csv":
        assert answer == [header, *rows]
    elif isinstance(data, dict):
        # An object answer says which release it is for (the default here), first.
        assert answer == _plain({"kubernetes_version": str(NEWEST), **data})
        assert next(iter(answer)) == "kubernetes_version"
    else:
        assert answer == _plain(data)


@pytest.mark.parametrize("command", COMMANDS)
def test_text_is_the_default_and_table_its_other_name(files: Path, command: str) -> None:
    argv = _expected(command, files)[0]
    default = run(*argv)
    assert default[0] == 0 and default[1].strip() and default[2] == ""
    assert run(*argv, "-o", "text") == default
    assert run(*argv, "--output", "table") == default


def test_parse_in_structured_formats_prints_nothing_before_an_error() -> None:
    # Text is streamed (the good values before a bad one are printed); JSON/YAML/CSV are whole documents.
    assert run("parse", "1Gi", "1K")[1] == "1Gi\n"
    for output in ("json", "yaml", "csv"):
        assert run("parse", "-o", output, "1Gi", "1K")[:2] == (2, "")


def test_plan_csv_has_one_table_and_nodes_on_request(files: Path) -> None:
    argv = ["plan", "--workload", str(files / "a.json"), str(files / "nodes.csv"), "-o", "csv"]
    status, out, _ = run(*argv)
    assert (
        status == 0
        and out.splitlines()[0] == ",".join(WorkloadPlan.CSV_HEADER)
        and "" not in out.splitlines()
    )
    status, out, _ = run(*argv, "--table", "nodes")
    lines = list(csv.reader(io.StringIO(out)))
    assert lines[0][0] == "node" and [row[0] for row in lines[1:]] == ["n1", "n2"]


# ---- repeatable --workload, --cpu/--memory ----


def test_plan_plans_every_workload_file_in_order(files: Path) -> None:
    a, b, nodes = str(files / "a.json"), str(files / "b.json"), str(files / "nodes.csv")
    status, out, _ = run("plan", "--workload", a, "--workload", b, nodes, "-o", "json")
    assert status == 0
    assert [(w["name"], w["placed"]) for w in json.loads(out)["workloads"]] == [("a", 2), ("b", 1)]
    reverse = run("plan", "--workload", b, "--workload", a, nodes, "-o", "json")
    assert [w["name"] for w in json.loads(reverse[1])["workloads"]] == ["b", "a"]


def test_fit_with_cpu_and_memory_is_the_http_form(files: Path, client: Any) -> None:
    status, out, _ = run("fit", "--cpu", "2", "--memory", "3Gi", str(files / "nodes.csv"), "-o", "json")
    answer = client.get("/v1/fit?cpu=2&memory=3Gi&node=n1,4,8Gi,110&node=n2,2,4Gi,110").get_json()
    assert status == 0 and json.loads(out) == answer
    status, out, _ = run("fit", "--cpu", "3", str(files / "nodes.csv"), "-o", "json")
    assert status == 0 and [n["fits"] for n in json.loads(out)["nodes"]] == [True, False]
    status, out, _ = run("fit", "--memory", "5Gi", "--cpu", "3", str(files / "nodes.csv"))
    assert status == 0 and out.rstrip().endswith("fits: n1")


def test_fit_pods_asks_for_n_copies(files: Path) -> None:
    nodes = str(files / "nodes.csv")
    assert run("fit", "--cpu", "2", "--pods", "3", nodes)[0] == 0  # 2 on n1, 1 on n2
    status, out, _ = run("fit", "--cpu", "2", "--pods", "4", nodes)
    assert status == 1 and out.endswith("4 copies do not fit: room for 3\n")
    status, out, _ = run("fit", "--cpu", "2", "--pods", "3", nodes, "-o", "yaml")
    assert yaml.safe_load(out)["copies"] == {"wanted": 3, "fit": 3}


def test_max_replicas_with_cpu_and_memory(files: Path) -> None:
    nodes = str(files / "nodes.csv")
    assert run("max-replicas", "--cpu", "1", "--memory", "1Gi", nodes) == (0, "6\n", "")
    assert run("max-replicas", "--cpu", "5", nodes) == (1, "0\n", "")


# ---- exit statuses ----

EXIT_CASES: list[tuple[str, int]] = [
    ("fit --pod {d}/pod.json {d}/cluster.json", 0),
    ("fit --pod {d}/big-pod.json {d}/cluster.json", 1),
    ("fit --cpu 5 {d}/nodes.csv", 1),
    ("plan --workload {d}/a.json {d}/nodes.csv", 0),
    ("plan --workload {d}/a.json --workload {d}/too-many.json {d}/nodes.csv", 1),
    ("max-replicas --pod {d}/pod.json {d}/cluster.json", 0),
    ("max-replicas --pod {d}/big-pod.json {d}/cluster.json", 1),
    ("describe-node {d}/cluster.json", 0),
    ("qos {d}/manifests.yaml", 0),
    ("requests {d}/manifests.yaml", 0),
    ("parse 1Gi", 0),
    ("convert 1Gi MiB", 0),
    ("describe-node {d}/nosuchfile", 2),
]


@pytest.mark.parametrize(("command", "status"), EXIT_CASES, ids=[row[0] for row in EXIT_CASES])
def test_exit_status(files: Path, command: str, status: int) -> None:
    argv = [word.replace("{d}", str(files)) for word in command.split()]
    for output in FORMATS:  # the status does not depend on the format
        assert run(*argv, "-o", output)[0] == status


def test_a_pending_plan_still_prints_the_plan(files: Path) -> None:
    status, out, _ = run(
        "plan", "--workload", str(files / "too-many.json"), str(files / "nodes.csv"), "-o", "json"
    )
    assert status == 1 and json.loads(out)["workloads"][0]["pending"] == 44


# ---- --version, --help ----


def test_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import version

    monkeypatch.delenv("KQ_KUBERNETES_VERSION", raising=False)
    status, out, err = run("--version")
    assert (status, out, err) == (
        0,
        f"kq {version('kube-quantities')} (Kubernetes {KUBERNETES_VERSION}; supported 1.28 to 1.36)\n",
        "",
    )

    def not_installed(name: str) -> str:
        from importlib.metadata import PackageNotFoundError

        raise PackageNotFoundError(name)

    monkeypatch.setattr("importlib.metadata.version", not_installed)
    assert version_text() == f"kq (not installed) (Kubernetes {KUBERNETES_VERSION}; supported 1.28 to 1.36)"


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_help_lists_the_exit_statuses_and_the_formats(command: str) -> None:
    status, out, err = run(*([command] if command else []), "--help")
    assert (status, err) == (0, "")
    assert EXIT_STATUS_HELP in out
    if command:
        assert "-o {text,json,yaml,csv}" in out


def test_module_docstring_and_readme_give_the_same_exit_statuses() -> None:
    import quantities.cli

    readme = (ROOT / "README.md").read_text()
    for text in (quantities.cli.__doc__ or "", readme):
        for status in ("0", "1", "2", "141"):
            assert f"\n* {status}: " in text or f"| {status} |" in text, status


# ---- a closed pipe ----

BIG_PODS = 4000


@pytest.fixture(scope="module")
def big_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "pods.json"
    items = [
        {"kind": "Pod", "metadata": {"name": f"p{i}"}, "spec": {"containers": [{"name": "a", "resources": {
            "requests": {"cpu": "1", "memory": "1Gi"}}}]}}
        for i in range(BIG_PODS)
    ]  # fmt: skip
    path.write_text(json.dumps({"kind": "List", "items": items}))
    return path


def _through_head(argv: list[str], reader: list[str]) -> tuple[int, str, str]:
    kq = subprocess.Popen(
        [sys.executable, "-m", "quantities", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert kq.stdout is not None and kq.stderr is not None
    head = subprocess.run(reader, stdin=kq.stdout, capture_output=True, text=True, timeout=60, check=False)
    kq.stdout.close()
    err = kq.stderr.read().decode()
    return kq.wait(timeout=60), head.stdout, err


@pytest.mark.parametrize(
    "argv",
    [["qos"], ["qos", "-o", "json"], ["requests", "-o", "csv"], ["requests", "-o", "yaml"]],
    ids=lambda argv: " ".join(argv),
)
def test_quiet_on_a_closed_pipe(big_manifest: Path, argv: list[str]) -> None:
    status, first, err = _through_head([*argv, str(big_manifest)], ["head", "-1"])
    assert first.strip()
    assert (status, err) == (141, "")


def test_quiet_when_the_reader_never_reads(big_manifest: Path) -> None:
    status, _, err = _through_head(["requests", str(big_manifest)], [sys.executable, "-c", "pass"])
    assert (status, err) == (141, "")


def test_a_bad_input_through_a_pipe_still_says_so(files: Path) -> None:
    status, first, err = _through_head(["qos", str(files / "broken.yaml")], ["head", "-1"])
    assert (status, first) == (2, "")
    assert err.startswith(f'kq: "{files}/broken.yaml": invalid YAML')


# ---- warnings, standard input through a real pipe, Ctrl-C ----


def test_print_warnings_writes_one_line_per_problem() -> None:
    from dataclasses import dataclass

    from quantities.cli.outputs import print_warnings
    from quantities.manifest.problems import Problem

    @dataclass
    class Result:
        warnings: tuple[Problem, ...]

    err = io.StringIO()
    print_warnings(Result((Problem("spec.x", "ignored"), Problem("", "old API", source="document 2"))), err)
    assert err.getvalue() == "warning: spec.x: ignored\nwarning: document 2: old API\n"
    print_warnings(object(), err)  # results without warnings print nothing
    assert err.getvalue().count("\n") == 2


def test_standard_input_through_a_real_pipe() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "quantities", "requests", "-o", "csv", "-"],
        input=MANIFESTS.encode(),
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode().splitlines()[0] == ",".join(REQUESTS_CSV_HEADER)


def test_ctrl_c_exits_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import quantities.cli

    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(quantities.cli._COMMANDS, "parse", interrupted)
    assert run("parse", "1") == (130, "", "")
