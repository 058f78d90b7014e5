"""Security basics that a grep can prove: no eval, no pickle loading, no unsafe YAML, no debug."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "quantities").rglob("*.py"), *(ROOT / "api").rglob("*.py")])

FORBIDDEN = {
    r"\beval\(": "eval runs arbitrary code",
    r"\bexec\(": "exec runs arbitrary code",
    r"\bpickle\.loads?\(|\bimport pickle\b|\bfrom pickle\b": "unpickling runs arbitrary code",
    r"\bmarshal\.loads?\(": "marshal loads code objects",
    r"yaml\.(load|load_all|unsafe_load|full_load)\(|FullLoader|UnsafeLoader|yaml\.Loader\b": "only safe YAML",
    r"shell\s*=\s*True": "no shell commands built from strings",
    r"\.run\(\s*debug\s*=\s*True|app\.debug\s*=\s*True": "debug mode shows tracebacks and a console",
}


@pytest.mark.parametrize("source", SOURCES, ids=[str(s.relative_to(ROOT)) for s in SOURCES])
def test_no_dangerous_calls(source: Path) -> None:
    code = "\n".join(line for line in source.read_text().splitlines() if not line.lstrip().startswith("#"))
    for pattern, why in FORBIDDEN.items():
        assert not re.search(pattern, code), f"{source.name}: {why}"


def test_the_grep_finds_what_it_looks_for() -> None:
    samples = [
        "eval(x)",
        "pickle.loads(b)",
        "yaml.load(s)",
        "subprocess.run(c, shell=True)",
        "app.debug = True",
    ]
    for sample in samples:
        assert any(re.search(pattern, sample) for pattern in FORBIDDEN), sample


def test_gunicorn_config_has_no_reload_or_debug() -> None:
    config = (ROOT / "api" / "gunicorn.conf.py").read_text()
    assert "reload" not in config and "debug" not in config.lower()


def test_production_app_refuses_debug_even_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import create_app

    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("KQ_DEBUG", "1")
    assert create_app().debug is False
