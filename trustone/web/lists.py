"""The lists over HTTP (docs/lists.md). The aggregated list names no company."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from projections.quarry_regions import as_csv, as_geojson
from registry.domain.sites import SiteKind
from registry.usecases.lists import AggregatedListPage, LinkedListPage, SiteFilter
from trustone.web import pages
from trustone.web.auth import PrincipalDep
from trustone.web.deps import AggregatedListPagesDep, LinkedListSearchDep, PublishedListsDep, RequestIdDep

router = APIRouter(prefix="/api/v1", tags=["lists"])

_AGGREGATED_PAGE = TypeAdapter(AggregatedListPage)


def site_filter(
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: latest report year")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    region: Annotated[str | None, Query(max_length=80, description="province or district")] = None,
    stone_type: Annotated[str | None, Query(max_length=40)] = None,
    kind: SiteKind | None = None,
) -> SiteFilter:
    """The query parameters both lists filter on, checked once here."""
    return SiteFilter(year, country, region, stone_type, kind.value if kind else None)


SiteFilterQuery = Annotated[SiteFilter, Depends(site_filter)]


@router.get(
    "/aggregated-list",
    response_model=AggregatedListPage,
    responses={304: {"description": "the list the client holds (its If-None-Match) is still the list"}},
)
def aggregated_list(
    principal: PrincipalDep,
    lists: AggregatedListPagesDep,
    request_id: RequestIdDep,
    filters: SiteFilterQuery,
    cursor: pages.CursorQuery = None,
    limit: pages.LimitQuery = pages.DEFAULT_LIMIT,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """Production sites in use by at least one member in the year: no company reference of any kind.
    In pages of ``limit`` sites in public-id order; ``next_cursor`` asks for the next.

    The list changes only at a release, so each page is computed once per release (and catalogue
    change) and kept, and answered with an ``ETag`` naming the release and the query:
    ``If-None-Match`` with the current one is answered 304. A 304 says the list its reader holds is
    still the list, which is reading it: every request is decided and logged first, a 304 too (one
    access-log entry each, naming no company, as the list names none), and a refused party gets its
    403 whatever tag it sends."""
    answer = lists.page(
        principal,
        request_id,
        filters,
        cursor=cursor,
        limit=limit,
        held=lambda tag: _matches(if_none_match, tag),
    )
    headers = {"Cache-Control": "private, no-cache"}  # no shared cache; each use asks (and is logged)
    if answer.page is None:
        return Response(status_code=304, headers={**headers, "ETag": answer.tag})
    if answer.current:  # a page computed while the view moved on is newer than the tag names: no tag
        headers["ETag"] = answer.tag
    return Response(_AGGREGATED_PAGE.dump_json(answer.page), media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (RFC 9110 13.1.2: weak comparison, or ``*``)."""
    if not if_none_match:
        return False
    offered = [part.strip().removeprefix("W/") for part in if_none_match.split(",")]
    return "*" in offered or tag in offered


@router.get("/public/quarry-regions", tags=["public"])
def quarry_regions(
    lists: PublishedListsDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: latest published")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|geojson)$")] = "json",  # noqa: A002 - the public query parameter's name
) -> Response:
    """The published quarry-region list of a year (art. 6 lid 5): no login; names no site or company.
    Each year's list is frozen when published, so its URL always gives the same list."""
    document = lists.quarry_regions(year)
    if format == "csv":
        return Response(
            as_csv(document),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="quarry-regions-{document["year"]}.csv"'},
        )
    if format == "geojson":
        return JSONResponse(as_geojson(document), media_type="application/geo+json")
    return JSONResponse(document)


@router.get("/public/quarry-regions/years", tags=["public"])
def quarry_region_years(lists: PublishedListsDep) -> list[int]:
    """The years whose quarry-region list is published, oldest first: no login."""
    return lists.quarry_region_years()


@router.get("/linked-list", response_model=LinkedListPage)
def linked_list(
    principal: PrincipalDep,
    search: LinkedListSearchDep,
    request_id: RequestIdDep,
    filters: SiteFilterQuery,
    company: Annotated[str | None, Query(max_length=40)] = None,
    site: Annotated[str | None, Query(max_length=20, description="a site's public id")] = None,
    cursor: pages.CursorQuery = None,
    limit: pages.LimitQuery = pages.DEFAULT_LIMIT,
) -> LinkedListPage:
    """Member companies and the sites they buy from: the secretariat, and NGO parties while their
    signed declaration is valid. Each company in the answer (this page) is an access-log entry.
    In pages of ``limit`` rows by company and site; ``next_cursor`` asks for the next (a last page
    that is exactly full is followed by an empty one)."""
    return search.page(
        principal,
        request_id,
        filters,
        company=company,
        site=site,
        cursor=cursor,
        limit=limit,
    )


@router.get("/public/members", tags=["public"])
def public_members(lists: PublishedListsDep) -> list[dict]:
    """The member listing (art. 5 lid 12): no login. Action plans never name a supplier."""
    return lists.members()
