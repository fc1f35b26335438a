"""The access log over HTTP: auditors see all; parties their own entries; a company the entries
about its own data (docs/access.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from keys.access.accesslog import digest_export
from keys.access.filter import Audit
from keys.access.policy import Facts
from registry.domain.accounts import Role
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, ServicesDep
from trustone.web.schemas import DigestExportOut

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("/access-log")
def access_log(
    principal: PrincipalDep,
    svc: ServicesDep,
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
) -> list[dict[str, Any]]:
    """Entries in order; the scope follows the role, and the read is itself logged. A company's
    scope is found by the entries' tags (keys.access.accesslog): the store has no clear company column."""
    if principal.role == Role.COMPANY:
        entries = svc.access_log.rows(company=principal.organisation_ref, limit=limit, after_seq=after)
        facts = Facts(about_own_data_only=True)
    elif principal.role == Role.AUDITOR:
        entries = svc.access_log.rows(limit=limit, after_seq=after)
        facts = Facts()
    else:
        entries = svc.access_log.rows(actor=principal.login, limit=limit, after_seq=after)
        facts = Facts(own_entries_only=True)
    return svc.filter.read_access_log(
        principal, facts, Audit(subject_kind="access_log", purpose="review", request_id=request_id), entries
    )


@router.get("/digest", response_model=DigestExportOut)
def latest_digest(principal: PrincipalDep, svc: ServicesDep, request_id: RequestIdDep) -> dict[str, Any]:
    """The latest signed digest, for an auditor to keep and check later: save the body as it comes
    and run `trustone audit verify --digests FILE` on it."""
    svc.filter.authorise(
        principal,
        "read_key_report",
        Facts(),
        Audit(subject_kind="access_log", purpose="export digest", request_id=request_id),
    )
    return digest_export(svc.access_log.checkpoint(), svc.access_log.public_key_pem())  # covers this read too
