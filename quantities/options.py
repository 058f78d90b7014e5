"""How a computation should run: one small immutable value that travels from the edges down.

Every computation that can be told *how* to run (which feature gates, how long it
may work, how much input it may read) takes one keyword, ``options``, with an
:class:`Options` value. The ``kq`` command and the HTTP API build one from their
flags and parameters and hand it down unchanged; a new setting (a Kubernetes
version, feature gates) is a new field here, not a new parameter threaded through
every layer.

>>> options = Options(kubernetes_version=KubernetesVersion.parse("1.34"))
>>> options.pod_level_resources, options.limits.max_nodes
(True, 100000)
>>> options.with_gate("PodLevelResources", False).pod_level_resources
False
>>> str(options.replace(kubernetes_version=None).version) == str(default_kubernetes_version())
True
>>> options.replace(deadline=Deadline.after(10)).deadline is not None
True

This module imports only :mod:`quantities.versions`, so every layer can use it.
"""

from __future__ import annotations

import dataclasses
import time

from quantities.versions import (
    Behaviour,
    KubernetesVersion,
    behaviour,
    default_kubernetes_version,
    parse_feature_gates,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "DEFAULT_OPTIONS",
    "Deadline",
    "InputTooLarge",
    "Options",
    "ReadLimits",
    "WorkLimitExceeded",
    "resolve_options",
]


class WorkLimitExceeded(Exception):
    """A computation went past the deadline or a size limit its caller set.

    ``where`` names what was being done (``plan of "web"``, ``values[52311]``) and
    ``done``/``total`` how far it got, when that is known.
    """

    def __init__(self, message: str, where: str = "", done: int | None = None, total: int | None = None):
        self.where = where
        self.done = done
        self.total = total
        super().__init__(message)


class InputTooLarge(WorkLimitExceeded):
    """More input than ``ReadLimits`` allow; ``where`` is the JSON path of what is too large
    (``rows``, ``workloads[0].spec.replicas``)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Deadline:
    """A point in ``time.monotonic()`` past which work stops with :class:`WorkLimitExceeded`.

    Loops that grow with the input call :meth:`check` now and then: a cooperative
    deadline, so the caller gets a located refusal instead of a killed worker.
    """

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, seconds)

    def expired(self) -> bool:
        return time.monotonic() > self.at

    def check(self, where: str = "", done: int | None = None, total: int | None = None) -> None:
        """Raise :class:`WorkLimitExceeded` when the deadline has passed."""
        if time.monotonic() > self.at:
            progress = f" after {done:,} of {total:,}" if done is not None and total is not None else ""
            place = f" in {where}" if where else ""
            raise WorkLimitExceeded(
                f"the work took longer than the {self.seconds:g} s allowed{place}{progress}",
                where,
                done,
                total,
            )


@dataclasses.dataclass(frozen=True, slots=True)
class ReadLimits:
    """The most input one call reads; past a limit, reading stops with :class:`WorkLimitExceeded`.

    They are checked while reading, so memory stays bounded by the limits rather than
    by the input. The defaults are Kubernetes' own published limits with room to spare
    (5,000 nodes and 150,000 pods per cluster).
    """

    max_nodes: int = 100_000
    max_pods: int = 1_000_000
    max_rows: int = 1_000_000
    max_containers: int = 1_000_000
    max_replicas: int = 1_000_000


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    """How to compute: the Kubernetes release and its feature gates, a deadline, read limits.

    ``kubernetes_version`` None answers for the process default
    (:func:`quantities.versions.default_kubernetes_version`); ``feature_gates``
    overrides that release's gate defaults (``(("PodLevelResources", False),)``).
    ``deadline`` bounds the work (None: no bound).
    """

    kubernetes_version: KubernetesVersion | None = None
    feature_gates: tuple[tuple[str, bool], ...] = ()
    deadline: Deadline | None = None
    limits: ReadLimits = ReadLimits()

    def replace(self, **changes: object) -> Options:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def of(
        cls,
        kubernetes_version: str | KubernetesVersion | None = None,
        feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
        **fields: object,
    ) -> Options:
        """Options from a caller's forms: a version string (``"1.30"``) and gates as the
        kubelet's text (``"PodLevelResources=false"``), a mapping or pairs. Checked here, so
        a bad value fails before any work, with the supported values in its message."""
        version = kubernetes_version
        if isinstance(version, str):
            version = KubernetesVersion.parse(version)
        if feature_gates is None:
            gates: tuple[tuple[str, bool], ...] = ()
        elif isinstance(feature_gates, str):
            gates = parse_feature_gates(feature_gates)
        elif hasattr(feature_gates, "items"):
            gates = tuple((str(name), bool(value)) for name, value in feature_gates.items())
        else:
            gates = tuple((str(name), bool(value)) for name, value in feature_gates)
        options = cls(version, gates).replace(**fields)
        options.behaviour  # noqa: B018 - validates the gates against the release
        return options

    @property
    def version(self) -> KubernetesVersion:
        """The release this computes for (the process default when none was given)."""
        return self.kubernetes_version or default_kubernetes_version()

    @property
    def behaviour(self) -> Behaviour:
        """The release's switches with the gate overrides applied."""
        return behaviour(self.version, self.feature_gates)

    @property
    def pod_level_resources(self) -> bool:
        """The ``PodLevelResources`` gate (off before 1.34 by default)."""
        return self.behaviour.pod_level_resources

    def with_gate(self, name: str, value: bool) -> Options:
        """A copy with one gate set. Turning off a gate the release does not have yet is a
        no-op (it is off there), so ``pod_level_resources=False`` means the same on every release."""
        if not value and name not in dict(self.behaviour.gates):
            return self
        kept = tuple((gate, setting) for gate, setting in self.feature_gates if gate != name)
        return self.replace(feature_gates=(*kept, (name, value)))

    def check_deadline(self, where: str = "", done: int | None = None, total: int | None = None) -> None:
        """:meth:`Deadline.check` when there is a deadline."""
        if self.deadline is not None:
            self.deadline.check(where, done, total)


#: What a call without ``options`` gets.
DEFAULT_OPTIONS = Options()


def resolve_options(
    options: Options | None = None,
    kubernetes_version: str | KubernetesVersion | None = None,
    feature_gates: str | Mapping[str, bool] | Iterable[tuple[str, bool]] | None = None,
) -> Options:
    """The options of a public call that takes ``kubernetes_version=`` and ``feature_gates=``
    keywords beside ``options=``: the keywords win over the fields of ``options``.

    >>> resolve_options(kubernetes_version="1.30").behaviour.kubectl_status_resources
    'allocated'
    >>> resolve_options(Options.of("1.34"), feature_gates={"PodLevelResources": False}).pod_level_resources
    False
    """
    base = options or DEFAULT_OPTIONS
    if kubernetes_version is None and feature_gates is None:
        return base
    return Options.of(
        kubernetes_version if kubernetes_version is not None else base.kubernetes_version,
        feature_gates if feature_gates is not None else base.feature_gates,
        deadline=base.deadline,
        limits=base.limits,
    )
