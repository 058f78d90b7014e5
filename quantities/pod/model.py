"""A pod's resource-related fields as immutable values.

``Pod`` holds what Kubernetes' resource arithmetic reads from a pod: the
containers (regular, init, ephemeral) with their requests and limits,
``spec.overhead``, pod-level ``spec.resources``, the priority fields and the
annotations the kubelet looks at, and ``status.qosClass``. Everything else in
a manifest is ignored, as the API server ignores unknown fields.

Build one with :func:`quantities.read_pod` (or :func:`quantities.load_pods`
for text); ``Pod`` also remembers where it came from (``kind``, ``name``,
``path`` of its ``PodSpec`` in the document) and what was wrong when it was
read (``problems``).

``ResourceList`` is Kubernetes' ``ResourceList``: resource name to
``Quantity``, immutable and hashable, in the order the manifest wrote it.
"""

from __future__ import annotations

import enum
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Any

from quantities.manifest.problems import Problem
from quantities.quantity.quantity import Quantity

__all__ = ["Container", "ContainerKind", "ContainerStatus", "Pod", "PodStatus", "ResourceList", "Resources"]


class ResourceList(Mapping[str, Quantity]):
    """An immutable ``{resource name: Quantity}`` mapping.

    >>> from quantities import parse_quantity
    >>> limits = ResourceList({"cpu": parse_quantity("500m")})
    >>> limits["cpu"], len(limits), "memory" in limits
    (Quantity('500m'), 1, False)
    """

    __slots__ = ("_items",)

    _items: dict[str, Quantity]

    def __init__(self, items: Mapping[str, Quantity] | Iterable[tuple[str, Quantity]] = ()) -> None:
        object.__setattr__(self, "_items", dict(items))

    def __getitem__(self, name: str) -> Quantity:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    # The dict's own views and lookups: much faster than Mapping's generic ones.
    def __contains__(self, name: object) -> bool:
        return name in self._items

    def get(self, name: str, default: Any = None) -> Any:
        return self._items.get(name, default)

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[Quantity]:
        return self._items.values()

    def items(self) -> ItemsView[str, Quantity]:
        return self._items.items()

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        inner = ", ".join(f"{name!r}: {str(quantity)!r}" for name, quantity in self._items.items())
        return f"ResourceList({{{inner}}})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ResourceList is immutable")

    def __reduce__(self) -> tuple[type[ResourceList], tuple[dict[str, Quantity]]]:
        return (ResourceList, (dict(self._items),))


EMPTY = ResourceList()


@dataclass(frozen=True)
class Resources:
    """Kubernetes' ``ResourceRequirements``: ``requests`` and ``limits``."""

    requests: ResourceList = EMPTY
    limits: ResourceList = EMPTY

    def __bool__(self) -> bool:
        return bool(self.requests) or bool(self.limits)

    def to_dict(self) -> dict[str, dict[str, str]]:
        """As in a manifest, quantities in canonical form; empty lists left out."""
        result: dict[str, dict[str, str]] = {}
        for field_name, resources in (("requests", self.requests), ("limits", self.limits)):
            if resources:
                result[field_name] = {name: str(quantity) for name, quantity in resources.items()}
        return result


class ContainerKind(enum.StrEnum):
    """Which list of the ``PodSpec`` a container is in."""

    CONTAINER = "containers"
    INIT = "initContainers"
    EPHEMERAL = "ephemeralContainers"


@dataclass(frozen=True)
class Container:
    """One container: its name, its resources and, for init containers, its restart policy.

    ``path`` is the JSON path of the container in its document
    (``spec.containers[0]``).
    """

    name: str
    resources: Resources = Resources()
    kind: ContainerKind = ContainerKind.CONTAINER
    restart_policy: str | None = None
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The container's name, restart policy and resources, as in a manifest."""
        result: dict[str, Any] = {"name": self.name}
        if self.restart_policy is not None:
            result["restartPolicy"] = self.restart_policy
        result["resources"] = self.resources.to_dict()
        return result

    @property
    def is_sidecar(self) -> bool:
        """A restartable init container (``restartPolicy: Always``): it runs beside the app containers."""
        return self.kind is ContainerKind.INIT and self.restart_policy == "Always"

    @property
    def label(self) -> str:
        """How messages name it: ``container "app"``, ``init container "setup"``, ``sidecar "proxy"``."""
        if self.is_sidecar:
            what = "sidecar container"
        elif self.kind is ContainerKind.INIT:
            what = "init container"
        elif self.kind is ContainerKind.EPHEMERAL:
            what = "ephemeral container"
        else:
            what = "container"
        return f'{what} "{self.name}"'


@dataclass(frozen=True)
class ContainerStatus:
    """What ``status.containerStatuses[]`` (or ``initContainerStatuses[]``) says of a container's resources.

    In-place resize (KEP-1287) reports them there: ``allocated`` is
    ``allocatedResources`` (what the kubelet admitted), ``resources`` the
    ``resources`` the runtime actually applied. Each is None when the field is
    absent, which is not the same as empty to Kubernetes' helpers
    (``cs.Resources != nil``).
    """

    name: str
    allocated: ResourceList | None = None
    resources: Resources | None = None
    path: str = ""


