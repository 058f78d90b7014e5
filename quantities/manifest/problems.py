"""What is wrong with a manifest, where, and in the API server's own words.

A ``Problem`` names a JSON path inside the document it came from
(``spec.template.spec.containers[1].resources.limits.memory``) and says what
is wrong there. When the API server would reject the same thing, ``kubernetes``
holds the line it prints (``spec.containers[0].resources.requests: Invalid
value: "2": must be less than or equal to cpu limit of 1``), so a caller can
match our answer against a real cluster.

Paths are written the way people write them: ``.name`` for a field or a
simple map key, ``[2]`` for a list index, and ``[nvidia.com/gpu]`` for a map
key that is not a plain word. The ``kubernetes`` lines keep Kubernetes' own
``field.Path`` form, where every map key is in brackets.

Errors never stop at the first problem: ``ManifestError`` (unreadable input)
and its subclass ``PodValidationError`` (a pod the API server would refuse)
carry every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ManifestError", "PodValidationError", "Problem", "child", "index", "key"]

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def child(path: str, name: str) -> str:
    """``path.name``; an empty ``path`` is the document root.

    >>> child("spec", "containers"), child("", "spec")
    ('spec.containers', 'spec')
    """
    return f"{path}.{name}" if path else name


def index(path: str, position: int) -> str:
    """``path[position]``.

    >>> index("spec.containers", 1)
    'spec.containers[1]'
    """
    return f"{path}[{position}]"


def key(path: str, name: str) -> str:
    """A map key: ``path.memory``, but ``path[nvidia.com/gpu]`` when the key is not a plain word.

    >>> key("limits", "memory"), key("limits", "nvidia.com/gpu")
    ('limits.memory', 'limits[nvidia.com/gpu]')
    """
    if _PLAIN_KEY.fullmatch(name):
        return child(path, name)
    return f"{path}[{name}]"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a manifest.

    ``path`` is the JSON path inside the document, ``message`` says what is
    wrong for a person (and what was expected), ``kubernetes`` is the API
    server's error line for the same thing (None when it has no such line),
    ``source`` names the object when a file holds several (``document 2,
    Deployment "web"``), ``value`` is the offending value as JSON text and
    ``hint`` what was probably meant.
    """

    path: str
    message: str
    kubernetes: str | None = None
    source: str = ""
    #: The offending value as JSON text (``"oops"``, ``5``), when there is one to show.
    value: str | None = None
    #: What was probably meant, when we can tell.
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            text += f"; {self.hint}"
        return f"{self.source}: {text}" if self.source else text

    def to_json(self) -> dict[str, str]:
        """The problem as a row of a problem document (or of an answer's ``warnings``)."""
        row = {"path": self.path, "message": self.message}
        if self.value is not None:
            row["value"] = self.value
        if self.hint:
            row["hint"] = self.hint
        if self.kubernetes:
            row["kubernetes"] = self.kubernetes
        if self.source:
            row["object"] = self.source
        return row


class ManifestError(ValueError):
    """Input that cannot be read as Kubernetes objects; ``problems`` lists every problem found.

    ``where`` (a file name, say) prefixes the message.
    """

    def __init__(self, problems: Iterable[Problem], where: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.where = where
        super().__init__(self._message())

    def _headline(self) -> str:
        count = len(self.problems)
        return "1 problem" if count == 1 else f"{count} problems"

    def _message(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        if len(self.problems) == 1:
            return prefix + str(self.problems[0])
        lines = [prefix + self._headline() + ":"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[ManifestError], tuple[tuple[Problem, ...], str]]:
        return (type(self), (self.problems, self.where))


class PodValidationError(ManifestError):
    """A pod the API server would reject; ``problems`` lists every reason, not only the first."""

    def _message(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        if len(self.problems) == 1:
            return f"{prefix}invalid pod: {self.problems[0]}"
        lines = [f"{prefix}invalid pod, {self._headline()}:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)
