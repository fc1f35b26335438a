"""GET /api/v1/public/quarry-regions (no login) and `trustone export quarry-regions`."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.test_cli import run
from tests.integration.report_files import csv_bytes, quarry_row
from tests.publishing import publish_quarry_regions
from trustone.web.app import create_app

KHAMMAM = {
    "name": "Khammam Black Granite Quarry",
    "province": "Telangana",
    "district": "Khammam",
    "latitude": "17.25",
    "longitude": "80.15",
    "stone_type": "granite",
}


@pytest.fixture
def published(services):
    # three companies in Bhilwara (the year's list is released once k = 3 have reported), and one of
    # them alone in Khammam: a region below k, listed with a coarse point and no figures
    for ref in ("steen-a", "steen-b", "steen-c"):
        services.registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        rows = [quarry_row(), quarry_row(chain="C2", **KHAMMAM)] if ref == "steen-a" else [quarry_row()]
        services.registry.import_report(ref, 2024, csv_bytes(rows), "r.csv", submitted_on=dt.date(2025, 3, 1))
    publish_quarry_regions(services, 2024)
    return services


@pytest.fixture
def client(published):
    with TestClient(create_app(published), raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_published_list_needs_no_login_in_each_format(client):
    as_json = client.get("/api/v1/public/quarry-regions", params={"year": 2024})
    assert as_json.status_code == 200
    assert as_json.json()["regions"][0]["district"] == "Bhilwara" and as_json.json()["regions"][0]["companies"] == 3
    as_csv = client.get("/api/v1/public/quarry-regions", params={"year": 2024, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[1:] == [
        "IN,India,Rajasthan,Bhilwara,3,1,25.2,75.3",
        "IN,India,Telangana,Khammam,,,17.5,80.5",
    ]
    geo = client.get("/api/v1/public/quarry-regions", params={"year": 2024, "format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert [f["geometry"] for f in geo.json()["features"]] == [
        {"type": "Point", "coordinates": [75.3, 25.2]},
        {"type": "Point", "coordinates": [80.5, 17.5]},
    ]


def test_an_unpublished_year_is_404_and_a_bad_format_422(client):
    assert client.get("/api/v1/public/quarry-regions", params={"year": 2031}).status_code == 404
    bad = client.get("/api/v1/public/quarry-regions", params={"format": "xml"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"


def test_export_prints_the_published_list(published):
    result = run(published.settings, "export", "quarry-regions", "--format", "csv", "--year", "2024")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "country,country_name,province,district,companies,sites,latitude,longitude",
        "IN,India,Rajasthan,Bhilwara,3,1,25.2,75.3",
        "IN,India,Telangana,Khammam,,,17.5,80.5",
    ]
    missing = run(published.settings, "export", "quarry-regions", "--year", "2031")
    assert missing.returncode != 0 and "no published quarry-region list" in missing.stderr
