"""Service settings: safe defaults, overridden by environment variables or a mapping.

Every setting can be given as an environment variable of the same name with
the prefix ``KQ_`` (``KQ_MAX_CONTENT_LENGTH=1048576``); ``PORT`` and
``CORS_ORIGINS`` are also read without the prefix, as platforms set them.
``KQ_KUBERNETES_VERSION`` is also the library's own process default
(:mod:`quantities.versions`): the service reads it once, at start.

:func:`check_environment` says what is wrong with the environment in words, so that
gunicorn's master refuses to start with those words instead of a traceback per worker.
"""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quantities.versions import ENVIRONMENT_VARIABLE, KubernetesVersion, UnsupportedVersion

__all__ = ["DEFAULTS", "check_environment", "default_version", "from_environment", "package_version"]

_DISTRIBUTION = "kube-quantities"


def package_version() -> str:
    """The version of the installed package; in a checkout that is not installed, pyproject.toml's.

    The OpenAPI document's ``info.version`` is this, so a client sees which release answers.
    """
    try:
        return importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    try:
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+unknown"


DEFAULTS: dict[str, Any] = {
    # Largest request body, in bytes (413 above it).
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    # Most values in one batch request (413 above it).
    "MAX_BATCH_VALUES": 100_000,
    # Most containers in one /v1/pods request (413 above it).
    "MAX_CONTAINERS": 20_000,
    # Most replicas one workload of a plan may ask for, a DaemonSet counting its eligible
    # nodes (413 above it: max-replicas answers "how many would fit").
    "MAX_REPLICAS": 10_000,
    # Most data rows in one CSV body (413 above it, checked while reading).
    "MAX_ROWS": 50_000,
    # Most values one YAML body may expand to, aliases counted as often as used (413 above it).
    "MAX_YAML_VALUES": 1_000_000,
    # Most aliases in one YAML body (413 above it).
    "MAX_YAML_ALIASES": 10_000,
    # Most documents (YAML) or concatenated values (JSON) in one body (413 above it).
    "MAX_DOCUMENTS": 10_000,
    # Seconds a client may take to send its request body (408 after).
    "BODY_SECONDS": 10,
    # Seconds of work one request may take before it is refused with 413 (gunicorn's
    # worker timeout, KQ_TIMEOUT, is the hard stop behind it).
    "REQUEST_SECONDS": 10,
    # Probe shapes whose headroom /metrics exports: "name=cpu/memory,..." (web=500m/1Gi,batch=2/8Gi).
    "HEADROOM_SHAPES": "",
    # Seconds a scrape of /metrics waits for the numbers of a new cluster state before it is
    # answered with the previous state's (api/metrics.py).
    "METRICS_WAIT_SECONDS": 8,
    # Origins allowed to call the API from a browser: "*" or a comma-separated list.
    "CORS_ORIGINS": "*",
    # Seconds a client or proxy may keep a GET answer (answers depend only on the URL).
    "CACHE_MAX_AGE": 3600,
    # GET answers each worker keeps (0 turns it off): spreadsheets repeat their URLs.
    "RESPONSE_CACHE_SIZE": 4096,
    # Bytes of kept GET answers per worker (0 turns the store off).
    "RESPONSE_CACHE_BYTES": 16 * 1024 * 1024,
    # The Kubernetes release answers are for when a request names none ("": the library's process
    # default, quantities.versions.default_kubernetes_version(), the newest release unless set).
    "KUBERNETES_VERSION": "",
    # A live cluster to answer /v1/cluster/... from: "in-cluster" (the pod's service account) or
    # "kubeconfig" (KUBECONFIG, or ~/.kube/config); empty: none (the default).
    "CLUSTER": "",
    # With CLUSTER=kubeconfig: the context to use (empty: the kubeconfig's current context).
    "CONTEXT": "",
    # Items per page when listing the cluster (the API server's `limit`).
    "CLUSTER_PAGE_SIZE": 500,
    # Seconds a watch lasts before the API server ends it and it is renewed (a clean end confirms the state).
    "CLUSTER_WATCH_SECONDS": 60,
    # Live answers say stale: true when nothing confirmed the state for this many seconds.
    "CLUSTER_STALE_SECONDS": 120,
    # Most one new state a second (at most) is published to the workers; 0: every change at once.
    "CLUSTER_PUBLISH_SECONDS": 1,
    # Set by the gunicorn master (api/gunicorn.conf.py): where its one watcher publishes the state.
    "LIVE_DIR": "",
    # Debug mode is never switched on by configuration: see create_app.
    "API_TITLE": "kube-quantities",
    "API_VERSION": package_version(),
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/static/",
    "JSON_SORT_KEYS": False,
}

# Settings whose default is a whole number are read from the environment as one.
_INTEGER_SETTINGS = {name for name, value in DEFAULTS.items() if type(value) is int}


def from_environment(environment: Mapping[str, str]) -> dict[str, Any]:
    """The settings given in ``environment``, converted to their types."""
    settings: dict[str, Any] = {}
    for name in DEFAULTS.keys() - {"JSON_SORT_KEYS"}:
        raw = environment.get("KQ_" + name)
        if raw is None and name == "CORS_ORIGINS":
            raw = environment.get(name)
        if raw is None:
            continue
        if name in _INTEGER_SETTINGS:
            try:
                settings[name] = int(raw)
            except ValueError:
                raise ValueError(f"KQ_{name} must be a whole number, not {json.dumps(raw)}") from None
        else:
            settings[name] = raw
    return settings


def default_version(settings: Mapping[str, Any]) -> KubernetesVersion | None:
    """The configured ``KUBERNETES_VERSION``, checked; None when unset (the library's default then).

    An unsupported value raises :class:`~quantities.versions.UnsupportedVersion`, whose message
    names the variable and lists the supported releases.
    """
    text = str(settings.get("KUBERNETES_VERSION") or "").strip()
    if not text:
        return None
    try:
        return KubernetesVersion.parse(text)
    except UnsupportedVersion as error:
        reason = f"(from the environment variable {ENVIRONMENT_VARIABLE}) is not supported"
        raise UnsupportedVersion(text, reason) from error


def check_environment(environment: Mapping[str, str]) -> list[str]:
    """What is wrong with the service's settings in ``environment``, one message each (none: fine)."""
    try:
        settings = from_environment(environment)
    except ValueError as error:
        return [str(error)]
    try:
        default_version(settings)
    except UnsupportedVersion as error:
        return [str(error)]
    cluster = str(settings.get("CLUSTER", "")).strip()
    if cluster not in ("", "in-cluster", "kubeconfig"):
        return [f'KQ_CLUSTER must be "in-cluster" or "kubeconfig" (or unset for none), not "{cluster}"']
    return []
