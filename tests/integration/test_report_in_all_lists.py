"""One company's report, followed into every list, each with its own visibility (issue 5).

Since issue 11 the aggregated list and what is published from it show a year only once k = 3
companies reported (a release), so two other members report a depot in the Netherlands too.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import SITE_NAME, csv_bytes, factory_row, quarry_row
from tests.publishing import publish_quarry_regions


def test_a_report_appears_in_each_list_with_the_right_visibility(services, member):
    services.registry.import_report(
        member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
    )
    services.registry.assess_report(member, 2024, Decimal(50), assessed_on=dt.date(2025, 6, 1), assessed_by="s")
    for ref in ("zeeuwse-steen", "brabant-graniet"):
        services.registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
        depot = factory_row(name="Vlissingen Stone Depot", country="NL", province="Zeeland", district="Vlissingen")
        services.registry.import_report(ref, 2024, csv_bytes([depot]), "o.csv", submitted_on=dt.date(2025, 3, 1))
    company = services.registry.company(member)

    # linked list: the pair, for the secretariat only here (no NGO with a declaration in this world)
    secretariat = Principal("s", Role.SECRETARIAT, uuid.uuid4(), "secretariaat")
    _, rows = services.linked_search.search(secretariat)
    assert {(row.company, row.site_kind) for row in rows if row.company == member} == {
        (member, "quarry"),
        (member, "factory"),
    }
    union = Principal("u", Role.UNION, uuid.uuid4(), "fnv")
    with pytest.raises(AccessDeniedError):
        services.linked_search.search(union)

    # aggregated list: the sites, and nothing that names the company
    sites = services.aggregated_list.sites(year=2024)[1]
    assert {site.name for site in sites} == {SITE_NAME, "Kota Stone Processing Works", "Vlissingen Stone Depot"}
    assert member not in repr(sites) and company.name not in repr(sites)

    # published quarry regions: the region, without figures (one company is below k = 3)
    document = publish_quarry_regions(services, 2024)
    assert [(r["province"], r["district"], r["companies"]) for r in document["regions"]] == [
        ("Rajasthan", "Bhilwara", None)
    ]
    assert member not in json.dumps(document) and SITE_NAME not in json.dumps(document)

    # public member listing: the company and its level, no supplier (read as its route reads it:
    # after waiting for the view to reach what was written before)
    services.projections.wait(["member_listing"])
    listed = next(m for m in services.member_listing.members() if m["ref"] == member)
    assert listed["progress"][0]["level"] == 2
    assert SITE_NAME not in json.dumps(listed)
