"""A public buyer's question (art. 6 lid 1): was this company a member on a date, and at which level.

Only dates up to today have an answer (today by the app's clock, here a FakeClock); a past member
is said to have withdrawn or been excluded, with the date. Published fields only: no supplier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.clock import FakeClock
from tests.integration.report_files import SECRET_NOTE, SECRET_PRICE, SITE_NAME, csv_bytes, factory_row, quarry_row
from trustone.web.app import create_app

D = dt.date
TODAY = D(2025, 6, 2)
PUBLISHED_FIELDS = {
    "ref",
    "name",
    "on",
    "member",
    "standing",
    "category",
    "joined_on",
    "withdrawn_on",
    "excluded_on",
    "level",
    "level_assessed_on",
    "statement",
}


@pytest.fixture
def client(services):
    services.clock.set(FakeClock(dt.datetime(2025, 6, 2, 14, 0, tzinfo=dt.UTC)))
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def company(services):
    services.registry.register_organisation(
        "de-steenhouwer", "De Steenhouwer BV", OrganisationKind.MEMBER_COMPANY, "NL"
    )
    services.registry.join("de-steenhouwer", D(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return "de-steenhouwer"


def status(client, ref: str, on: str | None = None):
    return client.get(f"/api/v1/public/members/{ref}/status", params={"on": on} if on else {})


def test_a_date_after_today_is_refused_with_the_date_up_to_which_status_can_be_checked(client, company):
    response = status(client, company, "2025-06-03")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "on"
    assert "up to today" in error["message"] and "2025-06-02" in error["message"]
    assert status(client, company, "2030-01-01").status_code == 422


def test_today_is_answered_and_is_the_default(client, company):
    explicit = status(client, company, "2025-06-02")
    default = status(client, company)
    assert explicit.status_code == default.status_code == 200
    assert default.json() == explicit.json()
    assert default.json()["on"] == "2025-06-02"
    assert default.json()["standing"] == "member"


def test_a_member_with_a_level_is_said_so_in_fields_and_in_words(client, services, company):
    services.registry.import_report(
        company, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1)
    )
    services.registry.assess_report(company, 2024, Decimal(45), assessed_on=D(2025, 5, 1), assessed_by="s")
    body = status(client, company, "2025-05-20").json()
    assert body == {
        "ref": "de-steenhouwer",
        "name": "De Steenhouwer BV",
        "on": "2025-05-20",
        "member": True,
        "standing": "member",
        "category": "C",
        "joined_on": "2021-03-01",
        "withdrawn_on": None,
        "excluded_on": None,
        "level": 2,
        "level_assessed_on": "2025-05-01",
        "statement": "De Steenhouwer BV was a participating member of TruStone on 2025-05-20,"
        " at level 2 (assessed on 2025-05-01).",
    }
    for confidential in (SITE_NAME, SECRET_PRICE, SECRET_NOTE, "Kota"):
        assert confidential not in status(client, company, "2025-05-20").text


def test_an_excluded_company_is_said_to_be_excluded_with_the_date(client, services, company):
    services.registry.exclude(company, D(2024, 1, 15))
    body = status(client, company, "2024-06-30").json()
    assert set(body) == PUBLISHED_FIELDS
    assert (body["member"], body["standing"], body["excluded_on"], body["withdrawn_on"]) == (
        False,
        "excluded",
        "2024-01-15",
        None,
    )
    assert (body["level"], body["joined_on"], body["category"]) == (None, None, None)
    assert body["statement"] == (
        "De Steenhouwer BV was not a member of TruStone on 2024-06-30: it was excluded on 2024-01-15."
    )
    # the day before the exclusion it was still a member
    assert status(client, company, "2024-01-14").json()["standing"] == "member"


def test_a_withdrawn_company_is_said_to_have_withdrawn_with_the_date(client, services, company):
    services.registry.withdraw(company, D(2024, 7, 1))
    body = status(client, company, "2025-01-01").json()
    assert (body["member"], body["standing"], body["withdrawn_on"], body["excluded_on"]) == (
        False,
        "withdrawn",
        "2024-07-01",
        None,
    )
    assert body["statement"] == (
        "De Steenhouwer BV was not a member of TruStone on 2025-01-01: it withdrew on 2024-07-01."
    )


def test_before_it_joined_a_company_was_not_yet_a_member(client, company):
    body = status(client, company, "2021-02-28").json()
    assert (body["member"], body["standing"], body["withdrawn_on"], body["excluded_on"]) == (
        False,
        "not_yet_member",
        None,
        None,
    )
    assert body["statement"] == "De Steenhouwer BV was not yet a member of TruStone on 2021-02-28."


def test_a_company_that_rejoined_after_an_exclusion_is_a_member_again_and_the_gap_says_excluded(
    client, services, company
):
    services.registry.exclude(company, D(2022, 1, 1))
    services.registry.join(company, D(2023, 5, 1), CompanyCategory.B, CompanySize.SMALL)
    gap = status(client, company, "2022-06-01").json()
    again = status(client, company, "2023-05-01").json()
    assert (gap["standing"], gap["excluded_on"]) == ("excluded", "2022-01-01")
    assert (again["standing"], again["joined_on"], again["category"], again["excluded_on"]) == (
        "member",
        "2023-05-01",
        "B",
        None,
    )
