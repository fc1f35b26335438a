"""For tests that need the sites a report describes in the public register.

A report's new sites are registered only together with the new sites of at least k companies
(registry/domain/site_intake.py). A test that imports one or two companies' reports and then needs
their sites registered (to file a case against one, or see it in a list) calls
``register_waiting_sites``: other member companies, made up for this, each report one new marble
quarry in Portugal for 2001 (a year no test reads), until the waiting sites are registered.
"""

from __future__ import annotations

import datetime as dt
import itertools

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.site_intake import SiteIntake
from tests.integration.report_files import csv_bytes, quarry_row

FILLER_YEAR = 2001
_PLACES = ("Estremoz", "Borba", "Alandroal", "Redondo", "Montemor", "Arraiolos", "Mora", "Avis", "Sousel")
_WORDS = ("Aurora", "Basalto", "Cerejeira", "Duna", "Esteva", "Figueira")
_fillers = itertools.count(1)


def _releases(registry) -> int:
    return registry.repository.get(SiteIntake.ID).releases if SiteIntake.ID in registry.repository else 0


def register_waiting_sites(services, year: int = FILLER_YEAR) -> int:
    """Returns how many made-up companies it took (at most k). ``year``: the one their reports are
    for (the default, 2001, is one no test reads; a test that counts years from 2000 gives another)."""
    registry = services.registry
    before = _releases(registry)
    count = 0
    while _releases(registry) == before:
        count += 1
        assert count <= registry.site_release_k, "the waiting sites were not registered after k companies"
        n = next(_fillers)
        ref = f"filler-{n}"
        registry.register_organisation(ref, f"Filler {n} BV", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(min(year, FILLER_YEAR), 1, 1), CompanyCategory.C, CompanySize.SMALL)
        # a district of its own: no filler quarry is ever a possible duplicate of another site
        place = _PLACES[n % len(_PLACES)]
        row = quarry_row(
            chain="F1",
            name=f"{place} {_WORDS[n % len(_WORDS)]} Pedreira {n}",
            country="PT",
            province="Evora",
            district=f"Distrito {n}",
            latitude=f"{37.0 + (n % 9) * 0.45:.4f}",
            longitude="-8.1000",
            stone_type="marble",
        )
        registry.import_report(ref, year, csv_bytes([row]), f"{ref}.csv", submitted_on=dt.date(year, 12, 31))
    services.catch_up()
    return count
