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


def test_a_secretariat_login_gets_its_second_factor_once_and_a_reset_ends_the_old_one(client):
    created = create(client, "piet@secretariaat.nl", "secretariat", "secretariaat")
    assert created.status_code == 201, created.text
    first = created.json()["second_factor"]
    assert first["totp_provisioning_uri"].startswith("otpauth://totp/TruStone:piet%40secretariaat.nl?secret=")
    assert login(client, "piet@secretariaat.nl").json()["code"] == "totp_required"
    old_code = pyotp.TOTP(first["totp_secret"]).now()
    assert login(client, "piet@secretariaat.nl", old_code).status_code == 200

    reset = client.post("/api/v1/users/piet@secretariaat.nl/reset-totp")
    assert reset.status_code == 200, reset.text
    second = reset.json()
    assert second["login"] == "piet@secretariaat.nl" and second["totp_secret"] != first["totp_secret"]
    refused = login(client, "piet@secretariaat.nl", pyotp.TOTP(first["totp_secret"]).now())
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_credentials")
    # the new secret's code of the next 30-second step (this step was used by the old code's login;
    # the server accepts one step either side)
    next_step = pyotp.TOTP(second["totp_secret"]).at(time.time() + 30)
    assert login(client, "piet@secretariaat.nl", next_step).status_code == 200


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
