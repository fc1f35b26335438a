"""What one linked-list search reads (issue 12, "linked-list search, 20 concurrent clients").

A search must not read and open every report of the year when its answer cannot need them: a search
by company reads that company's report only, and a page of a longer answer reads the reports in
page order (by company) only until the page is full, starting at the company its cursor names.
Counted where the work happens: the rows the search takes from the view (``bound_links``, once per
report read) and the reports it hands to the filter to open (``ConfidentialFilter._open_cached``);
the real code runs in both. Speed itself is measured by ``python -m bench``, never asserted here.
"""

from __future__ import annotations

import datetime as dt

import pytest

import projections.linked_list
from keys.access.filter import ConfidentialFilter
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.usecases.lists import page_end
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from tests.site_intake import register_waiting_sites

TODAY = dt.date(2025, 4, 1)
COMPANIES = ("de-steenhouwer", "graniet-import", "natuursteen-noord")  # in page order


@pytest.fixture
def world(services, member):
    """Three members, each buying from the same quarry and factory in 2024: two rows each."""
    registry = services.registry
    for ref in COMPANIES[1:]:
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    for ref in COMPANIES:
        registry.import_report(ref, 2024, csv_bytes([quarry_row(), factory_row()]), f"{ref}.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    services.catch_up()
    return services


@pytest.fixture
def reads(monkeypatch) -> dict[str, list[str]]:
    """The companies whose report a search read from the view, and whose report it had opened."""
    seen: dict[str, list[str]] = {"view": [], "opened": []}
    real_bound, real_open = projections.linked_list.bound_links, ConfidentialFilter._open_cached  # noqa: SLF001

    def bound(app_name, company_ref, *args, **kwargs):
        seen["view"].append(company_ref)
        return real_bound(app_name, company_ref, *args, **kwargs)

    def opened(self, value):
        seen["opened"].append(value.owner)
        return real_open(self, value)

    monkeypatch.setattr(projections.linked_list, "bound_links", bound)
    monkeypatch.setattr(ConfidentialFilter, "_open_cached", opened)
    return seen


def owners(services, refs) -> list[str]:
    from registry.domain.organisations import Organisation

    return [str(Organisation.create_id(ref)) for ref in refs]


def test_a_search_by_company_reads_and_opens_that_companys_report_only(world, reads):
    _, rows = world.linked_search.search(secretariat(), company="graniet-import", request_id="by-company")
    assert sorted((row.company, row.site_kind) for row in rows) == [
        ("graniet-import", "factory"),
        ("graniet-import", "quarry"),
    ]
    assert reads["view"] == ["graniet-import"]
    assert reads["opened"] == owners(world, ["graniet-import"])
    logged = [e.company for e in world.access_log.entries() if e.request_id == "by-company"]
    assert logged == ["graniet-import"]


def test_a_search_by_a_company_with_no_report_that_year_reads_nothing(world, reads):
    assert world.linked_search.search(secretariat(), company="nobody-at-all")[1] == []
    assert world.linked_search.search(secretariat(), year=2023, company="graniet-import")[1] == []
    assert reads["view"] == [] and reads["opened"] == []


def test_a_page_reads_the_reports_in_page_order_only_until_it_is_full(world, reads):
    _, rows = world.linked_search.search(secretariat(), limit=3, request_id="page-1")
    assert [row.company for row in rows] == ["de-steenhouwer", "de-steenhouwer", "graniet-import"]
    assert reads["opened"] == owners(world, COMPANIES[:2])  # the third company's report is not needed
    logged = [e.company for e in world.access_log.entries() if e.request_id == "page-1"]
    assert logged == ["de-steenhouwer", "graniet-import"]


def test_the_next_page_starts_reading_at_the_company_its_cursor_names(world, reads):
    first = world.linked_search.search(secretariat(), limit=3)[1]
    reads["view"].clear()
    reads["opened"].clear()
    _, rows = world.linked_search.search(secretariat(), after=page_end(first, ()), limit=2)
    assert [row.company for row in rows] == ["graniet-import", "natuursteen-noord"]
    assert reads["opened"] == owners(world, COMPANIES[1:])  # not the first company's


def test_walking_the_pages_of_any_size_gives_the_whole_answer_once_in_order(world):
    _, whole = world.linked_search.search(secretariat())
    assert len(whole) == 6
    for limit in range(1, 8):
        walked, after = [], ()
        while True:
            _, page = world.linked_search.search(secretariat(), after=after, limit=limit)
            walked += page
            if len(page) < limit:
                break
            after = page_end(page, after)
        assert walked == whole, limit


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """The companies whose report's rows a search built (the real builder runs)."""
    import registry.usecases.lists

    calls: list[str] = []
    real = registry.usecases.lists.report_rows

    def counting(company_ref, links, *args, **kwargs):
        calls.append(company_ref)
        return real(company_ref, links, *args, **kwargs)

    monkeypatch.setattr(registry.usecases.lists, "report_rows", counting)
    return calls


def test_a_repeated_search_does_not_build_a_reports_rows_again(world, built):
    first = world.linked_search.search(secretariat(), country="IN", request_id="first")
    second = world.linked_search.search(secretariat(), kind="quarry", request_id="second")
    assert built == list(COMPANIES)  # each report's rows built once, by the first search
    assert [row.site_kind for row in second[1]] == ["quarry"] * 3
    assert first[1] and {row.country for row in first[1]} == {"IN"}
    assert [e.company for e in world.access_log.entries() if e.request_id == "second"] == list(COMPANIES)


def test_a_site_merged_after_a_search_is_shown_as_its_survivor_by_the_next(services, member):
    """One of the two years' reports names the site held for review (which one is random)."""
    registry = services.registry
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    nearby = quarry_row(name="Mahadev Sandstone Quarries Bijoliya", latitude="25.1750")
    registry.import_report(member, 2025, csv_bytes([nearby]), "b.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    held_id, original_id = registry.sites_awaiting_review()[0]

    def shown() -> list[str]:
        return [
            row.site_id for year in (2024, 2025) for row in services.linked_search.search(secretariat(), year=year)[1]
        ]

    assert sorted(shown()) == sorted([held_id, original_id])
    registry.decide_duplicate(held_id, same_as_candidate=True, decided_by="secretariat-1")
    assert shown() == [original_id, original_id]
    assert [
        row.company
        for year in (2024, 2025)
        for row in services.linked_search.search(secretariat(), site=original_id, year=year)[1]
    ] == [member] * 2
