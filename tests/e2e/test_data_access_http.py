"""A data-access request walked over HTTP (docs/lifecycles.md): the NGO asks for Rajasthan on behalf
of a local partner, records the partner's clause, the secretariat approves, the NGO downloads the
watermarked CSV. Statuses: 201, 200, 403, 404, 409 with ``allowed_next``, 422 naming the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pyotp
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.web.app import create_app

BASE = "/api/v1/data-access-requests"
ORGS = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY),
    Role.UNION: ("fnv", OrganisationKind.UNION_PARTY),
    Role.COMPANY: ("eigen-steen", OrganisationKind.MEMBER_COMPANY),
}
REQUEST = {
    "local_partner": {"name": "Bijolia Khan Mazdoor Samiti", "contact": "+91 94140 00000"},
    "country": "IN",
    "region": "Rajasthan",
    "stone_type": "sandstone",
    "purpose": "Monitoring working conditions at the sandstone quarries of Bhilwara.",
}
CLAUSE_TITLE = "TruStone geheimhoudingsclausule lokale partner"
CLAUSE = {
    "title": CLAUSE_TITLE,
    "version": "2025-1",
    "sha256": hashlib.sha256(CLAUSE_TITLE.encode()).hexdigest(),
    "signed_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
    "valid_until": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
}


@pytest.fixture
def client(services):
    registry = services.registry
    for role, (ref, kind) in ORGS.items():
        registry.register_organisation(ref, ref.title(), kind, "NL")
        secret = pyotp.random_base32() if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, "not-used-here", secret)
    # three buyers: the aggregated list that a release draws from is released once k = 3 have reported
    for ref in ("andere-steen", "derde-steen"):
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "BE")
    for ref in ("eigen-steen", "andere-steen", "derde-steen"):
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(
            ref, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
        )
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    """Headers per role, with sessions as a login would issue them (logins: tests/e2e/test_auth_http.py)."""
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {
        role: {"Authorization": f"Bearer {sessions.issue(f'{role.value}.user', dt.timedelta(hours=1))}"}
        for role in ORGS
    }


def test_an_ngo_request_is_approved_and_downloaded_as_a_watermarked_csv(client, as_, services):
    created = client.post(BASE, json=REQUEST, headers=as_[Role.NGO])
    assert created.status_code == 201, created.text
    access_id = created.json()["id"]
    assert created.json()["status"] == "requested"

    early = client.get(f"{BASE}/{access_id}/release", headers=as_[Role.NGO])
    assert early.status_code == 409
    assert early.json()["allowed_next"] == ["record_clause", "refuse"]

    bad = client.post(f"{BASE}/{access_id}/clause", json={**CLAUSE, "sha256": "not-a-digest"}, headers=as_[Role.NGO])
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["sha256"]

    clause = client.post(f"{BASE}/{access_id}/clause", json=CLAUSE, headers=as_[Role.NGO])
    assert (clause.status_code, clause.json()["status"]) == (200, "clause_signed")
    refused_to_ngo = client.post(
        f"{BASE}/{access_id}/decision", json={"approve": True, "reason": "mine"}, headers=as_[Role.NGO]
    )
    assert refused_to_ngo.status_code == 403
    decision = client.post(
        f"{BASE}/{access_id}/decision",
        json={"approve": True, "reason": "fits the purpose"},
        headers=as_[Role.SECRETARIAT],
    )
    assert (decision.status_code, decision.json()["status"]) == (200, "approved")

    download = client.get(f"{BASE}/{access_id}/release?format=csv", headers=as_[Role.NGO])
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["cache-control"] == "no-store"
    watermark, rest = download.text.split("\n", 1)
    assert watermark == (
        f"# TruStone data-access release {access_id} for {REQUEST['local_partner']['name']} on "
        f"{dt.date.today().isoformat()}: confidential, for the stated purpose only"
    )
    rows = list(csv.DictReader(io.StringIO(rest)))
    assert {row["name"] for row in rows} == {"Mahadev Sandstone Quarry Bijolia", "Kota Stone Processing Works"}
    for ref in ("eigen-steen", "andere-steen", "derde-steen"):
        assert ref not in download.text
    [entry] = [
        e
        for e in services.access_log.entries(limit=10_000)
        if e.request_id == download.headers["X-Request-ID"] and not e.actor.startswith("system:")
    ]
    assert (entry.actor, entry.action, str(entry.outcome)) == ("ngo.user", "request_release", "granted")

    as_json = client.get(f"{BASE}/{access_id}/release?format=json", headers=as_[Role.NGO])
    assert as_json.status_code == 200 and as_json.json()["release"] == access_id
    assert client.get(f"{BASE}/{access_id}/release?format=xlsx", headers=as_[Role.NGO]).status_code == 422
    assert client.get(f"{BASE}/{access_id}/release", headers=as_[Role.UNION]).status_code == 403

    seen = client.get(f"{BASE}/{access_id}", headers=as_[Role.NGO]).json()
    assert seen["status"] == "released" and seen["local_partner"] == REQUEST["local_partner"]
    assert client.get(f"{BASE}/{access_id}", headers=as_[Role.UNION]).status_code == 403

    revoked = client.post(
        f"{BASE}/{access_id}/revoke", json={"reason": "the partner left"}, headers=as_[Role.SECRETARIAT]
    )
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    assert client.get(f"{BASE}/{access_id}/release", headers=as_[Role.NGO]).status_code == 409


def test_each_party_lists_its_own_requests_and_the_secretariat_all(client, as_):
    ngo = client.post(BASE, json=REQUEST, headers=as_[Role.NGO]).json()["id"]
    union = client.post(BASE, json={**REQUEST, "region": None}, headers=as_[Role.UNION]).json()["id"]
    assert [r["id"] for r in client.get(BASE, headers=as_[Role.NGO]).json()] == [ngo]
    assert [r["id"] for r in client.get(BASE, headers=as_[Role.UNION]).json()] == [union]
    assert {r["id"] for r in client.get(BASE, headers=as_[Role.SECRETARIAT]).json()} == {ngo, union}
    assert client.get(BASE, headers=as_[Role.COMPANY]).status_code == 403
    assert client.get(BASE).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "X"}, "country"),
        ({"country": "XX"}, "country"),
        ({"local_partner": {"contact": "+31 6"}}, "local_partner.name"),
        ({"purpose": "short"}, "purpose"),
    ],
)
def test_a_bad_request_is_422_naming_the_field(client, as_, change, field):
    response = client.post(BASE, json={**REQUEST, **change}, headers=as_[Role.NGO])
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_an_unknown_request_is_404_and_a_malformed_id_422(client, as_):
    assert client.get(f"{BASE}/00000000-0000-4000-8000-000000000000", headers=as_[Role.NGO]).status_code == 404
    assert client.get(f"{BASE}/not-an-id", headers=as_[Role.NGO]).status_code == 422
