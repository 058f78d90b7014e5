"""The Kubernetes API, read-only, through the official ``kubernetes`` client without its models.

Why this client: its configuration loaders are the ones every Kubernetes tool in Python
relies on, and they handle what a service meets in practice: the in-cluster service account
(token file rotated by the kubelet, cluster CA), and every kubeconfig form (client
certificates, bearer tokens, OIDC, and exec credential plugins such as
``gke-gcloud-auth-plugin`` or ``aws eks get-token``, refreshed when they expire).

What we do not use: its model classes. Deserializing a 150,000-pod list into them takes
gigabytes; every call here asks for the raw answer (``_preload_content=False``), parses the
JSON itself and hands each object to :func:`quantities.live.trim.trim`. Lists are paged
(``limit``/``continue``), and watches go through ``kubernetes.watch.Watch().stream`` with
``deserialize=False`` and bookmarks.

Every failure becomes a :class:`~quantities.live.errors.ClusterError` whose message says
what failed and what to do (``cannot list pods at the cluster scope: the service account
needs get/list/watch on pods``); 410 Gone is :class:`~quantities.live.errors.ResourceGone`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from quantities.live.errors import ClusterError, ClusterUnavailable, ResourceGone

__all__ = ["RESOURCES", "KubeClient", "Resource", "connect"]


@dataclass(frozen=True, slots=True)
class Resource:
    """A collection the source lists and watches, across all namespaces."""

    kind: str
    plural: str
    group: str  # "" for the core group
    api: str  # the kubernetes.client API class
    method: str  # its list method for every namespace
    required: bool  # nodes and pods: without them no answer can be given

    @property
    def group_text(self) -> str:
        return f' in API group "{self.group}"' if self.group else ""


RESOURCES: tuple[Resource, ...] = (
    Resource("Node", "nodes", "", "CoreV1Api", "list_node", True),
    Resource("Pod", "pods", "", "CoreV1Api", "list_pod_for_all_namespaces", True),
    Resource(
        "ResourceQuota", "resourcequotas", "", "CoreV1Api", "list_resource_quota_for_all_namespaces", False
    ),
    Resource("LimitRange", "limitranges", "", "CoreV1Api", "list_limit_range_for_all_namespaces", False),
    Resource("DaemonSet", "daemonsets", "apps", "AppsV1Api", "list_daemon_set_for_all_namespaces", False),
)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    resource_version: str
    continue_token: str | None


_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "the connection was reset",
    errno.ETIMEDOUT: "the connection timed out",
    errno.EHOSTUNREACH: "no route to the host",
    errno.ENETUNREACH: "the network is unreachable",
    errno.ECONNABORTED: "the connection was aborted",
    errno.EPIPE: "the connection was closed",
}


def _network_words(error: BaseException) -> str:
    """What went wrong on the network, in words (never Python's ``[Errno 111]``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return f"its TLS certificate is not trusted ({current.verify_message})"
        if isinstance(current, ssl.SSLError):
            return f"the TLS handshake failed ({current.reason or 'unknown reason'})"
        if isinstance(current, socket.gaierror):
            return "its host name does not resolve"
        if isinstance(current, TimeoutError | socket.timeout):
            return "no answer in time"
        if isinstance(current, OSError) and current.errno in _ERRNO_WORDS:
            return _ERRNO_WORDS[current.errno]
        name = type(current).__name__
        if name in ("ReadTimeoutError", "ConnectTimeoutError"):
            return "no answer in time"
        if name in ("ProtocolError", "IncompleteRead", "RemoteDisconnected"):
            return "the connection was closed"
        following = getattr(current, "reason", None)
        if isinstance(following, BaseException):
            current = following
            continue
        current = current.__cause__ or current.__context__
    return "the connection failed"


def _status_message(body: object) -> str:
    """The ``message`` of a Status the API server answered with, else ""."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body:
        return ""
    try:
        status = json.loads(body)
    except ValueError:
        return ""
    message = status.get("message") if isinstance(status, dict) else None
    return message if isinstance(message, str) else ""


class KubeClient:
    """Lists and watches of :data:`RESOURCES`, raw JSON in, :class:`ClusterError` out."""

    def __init__(
        self, api_client: Any, *, identity: str, connect_seconds: float = 5, read_seconds: float = 60
    ):
        self.api_client = api_client
        self.host = str(api_client.configuration.host)
        self.identity = identity
        self.connect_seconds = connect_seconds
        self.read_seconds = read_seconds
        self._apis: dict[str, Any] = {}

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a pool that never opened
            self.api_client.close()

    def _function(self, resource: Resource) -> Callable[..., Any]:
        import kubernetes.client

        api = self._apis.get(resource.api)
        if api is None:
            api = self._apis[resource.api] = getattr(kubernetes.client, resource.api)(self.api_client)
        function: Callable[..., Any] = getattr(api, resource.method)
        return function

    def _failure(self, error: BaseException, resource: Resource | None, verb: str) -> ClusterError:
        """``error`` as a :class:`ClusterError` that says what is missing."""
        from kubernetes.client.exceptions import ApiException

        what = f"{verb} {resource.plural}" if resource else verb
        if isinstance(error, ApiException) and error.status:
            status = int(error.status)
            said = _status_message(error.body) or str(error.reason or "")
            if status == 410:
                return ResourceGone(f"{what}: the resourceVersion is too old (410 Gone): {said}", 410)
            if status == 401:
                return ClusterError(
                    f"the Kubernetes API server at {self.host} refused the credentials of {self.identity} "
                    f"(401 Unauthorized) to {what}: {self._credentials_hint()}",
                    401,
                )
            if status == 403 and resource is not None:
                return ClusterError(
                    f"cannot {verb} {resource.plural}{resource.group_text} at the cluster scope: "
                    f"{self.identity} needs get/list/watch on {resource.plural}"
                    + (f" (the API server says: {said})" if said else ""),
                    403,
                )
            return ClusterError(
                f"the Kubernetes API server at {self.host} answered {status} "
                + f"{error.reason or ''} to {what}".strip()
                + (f": {said}" if said else ""),
                status,
            )
        return ClusterError(f"cannot reach the Kubernetes API server at {self.host}: {_network_words(error)}")

    def _credentials_hint(self) -> str:
        if self.identity == "the service account":
            return "the service account token is missing, expired or revoked"
        return (
            "check the user of this context (its token, client certificate or exec plugin) "
            "with `kubectl auth whoami`"
        )

    def list_page(self, resource: Resource, limit: int, continue_token: str | None = None) -> Page:
        """One page of the collection (``limit`` items at most)."""
        arguments: dict[str, Any] = {
            "limit": limit,
            "_preload_content": False,
            "_request_timeout": (self.connect_seconds, self.read_seconds),
        }
        if continue_token:
            arguments["_continue"] = continue_token
        try:
            response = self._function(resource)(**arguments)
            try:
                data = response.data
            finally:
                response.release_conn()
            document = json.loads(data)
        except ClusterUnavailable:
            raise
        except ValueError as error:  # not JSON: a proxy's error page
            raise ClusterError(
                f"the Kubernetes API server at {self.host} answered the list of {resource.plural} "
                f"with something that is not JSON ({error})"
            ) from None
        except Exception as error:
            raise self._failure(error, resource, "list") from None
        if not isinstance(document, dict) or not isinstance(document.get("items") or [], list):
            raise ClusterError(f"the list of {resource.plural} from {self.host} is not a Kubernetes List")
        metadata = document.get("metadata") or {}
        return Page(
            list(document.get("items") or []),
            str(metadata.get("resourceVersion") or ""),
            metadata.get("continue") or None,
        )

    def list_all(self, resource: Resource, limit: int = 500) -> tuple[Iterator[dict[str, Any]], list[str]]:
        """Every item of the collection, page by page; the second value receives its resourceVersion.

        A 410 while paging (the continue token expired) raises :class:`ResourceGone`: list again.
        """
        version: list[str] = []

        def items() -> Iterator[dict[str, Any]]:
            token: str | None = None
            while True:
                page = self.list_page(resource, limit, token)
                yield from page.items
                token = page.continue_token
                if not token:
                    version.append(page.resource_version)
                    return

        return items(), version

    def watch(
        self,
        resource: Resource,
        resource_version: str,
        timeout_seconds: int,
        on_connected: Callable[[], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The watch events (``{"type": ..., "object": ...}`` as JSON gives them) from ``resource_version``.

        The server ends the watch after ``timeout_seconds``; silence for longer than that plus
        the read margin ends it as a lost connection. ``on_connected`` is called when the
        server accepts the watch.
        """
        import kubernetes.watch

        function = _error_events_compatible(self._function(resource), on_connected)
        stream = kubernetes.watch.Watch().stream(  # type: ignore[no-untyped-call]
            function,
            resource_version=resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=timeout_seconds,
            _request_timeout=(self.connect_seconds, timeout_seconds + max(1.0, timeout_seconds / 4)),
            deserialize=False,
        )
        try:
            while True:
                try:
                    event = next(stream)
                except StopIteration:
                    return
                except Exception as error:
                    raise self._failure(error, resource, "watch") from None
                if isinstance(event, dict):
                    yield event
        finally:
            stream.close()

    def version(self) -> dict[str, Any]:
        """``/version``: the API server's release."""
        try:
            response = self.api_client.call_api(
                "GET", self.host + "/version", header_params={"Accept": "application/json"},
                _request_timeout=(self.connect_seconds, self.read_seconds),
            )  # fmt: skip
            response.read()
            if not 200 <= response.status <= 299:
                from kubernetes.client.exceptions import ApiException

                raise ApiException(status=response.status, reason=response.reason)
            document = json.loads(response.data)
        except Exception as error:
            raise self._failure(error, None, "read /version") from None
        return document if isinstance(document, dict) else {}


def _patched_line(line: bytes) -> bytes:
    """An ERROR event with ``raw_object`` added: kubernetes 37's Watch reads ``event["raw_object"]``
    of ERROR events even with ``deserialize=False``, where only ``object`` exists (a KeyError)."""
    if b'"ERROR"' not in line:
        return line
    try:
        event = json.loads(line)
    except ValueError:
        return line
    if isinstance(event, dict) and event.get("type") == "ERROR":
        given = event.get("object")
        status = {"code": 500, "reason": "", "message": "", **(given if isinstance(given, dict) else {})}
        event["raw_object"] = event["object"] = status
        return json.dumps(event).encode()
    return line


class _CompatibleResponse:
    """A watch response whose lines pass through :func:`_patched_line`."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)

    def stream(self, amt: int | None = None, decode_content: bool = False) -> Iterator[bytes]:
        pending = bytearray()
        for chunk in self._response.stream(amt=amt, decode_content=decode_content):
            pending.extend(chunk if isinstance(chunk, bytes | bytearray) else str(chunk).encode())
            end = pending.rfind(b"\n")
            if end < 0:
                continue
            complete = bytes(pending[: end + 1])
            del pending[: end + 1]
            yield b"".join(_patched_line(line) + b"\n" for line in complete.split(b"\n")[:-1])
        if pending:
            yield _patched_line(bytes(pending))


def _error_events_compatible(
    function: Callable[..., Any], on_connected: Callable[[], None] | None
) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        response = function(*args, **kwargs)
        if on_connected is not None:
            on_connected()
        return _CompatibleResponse(response)

    return call


def connect(
    mode: str,
    *,
    context: str | None = None,
    kubeconfig: str | None = None,
    connect_seconds: float = 5,
    read_seconds: float = 60,
) -> KubeClient:
    """A client for ``mode`` ``"in-cluster"`` (the pod's service account) or ``"kubeconfig"``
    (``kubeconfig``, else ``$KUBECONFIG``, else ``~/.kube/config``; ``context``, else its current one).

    :class:`ClusterError` when the configuration cannot be loaded, saying why.
    """
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    if mode == "in-cluster":
        try:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        except ConfigException as error:
            raise ClusterError(
                "KQ_CLUSTER=in-cluster, but this process does not run in a Kubernetes pod with a service "
                f"account ({error}); use KQ_CLUSTER=kubeconfig outside a cluster"
            ) from None
        identity = "the service account"
    elif mode == "kubeconfig":
        try:
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=kubeconfig,
                context=context,
                client_configuration=configuration,
                persist_config=False,
            )
        except ConfigException as error:
            where = f'"{kubeconfig}"' if kubeconfig else "the kubeconfig ($KUBECONFIG or ~/.kube/config)"
            if context and f"Expected object with name {context} in" in str(error):
                raise ClusterError(
                    f'{where} has no context named "{context}" (see `kubectl config get-contexts`)'
                ) from None
            raise ClusterError(f"cannot use {where}: {error}") from None
        except OSError as error:
            where = kubeconfig or "the kubeconfig"
            raise ClusterError(f'cannot read "{where}": {(error.strerror or "unreadable").lower()}') from None
        identity = f'the user of context "{context}"' if context else "the kubeconfig's user"
    else:
        raise ClusterError(f'unknown cluster mode "{mode}": expected "in-cluster" or "kubeconfig"')
    # One quick retry (a pooled connection the server closed); the informers back off on their own.
    configuration.retries = 1
    return KubeClient(
        client.ApiClient(configuration),
        identity=identity,
        connect_seconds=connect_seconds,
        read_seconds=read_seconds,
    )
