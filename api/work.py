"""The work one request may do: its deadline and read limits, as the library's ``Options``.

Every request gets a :class:`~quantities.options.Deadline` when it starts
(``REQUEST_SECONDS`` from then), so reading the body counts against it as well as
the computation; views pass :func:`options` down to the library, which checks the
deadline inside its loops and answers with a located 413 past it.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from quantities.manifest.yaml_safe import YamlLimits
from quantities.options import Deadline, Options

__all__ = ["deadline", "install", "options", "yaml_limits"]


def install(app: Flask) -> None:
    @app.before_request
    def start_the_clock() -> None:
        g.kq_deadline = Deadline.after(float(current_app.config["REQUEST_SECONDS"]))


def deadline() -> Deadline:
    """This request's deadline (set when it started)."""
    found: Deadline | None = g.get("kq_deadline")
    if found is None:  # outside a request started through the app (a test calling a view directly)
        found = g.kq_deadline = Deadline.after(float(current_app.config["REQUEST_SECONDS"]))
    return found


def options(**settings: object) -> Options:
    """The library options for this request: its deadline, plus the given settings."""
    return Options(deadline=deadline()).replace(**settings) if settings else Options(deadline=deadline())


def yaml_limits() -> YamlLimits:
    """How much YAML one request body may hold."""
    config = current_app.config
    return YamlLimits(
        max_nodes=int(config["MAX_YAML_VALUES"]),
        max_aliases=int(config["MAX_YAML_ALIASES"]),
        max_documents=int(config["MAX_DOCUMENTS"]),
    )
