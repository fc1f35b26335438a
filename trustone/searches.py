"""Searching the linked list: who buys from where, through the filter, for those entitled to it."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from keys.access.filter import Audit
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from keys.encryption.sealing import SealedField
from projections.aggregated_reads import CatalogueSite
from projections.linked_list import LinkedRow
from registry.domain.accounts import Role
from registry.domain.geography import fold

if TYPE_CHECKING:
    from trustone.bootstrap import Services


def linked_list_facts(services: Services, principal: Any, site: str | None = None) -> Facts:
    """An NGO party sees the linked list only while a signed declaration is valid (art. 6 lid 3);
    the committee only for a site of a case before it, one site per search (case-scoped)."""
    declared = (
        isinstance(principal, Principal)
        and principal.role == Role.NGO
        and services.registry.valid_declaration(principal.login, dt.date.today())
    )
    case_site = (
        isinstance(principal, Principal)
        and principal.role == Role.COMMITTEE
        and site is not None
        and bool(site)
        and site.strip().upper() in services.grievance.sites_before_committee()
    )
    return Facts(valid_declaration=bool(declared), in_case_file=bool(case_site))


def search_linked_list(
    services: Services,
    principal: Any,
    year: int | None = None,
    company: str | None = None,
    site: str | None = None,
    country: str | None = None,
    region: str | None = None,
    stone_type: str | None = None,
    request_id: str = "",
    kind: str | None = None,
    after: tuple | Callable[[], tuple] = (),
    limit: int | None = None,
) -> tuple[int | None, list[LinkedRow]]:
    """The links of a year that match every filter given, each with its site's public facts.

    Filters: ``company`` (ref), ``site`` (public id), ``country``, ``region`` (province or district),
    ``stone_type`` and ``kind`` (a SiteKind value). Each company in the answer is one access-log entry.
    One page (trustone/web/pages.py): the rows whose ``page_key`` comes after ``after``, at most
    ``limit``; a company with no row on the page is not in the answer, so not logged.

    The policy decides first: a refused party is refused and logged before anything else of its
    request is looked at (``after`` may be a callable that decodes a cursor, called after that), or
    the views are waited for.
    """
    facts = linked_list_facts(services, principal, site)
    audit = Audit(
        subject_kind="linked_list", subject_ref=site or "", purpose="linked list search", request_id=request_id
    )
    services.filter.check(principal, Action.READ_LINKED_LIST, facts, audit)
    after = after() if callable(after) else after
    services.projections.wait(["linked_list", "aggregated_list"])
    chosen_year = services.linked_list.year(year)
    catalogue = services.aggregated_list.catalogue()
    survivors = services.aggregated_list.survivors()
    wanted_region = fold(region) if region else None

    taken = 0
    wanted_site = site.strip().upper() if site else None
    wanted_country = country.upper() if country else None
    wanted_stone = fold(stone_type) if stone_type else None

    def matches(row: LinkedRow, facts: CatalogueSite, folded_stone: str) -> bool:
        return (
            (not kind or row.site_kind == kind)
            and (not wanted_country or facts.country == wanted_country)
            and (not wanted_region or wanted_region in (facts.province_key, facts.district_key))
            and (wanted_stone is None or folded_stone == wanted_stone)
        )

    def derive(company_ref: str, links: Any, previous: ReportRows | None) -> ReportRows:
        if previous is not None and previous.still_shows(company_ref, chosen_year, catalogue, survivors):
            return previous
        return report_rows(company_ref, links, chosen_year, catalogue, survivors)

    def select(company_ref: str, report: ReportRows) -> list[LinkedRow]:
        nonlocal taken
        if company and company_ref != company:
            return []
        if page_full():
            return []
        candidates = report.by_site.get(wanted_site, ()) if wanted_site is not None else report.rows
        chosen = [row for row, key, facts, folded in candidates if key > after and matches(row, facts, folded)]
        chosen = chosen if limit is None else chosen[: limit - taken]
        taken += len(chosen)
        return chosen

    def page_full() -> bool:
        return limit is not None and taken >= limit

    def reports() -> Iterator[tuple[str, SealedField]]:
        """The reports this page can need, in page order (by company), read from the view as the
        filter asks for them: a search by company reads that report alone; any other starts at the
        company its cursor names (an earlier company's rows all come before the cursor) and stops
        once the page is full (a later company's rows all come after the page)."""
        if chosen_year is None:
            return
        if company:
            yield from services.linked_list.sealed_of(chosen_year, [company])
            return
        refs = services.linked_list.companies(chosen_year)
        if after:
            refs = refs[bisect.bisect_left(refs, after[0]) :]
        batch, read = _FIRST_BATCH, 0
        while refs and not page_full():
            chunk, refs = refs[:batch], refs[batch:]
            read += len(chunk)
            for item in services.linked_list.sealed_of(chosen_year, chunk):
                if page_full():
                    return
                yield item
            # as many more as the rows per report so far say the page still needs; twice as many
            # as last time while none matched
            wanted = -(-(limit - taken) * read // taken) if limit is not None and taken else 2 * batch
            batch = max(1, min(wanted, _LAST_BATCH))

    rows = services.filter.open_many(principal, Action.READ_LINKED_LIST, facts, audit, reports(), select, derive)
    return chosen_year, sorted(rows, key=link_order)


@dataclass(frozen=True)
class ReportRows:
    """One report's rows as a search shows them, numbered in page order, each with its site's facts and
    folded stone type (what the filters test); kept by the filter with the opened report (in memory
    only) so that the next search of it builds nothing. Rows show the catalogue as it was when they
    were built: ``still_shows`` checks every site they name against the catalogue of now."""

    company: str
    year: int | None
    sites: tuple[tuple[str, str, CatalogueSite | None], ...]  # (site id named, survivor, its facts)
    rows: tuple[tuple[LinkedRow, tuple, CatalogueSite, str], ...]  # (row, page key, facts, folded stone)
    by_site: Mapping[str, tuple]  # survivor -> its rows, in the same order

    def still_shows(
        self, company: str, year: int | None, catalogue: Mapping[str, CatalogueSite], survivors: Mapping[str, str]
    ) -> bool:
        if company != self.company or year != self.year:
            return False
        for named, survivor, facts in self.sites:
            if survivors.get(named, named) != survivor:
                return False
            now = catalogue.get(survivor)
            if now is not facts and now != facts:
                return False
        return True


def report_rows(
    company_ref: str, links: Any, year: int | None, catalogue: Mapping[str, CatalogueSite], survivors: Mapping[str, str]
) -> ReportRows:
    """Every row of one report (a link whose site is not registered yet has none), with its page key.

    Numbered over the whole report: rows alike (the same ``link_order``) pass or fail every filter
    together (each tests the site, the kind or the stone type, all part of the order), so their
    count is the same as in a filtered answer."""
    sites: dict[str, tuple[str, str, CatalogueSite | None]] = {}
    built: list[tuple[LinkedRow, CatalogueSite, str]] = []
    for link in links:
        if link["site_id"] is None:
            continue
        site_id = survivors.get(link["site_id"], link["site_id"])  # a merged site as its survivor
        found = catalogue.get(site_id)
        sites[link["site_id"]] = (link["site_id"], site_id, found)
        facts = found or _UNCATALOGUED
        row = LinkedRow(
            company=company_ref,
            year=year,
            site_id=site_id,
            site_kind=link["site_kind"],
            site_name=facts.name,
            country=facts.country,
            province=facts.province,
            district=facts.district,
            address=facts.address,
            latitude=facts.latitude,
            longitude=facts.longitude,
            tier=link["tier"],
            stone_type=link["stone_type"],
            product=link["product"],
            channel=link["channel"],
        )
        built.append((row, facts, fold(link["stone_type"] or "")))
    facts_of = {id(row): (facts, folded) for row, facts, folded in built}
    rows = tuple((row, key, *facts_of[id(row)]) for row, key in _numbered([row for row, _, _ in built]))
    by_site: dict[str, list] = {}
    for entry in rows:
        by_site.setdefault(entry[0].site_id, []).append(entry)
    return ReportRows(
        company_ref,
        year,
        tuple(sites.values()),
        rows,
        MappingProxyType({site_id: tuple(entries) for site_id, entries in by_site.items()}),
    )


# How many reports a search reads from the view at once: few at first (a page that the first
# companies fill), then as many as the page still needs at the rate found so far, at most the last.
_FIRST_BATCH, _LAST_BATCH = 4, 64


def link_order(row: LinkedRow) -> tuple:
    """The order of the answer: company, site, tier, then the rest of what a row shows."""
    return (
        row.company,
        row.site_id,
        row.tier,
        row.site_kind or "",
        row.stone_type or "",
        row.product or "",
        row.channel or "",
    )


def _numbered(rows: list[LinkedRow]) -> list[tuple[LinkedRow, tuple]]:
    """Each row with its page key: its ``link_order`` and how many alike rows come before it (two
    chains can name the same site with the same terms: rows alike, each a row of the answer)."""
    numbered, previous, alike = [], None, 0
    for row in sorted(rows, key=link_order):
        order = link_order(row)
        alike = alike + 1 if order == previous else 0
        numbered.append((row, (*order, alike)))
        previous = order
    return numbered


PAGE_KEY_SHAPE = (str, str, int, str, str, str, str, int)  # link_order and the count of alike rows


def page_end(rows: list[LinkedRow], after: tuple) -> tuple:
    """The page key of a page's last row (the page's rows in order, after ``after``)."""
    last = link_order(rows[-1])
    alike = sum(1 for row in rows if link_order(row) == last) - 1
    if after and after[:-1] == last:  # the rows alike began on an earlier page
        alike += after[-1] + 1
    return (*last, alike)


# A link to a site the catalogue does not (yet) hold: shown with its id only, matched by no place filter.
_UNCATALOGUED = CatalogueSite("", "", "", "", "", "", "", "", "", None, None)


def grievance_buyer_resolver(services: Services):
    """For the grievance application: which member companies bought from these sites in these years.

    Read from the linked list through the filter as the secretariat person who matches the case
    (their action, their access-log entries), every year in one search: one entry per company found,
    purpose "grievance case N".
    Only companies that are members today are returned: the covenant reaches no one else.
    """

    def resolve(
        principal: Any, site_ids: list[str], years: list[int], reference: str, request_id: str
    ) -> dict[str, dict[str, list]]:
        services.projections.wait(["linked_list", "aggregated_list"])
        survivors = services.aggregated_list.survivors()  # a report may name a site merged since
        wanted = set(site_ids)
        found: dict[str, dict[str, set]] = {}
        audit = Audit(
            subject_kind="grievance_case",
            subject_ref=reference,
            purpose=f"grievance case {reference}",
            request_id=request_id,
        )
        items: list[
            tuple[str, Any, int]
        ] = []  # every year's reports in one search: one request, one access-log transaction
        for year in years:
            _, reports = services.linked_list.sealed_reports(year)
            items.extend((company_ref, sealed, year) for company_ref, sealed in reports)

        def select(company_ref: str, links: list[dict], year: int) -> list[tuple[str, str, int]]:
            named = {survivors.get(link["site_id"], link["site_id"]) for link in links}
            return [(company_ref, site_id, year) for site_id in sorted(named & wanted)]

        rows = (
            services.filter.open_many(
                principal, Action.READ_LINKED_LIST, linked_list_facts(services, principal), audit, items, select
            )
            if items
            else []
        )
        for company_ref, site_id, row_year in rows:
            entry = found.setdefault(company_ref, {"sites": set(), "years": set()})
            entry["sites"].add(site_id)
            entry["years"].add(row_year)
        today = services.grievance.clock().date()
        return {
            ref: {"sites": sorted(entry["sites"]), "years": sorted(entry["years"])}
            for ref, entry in found.items()
            if services.registry.member_status_on(ref, today).member
        }

    return resolve
