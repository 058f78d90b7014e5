"""The quantity endpoints: every format, every error code, spreadsheet and browser conventions."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from quantities import parse_quantity

PROBLEM = "application/problem+json"

# (url, status, content type, a fragment the body must contain)
GET_CASES = [
    ("/v1/quantity?value=1.5Gi", 200, "application/json", '"canonical":"1536Mi"'),
    ("/v1/quantity?value=1.5Gi&to=GiB&format=text", 200, "text/plain", "1.5\n"),
    ("/v1/quantity?value=0.1&format=text", 200, "text/plain", "100m\n"),
    ("/v1/quantity?value=1G&to=GiB&format=text", 200, "text/plain", "0.931322574615478515625\n"),
    ("/v1/quantity?value=250m&to=cores&format=text", 200, "text/plain", "0.25\n"),
    ("/v1/quantity?value=2%20GiB&lenient=true&format=text", 200, "text/plain", "2Gi\n"),
    ("/v1/quantity?value=1K", 422, PROBLEM, 'did you mean \\"1k\\" or \\"1Ki\\"?'),
    ("/v1/quantity?value=1K&errors=text", 200, "text/plain", 'ERROR: invalid quantity "1K"'),
    ("/v1/quantity?value=1Gi&to=parsecs", 422, PROBLEM, "unknown unit"),
    ("/v1/quantity", 422, PROBLEM, '"path": "value"'),
    ("/v1/quantity?value=1&format=xml", 422, PROBLEM, '"path": "format"'),
    (
        "/v1/quantities/normalize?value=1.5Gi&value=1K&value=2%20GB&lenient=true&to=GiB&format=text",
        200,
        "text/plain",
        '1.5\nERROR: invalid quantity "1K": unknown suffix "K" (at position 1); Kubernetes has no',
    ),
    ("/v1/quantities/sum?value=1Gi&value=512Mi&format=text", 200, "text/plain", "1536Mi\n"),
    ("/v1/quantities/sum?value=1&value=1Ki&format=text", 200, "text/plain", "1025\n"),
    ("/v1/quantities/sum?value=1Gi&value=x&value=1K", 422, PROBLEM, '"path": "value[2]"'),
    ("/v1/quantities/compare?a=1&b=1000m&format=text", 200, "text/plain", "0\n"),
    ("/v1/quantities/compare?a=1Gi&b=1G", 200, "application/json", '"relation":"greater"'),
    ("/v1/quantities/compare?a=1Gi&b=nope", 422, PROBLEM, '"path": "b"'),
    ("/v1/nowhere", 404, PROBLEM, '"status": 404'),
    ("/livez", 200, "application/json", '"ok"'),
    ("/readyz", 200, "application/json", '"ready"'),
    ("/healthz", 200, "application/json", '"ok"'),
]


@pytest.mark.parametrize(("url", "status", "content_type", "fragment"), GET_CASES)
def test_get(client: FlaskClient, url: str, status: int, content_type: str, fragment: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == content_type
    assert fragment in response.get_data(as_text=True)


def test_single_value_matches_the_library(client: FlaskClient) -> None:
    body = client.get("/v1/quantity?value=1.5Gi&to=GiB").get_json()
    assert body == {
        "kubernetes_version": "1.36",
        "input": "1.5Gi",
        "canonical": str(parse_quantity("1.5Gi")),
        "format": "BinarySI",
        "value": "1610612736",
        "converted": "1.5",
        "unit": "GiB",
    }


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("text/plain", "text/plain"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
    ],
)
def test_accept_header_chooses_the_representation(client: FlaskClient, accept: str, mimetype: str) -> None:
    response = client.get("/v1/quantity?value=1Ki", headers={"Accept": accept})
    assert response.mimetype == mimetype


def test_normalize_get_as_csv_keeps_input_order_and_reports_bad_rows(client: FlaskClient) -> None:
    response = client.get("/v1/quantities/normalize?value=1.5Gi&value=1K&value=0.1&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["input"] for row in rows] == ["1.5Gi", "1K", "0.1"]
    assert [row["canonical"] for row in rows] == ["1536Mi", "", "100m"]
    assert rows[1]["error"].startswith('invalid quantity "1K"') and "1Ki" in rows[1]["hint"]


def test_normalize_post_never_fails_the_batch(client: FlaskClient) -> None:
    response = client.post("/v1/quantities/normalize", json={"values": ["1.5Gi", 5, None, {"a": 1}, "1K"]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r.get("canonical") for r in results] == ["1536Mi", "5", None, None, None]
    assert results[2]["path"] == "values[2]" and results[2]["error"].endswith("got null")
    assert results[4]["path"] == "values[4]" and results[4]["position"] == 1


def test_normalize_accepts_yaml_and_keeps_number_text_exact(client: FlaskClient) -> None:
    body = "values: [1.5Gi, 0.1, 2.50]\n"
    response = client.post("/v1/quantities/normalize", data=body, content_type="application/yaml")
    assert response.status_code == 200
    assert [r["canonical"] for r in response.get_json()["results"]] == ["1536Mi", "100m", "2500m"]


def test_sum_post_lists_every_bad_value(client: FlaskClient) -> None:
    response = client.post("/v1/quantities/sum", json={"values": ["1Gi", "x", "1K"]})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert [e["path"] for e in response.get_json()["errors"]] == ["values[1]", "values[2]"]


def test_compare_post(client: FlaskClient) -> None:
    response = client.post("/v1/quantities/compare", json={"a": "1Gi", "b": "1024Mi"})
    assert response.get_json()["result"] == 0


@pytest.mark.parametrize(
    ("data", "content_type", "status", "fragment"),
    [
        ("{", "application/json", 400, "invalid JSON"),
        ('{"values": [NaN]}', "application/json", 400, "NaN"),
        ('{"values": [Infinity]}', "application/json", 400, "Infinity"),
        (b'{"values": ["\xff"]}', "application/json", 400, "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "nested too deeply"),
        (
            "values: !!python/object/apply:os.system [echo]",
            "application/yaml",
            422,
            "python/object/apply:os.system is not allowed",
        ),
        ("values: [1, 2024-01-01]", "application/yaml", 422, '"path": "values[1]"'),
        ("values: [.nan]", "application/yaml", 422, "not a JSON number"),
        ("values: !!binary aGk=", "application/yaml", 422, "binary data"),
        ("values: !!set {a}", "application/yaml", 422, "a set"),
        ("values: [" + "9" * 5000 + "]", "application/yaml", 422, "5,000 digits"),
        ("values", "text/plain", 415, "unsupported content type"),
        ('{"values": "1Gi"}', "application/json", 422, '"path": "values"'),
        ('{"values": ["1Gi"], "extra": 1}', "application/json", 422, '"path": "extra"'),
    ],
)
def test_bad_bodies_are_4xx_problems(
    client: FlaskClient, data: str | bytes, content_type: str, status: int, fragment: str
) -> None:
    response = client.post("/v1/quantities/normalize", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert fragment in response.get_data(as_text=True)


def test_body_over_the_limit_is_413() -> None:
    from api import create_app

    client = create_app({"MAX_CONTENT_LENGTH": 1000}).test_client()
    response = client.post("/v1/quantities/normalize", json={"values": ["1"] * 1000})
    assert response.status_code == 413 and response.mimetype == PROBLEM


def test_batch_over_the_value_limit_is_413() -> None:
    from api import create_app

    client = create_app({"MAX_BATCH_VALUES": 3}).test_client()
    response = client.post("/v1/quantities/normalize", json={"values": ["1"] * 4})
    assert response.status_code == 413


def test_method_not_allowed_is_a_problem_with_allow(client: FlaskClient) -> None:
    response = client.delete("/v1/quantity?value=1")
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


def test_get_answers_carry_cache_headers_and_honour_etags(client: FlaskClient) -> None:
    first = client.get("/v1/quantity?value=1Gi")
    assert "max-age=" in first.headers["Cache-Control"] and first.headers["ETag"]
    again = client.get("/v1/quantity?value=1Gi", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_cors_allows_any_origin_by_default(client: FlaskClient) -> None:
    response = client.get("/v1/quantity?value=1", headers={"Origin": "https://dash.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/v1/quantities/normalize",
        headers={"Origin": "https://dash.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_origins_are_configurable() -> None:
    from api import create_app

    client = create_app({"CORS_ORIGINS": "https://a.example"}).test_client()
    allowed = client.get("/v1/quantity?value=1", headers={"Origin": "https://a.example"})
    denied = client.get("/v1/quantity?value=1", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import create_app

    monkeypatch.setenv("KQ_MAX_CONTENT_LENGTH", "1234")
    monkeypatch.setenv("CORS_ORIGINS", "https://x.example")
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    assert app.config["CORS_ORIGINS"] == "https://x.example"
    monkeypatch.setenv("KQ_MAX_CONTENT_LENGTH", "lots")
    with pytest.raises(ValueError, match="KQ_MAX_CONTENT_LENGTH"):
        create_app()


def test_debug_cannot_be_switched_on_by_configuration() -> None:
    from api import create_app

    assert create_app({"DEBUG": True}).debug is False


def test_unexpected_errors_are_500_problems_without_tracebacks(app: Any) -> None:
    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail /srv/app.py")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == PROBLEM
    text = response.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text


def test_draining_turns_readiness_503(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marker = tmp_path / "draining"
    monkeypatch.setenv("KQ_DRAIN_MARKER", str(marker))
    assert client.get("/readyz").status_code == 200
    marker.touch()  # what the gunicorn master does on SIGTERM (api/gunicorn.conf.py)
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 503
    assert client.get("/livez").status_code == 200
