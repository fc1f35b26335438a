"""For tests that need the sites a report describes in the public register.

A report's new sites are registered only together with the new sites of at least k companies
(registry/domain/site_intake.py). A test that imports one or two companies' reports and then needs
their sites registered (to file a case against one, or see it in a list) calls
``register_waiting_sites``: other member companies, made up for this, each report one new marble
quarry in Portugal for 2001 (a year no test reads), until the waiting sites are registered.
"""

from __future__ import annotations

import datetime as dt

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.site_intake import SiteIntake
from tests.integration.report_files import csv_bytes, quarry_row

FILLER_YEAR = 2001
_PLACES = ("Estremoz", "Borba", "Alandroal", "Redondo", "Montemor", "Arraiolos", "Mora", "Avis", "Sousel")
_WORDS = ("Aurora", "Basalto", "Cerejeira", "Duna", "Esteva", "Figueira")


def _releases(registry) -> int:
    return registry.repository.get(SiteIntake.ID).releases if SiteIntake.ID in registry.repository else 0


def register_waiting_sites(services) -> int:
    """Returns how many made-up companies it took (at most k)."""
    registry = services.registry
    before = _releases(registry)
    count = 0
    while _releases(registry) == before:
        count += 1
        assert count <= registry.site_release_k, "the waiting sites were not registered after k companies"
        ref = f"filler-{before}-{count}"
        registry.register_organisation(ref, f"Filler {before} {count} BV", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(FILLER_YEAR, 1, 1), CompanyCategory.C, CompanySize.SMALL)
        # far apart and unlike in name, so that no filler is taken for a duplicate of another
        place = _PLACES[(before * 3 + count) % len(_PLACES)]
        row = quarry_row(chain="F1", name=f"{place} {_WORDS[count % len(_WORDS)]} Pedreira", country="PT",
                         province=place, district=place, latitude=f"{37.0 + ((before * 3 + count) % 9) * 0.45:.4f}",
                         longitude="-8.1000", stone_type="marble")
        registry.import_report(ref, FILLER_YEAR, csv_bytes([row]), f"{ref}.csv",
                               submitted_on=dt.date(FILLER_YEAR + 1, 3, 1))
    services.catch_up()
    return count
