"""GET /api/v1/linked-list as a person reads it: each row says which site it is (name, kind, place),
filters by kind, and refuses a filter it does not know instead of ignoring it."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites
from trustone.web.app import create_app

URL = "/api/v1/linked-list"
BIJOLIA = {"address": "Bijolia-Bundi road, km 4"}
LAIZHOU = {
    "name": "Laizhou Granite Works",
    "country": "CN",
    "province": "Shandong",
    "district": "Laizhou",
    "latitude": "37.18",
    "longitude": "119.94",
    "stone_type": "granite",
}


@pytest.fixture
def client(services):
    registry = services.registry
    for ref in ("de-steenhouwer", "graniet-import"):
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    registry.import_report(
        "de-steenhouwer",
        2024,
        csv_bytes([quarry_row(**BIJOLIA), factory_row()]),
        "a.csv",
        submitted_on=dt.date(2025, 3, 1),
    )
    registry.import_report(
        "graniet-import",
        2024,
        csv_bytes([factory_row(), factory_row(chain="C2", **LAIZHOU)]),
        "b.csv",
        submitted_on=dt.date(2025, 3, 1),
    )
    register_waiting_sites(services)
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.create_account("ngo.user", Role.NGO, "arisa", "ngo", "not-used-here", None)
    text = "TruStone verklaring gekoppelde lijst"
    registry.record_declaration(
        "ngo.user",
        text,
        "2025-1",
        hashlib.sha256(text.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=30),
        dt.date.today() + dt.timedelta(days=300),
    )
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        sessions = test_client.app.state.authenticator._sessions  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {sessions.issue('ngo.user', dt.timedelta(hours=1))}"
        yield test_client


def link_log(services, request_id):
    return [
        (e.action, e.company, str(e.outcome))
        for e in services.access_log.entries(actor="ngo.user")
        if e.request_id == request_id
    ]


def test_each_row_names_the_site_its_kind_and_its_place(client):
    response = client.get(URL, params={"country": "IN", "company": "de-steenhouwer"})
    assert response.status_code == 200, response.text
    rows = {row["site_kind"]: row for row in response.json()["links"]}
    quarry = rows["quarry"]
    assert {
        key: quarry[key]
        for key in (
            "company",
            "year",
            "site_name",
            "site_kind",
            "country",
            "province",
            "district",
            "address",
            "stone_type",
            "tier",
        )
    } == {
        "company": "de-steenhouwer",
        "year": 2024,
        "site_name": "Mahadev Sandstone Quarry Bijolia",
        "site_kind": "quarry",
        "country": "IN",
        "province": "Rajasthan",
        "district": "Bhilwara",
        "address": "Bijolia-Bundi road, km 4",
        "stone_type": "sandstone",
        "tier": 2,
    }
    assert (quarry["latitude"], quarry["longitude"]) == (25.1712, 75.3303)
    factory = rows["factory"]
    assert (factory["site_name"], factory["district"], factory["address"]) == (
        "Kota Stone Processing Works",
        "Kota",
        "",
    )


def test_kind_filters_the_rows_and_only_the_companies_in_the_answer_are_logged(client, services):
    response = client.get(URL, params={"kind": "quarry"})
    assert response.status_code == 200, response.text
    assert [(row["company"], row["site_kind"], row["site_name"]) for row in response.json()["links"]] == [
        ("de-steenhouwer", "quarry", "Mahadev Sandstone Quarry Bijolia")
    ]
    assert link_log(services, response.headers["X-Request-ID"]) == [("read_linked_list", "de-steenhouwer", "granted")]
    factories = client.get(URL, params={"kind": "factory"})
    assert sorted((row["company"], row["site_name"]) for row in factories.json()["links"]) == [
        ("de-steenhouwer", "Kota Stone Processing Works"),
        ("graniet-import", "Kota Stone Processing Works"),
        ("graniet-import", "Laizhou Granite Works"),
    ]
    assert sorted(link_log(services, factories.headers["X-Request-ID"])) == [
        ("read_linked_list", "de-steenhouwer", "granted"),
        ("read_linked_list", "graniet-import", "granted"),
    ]


def test_an_invalid_kind_is_refused_naming_it_and_the_kinds_there_are(client, services):
    response = client.get(URL, params={"kind": "volcano"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "kind"
    for kind in ("quarry", "factory", "cobble_yard", "exporter", "trader", "stone_market", "other"):
        assert kind in error["message"]
    assert link_log(services, response.headers["X-Request-ID"]) == []


def test_an_unknown_filter_is_refused_naming_it_and_nothing_is_read(client, services):
    response = client.get(URL, params={"kinds": "quarry"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "kinds"
    assert error["message"].startswith("unknown query parameter 'kinds'")
    assert link_log(services, response.headers["X-Request-ID"]) == []
