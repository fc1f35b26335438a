"""The years with a published quarry-region list, as the public page's year chooser asks them."""

from __future__ import annotations

import datetime as dt

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, quarry_row
from tests.publishing import publish_quarry_regions

TODAY = dt.date(2025, 4, 1)
BUNDI = {"district": "Bundi", "latitude": "25.44", "longitude": "75.64"}


def test_the_published_years_oldest_first_and_none_before_publishing(services, registry):
    assert services.published.quarry_region_years() == []
    for ref in ("steen-a", "steen-b", "steen-c"):
        registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        for year in (2024, 2025):
            services.registry.import_report(
                ref, year, csv_bytes([quarry_row(name="Bundi Quarry", **BUNDI)]), f"{ref}{year}.csv", submitted_on=TODAY
            )
    publish_quarry_regions(services, 2025)
    assert services.published.quarry_region_years() == [2025]
    publish_quarry_regions(services, 2024)
    assert services.published.quarry_region_years() == [2024, 2025]
