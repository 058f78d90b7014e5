"""The app the gunicorn /metrics tests serve: ``tests.live.metrics_app:build()``, the service with a static
cluster source (the objects of the JSON file KQ_TEST_OBJECTS names)."""

from flask import Flask

from api import create_app
from tests.live.static_cluster import from_environment


def build() -> Flask:
    return create_app({"CLUSTER_SOURCE": from_environment()})
