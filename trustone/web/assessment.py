"""HTTP adapter for registry/usecases/assessment.py: the reports awaiting assessment, the assessment
(the due-diligence score in, the level out) and delay explanations. Parse, call, return; nothing
decided here. The assessor reads the report itself at ``GET /api/v1/companies/{ref}/reports/{year}``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from registry.usecases.assessment import DelayExplanation, ReportAssessed, ReportAwaitingAssessment
from trustone.web.auth import PrincipalDep
from trustone.web.deps import ReportAssessmentDep, RequestIdDep
from trustone.web.params import YearPath

router = APIRouter(prefix="/api/v1/assessment", tags=["assessment"])


class Assessing(BaseModel):
    version: Annotated[int, Field(description="the version assessed: the one you read (409 if a later one came in)")]
    due_diligence_score: Annotated[
        Decimal,
        Field(
            max_digits=5,
            decimal_places=2,
            description="the due-diligence score, a percentage 0-100 with at most two decimals",
        ),
    ]


class Explaining(BaseModel):
    explanation: Annotated[str, Field(description="why the company is late (10-2000 characters; public)")]


@router.get("/queue", response_model=list[ReportAwaitingAssessment])
def queue(
    principal: PrincipalDep, assessment: ReportAssessmentDep, request_id: RequestIdDep
) -> list[ReportAwaitingAssessment]:
    """Submitted reports not yet assessed, the longest waiting first (the secretariat)."""
    return assessment.queue(principal, request_id)


@router.post("/{ref}/{year}", response_model=ReportAssessed, status_code=201)
def assess(
    ref: str,
    year: YearPath,
    body: Assessing,
    principal: PrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
) -> ReportAssessed:
    """Record the score for the report's latest version; the answer gives the level (art. 5 lid 6),
    the insight percentages it was computed from and the next assessment. 409 when that version is
    assessed already or is not the latest."""
    return assessment.assess(principal, ref, year, body.version, body.due_diligence_score, request_id)


@router.put("/{ref}/{year}/delay-explanation", response_model=DelayExplanation)
def explain_delay(
    ref: str,
    year: YearPath,
    body: Explaining,
    principal: PrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
) -> DelayExplanation:
    """Why the company is late for the year (art. 5 lid 11), shown on the public member listing: the
    company for itself, or the secretariat."""
    return assessment.explain_delay(principal, ref, year, body.explanation, request_id)
