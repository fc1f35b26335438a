"""How much a report import reads to resolve its described sites (issue 12, report import speed).

Speed is never timed here: these tests pin the structure that makes the import cheap. A site that a
report names in many rows is resolved against the catalogue once per report; a district that has no
bucket of sites is not looked up in the store (the province's district directory says so); and the
sites a release registers are known to the catalogue from the events it follows, without reading
their buckets again. The outcome (which site each row names) is checked alongside.
"""

from __future__ import annotations

import datetime as dt

import pytest

from registry.domain.geography import Coordinates, RegionPath
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.site_catalogue import SiteBucket
from registry.domain.sites import SiteKind
from tests.integration.report_files import csv_bytes, quarry_row

SUBMITTED = dt.date(2025, 4, 1)


@pytest.fixture
def lookups(registry, monkeypatch):
    """Counts the catalogue's answers to "which sites could this be" (one per resolution)."""
    calls = []
    real = registry.catalogue.candidates

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(registry.catalogue, "candidates", counted)
    return calls


@pytest.fixture
def bucket_reads(registry, monkeypatch):
    """Counts reads of site buckets from the store (the application's one read of an aggregate)."""
    reads = []
    real = registry._get_or_none  # noqa: SLF001

    def counted(aggregate_id):
        found = real(aggregate_id)
        if isinstance(found, SiteBucket) or found is None:
            reads.append(aggregate_id)
        return found

    monkeypatch.setattr(registry, "_get_or_none", counted)
    return reads


def _company(registry, ref: str) -> str:
    registry.register_organisation(ref, f"Company {ref} BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join(ref, dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return ref


def _site_ids(content_of, ref: str) -> list[str]:
    return [link.site_id for link in content_of(ref, 2024).links]


def test_a_registered_site_named_in_50_rows_is_resolved_once(registry, member, content_of, lookups):
    known = registry.register_site(
        SiteKind.QUARRY,
        "Mahadev Sandstone Quarry Bijolia",
        RegionPath.create("IN", "Rajasthan", "Bhilwara"),
        Coordinates.create("25.1712", "75.3303"),
    ).public_id
    lookups.clear()
    rows = [quarry_row(chain=f"C{n}") for n in range(50)]
    result = registry.import_report(member, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    assert len(lookups) == 1
    assert (result.new_sites, result.held_for_review) == (0, 0)
    assert _site_ids(content_of, member) == [known] * 50


def test_a_new_site_described_in_50_rows_is_resolved_once_and_is_one_new_site(registry, member, content_of, lookups):
    rows = [quarry_row(chain=f"C{n}") for n in range(50)]
    result = registry.import_report(member, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    assert len(lookups) == 1
    assert (result.new_sites, result.held_for_review) == (1, 0)
    ids = _site_ids(content_of, member)
    assert len(set(ids)) == 1 and ids[0] == content_of(member, 2024).new_sites[0].public_id


def test_rows_naming_a_site_between_rows_of_other_sites_of_its_district_all_name_it(
    registry, member, content_of, lookups
):
    """A new site of the same district between two rows naming one site: the second row is decided
    again (the district changed meanwhile), and both rows name the same site."""
    rows = [
        quarry_row(chain="C1"),
        quarry_row(chain="C2", name="Bhairav Stone Works Quarry", latitude="25.3", longitude="75.6"),
        quarry_row(chain="C3"),
    ]
    result = registry.import_report(member, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    ids = _site_ids(content_of, member)
    assert result.new_sites == 2 and ids[0] == ids[2] != ids[1]
    assert len(lookups) == 3


def test_a_district_without_sites_is_not_looked_up_in_the_store(registry, member, bucket_reads):
    """Twenty new sites in twenty districts of a province whose other district has a site: the
    district directory says which buckets exist, so none of the twenty is read from the store."""
    registry.register_site(
        SiteKind.QUARRY, "Aravali Quarry", RegionPath.create("IN", "Rajasthan", "Bundi"), Coordinates.create(25.0, 75.0)
    )
    rows = [
        quarry_row(
            chain=f"C{n}", name=f"Quarry Number {n}", district=f"New District {n}", latitude=f"{24 + n * 0.1:.4f}"
        )
        for n in range(20)
    ]
    bucket_reads.clear()
    registry.import_report(member, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    new_buckets = {SiteBucket.create_id("IN", "Rajasthan", "quarry", f"new district {n}") for n in range(20)}
    assert not new_buckets & set(bucket_reads)


def test_sites_a_release_registered_are_known_without_reading_their_buckets_again(
    services, registry, content_of, bucket_reads
):
    """After a release (k companies' new sites in one commit), the catalogue has followed its events:
    a report naming those sites reads none of their buckets from the store, and resolves to them."""
    refs = [_company(registry, f"company-{n}") for n in range(registry.site_release_k)]
    for n, ref in enumerate(refs):
        rows = [
            quarry_row(
                chain="C1",
                name=f"Own Quarry Of Company {n}",
                district=f"Own District {n}",
                latitude=f"{24 + n * 0.5:.4f}",
            )
        ]
        registry.import_report(ref, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    registered = [content_of(ref, 2024).links[0].site_id for ref in refs]
    assert all(registry.current_site_id(site_id) == site_id for site_id in registered)
    later = _company(registry, "later-company")
    rows = [
        quarry_row(
            chain=f"C{n}",
            name=f"Own Quarry Of Company {n}",
            district=f"Own District {n}",
            latitude=f"{24 + n * 0.5:.4f}",
        )
        for n in range(len(refs))
    ]
    bucket_reads.clear()
    result = registry.import_report(later, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    assert result.new_sites == 0
    assert _site_ids(content_of, later) == registered
    own_buckets = {SiteBucket.create_id("IN", "Rajasthan", "quarry", f"own district {n}") for n in range(len(refs))}
    assert not own_buckets & set(bucket_reads)


def test_a_release_asks_the_catalogue_not_the_store_whether_its_sites_are_registered(
    services, registry, content_of, monkeypatch
):
    """Before registering the waiting sites, a release leaves out those registered already (one site
    may be in two years' reports): the catalogue's buckets say which, without reading each site."""
    site_reads = []
    real = registry._exists  # noqa: SLF001

    def counted(aggregate_id):
        site_reads.append(aggregate_id)
        return real(aggregate_id)

    refs = [_company(registry, f"company-{n}") for n in range(registry.site_release_k)]
    monkeypatch.setattr(registry, "_exists", counted)
    for n, ref in enumerate(refs):
        rows = [
            quarry_row(
                chain="C1",
                name=f"Own Quarry Of Company {n}",
                district=f"Own District {n}",
                latitude=f"{24 + n * 0.5:.4f}",
            )
        ]
        registry.import_report(ref, 2024, csv_bytes(rows), "report.csv", submitted_on=SUBMITTED)
    registered = [content_of(ref, 2024).links[0].site_id for ref in refs]
    assert all(registry.site(site_id).public_id == site_id for site_id in registered)
    assert not {registry.site_aggregate_id(site_id) for site_id in registered} & set(site_reads)
    # the same site in next year's report of the first company: known, not registered again
    again = registry.import_report(
        refs[0],
        2025,
        csv_bytes(
            [quarry_row(chain="C1", name="Own Quarry Of Company 0", district="Own District 0", latitude="24.0000")]
        ),
        "report.csv",
        submitted_on=SUBMITTED,
    )
    assert again.new_sites == 0
