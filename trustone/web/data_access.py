"""Data-access requests over HTTP (docs/lifecycles.md): a local partner gets the part of the
aggregated list relevant to it. Thin: request -> command -> domain error -> status.

Who may do what is decided in registry/usecases/data_access.py through the policy (every attempt
is an access-log entry); an illegal step gives 409 with ``allowed_next``. The responses are the use
case's result types.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from registry.usecases.data_access import AccessRequestSummary, AccessRequestView, StepTaken
from trustone.web.auth import PrincipalDep
from trustone.web.deps import DataAccessDep, RequestIdDep

router = APIRouter(prefix="/api/v1/data-access-requests", tags=["data access"])


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


@router.post("", response_model=StepTaken, status_code=201)
def request_release(
    body: AccessRequestIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StepTaken:
    """An NGO or union party asks for part of the aggregated list on behalf of a local partner."""
    return access.request(
        principal,
        body.local_partner.model_dump(),
        body.country,
        body.region,
        body.stone_type,
        body.purpose,
        request_id=request_id,
    )


@router.get("", response_model=list[AccessRequestSummary])
def list_requests(
    principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> list[AccessRequestSummary]:
    """The secretariat: every request; an NGO or union party: its own. Without the local partner."""
    return access.list_for(principal, request_id=request_id)


@router.get("/{access_id}", response_model=AccessRequestView)
def read_request(
    access_id: uuid.UUID, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> AccessRequestView:
    """The request, the local partner included: its requesting party and the secretariat only."""
    return access.get(principal, access_id, request_id=request_id)


@router.post("/{access_id}/clause", response_model=StepTaken)
def record_clause(
    access_id: uuid.UUID, body: ClauseIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StepTaken:
    return access.record_clause(
        principal,
        access_id,
        body.title,
        body.version,
        body.sha256,
        body.signed_on,
        body.valid_until,
        request_id=request_id,
    )


@router.post("/{access_id}/decision", response_model=StepTaken)
def decide(
    access_id: uuid.UUID, body: DecisionIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StepTaken:
    return access.decide(principal, access_id, body.approve, body.reason, request_id=request_id)


@router.post("/{access_id}/revoke", response_model=StepTaken)
def revoke(
    access_id: uuid.UUID, body: RevokeIn, principal: PrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> StepTaken:
    return access.revoke(principal, access_id, body.reason, request_id=request_id)


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
    download = access.release(principal, access_id, format, request_id=request_id)
    return Response(
        download.content,
        media_type=download.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="data-access-{access_id}.{format}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
