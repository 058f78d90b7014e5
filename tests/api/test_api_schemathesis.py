"""schemathesis against openapi.yaml and the live app: no 5xx, every answer fits the contract.

Examples are bounded (see ``settings``) so the run stays within a minute or two.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from api import create_app

ROOT = Path(__file__).resolve().parents[2]

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))
schema.app = create_app({"TESTING": True})


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_contract(case: schemathesis.Case) -> None:
    # A schema-valid string is not necessarily a quantity ("*"), so a 422 for
    # positive data is right; every other check (no 5xx, documented status,
    # content type and body) applies.
    # With errors=text every error is, by design, a 200 with an "ERROR:" line.
    excluded = [schemathesis.checks.positive_data_acceptance]
    if (case.query or {}).get("errors") == "text":
        excluded.append(schemathesis.checks.negative_data_rejection)
    response = case.call_and_validate(app=schema.app, excluded_checks=excluded)
    if (case.query or {}).get("errors") == "text":
        assert response.status_code == 200
