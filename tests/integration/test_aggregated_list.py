"""The aggregated list as an exactly-once projection (issue 5, first list), served as releases.

Since issue 11 the list shows a year's last *release*, cut once k = 3 companies changed their
report since the one before (tests/integration/test_attack_lists_over_time.py attacks it). So these
tests, which follow one or two companies, let two other members (re)report an unrelated site
(``release``) to reach k, and leave that site out of what they compare.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from keys.access.principal import SystemPrincipal
from registry.domain.errors import NotFoundError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row

TODAY = dt.date(2025, 4, 1)
KOTA = {"name": "Kota Stone Processing Works"}
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
def second_member(registry):
    registry.register_organisation("graniet-import", "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join("graniet-import", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    return "graniet-import"


OTHERS = ("zeeuwse-steen", "brabant-graniet")
OTHER_SITE = "Vlissingen Stone Depot"
_rounds = iter(range(1, 1_000))


def release(services, *years: int, catch_up: bool = True) -> None:
    """Two other members change their report of each year: with the company under test, k = 3."""
    for ref in OTHERS:
        try:
            services.registry.organisation(ref)
        except NotFoundError:
            services.registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
            services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    for year in years:
        for ref in OTHERS:
            row = factory_row(
                name=OTHER_SITE,
                country="NL",
                province="Zeeland",
                district="Vlissingen",
                latitude="51.44",
                longitude="3.57",
                product=f"paving {next(_rounds)}",
            )
            services.registry.import_report(ref, year, csv_bytes([row]), "o.csv", submitted_on=TODAY)
    if catch_up:
        services.projections.catch_up()


def names(services, **filters) -> list[str]:
    services.projections.catch_up()
    return [site.name for site in services.aggregated_list.sites(**filters)[1] if site.name != OTHER_SITE]


def test_a_report_puts_its_sites_on_the_list_of_its_year_without_any_company_reference(services, member):
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    release(services, 2024)
    year, sites = (services.projections.catch_up(), services.aggregated_list.sites())[1]
    assert year == 2024
    assert sorted(site.name for site in sites) == [
        "Kota Stone Processing Works",
        "Mahadev Sandstone Quarry Bijolia",
        OTHER_SITE,
    ]
    fields = {field.name for field in dataclasses.fields(sites[0])}
    assert fields == {
        "site_id",
        "kind",
        "name",
        "country",
        "province",
        "district",
        "latitude",
        "longitude",
        "stone_types",
    }
    for site in sites:
        assert member not in repr(site) and "Steenhouwer" not in repr(site)


def test_a_dropped_link_leaves_next_years_list_but_not_last_years(services, member):
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    services.registry.import_report(member, 2025, csv_bytes([factory_row()]), "b.csv", submitted_on=TODAY)
    release(services, 2024, 2025)
    assert names(services, year=2025) == ["Kota Stone Processing Works"]
    assert len(names(services, year=2024)) == 2


def test_a_corrected_version_replaces_the_sites_of_the_one_before(services, member):
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "b.csv", submitted_on=TODAY)
    release(services, 2024)
    assert names(services, year=2024) == ["Kota Stone Processing Works"]


def test_a_site_stays_while_another_member_still_buys_there(services, member, second_member):
    both = csv_bytes([factory_row()])
    services.registry.import_report(member, 2024, both, "a.csv", submitted_on=TODAY)
    services.registry.import_report(second_member, 2024, both, "b.csv", submitted_on=TODAY)
    services.registry.import_report(member, 2024, csv_bytes([quarry_row()]), "c.csv", submitted_on=TODAY)
    release(services, 2024)
    assert sorted(names(services, year=2024)) == ["Kota Stone Processing Works", "Mahadev Sandstone Quarry Bijolia"]


def test_filters_by_country_region_kind_and_stone_type(services, member):
    rows = [quarry_row(), factory_row(), factory_row(chain="C2", **LAIZHOU)]
    services.registry.import_report(member, 2024, csv_bytes(rows), "a.csv", submitted_on=TODAY)
    release(services, 2024)
    assert names(services, country="cn") == ["Laizhou Granite Works"]
    assert names(services, region="rajasthan", kind="quarry") == ["Mahadev Sandstone Quarry Bijolia"]
    assert names(services, region="Kota") == ["Kota Stone Processing Works"]
    assert names(services, stone_type="GRANITE") == ["Laizhou Granite Works"]


def test_rows_come_out_in_public_id_order_not_in_reporting_order(services, member, second_member):
    services.registry.import_report(
        second_member, 2024, csv_bytes([factory_row(**LAIZHOU)]), "a.csv", submitted_on=TODAY
    )
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "b.csv", submitted_on=TODAY)
    release(services, 2024)
    ids = [site.site_id for site in services.aggregated_list.sites()[1]]
    assert ids == sorted(ids)


def test_rebuilding_gives_exactly_the_rows_of_following_along(services, member, second_member):
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    services.registry.import_report(
        second_member, 2025, csv_bytes([factory_row(**LAIZHOU)]), "b.csv", submitted_on=TODAY
    )
    services.registry.import_report(member, 2025, csv_bytes([factory_row()]), "c.csv", submitted_on=TODAY)
    release(services, 2024, 2025)
    incremental = {year: services.aggregated_list.sites(year=year)[1] for year in (2024, 2025)}
    services.projections.rebuild()
    assert {year: services.aggregated_list.sites(year=year)[1] for year in (2024, 2025)} == incremental


class Crash(Exception):
    pass


def test_a_runner_killed_mid_stream_and_restarted_gives_the_same_rows_no_duplicates_no_gaps(
    services, member, second_member, monkeypatch
):
    for year, ref, rows in (
        (2024, member, [quarry_row(), factory_row()]),
        (2024, second_member, [factory_row()]),
        (2025, member, [factory_row()]),
        (2025, second_member, [factory_row(**LAIZHOU)]),
    ):
        services.registry.import_report(ref, year, csv_bytes(rows), f"{ref}{year}.csv", submitted_on=TODAY)
    release(services, 2024, 2025, catch_up=False)
    recorder = services.projections.recorders["aggregated_list"]
    healthy_track, tracked = recorder._insert_tracking, []  # noqa: SLF001

    def track_then_die(raw, tracking):
        tracked.append(tracking)
        if len(tracked) == 5:
            raise Crash  # the view rows of this event are written; the process dies before its tracking
        healthy_track(raw, tracking)

    monkeypatch.setattr(recorder, "_insert_tracking", track_then_die)
    services.projections.batch = 2
    with pytest.raises(Crash):
        services.projections.catch_up()
    monkeypatch.setattr(recorder, "_insert_tracking", healthy_track)
    services.projections.catch_up()  # the restart
    resumed = {year: services.aggregated_list.sites(year=year)[1] for year in (2024, 2025)}
    resumed_counts = use_counts(services)
    services.projections.rebuild()  # an uninterrupted run from scratch
    assert resumed == {year: services.aggregated_list.sites(year=year)[1] for year in (2024, 2025)}
    assert resumed_counts == use_counts(services)  # no event counted twice, none missed
    assert resumed[2024] and resumed[2025]


def use_counts(services) -> list[tuple]:
    with services.projections.recorders["aggregated_list"].cursor(commit=False) as cursor:
        return sorted(
            tuple(row) for row in cursor.execute("SELECT site_id, year, users FROM {schema}.agg_site_use").fetchall()
        )


def test_an_event_is_applied_once_even_if_two_runners_race_for_it(services, member):
    services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "a.csv", submitted_on=TODAY)
    release(services, 2024)
    recorder = services.projections.recorders["aggregated_list"]
    notification = services.registry.recorder.select_notifications(start=1, limit=10_000)[-1]
    from eventsourcing.persistence import Tracking

    again = recorder.process(
        services.registry.mapper.to_domain_event(notification), Tracking(services.registry.name, notification.id)
    )
    assert again is False
    assert names(services, year=2024) == ["Kota Stone Processing Works"]
    with recorder.cursor(commit=False) as cursor:
        assert sorted(row[0] for row in cursor.execute("SELECT users FROM {schema}.agg_site_use").fetchall()) == [1, 2]


def test_shredding_a_company_removes_what_only_it_contributed(services, member, second_member):
    services.registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    services.registry.import_report(second_member, 2024, csv_bytes([factory_row()]), "b.csv", submitted_on=TODAY)
    release(services, 2024)
    assert len(names(services, year=2024)) == 2
    services.shredding.shred(member, SystemPrincipal("keys-admin:test"))
    # Not at the moment of the shredding (that would single out its sites), though it rebuilt every view:
    assert len(names(services, year=2024)) == 2
    release(services, 2024)  # the shredded company counts as changed: with two others, a release
    assert names(services, year=2024) == ["Kota Stone Processing Works"]  # still bought by the other member


def test_while_serving_a_background_runner_follows_the_writes(services, member):
    import time

    services.projections.start(interval=0.05)
    try:
        services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "a.csv", submitted_on=TODAY)
        release(services, 2024, catch_up=False)
        deadline = time.monotonic() + 30  # generous: this checks that it follows, not how fast (see bench/)
        while services.aggregated_list.latest_year() != 2024:  # released by the background runner only
            assert time.monotonic() < deadline, "the background runner did not follow the write"
            time.sleep(0.05)
    finally:
        services.projections.stop()
    assert names(services, year=2024) == ["Kota Stone Processing Works"]
