"""The public member listing (art. 5 lid 12)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.integration.report_files import SITE_NAME, factory_row, quarry_row, xlsx_bytes
from tests.principals import secretariat
from trustone.web.app import create_app

TODAY = dt.date(2025, 4, 1)


PLAN = [
    [
        "Child labour at Mahadev Sandstone Quarry Bijolia",
        1,
        "Audit mahadev sandstone quarry bijolia with Arisa's partner",
        "audit report",
        "2025-12-31",
    ],
    ["Excessive hours in factories", 2, "Collect timesheets", "", ""],
]


@pytest.fixture
def listed(services, member):
    data = xlsx_bytes([quarry_row(), factory_row()], action_plan=PLAN)
    services.registry.import_report(member, 2024, data, "r.xlsx", submitted_on=TODAY)
    services.registry.assess_report(member, 2024, Decimal(65), assessed_on=dt.date(2025, 6, 1), assessed_by="s")
    services.projections.catch_up()
    return services


def entry(services, ref):
    services.projections.catch_up()
    return next(member for member in services.member_listing.members() if member["ref"] == ref)


def test_a_member_is_listed_with_join_date_level_and_progress(listed, member):
    listed_member = entry(listed, member)
    assert listed_member["joined_on"] == "2021-03-01" and listed_member["current_member"] is True
    assert listed_member["level"] == 3  # quarries 100%, factories 100%, score 65
    assert listed_member["progress"] == [{"year": 2024, "level": 3, "assessed_on": "2025-06-01"}]


def test_the_action_plan_is_published_without_the_suppliers_it_names(listed, member):
    plan = entry(listed, member)["action_plan"]
    assert plan["year"] == 2024
    assert plan["items"][0]["risk"] == "Child labour at [supplier]"
    assert plan["items"][0]["measure"] == "Audit [supplier] with Arisa's partner"
    text = json.dumps(listed.member_listing.members())
    assert SITE_NAME.lower() not in text.lower()
    site_ids = {link.site_id for link in listed.registry.read_report(secretariat(), member, 2024).links}
    assert not [site_id for site_id in site_ids if site_id in text]


def test_withdrawals_exclusions_and_delay_explanations_are_listed_with_dates(listed, member):
    listed.registry.explain_delay(member, 2025, "Responsible disengagement from a quarry in Bundi.", by="s")
    listed.registry.withdraw(member, dt.date(2026, 1, 1))
    listed_member = entry(listed, member)
    assert listed_member["current_member"] is False
    assert listed_member["periods"] == [
        {"joined_on": "2021-03-01", "ended_on": "2026-01-01", "end_reason": "withdrawn"}
    ]
    assert listed_member["delay_explanations"] == [
        {"year": 2025, "explanation": "Responsible disengagement from a quarry in Bundi."}
    ]


def test_the_listing_needs_no_login(listed, member):
    with TestClient(create_app(listed), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/public/members")
    assert response.status_code == 200
    assert [m["ref"] for m in response.json()] == [member]


def test_rebuilding_the_listing_gives_the_same_document(listed, member):
    before = listed.member_listing.members()
    listed.projections.rebuild(["member_listing"])
    assert listed.member_listing.members() == before
