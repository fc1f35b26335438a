"""A login's role fits its organisation (issue 11 item 6): a company login for an NGO is refused.

The table is docs/access.md's list of roles and who they are, written out: each role belongs to
exactly one kind of organisation. Refused in the domain, so the demo loader, the admin route and
any other caller of account creation get the same 422 naming ``role``, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pyotp
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role, check_role_fits
from registry.domain.errors import NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

FITS = {  # docs/access.md, Roles
    ("secretariat", "secretariat"),
    ("ngo", "ngo_party"),
    ("union", "union_party"),
    ("company", "member_company"),
    ("committee", "complaints_committee"),
    ("auditor", "auditor"),
    ("buyer", "public_buyer"),
}


@pytest.mark.parametrize(
    ("role", "kind"), list(itertools.product(list(Role), list(OrganisationKind))), ids=lambda v: str(v)
)
def test_each_role_fits_exactly_one_kind_of_organisation(role, kind):
    if (role.value, kind.value) in FITS:
        assert check_role_fits(role, kind) == role
    else:
        with pytest.raises(ValidationError) as refused:
            check_role_fits(role, kind)
        assert refused.value.field == "role"


@pytest.fixture
def organisations(registry):
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.register_organisation("steen-bv", "Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    return registry


def test_a_company_login_for_an_ngo_is_refused_and_nothing_is_written(organisations):
    registry = organisations
    with pytest.raises(ValidationError) as refused:
        registry.create_account("pieter@arisa.example", Role.COMPANY, "arisa", "Pieter", "not-used", None)
    assert refused.value.field == "role"
    with pytest.raises(NotFoundError):
        registry.account("pieter@arisa.example")
    registry.create_account("pieter@arisa.example", Role.NGO, "arisa", "Pieter", "not-used", None)  # fits
    registry.create_account("jan@steen-bv.example", Role.COMPANY, "steen-bv", "Jan", "not-used", None)
    assert registry.account("pieter@arisa.example").role == Role.NGO


def test_over_http_the_admin_route_answers_422_naming_role_and_logs_no_grant(services, organisations):
    organisations.create_account(
        "admin.user", Role.SECRETARIAT, "secretariaat", "Admin", "not-used", pyotp.random_base32()
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        token = client.app.state.authenticator._sessions.issue("admin.user", dt.timedelta(hours=1))  # noqa: SLF001
        before = len(services.access_log.entries(limit=100_000))
        response = client.post(
            "/api/v1/users",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "login": "pieter@arisa.example",
                "role": "company",
                "organisation_ref": "arisa",
                "display_name": "Pieter",
                "password": "correct horse battery staple",
            },
        )
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["role"]
    with pytest.raises(NotFoundError):
        services.registry.account("pieter@arisa.example")
    granted = [
        e
        for e in services.access_log.entries(limit=100_000)[before:]
        if str(e.outcome) == "granted" and not e.actor.startswith("system:")
    ]
    assert granted == []
