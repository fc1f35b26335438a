"""The site intake is kept in memory by each registry process (``_current_intake``) and brought up
to date from the events recorded since: a submission another process recorded counts towards the
release of new sites (k companies, TRUSTONE_PUBLISH_K = 3) exactly as one of its own."""

from __future__ import annotations

import datetime as dt

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.site_intake import SiteIntake
from tests.integration.report_files import csv_bytes, quarry_row
from trustone.bootstrap import bootstrap


def _member(registry, ref: str) -> None:
    registry.register_organisation(ref, f"{ref.title()} BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join(ref, dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)


def _import_new_site(registry, ref: str, n: int) -> None:
    row = quarry_row(
        chain=f"C{n}",
        name=f"Quarry {['Alpha', 'Bravo', 'Charlie'][n]} Of Bundi",
        district=f"Bundi {n}",
        latitude=f"{24.0 + n * 0.5:.4f}",
    )
    registry.import_report(ref, 2024, csv_bytes([row]), f"{ref}.csv", submitted_on=dt.date(2025, 4, 1))


def test_reports_of_three_companies_through_two_processes_release_their_sites(settings, services):
    first = services.registry
    for ref in ("alpha", "bravo", "charlie"):
        _member(first, ref)
    _import_new_site(first, "alpha", 0)  # the first process now keeps the intake in memory
    other = bootstrap(settings)
    try:
        _import_new_site(other.registry, "bravo", 1)
    finally:
        other.close()
    _import_new_site(first, "charlie", 2)  # the third company with new sites: all are registered
    intake = first.repository.get(SiteIntake.ID)
    assert (intake.releases, intake.waiting) == (1, {})
