"""Issue 10 item 10: a refusal says what is missing, when the policy knows it and saying so leaks nothing.

Over HTTP on the demo data. The texts are the ones the issue asks for; a role that is simply not in
a row of the matrix keeps "not allowed for your role". No text names a company, a site or a case.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from tests.clock import FakeClock
from trustone.demo import load_demo
from trustone.web.app import create_app

DESCRIPTION = "Children under 14 carry sandstone slabs at the quarry face; no protective gear."


@pytest.fixture
def world(services):
    demo = load_demo(services)
    services.clock.set(FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)))
    ngo_ref = services.registry.account(demo.logins["ngo"]).organisation_id
    ngo_ref = services.registry.repository.get(ngo_ref).ref
    # a second user of the demo NGO, who has not signed the confidentiality declaration
    services.registry.create_account("ngo.undeclared", Role.NGO, ngo_ref, "ngo.undeclared", "not-used-here", None)
    return services, demo


@pytest.fixture
def client(world):
    services, _ = world
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth(client, world):
    _, demo = world
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = {**demo.logins, "undeclared": "ngo.undeclared"}
    return {
        who: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=2))}"}
        for who, login in logins.items()
    }


def _refused(response, text: str, world) -> None:
    _, demo = world
    assert response.status_code == 403, response.text
    assert response.json()["detail"] == text
    for secret in (*demo.company_refs, demo.rajasthan_quarry):
        assert secret not in response.text


def _complaint(client, auth, demo) -> str:
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["ngo"],
        json={
            "site_ids": [demo.rajasthan_quarry],
            "themes": ["child_labour"],
            "description": DESCRIPTION,
            "reporter": {"name": "Local partner"},
        },
    )
    assert filed.status_code == 201, filed.text
    return filed.json()["reference"]


def test_an_ngo_without_a_declaration_is_told_it_needs_one(world, client, auth):
    _refused(
        client.get("/api/v1/linked-list", headers=auth["undeclared"]),
        "an NGO party needs a valid signed confidentiality declaration to read the linked list",
        world,
    )


def test_a_company_reading_another_company_s_report_is_told_it_is_not_its_own(world, client, auth):
    _, demo = world
    own = client.get("/api/v1/auth/me", headers=auth["company"]).json()
    other, year = next((ref, year) for ref, year in demo.reports if ref != own["organisation_ref"])
    _refused(
        client.get(f"/api/v1/companies/{other}/reports/{year}", headers=auth["company"]),
        "not your organisation's report",
        world,
    )


def test_a_company_filing_a_complaint_is_told_companies_file_disputes_only(world, client, auth):
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["company"],
        json={
            "case_type": "complaint",
            "country": "IN",
            "region": "Rajasthan",
            "themes": ["child_labour"],
            "description": DESCRIPTION,
            "reporter": {"name": "Local partner"},
        },
    )
    _refused(filed, "companies may file disputes only", world)


def test_the_committee_reading_a_case_not_before_it_is_told_it_reads_only_case_files(world, client, auth):
    _, demo = world
    reference = _complaint(client, auth, demo)
    _refused(
        client.get(f"/api/v1/grievances/{reference}", headers=auth["committee"]),
        "only a case file before the committee",
        world,
    )


def test_the_secretariat_taking_a_step_in_a_dispute_with_itself_is_told_it_is_a_party(world, client, auth):
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["company"],
        json={
            "case_type": "dispute_with_secretariat",
            "themes": ["other"],
            "description": "The secretariat refused our corrected report without giving a reason.",
        },
    )
    assert filed.status_code == 201, filed.text
    step = client.post(
        f"/api/v1/grievances/{filed.json()['reference']}/systemic",
        headers=auth["secretariat"],
        json={"joint_project": "Report corrections", "reason": "a pattern"},
    )
    _refused(step, "the secretariat is a party to this dispute", world)


def test_a_role_that_is_not_in_the_row_keeps_the_general_text(world, client, auth):
    _refused(client.get("/api/v1/linked-list", headers=auth["union"]), "not allowed for your role", world)
