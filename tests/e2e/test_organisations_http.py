"""The register of organisations over HTTP, as the secretariat uses it (issue 13, item 3): a company
registered, joined, shown as a member by the public status and listing, withdrawn; an exclusion; the
other kinds the register takes; bad input refused naming the field (422), a duplicate 409, an
unknown ref 404. Who may do it at all is walked in test_access_matrix_organisations.py."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

D = dt.date
TODAY = dt.date.today()


@pytest.fixture
def client(services):
    services.registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    services.registry.create_account(
        "secretariat.user", Role.SECRETARIAT, "secretariaat", "Sec", "not-used", pyotp.random_base32()
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        token = test_client.app.state.authenticator._sessions.issue("secretariat.user", dt.timedelta(hours=1))  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def register(client, ref: str, kind: str = "member_company", **changes):
    body = {"ref": ref, "name": f"{ref.replace('-', ' ').title()} BV", "kind": kind, "country": "NL", **changes}
    return client.post("/api/v1/organisations", json=body)


def status(client, ref: str, on: dt.date) -> dict:
    response = client.get(f"/api/v1/public/members/{ref}/status", params={"on": on.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_company_registered_joined_listed_as_member_then_withdrawn(client):
    registered = register(client, "de-steenhouwer")
    assert registered.status_code == 201, registered.text
    assert registered.json() == {
        "ref": "de-steenhouwer",
        "name": "De Steenhouwer BV",
        "kind": "member_company",
        "country": "NL",
        "contact_email": None,
        "memberships": [],
    }
    joined_on = TODAY - dt.timedelta(days=60)
    joined = client.post(
        "/api/v1/organisations/de-steenhouwer/join",
        json={"on": joined_on.isoformat(), "category": "C", "size": "medium"},
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["memberships"] == [
        {"joined_on": joined_on.isoformat(), "category": "C", "size": "medium", "ended_on": None, "end_reason": None}
    ]
    assert (status(client, "de-steenhouwer", TODAY)["standing"], status(client, "de-steenhouwer", TODAY)["member"]) == (
        "member",
        True,
    )
    listed = client.get("/api/v1/public/members").json()
    assert [(m["ref"], m["current_member"]) for m in listed] == [("de-steenhouwer", True)]

    withdrawn_on = TODAY - dt.timedelta(days=10)
    withdrawn = client.post("/api/v1/organisations/de-steenhouwer/withdraw", json={"on": withdrawn_on.isoformat()})
    assert withdrawn.status_code == 200, withdrawn.text
    after = status(client, "de-steenhouwer", TODAY)
    assert (after["member"], after["standing"], after["withdrawn_on"]) == (False, "withdrawn", withdrawn_on.isoformat())
    assert status(client, "de-steenhouwer", withdrawn_on - dt.timedelta(days=1))["member"] is True
    listed = client.get("/api/v1/public/members").json()
    assert [(m["ref"], m["current_member"]) for m in listed] == [("de-steenhouwer", False)]


def test_an_excluded_company_is_said_to_be_excluded_and_can_be_found_again(client):
    register(client, "slechte-steen")
    client.post("/api/v1/organisations/slechte-steen/join", json={"on": "2024-01-01", "category": "B", "size": "small"})
    excluded = client.post("/api/v1/organisations/slechte-steen/exclude", json={"on": "2025-01-01"})
    assert excluded.status_code == 200, excluded.text
    assert status(client, "slechte-steen", D(2025, 6, 1))["standing"] == "excluded"
    shown = client.get("/api/v1/organisations/slechte-steen").json()
    assert [(m["ended_on"], m["end_reason"]) for m in shown["memberships"]] == [("2025-01-01", "excluded")]
    contact = client.put("/api/v1/organisations/slechte-steen/contact", json={"contact_email": "info@slechte-steen.nl"})
    assert contact.status_code == 200 and contact.json()["contact_email"] == "info@slechte-steen.nl"


def test_a_union_an_ngo_and_a_public_buyer_are_registered_and_listed_by_kind(client):
    for ref, kind in (("fnv", "union_party"), ("arisa", "ngo_party"), ("gemeente-utrecht", "public_buyer")):
        assert register(client, ref, kind).status_code == 201
    assert [o["ref"] for o in client.get("/api/v1/organisations", params={"kind": "union_party"}).json()] == ["fnv"]
    everyone = client.get("/api/v1/organisations").json()
    assert [(o["ref"], o["kind"]) for o in everyone] == [
        ("arisa", "ngo_party"),
        ("fnv", "union_party"),
        ("gemeente-utrecht", "public_buyer"),
        ("secretariaat", "secretariat"),
    ]
    assert everyone[0] == {
        "ref": "arisa",
        "name": "Arisa BV",
        "kind": "ngo_party",
        "country": "NL",
        "joined_on": None,
        "ended_on": None,
        "end_reason": None,
    }
    # joining is for member companies only
    refused = client.post("/api/v1/organisations/fnv/join", json={"on": "2024-01-01", "category": "B", "size": "small"})
    assert refused.status_code == 404, refused.text


def fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


def test_bad_input_is_refused_naming_the_field_a_duplicate_is_409_and_an_unknown_ref_404(client):
    assert register(client, "de-steenhouwer").status_code == 201
    duplicate = register(client, "de-steenhouwer")
    assert duplicate.status_code == 409 and "exists already" in duplicate.json()["detail"]
    assert fields(register(client, "Not A Ref")) == ["ref"]
    assert fields(register(client, "nieuw-bv", kind="secretariat")) == ["kind"]
    assert fields(register(client, "nieuw-bv", country="XX")) == ["country"]
    assert fields(client.get("/api/v1/organisations", params={"kind": "quarry"})) == ["kind"]
    join = "/api/v1/organisations/de-steenhouwer/join"
    assert fields(client.post(join, json={"on": "2024-01-01", "category": "D", "size": "small"})) == ["category"]
    assert fields(client.post(join, json={"on": "2024-01-01", "category": "C", "size": "huge"})) == ["size"]
    assert fields(client.post(join, json={"on": "01-01-2024", "category": "C", "size": "small"})) == ["on"]
    assert fields(
        client.put("/api/v1/organisations/de-steenhouwer/contact", json={"contact_email": "not an address"})
    ) == ["contact_email"]
    assert client.get("/api/v1/organisations/niemand").status_code == 404
    assert client.post("/api/v1/organisations/niemand/withdraw", json={"on": "2024-01-01"}).status_code == 404
    not_member = client.post("/api/v1/organisations/de-steenhouwer/withdraw", json={"on": "2024-01-01"})
    assert not_member.status_code == 409 and "not a member" in not_member.json()["detail"]
    assert [o["ref"] for o in client.get("/api/v1/organisations").json()] == ["de-steenhouwer", "secretariaat"]
