"""The lists (docs/lists.md) as use cases: an aggregated-list page, a linked-list search, the
published quarry-region list and member listing; and, for the grievance application, which member
companies buy from a case's sites.

Each call gathers the facts the policy needs (a valid declaration, the sites before the committee),
asks the policy through the filter, and only then reads. The filter logs every attempt, and the
linked list one entry per company in the answer.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.encryption.sealing import SealedField
from projections.aggregated_reads import SITE_BYTES, AggregatedList, AggregatedSite, CatalogueSite
from projections.linked_list import LinkedList, LinkedRow
from projections.member_listing import MemberListing
from projections.quarry_regions import PublishedQuarryRegions
from registry.domain.geography import fold
from registry.usecases.decisions import checked

AnyPrincipal = Principal | SystemPrincipal | None
WaitForViews = Callable[[Sequence[str]], object]  # ProjectionRunner.wait: a reader sees what was written before


class Cursors(Protocol):
    """A page's cursor as the client holds it (trustone/web/pages.py): opaque, checked when read."""

    def encode(self, key: tuple) -> str: ...

    def decode(self, cursor: str | None, shape: tuple[type, ...]) -> tuple: ...


class _Standing(Protocol):
    @property
    def member(self) -> bool: ...


class Register(Protocol):
    """What the lists ask the registry: a person's declaration, a company's membership."""

    def valid_declaration(self, login: str, day: dt.date) -> bool: ...

    def member_status_on(self, ref: str, day: dt.date) -> _Standing: ...


@dataclass(frozen=True)
class SiteFilter:
    """The filters both lists take: a report year (default: the latest), ``country`` (ISO code),
    ``region`` (province or district), ``stone_type`` and ``kind`` (a SiteKind value)."""

    year: int | None = None
    country: str | None = None
    region: str | None = None
    stone_type: str | None = None
    kind: str | None = None


# --- the aggregated list -------------------------------------------------------------------------


@dataclass(frozen=True)
class AggregatedListPage:
    """One page of the aggregated list: sites in public-id order, no company of any kind."""

    year: int | None
    sites: tuple[AggregatedSite, ...]
    next_cursor: str | None = None  # the next page's cursor; none after the last page


@dataclass(frozen=True)
class AggregatedAnswer:
    """``page`` None: the list the client holds (its tag) is still the list. ``current``: the page is
    exactly the release ``tag`` names (one computed while the view moved on is newer: no tag)."""

    tag: str
    page: AggregatedListPage | None
    current: bool = True


class AggregatedListPages:
    def __init__(self, guard: ConfidentialFilter, reads: AggregatedList, wait: WaitForViews, cursors: Cursors) -> None:
        self._guard = guard
        self._reads = reads
        self._wait = wait
        self._cursors = cursors

    def may_read(self, principal: AnyPrincipal, request_id: str = "") -> None:
        """Asked before a page reads its filters: a refusal is logged and raised; a grant logs nothing."""
        audit = Audit(subject_kind="aggregated_list", purpose="aggregated list", request_id=request_id)
        self._guard.check(principal, Action.READ_AGGREGATED_LIST, Facts(), audit)

    def page(
        self,
        principal: AnyPrincipal,
        request_id: str = "",
        filters: SiteFilter = SiteFilter(),
        cursor: str | None = None,
        limit: int = 500,
        held: Callable[[str], bool] | None = None,
    ) -> AggregatedAnswer:
        """Sites in use by at least one member in the year, ``limit`` a page after ``cursor``.

        The list changes only at a release, so each page is computed once per release (and catalogue
        change) and kept (projections/aggregated_reads.py), under a tag naming the release and the
        query. When ``held(tag)`` (the client holds that answer) no page is returned. Saying the list
        is unchanged is reading it: every call is decided and logged first, and a refused party is
        refused whatever it holds."""
        audit = Audit(subject_kind="aggregated_list", purpose="aggregated list", request_id=request_id)
        attempt = checked(self._guard, principal, Action.READ_AGGREGATED_LIST, audit)  # logged whatever the input
        after = self._cursors.decode(cursor, (str,))
        attempt.grant()
        self._wait(["aggregated_list"])  # a reader sees at least what was written before the request
        release = self._reads.release(filters.year)
        query = (filters.country, filters.region, filters.stone_type, filters.kind, after, limit)
        tag = release.etag(*query)
        if held is not None and held(tag):
            return AggregatedAnswer(tag, None)

        def compute() -> AggregatedListPage:
            chosen, sites = self._reads.sites(
                filters.year, filters.country, filters.region, filters.stone_type, filters.kind
            )
            rows = sorted((site for site in sites if (site.site_id,) > after), key=lambda site: site.site_id)
            rows = rows[: limit + 1]
            next_cursor = self._cursors.encode((rows[limit - 1].site_id,)) if len(rows) > limit else None
            return AggregatedListPage(chosen, tuple(rows[:limit]), next_cursor)

        page, of_release = self._reads.remember(
            release, ("page", *query), compute, weight=lambda page: SITE_BYTES * (1 + len(page.sites))
        )
        return AggregatedAnswer(tag, page, of_release)


