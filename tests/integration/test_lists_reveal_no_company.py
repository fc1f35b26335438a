"""Property: nothing in the aggregated list or the published list tells which company reported what.

Hypothesis draws reports (which company sources which sites); the test then swaps two companies'
identities and checks that every public output (aggregated list, published quarry regions, in every
format) is byte-for-byte the same: no field, order or count differs between a world where company A
reports site S and one where company B does.

Since issue 11 the lists show releases, cut when k companies changed their reports. The worlds are
compared once every report is released (k = 2, four companies: releases after the second and the
fourth), as with k = 3 the fourth company's report would still wait for the next release, and the
worlds would differ in what is not shown yet, not in what is. For the same reason every new site is
registered first (they wait for other companies' new sites: registry/domain/site_intake.py), and
the companies then correct their reports, so that the last release comes after the registration.
Lists between releases are attacked
in test_attack_lists_over_time.py.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.aggregated_reads import quarry_region_use
from projections.quarry_regions import apply_publication_rule, as_csv, as_geojson
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites
from trustone.bootstrap import bootstrap
from trustone.settings import Settings

COMPANIES = ("steen-a", "steen-b", "steen-c", "steen-d")
SITES = [  # a small pool: three Rajasthan districts, one Telangana, quarries and a factory
    quarry_row(name="Bundi Quarry One", district="Bundi", latitude="25.44", longitude="75.64"),
    quarry_row(name="Bundi Quarry Two", district="Bundi", latitude="25.50", longitude="75.70"),
    quarry_row(name="Jalore Granite Quarry", district="Jalore", latitude="25.35", longitude="72.62"),
    quarry_row(name="Khammam Quarry", province="Telangana", district="Khammam", latitude="17.25", longitude="80.15"),
    factory_row(name="Kota Stone Works"),
]

worlds = st.lists(
    st.frozensets(st.integers(0, len(SITES) - 1), min_size=1), min_size=len(COMPANIES), max_size=len(COMPANIES)
)


def public_outputs(assignment: list[frozenset[int]]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        services = bootstrap(Settings(data_dir=Path(tmp), publish_k=2))
        try:
            for ref in COMPANIES:  # same registration order in every world
                services.registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
                services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
            for ref, site_numbers in zip(COMPANIES, assignment):
                rows = [dict(SITES[n], chain=f"C{n}") for n in sorted(site_numbers)]
                services.registry.import_report(ref, 2024, csv_bytes(rows), "r.csv", submitted_on=dt.date(2025, 3, 1))
            # New sites wait to be registered with other companies' new sites, and enter the list at the
            # first release after that: register them all, then have every company correct its report
            # (chains renamed, same sites) so that a release after the registration comes out.
            register_waiting_sites(services)
            for ref, site_numbers in zip(COMPANIES, assignment):
                rows = [dict(SITES[n], chain=f"D{n}") for n in sorted(site_numbers)]
                services.registry.import_report(ref, 2024, csv_bytes(rows), "r.csv", submitted_on=dt.date(2025, 3, 2))
            services.projections.catch_up()
            _, sites = services.aggregated_list.sites(year=2024)
            # Site ids are drawn at random in each world, and the list is ordered by them (which says
            # nothing about reporting: tested in test_aggregated_list.py). So compare by content.
            aggregated = json.dumps(
                sorted(json.dumps({k: v for k, v in vars(s).items() if k != "site_id"}) for s in sites)
            )
            regions = apply_publication_rule(
                quarry_region_use(services.projections.recorders["aggregated_list"], 2024), 2
            )
            document = {"year": 2024, "published_on": "2025-06-01", "k": 2, "regions": [vars(r) for r in regions]}
            return [aggregated, json.dumps(document), as_csv(document), json.dumps(as_geojson(document))]
        finally:
            services.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds, st.sampled_from([(0, 1), (0, 3), (2, 3)]))
def test_swapping_which_company_reported_what_changes_no_public_output(assignment, swap):
    i, j = swap
    swapped = list(assignment)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert public_outputs(assignment) == public_outputs(swapped)
