"""Every published quarry region has a map point; below k the point places the region, not its quarries.

The rule (covenant art. 6 lid 5; design brief section 5.3): at or above k companies, the centre of
the region's quarries rounded to 0.1 degree; below k, the centre of the whole-degree cell that
holds that centre. So below k, moving the quarries anywhere inside their cell changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.aggregated_reads import quarry_region_use
from projections.quarry_regions import apply_publication_rule, as_csv, as_geojson
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.publishing import publish_quarry_regions
from tests.site_intake import register_waiting_sites

TODAY = dt.date(2025, 4, 1)
# Bundi, Rajasthan lies in the cell 25-26 N, 75-76 E; the cell's centre is (25.5, 75.5).
CELL_CENTRE = (25.5, 75.5)
_names = itertools.count()


@pytest.fixture
def companies(registry):
    """Three members: the list of a year is released once k = 3 companies have reported it. Only the
    first sources in Bundi, so Bundi stays below k; the others buy from a factory in Kota."""
    refs = ["steen-a", "steen-b", "steen-c"]
    for ref in refs:
        registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(1999, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return refs


def report_year(services, companies, year: int, bundi: bytes) -> None:
    services.registry.import_report(companies[0], year, bundi, "r.csv", submitted_on=TODAY)
    # the new quarries are registered with other companies' new sites (made up, reporting 2026), so
    # that the release cut by the third report below counts them
    register_waiting_sites(services, year=2026)
    for ref in companies[1:]:
        services.registry.import_report(ref, year, csv_bytes([factory_row()]), "f.csv", submitted_on=TODAY)


def quarries_in_bundi(offsets: list[tuple[float, float]]) -> bytes:
    """One quarry per offset inside the cell, each with a name never used before (no duplicate review)."""
    rows = []
    for chain, (d_lat, d_lon) in enumerate(offsets, start=1):
        rows.append(
            quarry_row(
                chain=f"C{chain}",
                name=f"Bundi Quarry {next(_names)}",
                district="Bundi",
                latitude=f"{25 + d_lat:.4f}",
                longitude=f"{75 + d_lon:.4f}",
            )
        )
    return csv_bytes(rows)


inside_the_cell = st.tuples(
    st.integers(1, 9999).map(lambda n: n / 10000), st.integers(1, 9999).map(lambda n: n / 10000)
)


@pytest.fixture
def years():
    """A report year per example, 2000 on, counted per store's run (the registry takes 2000 to next year)."""
    return itertools.count(2000)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offsets=st.lists(inside_the_cell, min_size=1, max_size=3))
def test_below_k_the_point_is_the_same_wherever_the_quarries_lie_in_their_cell(services, companies, years, offsets):
    year = next(years)  # each example a year of its own, released when its three reports are in
    report_year(services, companies, year, quarries_in_bundi(offsets))
    services.projections.catch_up()
    uses = quarry_region_use(services.projections.recorders["aggregated_list"], year)
    [region] = [r for r in apply_publication_rule(uses, k=3) if r.district == "Bundi"]
    assert (region.companies, region.sites) == (None, None)
    assert (region.latitude, region.longitude) == CELL_CENTRE


def test_every_published_region_has_a_point_in_csv_and_geojson_and_no_hidden_figure(services, companies):
    report_year(services, companies, 2024, quarries_in_bundi([(0.44, 0.64)]))
    document = publish_quarry_regions(services, 2024)
    assert as_csv(document).splitlines() == [
        "country,country_name,province,district,companies,sites,latitude,longitude",
        "IN,India,Rajasthan,Bundi,,,25.5,75.5",
    ]
    [feature] = as_geojson(document)["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [75.5, 25.5]}
    assert feature["properties"] == {
        "country": "IN",
        "country_name": "India",
        "province": "Rajasthan",
        "district": "Bundi",
        "companies": None,
        "sites": None,
    }


def test_a_snapshot_published_before_points_below_k_is_served_as_it_was_frozen(services):
    # Stored by the previous rule: a region below k had no point. Its point would have to come from
    # its quarries, not from the region alone, so the frozen snapshot is served unchanged.
    old = {
        "year": 2023,
        "published_on": "2024-05-01",
        "k": 3,
        "regions": [
            {
                "country": "IN",
                "country_name": "India",
                "province": "Rajasthan",
                "district": "Bundi",
                "companies": 4,
                "sites": 2,
                "latitude": 25.4,
                "longitude": 75.6,
            },
            {
                "country": "IN",
                "country_name": "India",
                "province": "Telangana",
                "district": "Khammam",
                "companies": None,
                "sites": None,
                "latitude": None,
                "longitude": None,
            },
        ],
    }
    with services.sql.transaction() as cursor:
        cursor.execute(
            "INSERT INTO {schema}.published_quarry_regions (year, published_on, k, document) VALUES (%s, %s, %s, %s)",
            (2023, "2024-05-01", 3, json.dumps(old)),
        )
    assert services.quarry_regions.document(2023) == old
    assert as_csv(old).splitlines()[1:] == ["IN,India,Rajasthan,Bundi,4,2,25.4,75.6", "IN,India,Telangana,Khammam,,,,"]
    assert [f["geometry"] for f in as_geojson(old)["features"]] == [
        {"type": "Point", "coordinates": [75.6, 25.4]},
        None,
    ]
