"""The published quarry-region list: regions only, figures from k companies on, frozen per year."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from projections.quarry_regions import as_csv, as_geojson
from registry.domain.errors import ConflictError, NotFoundError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import SITE_NAME, csv_bytes, quarry_row
from tests.principals import secretariat
from tests.publishing import publish_quarry_regions

TODAY = dt.date(2025, 4, 1)
BUNDI = {"name": "Bundi Sandstone Quarry No. 7", "district": "Bundi", "latitude": "25.44", "longitude": "75.64"}
KHAMMAM = {
    "name": "Khammam Black Granite Quarry",
    "province": "Telangana",
    "district": "Khammam",
    "latitude": "17.25",
    "longitude": "80.15",
    "stone_type": "granite",
}


@pytest.fixture
def members(registry):
    refs = ["steen-a", "steen-b", "steen-c"]
    for ref in refs:
        registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return refs


def report(services, ref, year, *rows):
    services.registry.import_report(ref, year, csv_bytes(list(rows)), f"{ref}-{year}.csv", submitted_on=TODAY)


def regions(document):
    return {(r["province"], r["district"]): (r["companies"], r["sites"]) for r in document["regions"]}


def test_figures_appear_only_where_at_least_k_companies_source(services, members):
    # three companies in Bundi, one of them also in Khammam (the list is released once k have reported)
    services.registry.import_report(
        members[0],
        2024,
        csv_bytes([quarry_row(**BUNDI), quarry_row(chain="C2", **KHAMMAM)]),
        "a2.csv",
        submitted_on=TODAY,
    )
    for ref in members[1:]:
        report(services, ref, 2024, quarry_row(**BUNDI))
    report(services, members[0], 2025, quarry_row(**BUNDI))
    document = publish_quarry_regions(services, 2024)
    assert document["k"] == 3
    assert regions(document) == {("Rajasthan", "Bundi"): (3, 1), ("Telangana", "Khammam"): (None, None)}
    khammam = next(r for r in document["regions"] if r["district"] == "Khammam")
    # below k the region is still placed, at the centre of its whole-degree cell (17.25, 80.15 -> 17-18, 80-81)
    assert (khammam["latitude"], khammam["longitude"]) == (17.5, 80.5)


def test_the_list_names_no_site_and_no_company_in_any_format(services, members):
    for ref in members:
        report(services, ref, 2024, quarry_row(**BUNDI), quarry_row(chain="C2"))
    document = publish_quarry_regions(services, 2024)
    texts = [json.dumps(document), as_csv(document), json.dumps(as_geojson(document))]
    site_ids = {link.site_id for link in services.registry.read_report(secretariat(), members[0], 2024).links}
    for text in texts:
        for secret in [*members, *(ref.upper() for ref in members), SITE_NAME, BUNDI["name"], *site_ids]:
            assert secret not in text


def test_a_published_year_is_frozen_and_next_year_does_not_change_it(services, members):
    for ref in members:
        report(services, ref, 2024, quarry_row(**BUNDI))
    published_2024 = publish_quarry_regions(services, 2024)
    for ref in members:  # in 2025 everyone left Bundi for Khammam
        report(services, ref, 2025, quarry_row(**KHAMMAM))
    publish_quarry_regions(services, 2025)
    assert services.quarry_regions.document(2024) == published_2024
    assert regions(services.quarry_regions.document(2025)) == {("Telangana", "Khammam"): (3, 1)}
    assert services.quarry_regions.document() == services.quarry_regions.document(2025)  # latest by default
    with pytest.raises(ConflictError):
        publish_quarry_regions(services, 2024)
    with pytest.raises(Exception, match="append-only"), services.sql.transaction() as cursor:
        cursor.execute("UPDATE {schema}.published_quarry_regions SET k = 1")
    assert services.quarry_regions.document(2024) == published_2024


def test_an_unpublished_year_is_not_found(services):
    with pytest.raises(NotFoundError):
        services.quarry_regions.require(2031)


def test_csv_and_geojson_carry_the_same_regions(services, members):
    report(services, members[0], 2024, quarry_row(**BUNDI), quarry_row(chain="C2", **KHAMMAM))
    for ref in members[1:]:
        report(services, ref, 2024, quarry_row(**BUNDI))
    document = publish_quarry_regions(services, 2024)
    lines = as_csv(document).splitlines()
    assert lines[0] == "country,country_name,province,district,companies,sites,latitude,longitude"
    assert sorted(lines[1:]) == ["IN,India,Rajasthan,Bundi,3,1,25.4,75.6", "IN,India,Telangana,Khammam,,,17.5,80.5"]
    geo = as_geojson(document)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    shown = next(f for f in geo["features"] if f["properties"]["district"] == "Bundi")
    assert shown["geometry"] == {"type": "Point", "coordinates": [75.6, 25.4]}
    hidden = next(f for f in geo["features"] if f["properties"]["district"] == "Khammam")
    assert hidden["geometry"] == {"type": "Point", "coordinates": [80.5, 17.5]}
    assert (hidden["properties"]["companies"], hidden["properties"]["sites"]) == (None, None)


def test_the_demo_lists_agree_every_quarry_region_in_use_is_published(services, demo):
    services.projections.catch_up()
    _year, sites = services.aggregated_list.sites(year=2025)
    quarry_regions = {(s.country, s.province, s.district) for s in sites if s.kind == "quarry"}
    document = publish_quarry_regions(services, 2025)
    published = {(r["country"], r["province"], r["district"]) for r in document["regions"]}
    assert quarry_regions == published
    assert any(r["companies"] is None for r in document["regions"])
    # every region is on the map, the ones with hidden figures too
    assert all(r["latitude"] is not None and r["longitude"] is not None for r in document["regions"])
    assert all(f["geometry"]["type"] == "Point" for f in as_geojson(document)["features"])
    assert any(r["companies"] is not None and r["companies"] >= 3 for r in document["regions"])


def test_two_publishers_of_one_year_get_one_list_and_a_conflict_not_a_store_error(services):
    """Two secretariat people publish the same year at once: both pass the "published already?" look
    before either writes (played here by two writers of the store itself), and the second must be
    told it was published already (409), not get the table's key violation as a 500 (issue 13 review)."""
    from projections.quarry_regions import PublishedQuarryRegions

    first, second = PublishedQuarryRegions(services.sql), PublishedQuarryRegions(services.sql)
    second.document = lambda year=None: None  # its look came before the first one's write
    first.publish(2024, [], 3, dt.date(2025, 6, 1))
    with pytest.raises(ConflictError, match="published already"):
        second.publish(2024, [], 3, dt.date(2025, 6, 2))
    assert services.quarry_regions.document(2024)["published_on"] == "2025-06-01"
