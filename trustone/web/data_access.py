"""Data-access requests over HTTP (docs/lifecycles.md): a local partner gets the part of the
aggregated list relevant to it. Thin: request -> command -> domain error -> status.

Who may do what is decided in registry/data_access.py through the policy (every attempt is an
access-log entry); an illegal step gives 409 with ``allowed_next``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from registry.data_access import DataAccess
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, ServicesDep

router = APIRouter(prefix="/api/v1/data-access-requests", tags=["data access"])


def get_data_access(svc: ServicesDep) -> DataAccess:
    return DataAccess(svc.registry, svc.vault, svc.aggregated_list, svc.projections)


DataAccessDep = Annotated[DataAccess, Depends(get_data_access)]


class LocalPartnerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the local partner (sealed; a pseudonym will do)")
    contact: str = Field(min_length=1, max_length=500, description="how the requesting party reaches it (sealed)")


class AccessRequestIn(BaseModel):
    local_partner: LocalPartnerIn
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    region: str | None = Field(default=None, max_length=80, description="a province or district")
    stone_type: str | None = Field(default=None, max_length=40)
    purpose: str = Field(min_length=10, max_length=2000)


class ClauseIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=40)
    sha256: str = Field(min_length=1, max_length=80, description="SHA-256 of the signed document, hex")
    signed_on: dt.date
    valid_until: dt.date = Field(description="the first day the clause no longer covers")


class DecisionIn(BaseModel):
    approve: bool
    reason: str = Field(min_length=1, max_length=2000)


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class StatusOut(BaseModel):
    id: uuid.UUID
    status: str


@router.post("", response_model=StatusOut, status_code=201)
def request_release(
    body: AccessRequestIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StatusOut:
    """An NGO or union party asks for part of the aggregated list on behalf of a local partner."""
    access_id = access.request(
        principal,
        body.local_partner.model_dump(),
        body.country,
        body.region,
        body.stone_type,
        body.purpose,
        request_id=request_id,
    )
    return StatusOut(id=access_id, status="requested")


@router.get("")
def list_requests(principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep) -> list[dict[str, Any]]:
    """The secretariat: every request; an NGO or union party: its own. Without the local partner."""
    return access.list_for(principal, request_id=request_id)


@router.get("/{access_id}")
def read_request(
    access_id: uuid.UUID, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> dict[str, Any]:
    """The request, the local partner included: its requesting party and the secretariat only."""
    return access.get(principal, access_id, request_id=request_id)


@router.post("/{access_id}/clause", response_model=StatusOut)
def record_clause(
    access_id: uuid.UUID, body: ClauseIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StatusOut:
    status = access.record_clause(
        principal,
        access_id,
        body.title,
        body.version,
        body.sha256,
        body.signed_on,
        body.valid_until,
        request_id=request_id,
    )
    return StatusOut(id=access_id, status=status)


@router.post("/{access_id}/decision", response_model=StatusOut)
def decide(
    access_id: uuid.UUID, body: DecisionIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StatusOut:
    status = access.decide(principal, access_id, body.approve, body.reason, request_id=request_id)
    return StatusOut(id=access_id, status=status)


@router.post("/{access_id}/revoke", response_model=StatusOut)
def revoke(
    access_id: uuid.UUID, body: RevokeIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StatusOut:
    status = access.revoke(principal, access_id, body.reason, request_id=request_id)
    return StatusOut(id=access_id, status=status)


@router.get("/{access_id}/release", response_class=Response)
def release(
    access_id: uuid.UUID,
    principal: PrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",  # noqa: A002 - the public query parameter's name
) -> Response:
    """The scoped rows of the aggregated list, watermarked with the request id. Each download is
    an access-log entry."""
    media_type, content = access.release(principal, access_id, format, request_id=request_id)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="data-access-{access_id}.{format}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
