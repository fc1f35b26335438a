"""The access log over HTTP: auditors see all; parties their own entries; a company the entries
about its own data (docs/access.md; the table is keys/access/visibility.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from keys.access.accesslog import OpenedAccessEntry
from keys.access.log_reading import ChainStatus, DigestExport
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
