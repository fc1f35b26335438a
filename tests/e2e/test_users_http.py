"""User administration over HTTP (issue 13, item 3): create a login whose role fits its organisation
(a clear 422 naming ``role`` when it does not), the second factor shown once and usable at the next
login, a reset that makes the old codes worthless, a disabled login whose open session is refused on
its very next request, and the logins of one organisation listed."""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(services):
    registry = services.registry
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.create_account("secretariat.user", Role.SECRETARIAT, "secretariaat", "Sec", "x", pyotp.random_base32())
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        token = test_client.app.state.authenticator._sessions.issue("secretariat.user", dt.timedelta(hours=1))  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def create(client, login: str, role: str, organisation_ref: str):
    body = {
        "login": login,
        "role": role,
        "organisation_ref": organisation_ref,
        "display_name": login.split("@")[0].title(),
        "password": PASSWORD,
    }
    return client.post("/api/v1/users", json=body)


def login(client, who: str, totp: str | None = None):
    return client.post(
        "/api/v1/auth/login", json={"login": who, "password": PASSWORD, "totp": totp}, headers={"Authorization": ""}
    )


def test_a_role_that_does_not_fit_the_organisation_is_a_clear_422_naming_role(client):
    refused = create(client, "jan@arisa.nl", "company", "arisa")
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"field": "role", "message": "a company login belongs to an organisation of kind member_company, not ngo_party"}
    ]
    assert client.get("/api/v1/users", params={"organisation": "arisa"}).json() == []


def test_an_ngo_login_is_created_without_a_second_factor_and_listed(client):
    created = create(client, "jan@arisa.nl", "ngo", "arisa")
    assert created.status_code == 201, created.text
    assert created.json() == {
        "login": "jan@arisa.nl",
        "role": "ngo",
        "organisation_ref": "arisa",
        "second_factor": None,
    }
    assert login(client, "jan@arisa.nl").status_code == 200
    assert client.get("/api/v1/users", params={"organisation": "arisa"}).json() == [
        {
            "login": "jan@arisa.nl",
            "role": "ngo",
            "organisation_ref": "arisa",
            "display_name": "Jan",
            "active": True,
            "second_factor_enrolled": False,
        }
    ]
    assert create(client, "jan@arisa.nl", "ngo", "arisa").status_code == 409
    assert create(client, "piet@arisa.nl", "ngo", "bestaat-niet").status_code == 404
    assert client.get("/api/v1/users", params={"organisation": "bestaat-niet"}).status_code == 404


def test_a_reset_second_factor_is_shown_once_and_ends_the_old_codes_and_the_open_sessions(client):
    """After a stolen phone: the new secret is shown once, codes of the old one stop working, and a
    session the thief holds ends at its next request (issue 13 review)."""
    assert create(client, "jan@arisa.nl", "ngo", "arisa").status_code == 201
    token = login(client, "jan@arisa.nl").json()["access_token"]
    held = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=held).status_code == 200
    first = client.post("/api/v1/users/jan@arisa.nl/reset-totp").json()
    assert first["totp_provisioning_uri"].startswith("otpauth://totp/TruStone:jan%40arisa.nl?secret=")
    assert client.get("/api/v1/auth/me", headers=held).status_code == 401  # the session ended
    assert login(client, "jan@arisa.nl").json()["code"] == "totp_required"
    assert login(client, "jan@arisa.nl", pyotp.TOTP(first["totp_secret"]).now()).status_code == 200

    second = client.post("/api/v1/users/jan@arisa.nl/reset-totp").json()
    assert second["login"] == "jan@arisa.nl" and second["totp_secret"] != first["totp_secret"]
    refused = login(client, "jan@arisa.nl", pyotp.TOTP(first["totp_secret"]).now())
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_credentials")
    # the new secret's code of the next 30-second step (this step was used by the old code's login;
    # the server accepts one step either side)
    next_step = pyotp.TOTP(second["totp_secret"]).at(time.time() + 30)
    assert login(client, "jan@arisa.nl", next_step).status_code == 200


@pytest.mark.parametrize(
    ("role", "organisation", "kind"),
    [
        ("secretariat", "secretariaat", None),
        ("auditor", "audit-firma", OrganisationKind.AUDITOR),
        ("committee", "klachtencommissie", OrganisationKind.COMPLAINTS_COMMITTEE),
    ],
)
def test_the_secretariat_neither_makes_nor_touches_a_secretariat_auditor_or_committee_login(
    client, services, role, organisation, kind
):
    """A secretariat person who could make an auditor login would read the whole access log with it,
    and with a committee login rule on cases; those logins are the installation's (``accounts-cli``).
    Each refusal is one denied entry, and nothing was made or changed."""
    if kind is not None:
        services.registry.register_organisation(organisation, organisation.title(), kind, "NL")
    services.registry.create_account(f"zittend@{organisation}.nl", Role(role), organisation, "Zittend", "x", None)
    before = len(services.access_log.entries(limit=100_000))
    made = create(client, f"nieuw@{organisation}.nl", role, organisation)
    disabled = client.post(f"/api/v1/users/zittend@{organisation}.nl/disable", json={"reason": "for a test"})
    reset = client.post(f"/api/v1/users/zittend@{organisation}.nl/reset-totp")
    listed = client.get("/api/v1/users", params={"organisation": organisation})
    for response in (made, disabled, reset, listed):
        assert response.status_code == 403, response.text
        assert (
            "administers the logins of member companies, NGO and union parties and public buyers"
            in (response.json()["detail"])
        )
    entries = services.access_log.entries(limit=100_000)[before:]
    people = [(e.actor, e.action, str(e.outcome)) for e in entries if not e.actor.startswith("system:")]
    assert people == [("secretariat.user", "administer_users", "denied")] * 4
    assert services.registry.account(f"zittend@{organisation}.nl").active
    assert f"nieuw@{organisation}.nl" not in [a.login for a in services.registry.accounts_of(organisation)]


def test_a_disabled_login_is_refused_at_its_next_request_with_the_session_it_holds(client):
    create(client, "jan@arisa.nl", "ngo", "arisa")
    token = login(client, "jan@arisa.nl").json()["access_token"]
    as_jan = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=as_jan).status_code == 200

    disabled = client.post("/api/v1/users/jan@arisa.nl/disable", json={"reason": "left Arisa"})
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False

    refused = client.get("/api/v1/auth/me", headers=as_jan)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert login(client, "jan@arisa.nl").status_code == 401
    again = client.post("/api/v1/users/jan@arisa.nl/disable", json={"reason": "left Arisa"})
    assert again.status_code == 409
