"""The presentation layer: reports as rows (JSON, CSV, text) shared by the ``kq`` command and the HTTP API."""
