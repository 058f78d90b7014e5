"""CSV answers are safe to open in a spreadsheet (OWASP CSV injection), and every answer says
``X-Content-Type-Options: nosniff``."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from quantities.present.csv import safe_cell
from tests.kind_cluster import node

EVIL = '=HYPERLINK("http://evil")'
FORMULA_START = tuple("=+-@\t\r＝＋－＠")


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _is_plain_number(cell: str) -> bool:
    import re

    return (
        re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", cell.strip(" "))
        is not None
    )


def _assert_safe(text: str) -> None:
    for row in _cells(text):
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_START) or _is_plain_number(cell), cell


def _post(client: FlaskClient, url: str, body: Any) -> str:
    response = client.post(url, json=body)
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _get(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    return response.get_data(as_text=True)


POD = {"name": "p", "cpu": "1", "memory": "1Gi"}
WORKLOAD = {"name": "w", "replicas": 3, "cpu": "1", "memory": "1Gi"}


def _pod(name: str, namespace: str, container: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": container, "image": "x", "resources": {"requests": {"cpu": "1"}}}]},
    }


@pytest.mark.parametrize(
    ("fetch", "neutralised"),
    [
        # reported on main: Excel evaluates this cell when the file is opened
        (lambda c: _get(c, f"/v1/quantities/normalize?value={quote(EVIL)}&format=csv"), "'" + EVIL),
        (lambda c: _get(c, "/v1/quantities/normalize?value=%40SUM(A1)&format=csv"), "'@SUM(A1)"),
        (lambda c: _get(c, "/v1/quantities/normalize?value=%2Bcmd&format=csv"), "'+cmd"),
        (lambda c: _get(c, "/v1/quantities/normalize?value=%09%3D1&format=csv"), "'\t=1"),
        (lambda c: _get(c, "/v1/quantities/normalize?value=%0D%3D1&format=csv"), "'\r=1"),
        (lambda c: _get(c, "/v1/quantities/normalize?value=-500m&format=csv"), "'-500m"),
        (lambda c: _post(c, "/v1/quantities/normalize?format=csv", {"values": [EVIL]}), "'" + EVIL),
        # Compact names are validated (an EVIL node name is a 422); stored nodes are read as kubectl
        # prints them, names and all, so that is where a hostile name can still reach a cell.
        (lambda c: _post(c, "/v1/fit?format=csv", {"pod": POD, "nodes": [node(EVIL)]}), "'" + EVIL),
        (
            lambda c: _post(
                c, "/v1/plan?format=csv&table=nodes", {"workloads": [WORKLOAD], "nodes": [node(EVIL)]}
            ),
            "'" + EVIL,
        ),
        (lambda c: _post(c, "/v1/nodes/allocated?format=csv", [node(EVIL)]), "'" + EVIL),
        (lambda c: _post(c, "/v1/pods/qos?format=csv", _pod("=cmd", "@ns", "-c")), "'@ns/Pod/=cmd"),
        (lambda c: _post(c, "/v1/pods/requests?format=csv", _pod("=cmd", "@ns", "-c")), "'@ns/Pod/=cmd"),
    ],
)
def test_hostile_cells_are_written_as_text(client: FlaskClient, fetch: Any, neutralised: str) -> None:
    text = fetch(client)
    assert neutralised in [cell for row in _cells(text) for cell in row]
    _assert_safe(text)


def test_numbers_stay_numbers(client: FlaskClient) -> None:
    text = _get(client, "/v1/quantities/normalize?value=-5&value=%2B1&value=-1.5e3&value=1Gi&format=csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["input"] for row in rows] == ["-5", "+1", "-1.5e3", "1Gi"]
    assert [row["value"] for row in rows] == ["-5", "1", "-1500", "1073741824"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from([*"=+-@\t\r ＝＋－＠", "1", ".", "e", "a", '"', ","]), max_size=8),
        min_size=1,
        max_size=5,
    )
)
def test_any_value_comes_back_safe(values: list[str]) -> None:
    from api import create_app

    client = create_app({"TESTING": True}).test_client()
    text = _post(client, "/v1/quantities/normalize?format=csv", {"values": values})
    _assert_safe(text)
    inputs = [row[0] for row in _cells(text)[1:]]
    # Nothing lost: a neutralised cell is the value behind one quote.
    assert [cell[1:] if cell != value else cell for cell, value in zip(inputs, values, strict=True)] == values


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "+1"),
        ("-5", "-5"),
        ("-1.5e3", "-1.5e3"),
        (".5", ".5"),
        ("-500m", "'-500m"),
        ("-1Gi", "'-1Gi"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("＝1+1", "'＝1+1"),
        ("-", "'-"),
        ("+", "'+"),
        ("1Gi", "1Gi"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (3, 3),
    ],
)
def test_safe_cell(cell: object, written: object) -> None:
    assert safe_cell(cell) == written


# -- nosniff ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("GET", "/v1/quantity?value=1Gi", {}, 200),
        ("GET", "/v1/quantity?value=1Gi&format=text", {}, 200),
        ("GET", "/v1/quantities/normalize?value=1Gi&format=csv", {}, 200),
        ("GET", "/v1/quantity?value=1K", {}, 422),
        ("GET", "/v1/quantity?value=1K&errors=text", {}, 200),
        ("GET", "/v1/quantity", {}, 422),
        ("GET", "/v1/quantity?value=1&format=xml", {}, 422),
        ("GET", "/nowhere", {}, 404),
        ("DELETE", "/v1/quantity?value=1", {}, 405),
        ("POST", "/v1/quantities/sum", {"data": "{", "content_type": "application/json"}, 400),
        ("GET", "/docs", {}, 200),
        ("GET", "/docs/static/swagger-ui.css", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/livez", {}, 200),
        ("HEAD", "/v1/quantity?value=1", {}, 200),
        ("OPTIONS", "/v1/quantity", {}, 200),
        (
            "OPTIONS",
            "/v1/quantities/sum",
            {"headers": {"Origin": "https://dash.example", "Access-Control-Request-Method": "POST"}},
            200,
        ),
    ],
)
def test_every_answer_says_nosniff(
    client: FlaskClient, method: str, url: str, kwargs: dict[str, Any], status: int
) -> None:
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_cached_answer_and_a_304_say_nosniff(client: FlaskClient) -> None:
    first = client.get("/v1/quantity?value=2Gi")
    again = client.get("/v1/quantity?value=2Gi")
    unchanged = client.get("/v1/quantity?value=2Gi", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    for response in (first, again, unchanged):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_says_nosniff(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import quantities.quantity.batch

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(quantities.quantity.batch, "_summary", explode)
    response = client.get("/v1/quantity?value=3Gi")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
