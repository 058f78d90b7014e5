"""``--kubernetes-version`` and ``--feature-gates`` on every ``kq`` command, and ``KQ_KUBERNETES_VERSION``.

* Every subcommand of the parser (a later one too) takes both flags.
* An unsupported release, a refused gate or a bad environment variable: exit 2, ``kq: ...``
  naming the flag (or variable) and listing what is accepted, nothing on standard output.
* The release reaches every library call of every command, changes the answers where the
  release changes them, and every JSON object answer says which one it was.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from quantities.cli import build_parser, main
from quantities.versions import NEWEST, SUPPORTED
from tests.kind_cluster import node, pod, system_pods

SUPPORTED_LIST = ", ".join(str(version) for version in SUPPORTED)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _no_environment_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KQ_KUBERNETES_VERSION", raising=False)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


SUBCOMMANDS = sorted(_subcommands())


def _minimal_argv(parser: argparse.ArgumentParser) -> list[str]:
    """Arguments that parse for ``parser`` (placeholders: the release is checked before any is read)."""
    argv: list[str] = []
    for action in parser._actions:
        if not action.option_strings and action.nargs not in ("?", "*"):
            argv.append("x")
        elif action.option_strings and action.required:
            argv += [action.option_strings[0], "x"]
    for group in parser._mutually_exclusive_groups:
        if group.required:  # one of them is needed (kq what-if --drain | --lose-largest | --lose-zone)
            argv += [group._group_actions[0].option_strings[0], "1"]
    return argv


def test_the_commands_are_the_known_ones_at_least() -> None:
    known = {"parse", "convert", "qos", "requests", "describe-node", "fit", "plan", "max-replicas"}
    assert known <= set(SUBCOMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_takes_the_release_flags(command: str) -> None:
    parser = _subcommands()[command]
    assert {"--kubernetes-version", "--feature-gates"} <= parser._option_string_actions.keys()
    arguments = parser.parse_args(
        [*_minimal_argv(parser), "--kubernetes-version", "1.30", "--feature-gates", "A=true"]
    )
    assert (arguments.kubernetes_version, arguments.feature_gates) == ("1.30", ["A=true"])
    status, out, _ = run(command, "--help")
    assert status == 0 and "--kubernetes-version VERSION" in out and "--feature-gates GATES" in out
    assert SUPPORTED_LIST in " ".join(out.split())


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_refuses_an_unsupported_release(command: str) -> None:
    argv = [command, *_minimal_argv(_subcommands()[command]), "--kubernetes-version", "1.27"]
    status, out, err = run(*argv)
    assert (status, out) == (2, "")
    assert err == (
        f'kq: --kubernetes-version "1.27" is not supported: use one of {SUPPORTED_LIST}'
        " (a patch release may follow, as in 1.34.1)\n"
    )


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_refuses_a_locked_gate(command: str) -> None:
    argv = [command, *_minimal_argv(_subcommands()[command]), "--feature-gates", "SidecarContainers=false"]
    status, out, err = run(*argv)
    assert (status, out) == (2, "")
    assert err == (
        "kq: --feature-gates: cannot set feature gate SidecarContainers to false, "
        f"feature is locked to true in Kubernetes {NEWEST}\n"
    )


@pytest.mark.parametrize(
    ("version", "gates", "words"),
    [
        (
            "1.30",
            "PodLevelResources=false",
            "PodLevelResources (Kubernetes 1.30 does not have it; it appears in 1.32)",
        ),
        ("1.36", "PodLevelResourcs=false", "did you mean PodLevelResources?"),
        ("1.36", "PodLevelResources", 'feature-gates[0] "PodLevelResources": missing bool value'),
        ("1.36", "PodLevelResources=maybe", "invalid value of PodLevelResources: maybe"),
        ("1.34", "DynamicResourceAllocation=false,SidecarContainers=false", "SidecarContainers to false"),
        ("v1.35.0", "InPlacePodVerticalScaling=false", "locked to true in Kubernetes 1.35"),
    ],
)
def test_refused_gates_say_why(version: str, gates: str, words: str) -> None:
    status, out, err = run("convert", "1Gi", "MiB", "--kubernetes-version", version, "--feature-gates", gates)
    assert (status, out) == (2, "")
    assert err.startswith("kq: --feature-gates: ") and words in err and err.count("\n") == 1


@pytest.mark.parametrize("text", ["1.27", "1.37", "2.0", "latest", "", "1.3O"])
def test_unsupported_releases_list_the_supported_ones(text: str) -> None:
    status, out, err = run("parse", "1", "--kubernetes-version", text)
    assert (status, out) == (2, "")
    assert err.startswith(f'kq: --kubernetes-version "{text}" is not ') and SUPPORTED_LIST in err


# ---- the environment's default ----


def test_the_environment_sets_the_default_and_the_flag_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", "1.31")
    assert json.loads(run("convert", "1Gi", "MiB", "-o", "json")[1])["kubernetes_version"] == "1.31"
    flagged = run("convert", "1Gi", "MiB", "-o", "json", "--kubernetes-version", "1.29.4")
    assert json.loads(flagged[1])["kubernetes_version"] == "1.29.4"
    assert run("--version")[1].endswith(
        " (Kubernetes 1.31 from KQ_KUBERNETES_VERSION; supported 1.28 to 1.36)\n"
    )


@pytest.mark.parametrize("command", ["--version", *SUBCOMMANDS])
def test_a_bad_environment_is_refused_by_every_command(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("KQ_KUBERNETES_VERSION", "1.99")
    argv = [command] if command == "--version" else [command, *_minimal_argv(_subcommands()[command])]
    status, out, err = run(*argv)
    assert (status, out) == (2, "")
    assert err == (
        'kq: kubernetes_version "1.99" (from the environment variable KQ_KUBERNETES_VERSION) is not '
        f"supported: use one of {SUPPORTED_LIST} (a patch release may follow, as in 1.34.1)\n"
    )


def test_version_prints_the_default_and_the_supported_range() -> None:
    status, out, err = run("--version")
    assert (status, err) == (0, "")
    assert out.startswith("kq ") and out.endswith(f" (Kubernetes {NEWEST}; supported 1.28 to 1.36)\n")


# ---- the release reaches the library, and the answers ----


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    pod_level = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {
            "resources": {"requests": {"cpu": "2", "memory": "2Gi"}},
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}],
        },
    }
    (tmp_path / "cluster.json").write_text(json.dumps({"kind": "List", "items": [node(), *system_pods()]}))
    (tmp_path / "pod.json").write_text(json.dumps(pod("default", "small", cpu="100m", node_name=None)))
    (tmp_path / "web.json").write_text(json.dumps({"name": "web", "replicas": 2, "cpu": "1"}))
    (tmp_path / "pod-level.json").write_text(json.dumps(pod_level))
    return tmp_path


def _argv(command: str, d: Path) -> list[str]:
    return {
        "parse": ["parse", "1Gi"],
        "convert": ["convert", "1Gi", "MiB"],
        "qos": ["qos", str(d / "pod-level.json")],
        "requests": ["requests", str(d / "pod-level.json")],
        "describe-node": ["describe-node", str(d / "cluster.json")],
        "fit": ["fit", "--pod", str(d / "pod.json"), str(d / "cluster.json")],
        "plan": ["plan", "--workload", str(d / "web.json"), str(d / "cluster.json")],
        "max-replicas": ["max-replicas", "--cpu", "1", str(d / "cluster.json")],
    }[command]


KNOWN = ("parse", "convert", "qos", "requests", "describe-node", "fit", "plan", "max-replicas")
#: Commands whose JSON answer is an array (no object to carry the field; see the README).
ARRAYS = ("parse", "qos", "requests")


@pytest.mark.parametrize("output", ["json", "yaml"])
@pytest.mark.parametrize("command", KNOWN)
def test_every_object_answer_says_its_release(files: Path, command: str, output: str) -> None:
    status, out, err = run(*_argv(command, files), "-o", output, "--kubernetes-version", "v1.33.2")
    assert status in (0, 1) and err == ""
    answer = json.loads(out) if output == "json" else yaml.safe_load(out)
    if command in ARRAYS:
        assert isinstance(answer, list)
    else:
        assert next(iter(answer.items())) == ("kubernetes_version", "1.33.2")
    default = run(*_argv(command, files), "-o", output)[1]
    if command not in ARRAYS:
        loaded = json.loads(default) if output == "json" else yaml.safe_load(default)
        assert loaded["kubernetes_version"] == str(NEWEST)


@pytest.mark.parametrize("command", KNOWN)
def test_csv_and_text_are_unchanged_by_the_field(files: Path, command: str) -> None:
    for output in ("csv", "text"):
        out = run(*_argv(command, files), "-o", output, "--kubernetes-version", "1.33")[1]
        assert "kubernetes_version" not in out


_LIBRARY = [
    ("quantities.scheduler.cluster", "load_cluster"),
    ("quantities.scheduler.framework.podinfo", "pod_info"),
    ("quantities.scheduler.fit", "check_fit"),
    ("quantities.scheduler.plan", "max_replicas"),
    ("quantities.scheduler.plan", "plan"),
    ("quantities.node.allocated", "node_allocated"),
    ("quantities.node.allocated", "node_and_pods"),
    ("quantities.cli.pods", "checked_pods"),
]


@pytest.mark.parametrize("command", ["qos", "requests", "describe-node", "fit", "plan", "max-replicas"])
def test_the_release_reaches_every_library_call(
    files: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    import importlib

    seen: list[tuple[str, object]] = []

    def spy(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            options = kwargs.get("options")
            seen.append((name, None if options is None else (str(options.version), options.feature_gates)))
            return function(*args, **kwargs)

        return wrapper

    for module_name, name in _LIBRARY:
        module = importlib.import_module(module_name)
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    argv = [
        *_argv(command, files),
        "--kubernetes-version",
        "1.33",
        "--feature-gates",
        "PodLevelResources=true",
    ]
    assert run(*argv)[0] in (0, 1)
    assert seen, f"{command} called none of the library functions watched"
    assert {release for _, release in seen} == {("1.33", (("PodLevelResources", True),))}, seen


def _requests_json(files: Path, *flags: str) -> dict[str, str]:
    status, out, err = run("requests", str(files / "pod-level.json"), "-o", "json", *flags)
    assert (status, err) == (0, "")
    return dict(json.loads(out)[0]["requests"])


def test_the_release_changes_the_answer_where_kubernetes_did(files: Path) -> None:
    # PodLevelResources: off by default in 1.32-1.33 (the API server drops spec.resources), on from 1.34.
    containers, pod_level = {"cpu": "500m", "memory": "1Gi"}, {"cpu": "2", "memory": "2Gi"}
    assert _requests_json(files, "--kubernetes-version", "1.33") == containers
    assert _requests_json(files, "--kubernetes-version", "1.34") == pod_level
    assert _requests_json(files) == pod_level
    assert _requests_json(
        files, "--kubernetes-version", "1.33", "--feature-gates", "PodLevelResources=true"
    ) == (pod_level)
    assert _requests_json(files, "--feature-gates", "PodLevelResources=false") == containers
    # The old flag is the same gate, on every release (a no-op where the gate does not exist yet).
    assert _requests_json(files, "--without-pod-level-resources") == containers
    assert (
        _requests_json(files, "--kubernetes-version", "1.30", "--without-pod-level-resources") == containers
    )


def test_repeated_feature_gates_flags_add_up(files: Path) -> None:
    flags = ["--kubernetes-version", "1.33", "--feature-gates", "PodLevelResources=true"]
    assert _requests_json(files, *flags, "--feature-gates", "InPlacePodVerticalScaling=false") == {
        "cpu": "2",
        "memory": "2Gi",
    }
