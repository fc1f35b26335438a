"""The access log over HTTP: auditors see all; parties their own entries; a company the entries
about its own data (docs/access.md; the table is keys/access/visibility.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from keys.access.accesslog import OpenedAccessEntry
from keys.access.log_reading import PAGE_SIZE, AccessLogPage, ChainStatus, DigestExport, LogFilter, StatusCheck
from trustone.web import pages
from trustone.web.auth import PrincipalDep
from trustone.web.deps import AccessLogReadingDep, RequestIdDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get(
    "/access-log",
    response_model=list[OpenedAccessEntry],
    response_model_exclude_defaults=True,  # ``unreadable`` only where it is true
)
def access_log(
    principal: PrincipalDep,
    reading: AccessLogReadingDep,
    request_id: RequestIdDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[
        int,
        Query(
            ge=0,
            le=2**31 - 1,  # the largest number the stores' seq columns hold
            description="entries after this sequence number",
        ),
    ] = 0,
) -> list[OpenedAccessEntry]:
    """Entries in order; the scope follows the role, and the read is itself logged."""
    return reading.entries(principal, request_id, limit=limit, after=after)


@router.get("/access-log/search", response_model=AccessLogPage)
def search_access_log(
    principal: PrincipalDep,
    reading: AccessLogReadingDep,
    request_id: RequestIdDep,
    actor: Annotated[str | None, Query(max_length=80, description="the login that acted")] = None,
    organisation: Annotated[str | None, Query(max_length=80, description="the actor's organisation")] = None,
    company: Annotated[str | None, Query(max_length=80, description="whose data the entry is about")] = None,
    action: Annotated[str | None, Query(max_length=40, description="an action of the policy, e.g. read_report")] = None,
    outcome: Annotated[str | None, Query(max_length=20, description="granted, denied or integrity_failure")] = None,
    since: Annotated[dt.date | None, Query(description="from this UTC day on")] = None,
    until: Annotated[dt.date | None, Query(description="up to and including this UTC day")] = None,
    cursor: pages.CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500, description=f"entries per page (default {PAGE_SIZE})")] = PAGE_SIZE,
) -> AccessLogPage:
    """The access log as the auditor's page searches it: the entries of the reader's part of the
    log that pass every filter given, newest first; ``next_cursor`` asks for the entries before this
    page (none after the oldest). A filter on a sealed field (action, period) opens entries one by
    one, at most 5000 for a page: ``searched_to`` then names the entry the search stopped at, and
    ``next_cursor`` searches on before it. One access-log entry, not in the page it answers."""
    filters = LogFilter(actor, organisation, company, action, outcome, since, until)
    return reading.page(principal, request_id, filters, cursor=cursor, limit=limit)


@router.get("/status-checks", response_model=list[StatusCheck])
def status_checks(principal: PrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep) -> list[StatusCheck]:
    """The public buyers' membership-status checks in the reader's part of the log, newest first:
    for a company, which buyers asked about it and when (a logged-in buyer's status check is an
    access-log entry about the company). Read as the access log is: one access-log entry."""
    return reading.status_checks(principal, request_id)


@router.get("/digest", response_model=DigestExport)
def latest_digest(principal: PrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep) -> DigestExport:
    """The latest signed digest, for an auditor to keep and check later: save the body as it comes
    and run `trustone audit verify --digests FILE` on it."""
    return reading.digest(principal, request_id)


@router.get("/verification", response_model=ChainStatus)
def verification(principal: PrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep) -> ChainStatus:
    """The whole chain and its stored signed checkpoints checked now, as `trustone audit verify`
    does without digests kept elsewhere: the entries checked, or the first bad one and what is wrong."""
    return reading.verification(principal, request_id)
