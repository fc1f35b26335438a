"""The linked list: company <-> site, for the secretariat and declared NGO parties, through the filter."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal, SystemPrincipal
from keys.logins.passwords import hash_password
from registry.domain.accounts import Role
from registry.domain.errors import ValidationError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites

TODAY = dt.date(2025, 4, 1)
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
def world(services, member):
    registry = services.registry
    registry.register_organisation("graniet-import", "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join("graniet-import", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    registry.import_report(
        "graniet-import",
        2024,
        csv_bytes([factory_row(), factory_row(chain="C2", **LAIZHOU)]),
        "b.csv",
        submitted_on=TODAY,
    )
    register_waiting_sites(services)
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.register_organisation("fnv", "FNV", OrganisationKind.UNION_PARTY, "NL")
    for login, org in (("ngo.declared", "arisa"), ("ngo.undeclared", "arisa"), ("union.user", "fnv")):
        registry.create_account(
            login, Role.NGO if org == "arisa" else Role.UNION, org, login, hash_password("correct horse battery"), None
        )
    text = "TruStone verklaring gekoppelde lijst"
    registry.record_declaration(
        "ngo.declared",
        text,
        "2025-1",
        hashlib.sha256(text.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=30),
        dt.date.today() + dt.timedelta(days=300),
    )
    return services


def person(services, login):
    account = services.registry.account(login)
    org = services.registry.repository.get(account.organisation_id)
    return Principal(login, account.role, account.organisation_id, org.ref)


SECRETARIAT = Principal("secretariat.user", Role.SECRETARIAT, uuid.uuid4(), "secretariaat")


def test_the_secretariat_sees_every_company_site_link_of_the_year(world, member):
    year, rows = world.linked_search.search(SECRETARIAT)
    assert year == 2024
    assert sorted((row.company, row.site_kind) for row in rows) == [
        ("de-steenhouwer", "factory"),
        ("de-steenhouwer", "quarry"),
        ("graniet-import", "factory"),
        ("graniet-import", "factory"),
    ]


def test_a_search_by_site_names_exactly_the_companies_that_buy_there(world, member):
    _, rows = world.linked_search.search(SECRETARIAT, country="CN")
    assert [(row.company, row.stone_type) for row in rows] == [("graniet-import", "granite")]
    kota = next(row.site_id for row in world.linked_search.search(SECRETARIAT, region="Kota")[1])
    assert sorted(row.company for row in world.linked_search.search(SECRETARIAT, site=kota)[1]) == [
        "de-steenhouwer",
        "graniet-import",
    ]


def test_each_company_in_an_answer_is_one_access_log_entry_and_no_other_company_is(world, member):
    world.linked_search.search(SECRETARIAT, country="CN", request_id="r-1")
    entries = [e for e in world.access_log.entries(actor=SECRETARIAT.login) if e.request_id == "r-1"]
    assert [(e.action, e.company, str(e.outcome)) for e in entries] == [
        ("read_linked_list", "graniet-import", "granted")
    ]


def test_an_ngo_with_a_valid_declaration_may_search_and_one_without_may_not(world):
    assert world.linked_search.search(person(world, "ngo.declared"))[1]
    with pytest.raises(AccessDeniedError):
        world.linked_search.search(person(world, "ngo.undeclared"))
    denied = world.access_log.entries(actor="ngo.undeclared")
    assert [(e.action, str(e.outcome)) for e in denied] == [("read_linked_list", "denied")]


def test_a_union_party_may_not_see_the_linked_list_and_cannot_sign_a_declaration_for_it(world):
    text = "TruStone verklaring gekoppelde lijst"
    with pytest.raises(ValidationError, match="NGO party"):  # art. 6 lid 3 names NGOs only
        world.registry.record_declaration(
            "union.user",
            text,
            "2025-1",
            hashlib.sha256(text.encode()).hexdigest(),
            dt.date.today() - dt.timedelta(days=1),
            dt.date.today() + dt.timedelta(days=9),
        )
    with pytest.raises(AccessDeniedError):
        world.linked_search.search(person(world, "union.user"))


def test_a_newer_version_replaces_the_links_of_the_one_before(world, member):
    world.registry.import_report(member, 2024, csv_bytes([factory_row()]), "c.csv", submitted_on=TODAY)
    _, rows = world.linked_search.search(SECRETARIAT, company=member)
    assert [row.site_kind for row in rows] == ["factory"]


def test_a_shredded_company_disappears_from_the_linked_list(world, member):
    world.shredding.shred(member, SystemPrincipal("keys-admin:test"))
    _, rows = world.linked_search.search(SECRETARIAT)
    assert {row.company for row in rows} == {"graniet-import"}


def test_every_site_in_the_linked_list_is_in_the_aggregated_list_for_the_demo_but_for_fewer_than_k_companies(
    services, demo
):
    """The linked list follows every report; the aggregated list shows releases, cut each time k = 3
    companies have changed a year. So at most k - 1 companies' newest sites can be missing from it."""
    for year in (2024, 2025):
        _, rows = services.linked_search.search(SECRETARIAT, year=year)
        aggregated = {site.site_id for site in services.aggregated_list.sites(year=year)[1]}
        waiting = {row.company for row in rows if row.site_id not in aggregated}
        assert rows and len(waiting) < 3


def test_rebuilding_the_linked_list_gives_the_same_rows(world):
    before = world.linked_search.search(SECRETARIAT)
    world.projections.rebuild(["linked_list"])
    assert world.linked_search.search(SECRETARIAT) == before


def test_a_row_carries_its_sites_public_facts_and_a_rebuild_keeps_them(world, member):
    quarry = quarry_row(
        name="Kanpura Sandstone Quarry",
        district="Bundi",
        latitude="25.52",
        longitude="75.61",
        address="Bijolia-Bundi road, km 4",
    )
    world.registry.import_report(member, 2024, csv_bytes([quarry]), "c.csv", submitted_on=TODAY)
    register_waiting_sites(world)
    world.projections.rebuild()
    _, rows = world.linked_search.search(SECRETARIAT, company=member, kind="quarry")
    assert [(row.site_name, row.country, row.province, row.district, row.address) for row in rows] == [
        ("Kanpura Sandstone Quarry", "IN", "Rajasthan", "Bundi", "Bijolia-Bundi road, km 4")
    ]
