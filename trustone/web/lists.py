"""The lists over HTTP (docs/lists.md). The aggregated list names no company."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from keys.access.filter import Audit
from keys.access.policy import Action, Facts
from projections.quarry_regions import as_csv, as_geojson
from registry.domain.sites import SiteKind
from trustone.web import pages
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, ServicesDep

router = APIRouter(prefix="/api/v1", tags=["lists"])


class AggregatedSiteOut(BaseModel):
    site_id: str
    kind: str
    name: str
    country: str
    province: str
    district: str
    latitude: float | None
    longitude: float | None
    stone_types: list[str]


class AggregatedListOut(BaseModel):
    year: int | None
    sites: list[AggregatedSiteOut]
    next_cursor: str | None = None  # the next page's cursor; none after the last page (trustone/web/pages.py)


@router.get(
    "/aggregated-list",
    response_model=AggregatedListOut,
    responses={304: {"description": "the list the client holds (its If-None-Match) is still the list"}},
)
def aggregated_list(
    principal: PrincipalDep,
    svc: ServicesDep,
    request_id: RequestIdDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: latest report year")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    region: Annotated[str | None, Query(max_length=80, description="province or district")] = None,
    stone_type: Annotated[str | None, Query(max_length=40)] = None,
    kind: SiteKind | None = None,
    cursor: pages.CursorQuery = None,
    limit: pages.LimitQuery = pages.DEFAULT_LIMIT,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """Production sites in use by at least one member in the year: no company reference of any kind.
    In pages of ``limit`` sites in public-id order; ``next_cursor`` asks for the next.

    The list changes only at a release, so each page is computed once per release (and catalogue
    change) and kept (projections/aggregated_reads.py), and answered with an ``ETag`` naming the
    release and the query: ``If-None-Match`` with the current one is answered 304. A 304 says the
    list its reader holds is still the list, which is reading it: every request is decided and
    logged first, a 304 too (one access-log entry each, naming no company, as the list names none),
    and a refused party gets its 403 whatever tag it sends."""
    audit = Audit(subject_kind="aggregated_list", purpose="aggregated list", request_id=request_id)
    svc.filter.check(principal, Action.READ_AGGREGATED_LIST, Facts(), audit)  # a refusal is logged whatever the input
    after = pages.decode(cursor, (str,))
    svc.filter.authorise(principal, Action.READ_AGGREGATED_LIST, Facts(), audit)
    svc.projections.wait(["aggregated_list"])  # a reader sees at least what was written before the request
    reads = svc.aggregated_list
    release = reads.release(year)
    query = (country, region, stone_type, kind.value if kind else None, after, limit)
    tag = release.etag(*query)
    headers = {"Cache-Control": "private, no-cache"}  # no shared cache; each use asks (and is logged)
    if _matches(if_none_match, tag):
        return Response(status_code=304, headers={**headers, "ETag": tag})

    def page() -> bytes:
        chosen, sites = reads.sites(year, *query[:4])
        rows = sorted((site for site in sites if (site.site_id,) > after), key=lambda site: site.site_id)[: limit + 1]
        next_cursor = pages.encode((rows[limit - 1].site_id,)) if len(rows) > limit else None
        return (
            AggregatedListOut(
                year=chosen,
                next_cursor=next_cursor,
                sites=[
                    AggregatedSiteOut(**{**vars(site), "stone_types": list(site.stone_types)}) for site in rows[:limit]
                ],
            )
            .model_dump_json()
            .encode()
        )

    body, of_release = reads.remember(release, ("page", *query), page)
    if of_release:  # computed while the view moved on: a newer answer than the tag names, so no tag
        headers["ETag"] = tag
    return Response(body, media_type="application/json", headers=headers)


def _matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (RFC 9110 13.1.2: weak comparison, or ``*``)."""
    if not if_none_match:
        return False
    offered = [part.strip().removeprefix("W/") for part in if_none_match.split(",")]
    return "*" in offered or tag in offered


@router.get("/public/quarry-regions", tags=["public"])
def quarry_regions(
    svc: ServicesDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: latest published")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|geojson)$")] = "json",  # noqa: A002 - the public query parameter's name
) -> Response:
    """The published quarry-region list of a year (art. 6 lid 5): no login; names no site or company.
    Each year's list is frozen when published, so its URL always gives the same list."""
    document = svc.quarry_regions.require(year)
    if format == "csv":
        return Response(
            as_csv(document),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="quarry-regions-{document["year"]}.csv"'},
        )
    if format == "geojson":
        return JSONResponse(as_geojson(document), media_type="application/geo+json")
    return JSONResponse(document)


class LinkedRowOut(BaseModel):
    """A link, with what a person needs to recognise its site (public catalogue facts)."""

    company: str
    year: int
    site_id: str
    site_kind: str
    site_name: str
    country: str
    province: str
    district: str
    address: str
    latitude: float | None
    longitude: float | None
    tier: int
    stone_type: str
    product: str
    channel: str


class LinkedListOut(BaseModel):
    year: int | None
    links: list[LinkedRowOut]
    next_cursor: str | None = None  # the next page's cursor; none after the last page (trustone/web/pages.py)


@router.get("/linked-list", response_model=LinkedListOut)
def linked_list(
    principal: PrincipalDep,
    svc: ServicesDep,
    request_id: RequestIdDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="default: latest report year")] = None,
    company: Annotated[str | None, Query(max_length=40)] = None,
    site: Annotated[str | None, Query(max_length=20, description="a site's public id")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    region: Annotated[str | None, Query(max_length=80, description="province or district")] = None,
    stone_type: Annotated[str | None, Query(max_length=40)] = None,
    kind: SiteKind | None = None,
    cursor: pages.CursorQuery = None,
    limit: pages.LimitQuery = pages.DEFAULT_LIMIT,
) -> LinkedListOut:
    """Member companies and the sites they buy from: the secretariat, and NGO parties while their
    signed declaration is valid. Each company in the answer (this page) is an access-log entry.
    In pages of ``limit`` rows by company and site; ``next_cursor`` asks for the next (a last page
    that is exactly full is followed by an empty one)."""
    from trustone.searches import PAGE_KEY_SHAPE, page_end, search_linked_list

    after = functools.cache(lambda: pages.decode(cursor, PAGE_KEY_SHAPE))  # read once access was decided
    chosen, rows = search_linked_list(
        svc,
        principal,
        year,
        company,
        site,
        country,
        region,
        stone_type,
        request_id,
        kind=kind.value if kind else None,
        after=after,
        limit=limit,
    )
    next_cursor = pages.encode(page_end(rows, after())) if len(rows) == limit else None
    return LinkedListOut(year=chosen, next_cursor=next_cursor, links=[LinkedRowOut(**vars(row)) for row in rows])


@router.get("/public/members", tags=["public"])
def public_members(svc: ServicesDep) -> list[dict]:
    """The member listing (art. 5 lid 12): no login. Action plans never name a supplier."""
    svc.projections.wait(["member_listing"])
    return svc.member_listing.members()
