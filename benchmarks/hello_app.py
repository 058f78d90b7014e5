"""The peer for the throughput benchmark: a bare Flask route under the same gunicorn flags."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/livez")
def livez() -> str:
    return "ok"
