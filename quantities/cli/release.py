"""``--kubernetes-version`` and ``--feature-gates``: the Kubernetes release every ``kq`` command answers for.

Every subcommand takes both (:func:`add_release_options`, applied by ``build_parser``
to each subcommand, so a new command gets them too). :func:`release_options` turns
them into the one :class:`~quantities.options.Options` the command hands down.

* ``--kubernetes-version 1.30`` (or ``1.34.1``, ``v1.30.4-gke.1348000``): a supported
  release, 1.28 to 1.36; without it, ``KQ_KUBERNETES_VERSION``, else the newest.
* ``--feature-gates PodLevelResources=false,SidecarContainers=true``: the kubelet's
  syntax; overrides that release's gate defaults (the flag may be repeated).

A value we cannot answer for, a bad gate, or a bad ``KQ_KUBERNETES_VERSION`` in the
environment is a usage error: ``kq: ...`` naming the flag (or variable) and listing the
supported values, exit status 2, nothing on standard output.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from quantities.cli.inputs import InputError
from quantities.options import Options
from quantities.versions import (
    ENVIRONMENT_VARIABLE,
    NEWEST,
    OLDEST,
    FeatureGateError,
    UnsupportedVersion,
    default_kubernetes_version,
    supported_text,
)

__all__ = ["VersionAction", "add_release_options", "release_options", "version_text"]

_VERSION_FLAG = "--kubernetes-version"
_GATES_FLAG = "--feature-gates"


def add_release_options(parser: argparse.ArgumentParser) -> None:
    """``--kubernetes-version`` and ``--feature-gates`` on one (sub)command, unless it has them already."""
    if _VERSION_FLAG in parser._option_string_actions:
        return
    group = parser.add_argument_group("Kubernetes release (the same for every command)")
    group.add_argument(
        _VERSION_FLAG,
        metavar="VERSION",
        help=f"the release to answer for: one of {supported_text()}, or a patch release such as "
        f"1.34.1 (default: ${ENVIRONMENT_VARIABLE}, else {NEWEST})",
    )
    group.add_argument(
        _GATES_FLAG,
        metavar="GATES",
        action="append",
        help="override the release's feature-gate defaults, in the kubelet's syntax: "
        "PodLevelResources=false,SidecarContainers=true (repeatable)",
    )


def release_options(arguments: argparse.Namespace) -> Options:
    """The Options of ``--kubernetes-version``/``--feature-gates`` (the process default without them).

    The environment's ``KQ_KUBERNETES_VERSION`` is checked on every run, given or not: a bad
    setting is refused everywhere alike rather than only by the commands that fall back on it.
    Raises :class:`~quantities.cli.inputs.InputError` naming the flag or variable.
    """
    try:
        default_kubernetes_version()
    except UnsupportedVersion as error:
        raise InputError(str(error)) from None
    version = getattr(arguments, "kubernetes_version", None)
    gates = getattr(arguments, "feature_gates", None)
    try:
        resolved = Options.of(version)
    except UnsupportedVersion as error:
        raise InputError(_flag_message(str(error))) from None
    if not gates:
        return resolved
    try:
        return Options.of(resolved.kubernetes_version, ",".join(gates))
    except FeatureGateError as error:
        raise InputError(f"{_GATES_FLAG}: {error}") from None


def _flag_message(message: str) -> str:
    """The library's ``kubernetes_version "x" ...`` in the words of the command line."""
    prefix = "kubernetes_version "
    return _VERSION_FLAG + " " + message[len(prefix) :] if message.startswith(prefix) else message


def version_text() -> str:
    """``kq <package version> (Kubernetes <default>; supported 1.28 to 1.36)``: what ``kq --version``
    prints. The default says where it comes from when it is not the newest release by default."""
    import os
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("kube-quantities")
    except PackageNotFoundError:  # run from a source tree that was never installed
        package = "(not installed)"
    default = default_kubernetes_version()
    origin = f" from {ENVIRONMENT_VARIABLE}" if os.environ.get(ENVIRONMENT_VARIABLE, "").strip() else ""
    return f"kq {package} (Kubernetes {default}{origin}; supported {OLDEST} to {NEWEST})"


class VersionAction(argparse.Action):
    """``--version``: the text is made when asked for, so a bad ``KQ_KUBERNETES_VERSION`` is a
    message and exit status 2 there, not a failure to build the parser."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print kq's version, the default Kubernetes release and the supported ones")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> NoReturn:
        try:
            text = version_text()
        except UnsupportedVersion as error:
            raise InputError(str(error)) from None
        import sys

        parser._print_message(text + "\n", sys.stdout)
        parser.exit()
