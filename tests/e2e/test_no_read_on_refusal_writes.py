"""Issue 10 item 4 for the writes: a report upload or an account creation that is refused for its
input or a conflict (422, 409) leaves no granted access-log entry; only a request that goes through
is logged as granted, and a request the policy refuses is logged as denied."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, quarry_row
from trustone.web.app import create_app

ORGS = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT),
    Role.COMPANY: ("eigen-steen", OrganisationKind.MEMBER_COMPANY),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY),
}
NEW_ACCOUNT = {
    "login": "nieuw.lid",
    "role": "ngo",
    "organisation_ref": "arisa",
    "display_name": "Nieuw",
    "password": "a long enough password",
}


@pytest.fixture
def client(services):
    registry = services.registry
    for role, (ref, kind) in ORGS.items():
        registry.register_organisation(ref, ref.title(), kind, "NL")
        secret = pyotp.random_base32() if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, "not-used-here", secret)
    registry.join("eigen-steen", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {
        role: {"Authorization": f"Bearer {sessions.issue(f'{role.value}.user', dt.timedelta(hours=1))}"}
        for role in ORGS
    }


def _outcomes_of(services, response) -> list[str]:
    """The outcomes of the access-log entries of one request (the server's own request id)."""
    request_id = response.headers["X-Request-ID"]
    return [str(e.outcome) for e in services.access_log.entries(limit=1_000_000) if e.request_id == request_id]


def _upload(client, headers, body: bytes):
    return client.post(
        f"/api/v1/companies/eigen-steen/reports/{dt.date.today().year - 1}",
        files={"file": ("report.csv", body, "text/csv")},
        headers=headers,
    )


def test_a_bad_report_file_is_refused_without_a_granted_entry(client, as_, services):
    refused = _upload(client, as_[Role.COMPANY], b"this is not a report\n")

    assert refused.status_code == 422
    assert _outcomes_of(services, refused) == []


def test_a_good_report_file_is_logged_as_granted_and_another_company_as_denied(client, as_, services):
    good = csv_bytes([quarry_row()])
    accepted = _upload(client, as_[Role.COMPANY], good)
    denied = _upload(client, as_[Role.NGO], good)

    assert accepted.status_code == 200, accepted.text
    assert _outcomes_of(services, accepted) == ["granted"]
    assert denied.status_code == 403
    assert _outcomes_of(services, denied) == ["denied"]


def test_an_account_whose_login_is_taken_is_refused_without_a_granted_entry(client, as_, services):
    first = client.post("/api/v1/users", json=NEW_ACCOUNT, headers=as_[Role.SECRETARIAT])
    again = client.post("/api/v1/users", json=NEW_ACCOUNT, headers=as_[Role.SECRETARIAT])
    unknown_org = client.post(
        "/api/v1/users",
        json={**NEW_ACCOUNT, "login": "ander.lid", "organisation_ref": "bestaat-niet"},
        headers=as_[Role.SECRETARIAT],
    )

    assert first.status_code == 201
    assert _outcomes_of(services, first) == ["granted"]
    assert again.status_code == 409
    assert _outcomes_of(services, again) == []
    assert unknown_org.status_code == 404
    assert _outcomes_of(services, unknown_org) == []
