"""The site catalogue (registry/domain/site_catalogue.py, registry/site_catalogue.py): which site a
described site is, read from buckets per kind and district; kept current across processes; filled
once from the province indexes of a store written before the buckets existed."""

from __future__ import annotations

import pytest

from registry.domain.duplicates import MatchVerdict
from registry.domain.geography import Coordinates, RegionPath
from registry.domain.site_catalogue import SiteBucket
from registry.domain.sites import SiteKind
from registry.site_catalogue import SiteCatalogue
from trustone.bootstrap import bootstrap

RAJASTHAN = ("IN", "Rajasthan")


def register(registry, name, district, kind=SiteKind.QUARRY, latitude=None, longitude=None):
    coordinates = Coordinates.create(latitude, longitude) if latitude is not None else None
    return registry.register_site(kind, name, RegionPath.create("IN", "Rajasthan", district), coordinates)


def test_the_catalogue_offers_only_sites_of_the_same_kind_and_district_as_candidates(registry):
    a = register(registry, "Aravali Quarry", "Bundi").public_id
    b = register(registry, "Bhairav Quarry", "Jalore").public_id
    register(registry, "Chamunda Works", "Bundi", kind=SiteKind.FACTORY)
    d = register(registry, "Devi Quarry", "", latitude=25.0, longitude=75.0).public_id
    catalogue = registry.catalogue
    catalogue.refresh()
    assert [f.public_id for f in catalogue.candidates({}, *RAJASTHAN, "quarry", "bundi")] == sorted([a, d])
    assert [f.public_id for f in catalogue.candidates({}, *RAJASTHAN, "quarry", "")] == sorted([a, b, d])
    assert catalogue.candidates({}, *RAJASTHAN, "cobble_yard", "bundi") == []


def test_a_row_reads_the_bucket_of_its_kind_and_district_only(registry):
    """What one row reads does not grow with the province: 30 quarries in other districts leave the
    bucket of Bundi's quarries at its one site."""
    for n in range(30):
        register(registry, f"Quarry Number {n} Of Kota", f"Kota {n}")
    register(registry, "Aravali Quarry", "Bundi")
    bucket = registry.repository.get(SiteBucket.create_id("IN", "Rajasthan", "quarry", "bundi"))
    assert len(bucket.entries) == 1


def test_a_site_registered_by_another_process_is_found_by_this_one(settings, services):
    first = services.registry
    assert (
        register(first, "Mahadev Sandstone Quarry", "Bhilwara", latitude=25.17, longitude=75.33).verdict
        == MatchVerdict.DISTINCT
    )  # this process has now read (and cached) the bucket
    other = bootstrap(settings)
    try:
        found = register(other.registry, "Shri Mahadev Sandstone Quarry", "Bhilwara", latitude=25.171, longitude=75.331)
        assert found.verdict == MatchVerdict.UNCERTAIN
        again = register(first, "Shri Mahadev Sandstone Quarry", "Bhilwara", latitude=25.171, longitude=75.331)
        assert (again.verdict, again.public_id) == (MatchVerdict.CERTAIN, found.public_id)
    finally:
        other.close()


