"""Sample verification over HTTP (issue 16; docs/verification.md): the secretariat's rounds and draw,
the parties' field checks, the companies' answers, the auditor's round record, the public figures.
Thin: request -> use case (registry/usecases/verification.py) -> its result type or a named error
(403, 404, 409 with ``allowed_next``, 422 naming the field)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from registry.domain.verification import (
    ATTACHMENTS_MOST,
    EXPLANATION_LONGEST,
    NOTE_LONGEST,
    PARTNER_LONGEST,
    SOURCE_LONGEST,
)
from registry.usecases.verification import CheckView, RoundStatistics, RoundView, YearVerified
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, VerificationDep

router = APIRouter(prefix="/api/v1/verification", tags=["verification"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])


class RoundIn(BaseModel):
    year: int = Field(description="the report year whose links are sampled")
    dimensions: list[str] = Field(
        default_factory=list, max_length=3, description="strata: any of country, site_kind, origin_confidence"
    )
    size: int | None = Field(default=None, ge=1, description="how many links to sample (or give share)")
    share: str | None = Field(default=None, max_length=10, description="the share of links to sample, e.g. 0.1")
    beacon_source: str = Field(
        min_length=1, max_length=SOURCE_LONGEST, description="the public random value the draw will use, announced now"
    )
    beacon_on: dt.date = Field(description="the day that value is published (after today)")


class DrawIn(BaseModel):
    beacon_value: str = Field(min_length=1, max_length=SOURCE_LONGEST, description="the beacon's published value")


class AssignIn(BaseModel):
    party: str = Field(min_length=1, max_length=100, description="the NGO or union party's reference")
    method: str = Field(description="site_visit or document_check")


class AttachmentIn(BaseModel):
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    data: str = Field(description="the file's content, base64", max_length=3 * 1024 * 1024)


class FindingsIn(BaseModel):
    site_exists: str = Field(description="yes, no or unclear")
    site_as_reported: str = Field(description="yes, no or unclear")
    link: str = Field(description="confirmed, not_confirmed or unclear: the site's link to the company")
    checked_on: dt.date = Field(description="the day of the visit or the document check")
    partner: str = Field(min_length=1, max_length=PARTNER_LONGEST, description="the local partner (sealed)")
    notes: str = Field(default="", max_length=NOTE_LONGEST, description="the findings in words (sealed)")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class AnswerIn(BaseModel):
    answer: str = Field(description="corrected (after submitting a corrected report) or maintained")
    explanation: str = Field(default="", max_length=EXPLANATION_LONGEST)


@router.post("/rounds", response_model=RoundView, status_code=201)
def open_round(body: RoundIn, principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep) -> Any:
    """Freeze the year's frame and commit to the draw's inputs (the secretariat)."""
    return verification.open_round(
        principal,
        year=body.year,
        dimensions=body.dimensions,
        size=body.size,
        share=body.share,
        beacon_source=body.beacon_source,
        beacon_on=body.beacon_on,
        request_id=request_id,
    )


@router.get("/rounds", response_model=list[RoundView])
def rounds(principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep) -> Any:
    """Every round (the secretariat, the auditor)."""
    return verification.rounds(principal, request_id=request_id)


@router.post("/rounds/{round_id}/draw", response_model=RoundView)
def draw(
    round_id: uuid.UUID, body: DrawIn, principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Any:
    """Draw the sample from the beacon's published value (the secretariat)."""
    return verification.draw(principal, round_id, body.beacon_value, request_id=request_id)


@router.get("/rounds/{round_id}/record")
def round_record(
    round_id: uuid.UUID, principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> dict[str, Any]:
    """The round as scripts/redraw_sample.py reads it (the secretariat, the auditor)."""
    return verification.round_record(principal, round_id, request_id=request_id)


@router.post("/rounds/{round_id}/publish", response_model=RoundView)
def publish(
    round_id: uuid.UUID, principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Any:
    """Publish the round's statistics (the secretariat)."""
    return verification.publish(principal, round_id, request_id=request_id)


@router.get("/checks", response_model=list[CheckView])
def checks(
    principal: PrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
    round_id: uuid.UUID | None = None,
) -> Any:
    """The checks the caller may read: the secretariat all, a party those assigned to it, a company its own."""
    return verification.checks(principal, round_id=round_id, request_id=request_id)


@router.get("/checks/{check_id}", response_model=CheckView)
def check(check_id: uuid.UUID, principal: PrincipalDep, verification: VerificationDep, request_id: RequestIdDep) -> Any:
    return verification.check(principal, check_id, request_id=request_id)


@router.post("/checks/{check_id}/assign", response_model=CheckView)
def assign(
    check_id: uuid.UUID,
    body: AssignIn,
    principal: PrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Any:
    """Give the check to an NGO or union party (the secretariat)."""
    return verification.assign(principal, check_id, party_ref=body.party, method=body.method, request_id=request_id)


@router.post("/checks/{check_id}/findings", response_model=CheckView)
def record_findings(
    check_id: uuid.UUID,
    body: FindingsIn,
    principal: PrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Any:
    """The local partner's findings, recorded by the party the check is assigned to."""
    return verification.record_findings(
        principal,
        check_id,
        site_exists=body.site_exists,
        site_as_reported=body.site_as_reported,
        link=body.link,
        checked_on=body.checked_on,
        partner=body.partner,
        notes=body.notes,
        attachments=[item.model_dump() for item in body.attachments],
        request_id=request_id,
    )


@router.get("/checks/{check_id}/attachments/{number}")
def attachment(
    check_id: uuid.UUID,
    number: Annotated[int, Path(ge=0, le=ATTACHMENTS_MOST - 1, description="the file's number, from 0")],
    principal: PrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Response:
    """One evidence file (the secretariat, the assigned party), always as a download."""
    found = verification.attachment(principal, check_id, number, request_id=request_id)
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="evidence"', "X-Content-Type-Options": "nosniff"},
    )


@router.post("/checks/{check_id}/answer", response_model=CheckView)
def answer(
    check_id: uuid.UUID,
    body: AnswerIn,
    principal: PrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Any:
    """The company's answer to a correction request on its report."""
    return verification.answer_correction(
        principal, check_id, answer=body.answer, explanation=body.explanation, request_id=request_id
    )


@public.get("/verification", response_model=list[RoundStatistics])
def public_statistics(verification: VerificationDep) -> Any:
    """Published rounds' figures, without login: no company, no site, no figure of fewer than k companies."""
    return verification.public_statistics()


@public.get("/verification/years", response_model=list[YearVerified])
def verified_per_year(verification: VerificationDep) -> Any:
    """Per report year: how many reported links, and how many a field check confirmed (from k companies)."""
    return verification.verified_per_year()