@dataclass(frozen=True)
class PodStatus:
    """The parts of a Pod's ``status`` that decide which resources a running pod counts.

    ``resize`` is ``status.resize`` (``Proposed``, ``InProgress``, ``Deferred``,
    ``Infeasible``; 1.29-1.32). ``resize_pending`` is the ``reason`` of the first
    ``PodResizePending`` condition (``Deferred`` or ``Infeasible``; 1.33+), None when
    there is none. ``resources`` and ``allocated`` are the pod-level
    ``status.resources`` and ``status.allocatedResources`` (pod-level resize, 1.35+).
    """

    container_statuses: tuple[ContainerStatus, ...] = ()
    init_container_statuses: tuple[ContainerStatus, ...] = ()
    resize: str = ""
    resize_pending: str | None = None
    resources: Resources | None = None
    allocated: ResourceList | None = None

    def __bool__(self) -> bool:
        return bool(
            self.container_statuses
            or self.init_container_statuses
            or self.resize
            or self.resize_pending is not None
            or self.resources is not None
            or self.allocated is not None
        )


NO_STATUS = PodStatus()


@dataclass(frozen=True)
class Pod:
    """The resource-related part of a pod (or of the pod a template would create).

    ``resources`` is the pod-level ``spec.resources`` (None when absent: an
    empty ``resources: {}`` is not the same thing to Kubernetes' QoS code).
    ``priority`` is ``spec.priority`` as the admission plugin set it (None when
    the manifest has none). ``defaulted`` says whether
    :func:`quantities.default_pod` produced it.

    Where it came from: ``kind`` and ``name``/``namespace`` of the object that
    held it, ``document`` (index in a multi-document file, None otherwise),
    ``path`` (JSON path of the ``PodSpec`` in that document, ``""`` for a bare
    ``PodSpec``) and ``object_path`` (the same path relative to its own object,
    which is what the API server prints). ``problems`` lists what was wrong
    when the manifest was read. ``status`` holds what in-place resize reports
    (a Pod's own ``status``; templates have none).

    ``stored_as`` records which API-server rules :func:`quantities.valid_pod`
    applied (:func:`quantities.pod.defaults.storage_key`), so that a pod checked
    for one release is checked again when another release asks.
    """

    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    ephemeral_containers: tuple[Container, ...] = ()
    overhead: ResourceList | None = None
    resources: Resources | None = None
    priority: int | None = None
    priority_class_name: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)
    status_qos_class: str = ""
    status: PodStatus = NO_STATUS
    kind: str = "Pod"
    name: str = ""
    namespace: str = ""
    document: int | None = None
    path: str = "spec"
    object_path: str = "spec"
    problems: tuple[Problem, ...] = ()
    #: ``spec.replicas`` of the Deployment, ReplicaSet, ReplicationController or StatefulSet that
    #: holds the pod (1 when unset, as the API server defaults it); None for other objects.
    replicas: int | None = field(default=None, compare=False)
    defaulted: bool = False
    validated: bool = field(default=False, compare=False, repr=False)
    stored_as: tuple[bool, ...] | None = field(default=None, compare=False, repr=False)

    def __hash__(self) -> int:
        return hash((self.containers, self.init_containers, self.overhead, self.resources, self.name))

    def to_spec(self) -> dict[str, Any]:
        """The resource fields of the ``PodSpec`` as a manifest, quantities in canonical form.

        After :func:`quantities.default_pod` this shows what defaulting did.

        >>> from quantities import default_pod
        >>> app = {"name": "app", "resources": {"limits": {"cpu": 1}}}
        >>> default_pod({"spec": {"containers": [app]}}).to_spec()
        {'containers': [{'name': 'app', 'resources': {'requests': {'cpu': '1'}, 'limits': {'cpu': '1'}}}]}
        """
        spec: dict[str, Any] = {"containers": [container.to_dict() for container in self.containers]}
        if self.init_containers:
            spec["initContainers"] = [container.to_dict() for container in self.init_containers]
        if self.ephemeral_containers:
            spec["ephemeralContainers"] = [container.to_dict() for container in self.ephemeral_containers]
        if self.overhead is not None:
            spec["overhead"] = {name: str(quantity) for name, quantity in self.overhead.items()}
        if self.resources is not None:
            spec["resources"] = self.resources.to_dict()
        if self.priority is not None:
            spec["priority"] = self.priority
        if self.priority_class_name:
            spec["priorityClassName"] = self.priority_class_name
        return spec

    @property
    def all_containers(self) -> tuple[Container, ...]:
        """Init containers, then regular containers, then ephemeral containers."""
        return self.init_containers + self.containers + self.ephemeral_containers

    @property
    def label(self) -> str:
        """``Deployment "web"``, ``Pod "db-0"``, ``PodSpec``, with the document number if known."""
        what = f'{self.kind} "{self.name}"' if self.name else self.kind
        if self.document is not None:
            return f"document {self.document + 1}, {what}"
        return what
