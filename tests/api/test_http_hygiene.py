"""HTTP hygiene: HEAD, conditional GETs, the answer cache's keys and bounds, CORS, the docs page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app


def _library_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, an answer that reaches the library fails: it must come from the cache."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the library ran: the answer did not come from the cache")

    monkeypatch.setattr("api.quantities.summarize", refuse)


def test_head_has_the_headers_of_get_and_no_body(client: FlaskClient) -> None:
    get = client.get("/v1/quantity?value=1.5Gi")
    head = client.head("/v1/quantity?value=1.5Gi")
    assert head.status_code == 200
    assert head.get_data() == b""
    for header in ("ETag", "Cache-Control", "Content-Type", "Vary"):
        assert head.headers[header] == get.headers[header], header


def test_head_is_served_from_the_answer_cache(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client.get("/v1/quantity?value=3Gi")
    _library_must_not_run(monkeypatch)
    assert client.head("/v1/quantity?value=3Gi").status_code == 200
    assert client.get("/v1/quantity?value=3Gi").get_json()["canonical"] == "3Gi"


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", W/{etag}', " {etag} ", "*"],
    ids=["strong", "weak", "in a list", "spaces", "star"],
)
def test_if_none_match_compares_weakly(client: FlaskClient, if_none_match: str) -> None:
    etag = client.get("/v1/quantity?value=1").headers["ETag"]
    again = client.get("/v1/quantity?value=1", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_different_etag_gets_the_answer(client: FlaskClient) -> None:
    answer = client.get("/v1/quantity?value=1", headers={"If-None-Match": 'W/"nope"'})
    assert answer.status_code == 200


def test_parameters_the_endpoint_ignores_do_not_split_the_cache(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/v1/quantity?value=7Gi&cachebuster=1")
    _library_must_not_run(monkeypatch)
    answer = client.get("/v1/quantity?value=7Gi&cachebuster=2")
    assert answer.status_code == 200 and answer.get_json()["canonical"] == "7Gi"
    assert len(app.extensions["kq_answer_cache"].kept) == 1


def test_errors_are_never_kept_or_marked_cacheable(app: Flask, client: FlaskClient) -> None:
    for url in ("/v1/quantity?value=1K", "/v1/quantity?value=1K&errors=text"):
        for _ in range(2):
            answer = client.get(url)
            assert "ETag" not in answer.headers
            assert "public" not in answer.headers.get("Cache-Control", "")
    assert client.get("/v1/quantity?value=1K&errors=text").get_data(as_text=True).startswith("ERROR:")
    assert app.extensions["kq_answer_cache"].kept == {}


def test_the_answer_cache_is_bounded_by_bytes() -> None:
    limit = 4096
    app = create_app({"TESTING": True, "RESPONSE_CACHE_BYTES": limit})
    client = app.test_client()
    cache = app.extensions["kq_answer_cache"]
    for number in range(300):
        assert client.get(f"/v1/quantity?value={number}Mi").status_code == 200
        assert cache.bytes <= limit
    assert 0 < len(cache.kept) < 300


def test_the_answer_cache_can_be_switched_off() -> None:
    client = create_app({"TESTING": True, "RESPONSE_CACHE_BYTES": 0}).test_client()
    assert client.get("/v1/quantity?value=1").status_code == 200
    assert client.application.extensions["kq_answer_cache"].kept == {}


# --- CORS -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", [None, "https://dashboard.example"])
def test_wildcard_cors_header_does_not_depend_on_the_request(client: FlaskClient, origin: str | None) -> None:
    headers = {"Origin": origin} if origin else {}
    for url in ("/v1/quantity?value=1", "/v1/quantity?value=1K", "/livez"):
        answer = client.get(url, headers=headers)
        assert answer.headers["Access-Control-Allow-Origin"] == "*", url


def test_an_origin_list_varies_on_origin_everywhere() -> None:
    client = create_app({"TESTING": True, "CORS_ORIGINS": "https://a.example"}).test_client()
    allowed = client.get("/v1/quantity?value=1", headers={"Origin": "https://a.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Origin" in allowed.headers["Vary"]
    for headers in ({"Origin": "https://evil.example"}, {}):
        other = client.get("/v1/quantity?value=1", headers=headers)
        assert "Access-Control-Allow-Origin" not in other.headers
        assert "Origin" in other.headers["Vary"]


def test_a_preflight_allows_only_the_headers_the_api_reads(client: FlaskClient) -> None:
    answer = client.options(
        "/v1/fit",
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, X-Anything, Content-Type",
        },
    )
    allowed = {name.strip().lower() for name in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"accept", "content-type", "if-none-match"}
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


# --- /docs ------------------------------------------------------------------------------------------


def test_docs_page_forbids_framing_and_allows_only_its_inline_script(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'sha256-" in policy and "unsafe-inline' " not in policy.split("script-src")[1].split(";")[0]
    assert page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("filename", "status"),
    [
        ("swagger-ui-bundle.js", 200),
        ("swagger-ui-standalone-preset.js", 200),
        ("swagger-ui.css", 200),
        ("index.html", 404),
        ("oauth2-redirect.html", 404),
        ("swagger-initializer.js", 404),
        ("swagger-ui.js.map", 404),
        ("../../../../etc/passwd", 404),
    ],
)
def test_only_the_swagger_files_the_page_loads_are_served(
    client: FlaskClient, filename: str, status: int
) -> None:
    assert client.get(f"/docs/static/{filename}").status_code == status
