"""The secretariat's year over HTTP (issue 13, acceptance): every duty the secretariat has, done the
way a person would do it, with the people it serves logging in with what the secretariat gave them.

A new member company is registered, joined, and given a login; it logs in and uploads its 2024
report; the secretariat sees the report waiting, assesses it with a due-diligence score, and the
public member listing shows the level the covenant's table gives (bijlage 1, "Niveau 4": 75 %
quarries, 100 % factories, due-diligence score 75 %). The report describes a quarry that may be one
the registry knows: once registered it is held, and the secretariat decides it is the same. An
NGO employee's login gets the linked list only with a signed declaration on record, and the same
logged-in session is refused on its next request after the declaration is revoked. The year's
quarry-region list is published.

The world is the access-matrix walk's (three members reported 2024, an NGO party, the
secretariat's login with its second factor). One step is not HTTP: other members' reports, made up
for this, let the new sites enter the register (k companies' new sites together,
tests/site_intake.py)."""

from __future__ import annotations

import datetime as dt

import pyotp

from registry.domain.accounts import Role
from tests.e2e.matrix import PASSWORD, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.integration.report_files import SITE_NAME, csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites

NEW = "blauwe-steen"
NEARBY = "Mahadev Sandstone Quarries Bijoliya"  # the registered quarry, 400 m away, spelled otherwise


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_in(client, login: str, password: str, totp_secret: str | None = None) -> str:
    body = {"login": login, "password": password}
    if totp_secret:
        body["totp"] = pyotp.TOTP(totp_secret).now()
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def ok(response, status: int = 200):
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    return response.json() if response.content else None


def test_the_secretariats_year(client, world, tokens):
    secretariat = bearer(tokens[Role.SECRETARIAT])  # logged in over HTTP with its second factor (matrix.py)

    # A new member: registered, joined, its contact address and one login.
    ok(
        client.post(
            "/api/v1/organisations",
            headers=secretariat,
            json={"ref": NEW, "name": "Blauwe Steen BV", "kind": "member_company", "country": "NL"},
        ),
        201,
    )
    ok(
        client.post(
            f"/api/v1/organisations/{NEW}/join",
            headers=secretariat,
            json={"on": "2024-01-15", "category": "C", "size": "small"},
        )
    )
    ok(client.put(f"/api/v1/organisations/{NEW}/contact", headers=secretariat, json={"contact_email": "mvo@blauwe.nl"}))
    created = ok(
        client.post(
            "/api/v1/users",
            headers=secretariat,
            json={
                "login": "inkoop@blauwe.nl",
                "role": "company",
                "organisation_ref": NEW,
                "display_name": "Inkoop",
                "password": PASSWORD,
            },
        ),
        201,
    )
    assert created["second_factor"] is None  # a company's second factor is its own choice
    company = bearer(log_in(client, "inkoop@blauwe.nl", PASSWORD))

    # The company uploads its report; one quarry it describes may be the registered one.
    uploaded = ok(
        client.post(
            f"/api/v1/companies/{NEW}/reports/2024",
            headers=company,
            files={
                "file": ("r.csv", csv_bytes([quarry_row(name=NEARBY, latitude="25.1750"), factory_row()]), "text/csv")
            },
        )
    )
    assert (uploaded["changed"], uploaded["version"], uploaded["held_for_review"]) == (True, 1, 1)

    # It waits on the secretariat's desk; the secretariat reads it and assesses it.
    desk = {q["queue"]: q for q in ok(client.get("/api/v1/waiting", headers=secretariat))["queues"]}
    assert desk["reports awaiting assessment"]["count"] == 4  # the three members' and the new one's
    queue = ok(client.get("/api/v1/assessment/queue", headers=secretariat))
    assert (NEW, 2024, 1) in {(item["company"], item["year"], item["version"]) for item in queue}
    assert ok(client.get(f"/api/v1/companies/{NEW}/reports/2024", headers=secretariat))["version"] == 1
    assessed = ok(
        client.post(
            f"/api/v1/assessment/{NEW}/2024", headers=secretariat, json={"version": 1, "due_diligence_score": 80}
        ),
        201,
    )["assessment"]
    insight = (float(assessed["quarry_insight"]), float(assessed["factory_insight"]))
    assert (insight, assessed["level"]) == ((100.0, 100.0), 4)
    after = ok(client.get("/api/v1/assessment/queue", headers=secretariat))
    assert NEW not in {item["company"] for item in after}
    listed = next(member for member in ok(client.get("/api/v1/public/members")) if member["ref"] == NEW)
    assert listed["level"] == 4
    assert [(p["year"], p["level"]) for p in listed["progress"]] == [(2024, 4)]

    # Its new quarry enters the register with other members' new sites, held as a possible duplicate.
    register_waiting_sites(world)
    [held] = ok(client.get("/api/v1/held-sites", headers=secretariat))
    assert {held["held"]["name"], held["candidate"]["name"]} == {NEARBY, SITE_NAME}
    decided = ok(
        client.post(
            f"/api/v1/held-sites/{held['held']['site_id']}/decision", headers=secretariat, json={"decision": "same"}
        )
    )
    assert decided["site_id_now"] == held["candidate"]["site_id"]
    assert ok(client.get("/api/v1/held-sites", headers=secretariat)) == []

    # An NGO employee: a login, the linked list only with a signed declaration on record.
    ok(
        client.post(
            "/api/v1/users",
            headers=secretariat,
            json={
                "login": "onderzoek@arisa.nl",
                "role": "ngo",
                "organisation_ref": "arisa",
                "display_name": "Onderzoek",
                "password": PASSWORD,
            },
        ),
        201,
    )
    ngo = bearer(log_in(client, "onderzoek@arisa.nl", PASSWORD))
    assert client.get("/api/v1/linked-list", headers=ngo).status_code == 403
    today = dt.date.today()
    declaration = ok(
        client.post(
            "/api/v1/declarations",
            headers=secretariat,
            data={
                "login": "onderzoek@arisa.nl",
                "document_title": "TruStone geheimhoudingsverklaring gekoppelde lijst",
                "document_version": "2025-1",
                "signed_on": today.isoformat(),
                "valid_until": (today + dt.timedelta(days=365)).isoformat(),
            },
            files={"file": ("verklaring.pdf", b"%PDF-1.4 signed declaration", "application/pdf")},
        ),
        201,
    )
    linked = ok(client.get("/api/v1/linked-list", headers=ngo))
    assert NEW in {row["company"] for row in linked["links"]}
    ok(
        client.post(
            f"/api/v1/declarations/{declaration['id']}/revocation",
            headers=secretariat,
            json={"on": today.isoformat(), "reason": "left the NGO"},
        )
    )
    refused = client.get("/api/v1/linked-list", headers=ngo)  # the same session, its next request
    assert refused.status_code == 403 and "declaration" in refused.json()["detail"]

    # The year's quarry-region list: previewed, then published for everyone.
    preview = ok(client.get("/api/v1/publications/quarry-regions/2024/preview", headers=secretariat))
    assert preview["published_on"] is None and preview["regions"]
    published = ok(client.post("/api/v1/publications/quarry-regions/2024", headers=secretariat), 201)
    assert published["regions"] == preview["regions"]
    public = ok(client.get("/api/v1/public/quarry-regions", params={"year": 2024}))
    assert public["regions"] == preview["regions"]
