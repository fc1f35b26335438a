"""Channel 3 (issue 11): lists watched over time, attacked as a logged-in union party would.

The attacker holds no keys and sees no linked list. It may read the aggregated list (every year, and
the default), the public member listing and the published quarry regions as often as it likes. It
snapshots everything it can read, lets one company upload, and snapshots again: any difference
would be that company's doing. So no list may change in a step that singles out one company's upload;
changes show only in a *release*, cut once at least k = 3 (TRUSTONE_PUBLISH_K's default) companies
changed their report since the last one. A year's list is not served below k reporting companies.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites
from trustone.web.app import create_app
from trustone.web.auth import get_principal

TODAY = dt.date(2025, 4, 1)
COMPANIES = ("steen-a", "steen-b", "steen-c", "steen-d")
YEARS = (2024, 2025)
SITES = [
    factory_row(name="Kota Stone Works"),
    quarry_row(name="Bundi Quarry One", district="Bundi", latitude="25.44", longitude="75.64"),
    quarry_row(name="Jalore Granite Quarry", district="Jalore", latitude="25.35", longitude="72.62"),
    quarry_row(name="Khammam Quarry", province="Telangana", district="Khammam", latitude="17.25", longitude="80.15"),
    factory_row(
        name="Laizhou Granite Works",
        country="CN",
        province="Shandong",
        district="Laizhou",
        latitude="37.18",
        longitude="119.94",
        stone_type="granite",
    ),
]
NEW_SITE = quarry_row(name="Secret New Quarry", district="Bundi", latitude="25.61", longitude="75.70")
UNION = Principal("fnv-reader", Role.UNION, uuid.uuid4(), "fnv")


def join_all(services) -> None:
    for ref in COMPANIES:
        services.registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)


def upload(services, ref: str, year: int, rows: list[dict]) -> None:
    rows = [dict(row, chain=f"C{n}") for n, row in enumerate(rows)]
    services.registry.import_report(ref, year, csv_bytes(rows), f"{ref}.csv", submitted_on=TODAY)


def snapshot(client: TestClient) -> dict[str, tuple[int, str]]:
    """Every list the union party can read, over HTTP, as (status, body)."""
    paths = [
        "/api/v1/aggregated-list",
        *(f"/api/v1/aggregated-list?year={year}" for year in YEARS),
        "/api/v1/public/members",
        "/api/v1/public/quarry-regions",
        *(
            f"/api/v1/public/quarry-regions?year={year}&format={fmt}"
            for year in YEARS
            for fmt in ("json", "csv", "geojson")
        ),
    ]
    out = {}
    for path in paths:
        response = client.get(path)
        out[path] = (response.status_code, response.text)
    return out


@pytest.fixture
def settings_factory(settings, tmp_path):
    """A fresh, empty store of the same kind per call (one per hypothesis example)."""
    import dataclasses

    import psycopg

    schemas: list[str] = []

    def fresh():
        data_dir = tmp_path / uuid.uuid4().hex
        if not settings.database_url:
            return dataclasses.replace(settings, data_dir=data_dir)
        base, schema = settings.database_url.rsplit("schema=", 1)
        new = f"{schema}_{len(schemas)}"
        with psycopg.connect(base.rstrip("?&"), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{new}"')
        schemas.append(new)
        return dataclasses.replace(settings, data_dir=data_dir, database_url=f"{base}schema={new}")

    yield fresh
    if schemas:
        base = settings.database_url.rsplit("schema=", 1)[0].rstrip("?&")
        with psycopg.connect(base, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def client(services):
    app = create_app(services)
    app.dependency_overrides[get_principal] = lambda: UNION
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def world(services):
    """Three companies reported for 2024 (a release is out), assessed and published: a live registry."""
    join_all(services)
    for ref, rows in zip(COMPANIES[:3], ([SITES[0], SITES[1]], [SITES[1], SITES[2]], [SITES[3]])):
        upload(services, ref, 2024, rows)
        services.registry.assess_report(ref, 2024, Decimal(60), assessed_on=dt.date(2025, 6, 1), assessed_by="s")
    from tests.publishing import publish_quarry_regions

    publish_quarry_regions(services, 2024, on=dt.date(2025, 7, 1))
    return services


def test_one_companys_upload_with_a_new_site_changes_no_list_a_union_can_read(world, client):
    before = snapshot(client)
    assert before["/api/v1/aggregated-list?year=2024"][0] == 200  # the attacker does see a list
    upload(world, "steen-a", 2024, [SITES[0], SITES[1], NEW_SITE])
    after = snapshot(client)
    assert after == before
    assert "Secret New Quarry" not in json.dumps(after)


def test_one_companys_first_report_of_a_year_changes_no_list(world, client):
    before = snapshot(client)
    upload(world, "steen-d", 2024, [NEW_SITE, SITES[4]])
    assert snapshot(client) == before


def test_after_k_companies_changed_a_release_shows_all_changes_at_once(world, client):
    before = snapshot(client)
    upload(world, "steen-a", 2024, [SITES[0], SITES[1], NEW_SITE])
    upload(world, "steen-b", 2024, [SITES[2]])  # drops Bundi Quarry One, still bought by steen-a
    assert snapshot(client) == before  # two companies changed: k - 1
    upload(world, "steen-c", 2024, [SITES[3], SITES[4]])
    response = client.get("/api/v1/aggregated-list?year=2024")
    assert response.status_code == 200
    # the two new sites (steen-a's and steen-c's) wait for a third company's new sites to be registered
    assert sorted(site["name"] for site in response.json()["sites"]) == [
        "Bundi Quarry One",
        "Jalore Granite Quarry",
        "Khammam Quarry",
        "Kota Stone Works",
    ]

    def lists() -> dict:  # the member listing shows the made-up companies that join below
        return {path: answer for path, answer in snapshot(client).items() if "members" not in path}

    released = lists()
    register_waiting_sites(world)  # a third company adds a site: the new sites are registered...
    assert lists() == released  # ...which changes no list
    for ref, rows in (("steen-a", [SITES[0], NEW_SITE]), ("steen-b", [SITES[2], SITES[1]]), ("steen-c", [SITES[4]])):
        upload(world, ref, 2024, rows)
    response = client.get("/api/v1/aggregated-list?year=2024")  # the next release shows them
    assert sorted(site["name"] for site in response.json()["sites"]) == [
        "Bundi Quarry One",
        "Jalore Granite Quarry",
        "Kota Stone Works",
        "Laizhou Granite Works",
        "Secret New Quarry",
    ]


def test_a_year_with_fewer_than_k_reporting_companies_is_not_served(world, client):
    upload(world, "steen-a", 2025, [SITES[0], SITES[1]])
    upload(world, "steen-b", 2025, [SITES[2]])
    response = client.get("/api/v1/aggregated-list?year=2025")
    assert response.status_code == 404
    assert response.json()["detail"] == ("not yet released: fewer than 3 companies have reported for 2025")
    default = client.get("/api/v1/aggregated-list").json()
    assert default["year"] == 2024  # the default is the latest released year, not the latest reported one
    upload(world, "steen-c", 2025, [SITES[3]])
    assert client.get("/api/v1/aggregated-list?year=2025").status_code == 200


def test_the_member_listing_row_does_not_change_at_an_upload_only_at_the_assessment(world, client):
    action_plan_before = client.get("/api/v1/public/members").text
    upload(world, "steen-d", 2024, [SITES[4]])
    assert client.get("/api/v1/public/members").text == action_plan_before
    world.registry.assess_report("steen-d", 2024, Decimal(60), assessed_on=dt.date(2025, 8, 1), assessed_by="s")
    assert client.get("/api/v1/public/members").text != action_plan_before  # the secretariat's act shows


def test_a_rebuild_gives_the_same_releases(world, client):
    upload(world, "steen-a", 2025, [SITES[0]])
    upload(world, "steen-b", 2025, [SITES[1]])
    upload(world, "steen-c", 2025, [SITES[2]])
    upload(world, "steen-d", 2025, [SITES[3]])  # pending after the 2025 release
    before = snapshot(client)
    world.projections.rebuild()
    assert snapshot(client) == before


# --- the property: for any sequence of uploads, the lists change only at releases of >= k companies --


def union_view(services) -> str:
    from registry.domain.errors import NotFoundError

    services.projections.catch_up()
    state = {}
    for year in YEARS:
        try:
            state[year] = sorted(site.name for site in services.aggregated_list.sites(year=year)[1])
        except NotFoundError as refused:
            state[year] = str(refused)
    state["default"] = services.aggregated_list.sites()[0]
    return json.dumps(state)


uploads = st.lists(
    st.tuples(
        st.sampled_from(COMPANIES), st.sampled_from(YEARS), st.frozensets(st.integers(0, len(SITES) - 1), min_size=1)
    ),
    min_size=1,
    max_size=9,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(uploads)
def test_for_any_uploads_the_list_changes_only_at_releases_of_at_least_k_companies(settings_factory, sequence):
    from trustone.bootstrap import bootstrap

    services = bootstrap(settings_factory())
    try:
        join_all(services)
        changed: dict[int, set[str]] = {year: set() for year in YEARS}
        state = union_view(services)
        for ref, year, site_numbers in sequence:
            upload(services, ref, year, [SITES[n] for n in sorted(site_numbers)])
            changed[year].add(ref)  # an identical re-upload records nothing and cannot count, but may add here
            new_state = union_view(services)
            if new_state != state:
                assert len(changed[year]) >= 3, (state, new_state)
                changed[year] = set()
            state = new_state
    finally:
        services.close()