# --- the published lists --------------------------------------------------------------------------


class PublishedLists:
    """The public lists (art. 5 lid 12, art. 6 lid 5): no login. Nothing here is confidential, so no
    decision is asked and nothing is logged (an anonymous visitor's reads would fill the log)."""

    def __init__(self, quarry_regions: PublishedQuarryRegions, members: MemberListing, wait: WaitForViews) -> None:
        self._quarry_regions = quarry_regions
        self._members = members
        self._wait = wait

    def quarry_regions(self, year: int | None = None) -> dict[str, Any]:
        """A year's frozen quarry-region list (default: the latest published); NotFoundError if none."""
        return self._quarry_regions.require(year)

    def quarry_region_years(self) -> list[int]:
        """The years whose quarry-region list is published, oldest first (the public page's year chooser)."""
        return self._quarry_regions.years()

    def members(self) -> list[dict]:
        """The member listing: action plans never name a supplier."""
        self._wait(["member_listing"])
        return self._members.members()


# --- the linked list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedListPage:
    """One page of a linked-list search, rows by company and site."""

    year: int | None
    links: list[LinkedRow]
    next_cursor: str | None = None  # the next page's cursor; none after the last page


class LinkedListSearch:
    def __init__(
        self,
        guard: ConfidentialFilter,
        linked: LinkedList,
        aggregated: AggregatedList,
        wait: WaitForViews,
        register: Register,
        committee_sites: Callable[[], set[str]],
        today: Callable[[], dt.date],
        cursors: Cursors,
        verified: Callable[[list[LinkedRow]], list[LinkedRow]] = lambda rows: rows,
    ) -> None:
        """``committee_sites``: the sites of open cases before the committee; ``today``: the grievance
        cases' clock (tests set it) for whether a buyer is a member and a declaration valid;
        ``verified``: marks the rows a field check confirmed (registry/usecases/verification.py)."""
        self._guard = guard
        self._linked = linked
        self._aggregated = aggregated
        self._wait = wait
        self._register = register
        self._committee_sites = committee_sites
        self._today = today
        self._cursors = cursors
        self._verified = verified

    def facts(self, principal: AnyPrincipal, site: str | None = None) -> Facts:
        """The facts the policy weighs, gathered for any person whatever the role (the role is the
        policy's to weigh): whether the login has a valid signed declaration (an NGO party sees the
        linked list only while it has, art. 6 lid 3), and whether the site asked is one of a case
        before the committee (the committee sees one such site per search, case-scoped)."""
        person = principal if isinstance(principal, Principal) else None
        declared = person is not None and self._register.valid_declaration(person.login, self._today())
        case_site = person is not None and bool(site) and (site or "").strip().upper() in self._committee_sites()
        return Facts(valid_declaration=bool(declared), in_case_file=bool(case_site))

    def may_search(self, principal: AnyPrincipal, request_id: str = "") -> None:
        """Asked before a page reads its filters: a refusal (no valid declaration, a role that may
        not) is logged and raised; a grant logs nothing. ``search`` decides again, with the site."""
        audit = Audit(subject_kind="linked_list", purpose="linked list search", request_id=request_id)
        self._guard.check(principal, Action.READ_LINKED_LIST, self.facts(principal, None), audit)

    def page(
        self,
        principal: AnyPrincipal,
        request_id: str = "",
        filters: SiteFilter = SiteFilter(),
        company: str | None = None,
        site: str | None = None,
        cursor: str | None = None,
        limit: int = 500,
    ) -> LinkedListPage:
        """``search`` one page after ``cursor`` (read once access was decided). A last page that is
        exactly full is followed by an empty one."""
        after = functools.cache(lambda: self._cursors.decode(cursor, PAGE_KEY_SHAPE))  # read once access was decided
        chosen, rows = self.search(
            principal,
            filters.year,
            company,
            site,
            filters.country,
            filters.region,
            filters.stone_type,
            request_id,
            kind=filters.kind,
            after=after,
            limit=limit,
        )
        next_cursor = self._cursors.encode(page_end(rows, after())) if len(rows) == limit else None
        return LinkedListPage(chosen, rows, next_cursor)

    def search(
        self,
        principal: AnyPrincipal,
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
        facts = self.facts(principal, site)
        audit = Audit(
            subject_kind="linked_list", subject_ref=site or "", purpose="linked list search", request_id=request_id
        )
        self._guard.check(principal, Action.READ_LINKED_LIST, facts, audit)
        after = after() if callable(after) else after
        self._wait(["linked_list", "aggregated_list"])
        chosen_year = self._linked.year(year)
        catalogue = self._aggregated.catalogue()
        survivors = self._aggregated.survivors()
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
            if chosen_year is None:  # reports() yields none without a year
                raise LookupError("a linked-list report read for no year")
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
                yield from self._linked.sealed_of(chosen_year, [company])
                return
            refs = self._linked.companies(chosen_year)
            if after:
                refs = refs[bisect.bisect_left(refs, after[0]) :]
            batch, read = _FIRST_BATCH, 0
            while refs and not page_full():
                chunk, refs = refs[:batch], refs[batch:]
                read += len(chunk)
                for item in self._linked.sealed_of(chosen_year, chunk):
                    if page_full():
                        return
                    yield item
                # as many more as the rows per report so far say the page still needs; twice as many
                # as last time while none matched
                wanted = -(-(limit - taken) * read // taken) if limit is not None and taken else 2 * batch
                batch = max(1, min(wanted, _LAST_BATCH))

        rows = self._guard.open_many(principal, Action.READ_LINKED_LIST, facts, audit, reports(), select, derive)
        return chosen_year, self._verified(sorted(rows, key=link_order))

    def grievance_buyers(
        self, principal: AnyPrincipal, site_ids: list[str], years: list[int], reference: str, request_id: str
    ) -> dict[str, dict[str, list]]:
        """For the grievance application (its ``BuyerResolver``): which member companies bought from
        these sites in these years, as ``{company ref: {"sites": [...], "years": [...]}}``.

        Read from the linked list through the filter as the secretariat person who matches the case
        (their action, their access-log entries), every year in one search: one entry per company
        found, purpose "grievance case N". Only companies that are members today (the cases' clock)
        are returned: the covenant reaches no one else."""
        self._wait(["linked_list", "aggregated_list"])
        survivors = self._aggregated.survivors()  # a report may name a site merged since
        wanted = set(site_ids)
        audit = Audit(
            subject_kind="grievance_case",
            subject_ref=reference,
            purpose=f"grievance case {reference}",
            request_id=request_id,
        )
        items: list[tuple[str, Any, int]] = []  # every year's reports in one search: one access-log transaction
        for year in years:
            _, reports = self._linked.sealed_reports(year)
            items.extend((company_ref, sealed, year) for company_ref, sealed in reports)

        def select(company_ref: str, links: list[dict], year: int) -> list[tuple[str, str, int]]:
            named = {survivors.get(link["site_id"], link["site_id"]) for link in links}
            return [(company_ref, site_id, year) for site_id in sorted(named & wanted)]

        rows = (
            self._guard.open_many(principal, Action.READ_LINKED_LIST, self.facts(principal), audit, items, select)
            if items
            else []
        )
        found: dict[str, dict[str, set]] = {}
        for company_ref, site_id, row_year in rows:
            entry = found.setdefault(company_ref, {"sites": set(), "years": set()})
            entry["sites"].add(site_id)
            entry["years"].add(row_year)
        today = self._today()
        return {
            ref: {"sites": sorted(entry["sites"]), "years": sorted(entry["years"])}
            for ref, entry in found.items()
            if self._register.member_status_on(ref, today).member
        }


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
    company_ref: str, links: Any, year: int, catalogue: Mapping[str, CatalogueSite], survivors: Mapping[str, str]
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
            origin_confidence=link.get("origin_confidence") or "",
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