def test_a_store_written_with_province_indexes_keeps_resolving_to_its_sites(settings, monkeypatch):
    """A store of before: sites and their province index (RegionSiteIndex), one merged into another,
    and no buckets. Opened again, the catalogue is filled from the index once, and the same
    descriptions lead to the same sites (the merged one to its survivor)."""
    from registry.domain.region_index import RegionSiteIndex
    from registry.domain.sites import ProductionSite

    with monkeypatch.context() as patched:
        patched.setattr(SiteCatalogue, "_migrate_once", lambda self: None)  # a registry of before
        old = bootstrap(settings)
        try:
            index = RegionSiteIndex(country="IN", province="Rajasthan")
            sites = []
            for public_id, name, district, lat in (
                ("IN-RJ-OLD00001", "Aravali Quarry", "Bundi", 25.0),
                ("IN-RJ-OLD00002", "Aravali Quarries", "Bundi", 25.001),
                ("IN-RJ-OLD00003", "Devi Quarry", "", None),
            ):
                region = RegionPath.create("IN", "Rajasthan", district)
                coordinates = Coordinates.create(lat, 75.0) if lat is not None else None
                sites.append(
                    ProductionSite(
                        public_id=public_id,
                        kind=SiteKind.QUARRY,
                        name=name,
                        address="",
                        region=region,
                        coordinates=coordinates,
                        stone_types=(),
                        duplicate_candidate=None,
                    )
                )
                from registry.domain.duplicates import normalise_name
                from registry.domain.geography import fold

                index.add(
                    public_id=public_id,
                    kind="quarry",
                    name_key=normalise_name(name),
                    district_key=fold(district),
                    latitude=lat,
                    longitude=75.0 if lat is not None else None,
                )
            index.alias(public_id="IN-RJ-OLD00002", alias_of="IN-RJ-OLD00001")
            old.registry.save(index, *sites)
        finally:
            old.close()
    reopened = bootstrap(settings)
    try:
        registry = reopened.registry
        same = register(registry, "Aravali Quarry", "Bundi", latitude=25.0, longitude=75.0)
        assert (same.verdict, same.public_id) == (MatchVerdict.CERTAIN, "IN-RJ-OLD00001")
        merged = register(registry, "Aravali Quarries", "Bundi", latitude=25.001, longitude=75.0)
        assert (merged.verdict, merged.public_id) == (MatchVerdict.CERTAIN, "IN-RJ-OLD00001")
        nearby = register(registry, "Devi Quarry", "")
        assert (nearby.verdict, nearby.candidate) == (MatchVerdict.UNCERTAIN, "IN-RJ-OLD00003")
    finally:
        reopened.close()
    again = bootstrap(settings)  # the copy is made once: a second start records nothing more
    try:
        position = again.registry.recorder.max_notification_id()
        again.registry.catalogue.refresh()
    finally:
        again.close()
    assert bootstrap_position(settings) == position


def bootstrap_position(settings) -> int:
    services = bootstrap(settings)
    try:
        return services.registry.recorder.max_notification_id()
    finally:
        services.close()


@pytest.mark.parametrize("district", ["Bundi", ""])
def test_a_site_described_twice_in_one_batch_is_registered_once(registry, district):
    first = register(registry, "Aravali Quarry", district, latitude=25.0, longitude=75.0)
    second = register(registry, "Aravali Quarry", district, latitude=25.0, longitude=75.0)
    assert (second.verdict, second.public_id) == (MatchVerdict.CERTAIN, first.public_id)


def test_a_reports_waiting_sites_stay_out_of_the_catalogue_while_it_is_resolved(registry, member):
    """Resolving a report adds the company's waiting sites to copies of the buckets (to find them
    again); the copies are never saved, and the catalogue other commands read stays without them."""
    import datetime as dt

    from tests.integration.report_files import csv_bytes, quarry_row

    other = register(registry, "Bhairav Stone Works Quarry", "Bhilwara", latitude=26.9, longitude=75.3)
    for chain in ("C1", "C2"):  # the second import resolves with the first one's site waiting
        registry.import_report(
            member, 2024, csv_bytes([quarry_row(chain=chain)]), "report.csv", submitted_on=dt.date(2025, 4, 1)
        )
    registry.catalogue.refresh()
    assert [f.public_id for f in registry.catalogue.candidates({}, *RAJASTHAN, "quarry", "bhilwara")] == [
        other.public_id
    ]
    assert (
        registry.register_site(
            SiteKind.QUARRY,
            "Mahadev Sandstone Quarry Bijolia",
            RegionPath.create("IN", "Rajasthan", "Bhilwara"),
            Coordinates.create("25.1712", "75.3303"),
        ).verdict
        == MatchVerdict.DISTINCT
    )
