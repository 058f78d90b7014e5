"""``to=`` over HTTP: units stay in their dimension, spellings people type, exact answers,
and errors about the unit at path ``to``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"
EIB_OF_ONE = "0.000000000000000000867361737988403547205962240695953369140625"


@pytest.mark.parametrize(
    ("url", "converted", "unit"),
    [
        # reported on main: rounded by a 28-digit decimal context
        ("/v1/quantity?value=1&to=EiB", EIB_OF_ONE, "EiB"),
        (
            "/v1/quantity?value=12345678901234567890123456789012345&to=B",
            "12345678901234567890123456789012345",
            "B",
        ),
        ("/v1/quantity?value=1Gi&to=gib", "1", "GiB"),
        ("/v1/quantity?value=1Gi&to=Gi", "1", "GiB"),
        ("/v1/quantity?value=1Gi&to=GIB", "1", "GiB"),
        ("/v1/quantity?value=1G&to=gb", "1", "GB"),
        ("/v1/quantity?value=1Gi&to=G", "1.073741824", "G"),
        ("/v1/quantity?value=1500m&to=m", "1500", "millicores"),
        ("/v1/quantity?value=1500m&to=cpu", "1.5", "cores"),
        ("/v1/quantity?value=2%20GiB&to=MiB&lenient=true", "2048", "MiB"),
        ("/v1/quantities/sum?value=1Gi&value=512Mi&to=gib", "1.5", "GiB"),
        (
            "/v1/quantities/sum?value=1&value=1Ki&to=EiB",
            "0.000000000000000889045781438113635886111296713352203369140625",
            "EiB",
        ),
    ],
)
def test_conversion_answers(client: FlaskClient, url: str, converted: str, unit: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.get_json()
    assert (document["converted"], document["unit"]) == (converted, unit)
    assert client.get(url + "&format=text").get_data(as_text=True) == converted + "\n"


@pytest.mark.parametrize(
    ("url", "path", "message"),
    [
        ("/v1/quantity?value=1Gi&to=gibs", "to", 'unknown unit "gibs"; did you mean "GiB"'),
        ("/v1/quantity?value=1Gi&to=gi", "to", 'did you mean "GiB"'),
        ("/v1/quantity?value=1Gi&to=parsec", "to", 'unknown unit "parsec"'),
        ("/v1/quantity?value=1K&to=parsec", "to", 'unknown unit "parsec"'),
        (
            "/v1/quantity?value=1Gi&to=cores",
            "to",
            "1Gi is a number of bytes (binary suffix Gi); cores is a unit of CPU",
        ),
        ("/v1/quantity?value=500m&to=GiB", "to", "500m is a number of cores"),
        ("/v1/quantity?value=1.5%20cores&to=MiB&lenient=true", "to", "1.5 cores is a number of cores"),
        ("/v1/quantity?value=1K&to=GiB", "value", "invalid quantity"),
        ("/v1/quantities/normalize?value=1Gi&to=gibs", "to", 'unknown unit "gibs"'),
        ("/v1/quantities/sum?value=1Gi&to=gibs", "to", 'unknown unit "gibs"'),
        ("/v1/quantities/sum?value=1Gi&value=2Gi&to=cores", "to", "1Gi is a number of bytes"),
        ("/v1/quantities/sum?value=1Gi&value=500m&to=GiB", "value[1]", "500m is a number of cores"),
    ],
)
def test_unit_problems(client: FlaskClient, url: str, path: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    document = response.get_json()
    assert document["errors"][0]["path"] == path
    assert message in document["errors"][0]["message"] and message in document["detail"]
    text = client.get(url + "&errors=text").get_data(as_text=True)
    assert text.startswith("ERROR: ") and message in text


def test_a_batch_reports_the_other_dimension_in_the_row(client: FlaskClient) -> None:
    rows = client.get("/v1/quantities/normalize?value=1Gi&value=500m&value=2&to=cores").get_json()["results"]
    assert [row.get("path") for row in rows] == ["value[0]", None, None]
    assert "1Gi is a number of bytes" in rows[0]["error"]
    assert [row.get("converted") for row in rows[1:]] == ["0.5", "2"]


def test_post_bodies_say_to_as_well(client: FlaskClient) -> None:
    body: dict[str, Any] = {"values": ["1Gi", 2], "to": "gibs"}
    for url in ("/v1/quantities/normalize", "/v1/quantities/sum"):
        response = client.post(url, json=body)
        assert response.status_code == 422 and response.get_json()["errors"][0]["path"] == "to"
    answer = client.post("/v1/quantities/sum", json={"values": ["1Gi", 1073741824], "to": "Gi"}).get_json()
    assert (answer["converted"], answer["unit"]) == ("2", "GiB")


@pytest.mark.parametrize("unit", ["GiB", "gib", "Gi", "MB", "mb", "B", "EiB", "kB"])
@pytest.mark.parametrize("value", ["1", "1Ki", "123456789012345678901234567890123456789", "1.5G", "7e-3"])
def test_byte_answers_are_exact(client: FlaskClient, value: str, unit: str) -> None:
    from fractions import Fraction

    from quantities import Quantity

    sizes = {"gib": 2**30, "gi": 2**30, "mb": 10**6, "b": 1, "eib": 2**60, "kb": 1000}
    answer = client.get(f"/v1/quantity?value={quote(value)}&to={unit}").get_json()["converted"]
    assert Fraction(answer) == Quantity(value).to_fraction() / sizes[unit.lower()]
