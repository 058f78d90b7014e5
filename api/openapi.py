"""Print the OpenAPI document the app serves: ``python -m api.openapi > openapi.yaml``."""

import sys

from api import create_app, openapi_yaml

if __name__ == "__main__":
    sys.stdout.write(openapi_yaml(create_app()))
