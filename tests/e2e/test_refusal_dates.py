"""Issue 10 item 13: a date written another way than YYYY-MM-DD is refused with a text that says so.

``31-12-2024`` used to be answered with pydantic's "invalid character in year". The 422 handler
(trustone/web/errors.py) translates every date parsing error once: the field is named, and the
message says how to write the date. Over HTTP, for a query parameter and a JSON body field.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app


@pytest.fixture
def client(services):
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def committee(client, services):
    services.registry.register_organisation(
        "klachtencommissie", "Klachtencommissie", OrganisationKind.COMPLAINTS_COMMITTEE, "NL"
    )
    services.registry.create_account(
        "lid@commissie.example", Role.COMMITTEE, "klachtencommissie", "Lid", "not-used-here", None
    )
    token = client.app.state.authenticator._sessions.issue("lid@commissie.example", dt.timedelta(hours=1))  # noqa: SLF001
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("written", ["31-12-2024", "2024/12/31", "31 december 2024"])
def test_a_status_date_in_another_format_is_refused_naming_the_field_and_the_format(client, written):
    response = client.get("/api/v1/public/members/de-steenhouwer/status", params={"on": written})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "on", "message": "on: write the date as YYYY-MM-DD (for example 2024-12-31)"}
    ]
    assert "invalid character" not in response.text


def test_a_hearing_date_in_another_format_is_refused_naming_the_field_and_the_format(client, committee):
    response = client.post(
        "/api/v1/grievances/TS-2026-0001/steps",
        headers=committee,
        json={"step": "schedule_hearing", "reason": "hearing", "hearing_on": "31-12-2024"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "hearing_on", "message": "hearing_on: write the date as YYYY-MM-DD (for example 2024-12-31)"}
    ]


def test_other_validation_errors_keep_their_own_text(client, committee):
    response = client.post(
        "/api/v1/grievances/TS-2026-0001/steps",
        headers=committee,
        json={"step": "schedule_hearing", "reason": "", "hearing_on": "2024-12-31"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert "YYYY-MM-DD" not in response.text
