"""The tender register walked over HTTP (covenant art. 7 lid 7 and 14; docs/tenders.md), on SQLite
and PostgreSQL: a member government records, corrects and removes its tenders and submits its year,
after which the year is fixed (409); the secretariat sees every government's register and publishes
the year's aggregated report once (409 after); the public reads it without a login, with no
government's name in it and the value bands left out of a year with fewer than three governments."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

BASE = "/api/v1/tenders"
LAST_YEAR = dt.date.today().year - 1
EARLIER_YEAR = LAST_YEAR - 1
GOVERNMENTS = {
    "gemeente-utrecht": "Gemeente Utrecht",
    "stad-gent": "Stad Gent",
    "gemeente-rotterdam": "Gemeente Rotterdam",
}
TENDER = {
    "title": "Herinrichting Neude: gebakken en natuursteen bestrating",
    "date": f"{LAST_YEAR}-05-12",
    "reference": "https://www.tenderned.nl/aankondigingen/overzicht/412345",
    "value_band": "250k_1m",
    "criteria": ["award_significant", "contract_basis"],
    "purchase_type": "type_2",
}


@pytest.fixture
def client(services):
    registry = services.registry
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    registry.create_account(
        "secretariat.user", Role.SECRETARIAT, "secretariaat", "S", "not-used-here", "JBSWY3DPEHPK3PXP"
    )
    registry.register_organisation("eigen-steen", "Eigen Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.create_account("company.user", Role.COMPANY, "eigen-steen", "C", "not-used-here", None)
    for ref, name in GOVERNMENTS.items():
        registry.register_organisation(ref, name, OrganisationKind.PUBLIC_BUYER, "BE" if ref == "stad-gent" else "NL")
        registry.create_account(f"buyer.{ref}", Role.BUYER, ref, name, "not-used-here", None)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = ["secretariat.user", "company.user", *(f"buyer.{ref}" for ref in GOVERNMENTS)]
    return {login: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=1))}"} for login in logins}


def register(client, as_, government: str) -> dict:
    response = client.get(f"{BASE}/registers/{government}", headers=as_[f"buyer.{government}"])
    assert response.status_code == 200, response.text
    return response.json()


def test_a_government_records_corrects_removes_and_submits_its_year(client, as_):
    utrecht = as_["buyer.gemeente-utrecht"]
    first = client.post(f"{BASE}/registers/gemeente-utrecht/entries", json=TENDER, headers=utrecht)
    assert first.status_code == 201, first.text
    assert first.json()["year"] == LAST_YEAR
    second = client.post(
        f"{BASE}/registers/gemeente-utrecht/entries",
        json={**TENDER, "title": "Raamovereenkomst natuursteen", "purchase_type": "type_1", "reference": None},
        headers=utrecht,
    )
    assert second.status_code == 201
    entry = f"{BASE}/registers/gemeente-utrecht/{LAST_YEAR}/entries/{first.json()['id']}"

    corrected = client.put(entry, json={**TENDER, "value_band": "1m_5_5m", "criteria": ["isv"]}, headers=utrecht)
    assert corrected.status_code == 200, corrected.text
    removed = client.delete(
        f"{BASE}/registers/gemeente-utrecht/{LAST_YEAR}/entries/{second.json()['id']}", headers=utrecht
    )
    assert removed.status_code == 204

    year = register(client, as_, "gemeente-utrecht")["years"][0]
    assert (year["year"], year["status"], year["can_submit"]) == (LAST_YEAR, "open", True)
    assert [(e["title"], e["value_band"], e["criteria"]) for e in year["entries"]] == [
        ("Herinrichting Neude: gebakken en natuursteen bestrating", "1m_5_5m", ["isv"])
    ]

    submitted = client.post(f"{BASE}/registers/gemeente-utrecht/{LAST_YEAR}/submission", headers=utrecht)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")

    # fixed from now on: every change is a conflict
    assert client.put(entry, json=TENDER, headers=utrecht).status_code == 409
    assert client.delete(entry, headers=utrecht).status_code == 409
    assert client.post(f"{BASE}/registers/gemeente-utrecht/entries", json=TENDER, headers=utrecht).status_code == 409
    again = client.post(f"{BASE}/registers/gemeente-utrecht/{LAST_YEAR}/submission", headers=utrecht)
    assert again.status_code == 409
    this_year = client.post(
        f"{BASE}/registers/gemeente-utrecht/{LAST_YEAR + 1}/submission", headers=utrecht
    )  # not over yet
    assert this_year.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"date": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "date"),
        ({"value_band": "EUR 300.000"}, "value_band"),
        ({"criteria": ["bijlage X"]}, "criteria"),
        ({"criteria": []}, "criteria"),
        ({"purchase_type": "type_3"}, "purchase_type"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, as_, changes, field):
    response = client.post(
        f"{BASE}/registers/gemeente-utrecht/entries", json={**TENDER, **changes}, headers=as_["buyer.gemeente-utrecht"]
    )
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


def test_another_government_and_other_roles_are_refused(client, as_):
    own = client.post(f"{BASE}/registers/gemeente-utrecht/entries", json=TENDER, headers=as_["buyer.gemeente-utrecht"])
    assert own.status_code == 201
    gent = as_["buyer.stad-gent"]
    assert client.get(f"{BASE}/registers/gemeente-utrecht", headers=gent).status_code == 403
    assert client.post(f"{BASE}/registers/gemeente-utrecht/entries", json=TENDER, headers=gent).status_code == 403
    assert client.get(f"{BASE}/years/{LAST_YEAR}", headers=gent).status_code == 403
    assert client.post(f"{BASE}/reports/{LAST_YEAR}", headers=gent).status_code == 403
    secretariat = as_["secretariat.user"]
    assert (
        client.post(f"{BASE}/registers/gemeente-utrecht/entries", json=TENDER, headers=secretariat).status_code == 403
    )
    assert client.get(f"{BASE}/registers/gemeente-utrecht", headers=as_["company.user"]).status_code == 403
    assert client.get(f"{BASE}/registers/gemeente-utrecht").status_code == 401


def record_and_submit(client, as_, government: str, year: int, tenders: list[dict]) -> None:
    headers = as_[f"buyer.{government}"]
    for tender in tenders:
        response = client.post(
            f"{BASE}/registers/{government}/entries",
            json={**TENDER, **tender, "date": f"{year}-03-01"},
            headers=headers,
        )
        assert response.status_code == 201, response.text
    response = client.post(f"{BASE}/registers/{government}/{year}/submission", headers=headers)
    assert response.status_code == 200, response.text


def test_the_secretariat_sees_all_and_publishes_once_and_the_public_reads_it_without_login(client, as_):
    # last year: three governments reported; the year before: two only
    record_and_submit(
        client, as_, "gemeente-utrecht", LAST_YEAR, [{}, {"value_band": "under_50k", "criteria": ["none"]}]
    )
    record_and_submit(client, as_, "stad-gent", LAST_YEAR, [{"criteria": ["isv"], "purchase_type": "type_2"}])
    record_and_submit(client, as_, "gemeente-rotterdam", LAST_YEAR, [{"purchase_type": "type_1"}])
    record_and_submit(client, as_, "gemeente-utrecht", EARLIER_YEAR, [{"value_band": "over_5_5m"}])
    record_and_submit(client, as_, "stad-gent", EARLIER_YEAR, [{"value_band": "50k_250k"}])
    secretariat = as_["secretariat.user"]

    overview = client.get(f"{BASE}/years/{LAST_YEAR}", headers=secretariat)
    assert overview.status_code == 200, overview.text
    seen = {(r["government_name"], len(r["entries"]), r["status"]) for r in overview.json()["registers"]}
    assert seen == {
        ("Gemeente Utrecht", 2, "submitted"),
        ("Stad Gent", 1, "submitted"),
        ("Gemeente Rotterdam", 1, "submitted"),
    }
    assert overview.json()["can_publish"] is True
    assert client.get(f"{BASE}/registers/stad-gent", headers=secretariat).status_code == 200

    assert client.get("/api/v1/public/tenders").json() == []
    published = client.post(f"{BASE}/reports/{LAST_YEAR}", headers=secretariat)
    assert published.status_code == 201, published.text
    assert client.post(f"{BASE}/reports/{LAST_YEAR}", headers=secretariat).status_code == 409
    assert client.post(f"{BASE}/reports/{EARLIER_YEAR}", headers=secretariat).status_code == 201
    assert client.post(f"{BASE}/reports/{LAST_YEAR + 1}", headers=secretariat).status_code == 409  # not over

    report = client.get(f"/api/v1/public/tenders/{LAST_YEAR}")  # no login
    assert report.status_code == 200
    body = report.json()
    assert (body["governments"], body["tenders"]) == (3, 4)
    assert body["by_criterion"]["award_significant"] == 2
    assert body["by_criterion"]["contract_basis"] == 2
    assert body["by_criterion"]["isv"] == 1
    assert body["by_criterion"]["none"] == 1
    assert body["by_purchase_type"] == {"type_1": 1, "type_2": 3}
    assert body["by_value_band"] == {"under_50k": 1, "50k_250k": 0, "250k_1m": 3, "1m_5_5m": 0, "over_5_5m": 0}

    earlier = client.get(f"/api/v1/public/tenders/{EARLIER_YEAR}").json()
    assert (earlier["governments"], earlier["tenders"]) == (2, 2)
    assert earlier["by_value_band"] is None  # two governments: below k = 3
    assert earlier["value_bands_suppressed"] is True

    listing = client.get("/api/v1/public/tenders")
    assert [r["year"] for r in listing.json()] == [LAST_YEAR, EARLIER_YEAR]
    text = listing.text
    for name in [*GOVERNMENTS, *GOVERNMENTS.values(), "Herinrichting", "tenderned", 'over_5_5m":1', '50k_250k":1']:
        assert name.lower() not in text.lower()
    assert client.get(f"/api/v1/public/tenders/{EARLIER_YEAR - 1}").status_code == 404


# --- the pages: the same use case, drawn -----------------------------------------------------------


def as_page(client, as_, login: str):
    client.cookies.set("trustone_session", as_[login]["Authorization"].removeprefix("Bearer "))
    client.get("/login")  # the CSRF cookie
    return client


def form(client, **fields):
    return {"csrftoken": client.cookies["csrftoken"], **fields}


def test_the_pages_record_submit_publish_and_show_the_public_report(client, as_):
    page = as_page(client, as_, "buyer.gemeente-utrecht")
    drawn = page.get("/buyer/tenders")
    assert drawn.status_code == 200, drawn.text
    assert "Gemeente Utrecht" in drawn.text

    bad = page.post(
        "/buyer/tenders",
        data=form(page, title="Kademuren Oudegracht", date="2999-01-01", value_band="250k_1m", purchase_type="type_1"),
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'value="Kademuren Oudegracht"' in bad.text  # what was typed is kept
    assert 'id="error-criteria"' in bad.text
    future = page.post(
        "/buyer/tenders",
        data=form(
            page,
            title="Kademuren Oudegracht",
            date="2999-01-01",
            value_band="250k_1m",
            purchase_type="type_1",
            criteria=["isv"],
        ),
        follow_redirects=False,
    )
    assert future.status_code == 422
    assert 'id="error-date"' in future.text and 'value="isv" checked' in future.text

    sent = page.post(
        "/buyer/tenders",
        data=form(
            page,
            title="Kademuren Oudegracht",
            date=f"{LAST_YEAR}-02-03",
            value_band="250k_1m",
            purchase_type="type_1",
            criteria=["award_basis", "isv"],
        ),
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/buyer/tenders?done=recorded")
    assert "Kademuren Oudegracht" in page.get("/buyer/tenders").text

    confirm = page.get(f"/buyer/tenders/submission?year={LAST_YEAR}")
    assert confirm.status_code == 200
    submitted = page.post(f"/buyer/tenders/{LAST_YEAR}/submission", data=form(page), follow_redirects=False)
    assert submitted.status_code == 303
    again = page.post(f"/buyer/tenders/{LAST_YEAR}/submission", data=form(page), follow_redirects=False)
    assert again.status_code == 409
    assert page.get("/secretariat/tenders").status_code == 403

    page = as_page(client, as_, "secretariat.user")
    assert page.get("/buyer/tenders").status_code == 403
    overview = page.get(f"/secretariat/tenders?year={LAST_YEAR}")
    assert overview.status_code == 200
    assert "Kademuren Oudegracht" in overview.text and "Stad Gent" in overview.text  # Gent has not submitted
    assert page.get(f"/secretariat/tenders/{LAST_YEAR}/confirm").status_code == 200
    published = page.post(f"/secretariat/tenders/{LAST_YEAR}/publication", data=form(page), follow_redirects=False)
    assert published.status_code == 303
    assert page.post(f"/secretariat/tenders/{LAST_YEAR}/publication", data=form(page)).status_code == 409

    client.cookies.delete("trustone_session")
    client.cookies.set("trustone_lang", "en")
    public = client.get("/public/tenders")
    assert public.status_code == 200
    assert f"Tenders in {LAST_YEAR}" in public.text
    assert "/public/tender-signals" in public.text
    for hidden in ["Kademuren", "Utrecht", "Gent", "Rotterdam"]:
        assert hidden not in public.text
    assert "not shown" in public.text  # one government reported: no value bands
    client.cookies.set("trustone_lang", "nl")
    nl = client.get("/public/tenders")
    assert f"Aanbestedingen in {LAST_YEAR}" in nl.text
    assert "Bijlage 3, gunningfase: basis" in nl.text


def test_the_demo_tenders_are_three_governments_published_with_their_value_bands(client, services):
    from registry.usecases.tenders import demo_tenders

    demo_tenders(services)
    year = dt.date.today().year - 2
    report = client.get(f"/api/v1/public/tenders/{year}").json()
    assert (report["governments"], report["tenders"]) == (3, 6)
    assert report["by_criterion"]["isv"] == 2
    assert report["by_purchase_type"] == {"type_1": 2, "type_2": 4}
    assert report["by_value_band"] == {"under_50k": 1, "50k_250k": 1, "250k_1m": 1, "1m_5_5m": 2, "over_5_5m": 1}
    client.cookies.set("trustone_lang", "en")
    page = client.get("/public/tenders")
    assert page.status_code == 200
    assert f"Tenders by estimated value, {year}" in page.text
    assert "not shown" not in page.text
