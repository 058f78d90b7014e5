"""The README's Python examples run, and say what they print; its feature-gate table is the code's.

``python -m tests.test_readme`` prints the feature-gate table as the README must hold it.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from quantities.versions import SUPPORTED, FeatureGateError, KubernetesVersion, feature_gates

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    # The examples show the defaults: no process default may leak in from the environment.
    monkeypatch.delenv("KQ_KUBERNETES_VERSION", raising=False)
    from quantities.versions import set_default_kubernetes_version

    try:
        result = doctest.testfile(
            str(ROOT / "README.md"),
            module_relative=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL,
        )
    finally:
        set_default_kubernetes_version(None)  # an example that sets it must not outlive the README
    assert result.attempted > 10
    assert result.failed == 0


def _cell(version: KubernetesVersion, gate: str) -> str:
    gates = feature_gates(version)
    if gate not in gates:
        return "–"
    value = "on" if gates[gate] else "off"
    try:
        feature_gates(version, {gate: not gates[gate]})
    except FeatureGateError:
        return value + " (locked)"
    return value


def gate_table() -> str:
    """The README's table: each gate that changes an answer, its default in each release
    (``–``: the release does not have it; ``locked``: the release refuses to change it)."""
    names = sorted({name for version in SUPPORTED for name in feature_gates(version)})
    lines = [
        "| gate | " + " | ".join(str(version) for version in SUPPORTED) + " |",
        "|---|" + "---|" * len(SUPPORTED),
    ]
    for name in names:
        lines.append(f"| `{name}` | " + " | ".join(_cell(version, name) for version in SUPPORTED) + " |")
    return "\n".join(lines) + "\n"


def test_readme_gate_table_is_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    table = gate_table()
    assert table in readme, (
        "the README's feature-gate table differs; `python -m tests.test_readme`:\n" + table
    )


def test_readme_lists_the_supported_releases() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"{SUPPORTED[0]} to {SUPPORTED[-1]}" in readme
    assert "KQ_KUBERNETES_VERSION" in readme and "Kubernetes-Version" in readme


if __name__ == "__main__":
    print(gate_table(), end="")
