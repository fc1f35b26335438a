"""HTTP adapter for registry/usecases/tenders.py: the tender register and its public report
(docs/tenders.md). Thin: request -> use case -> domain error -> status.

``{government}`` is the organisation ref of a member government (a public buyer): a buyer acts on
its own only, the secretariat reads every one; the policy decides that in the use case. The public
reports are under ``/api/v1/public/tenders`` and need no login.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from registry.domain.tenders import REFERENCE_LONGEST, TITLE_LONGEST
from registry.usecases.tenders import EntryTaken, GovernmentRegister, TenderReportView, YearOverview, YearTaken
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, TendersDep
from trustone.web.params import YearPath

router = APIRouter(prefix="/api/v1/tenders", tags=["tenders"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])

GovernmentPath = Annotated[str, Path(min_length=1, max_length=64, description="the government's organisation ref")]
EntryPath = Annotated[str, Path(min_length=1, max_length=64, description="the tender's id in the register")]


class TenderIn(BaseModel):
    title: str = Field(max_length=TITLE_LONGEST * 2, description="the tender's title (sealed)")
    date: dt.date = Field(description="the tender's publication date; its year is the register's year")
    reference: str | None = Field(
        default=None, max_length=REFERENCE_LONGEST * 2, description="TenderNed/e-Procurement number or link (sealed)"
    )
    value_band: str = Field(max_length=20, description="under_50k, 50k_250k, 250k_1m, 1m_5_5m or over_5_5m (sealed)")
    criteria: list[str] = Field(
        max_length=12,
        description="award_basis, award_significant, award_ambitious, contract_basis, contract_significant, "
        "contract_ambitious, isv, comparable, or none",
    )
    purchase_type: str = Field(max_length=10, description="type_1 or type_2 (the snelgids's figure 1)")


@router.post("/registers/{government}/entries", response_model=EntryTaken, status_code=201)
def record_tender(
    government: GovernmentPath, body: TenderIn, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> EntryTaken:
    """A member government records one of its natural-stone tenders (its own register only)."""
    return tenders.record(
        principal,
        government,
        body.title,
        body.date,
        body.reference,
        body.value_band,
        body.criteria,
        body.purchase_type,
        request_id=request_id,
    )


@router.put("/registers/{government}/{year}/entries/{entry_id}", response_model=EntryTaken)
def correct_tender(
    government: GovernmentPath,
    year: YearPath,
    entry_id: EntryPath,
    body: TenderIn,
    principal: PrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
) -> EntryTaken:
    """Correct an entry while its year is open (409 once submitted)."""
    return tenders.correct(
        principal,
        government,
        year,
        entry_id,
        body.title,
        body.date,
        body.reference,
        body.value_band,
        body.criteria,
        body.purchase_type,
        request_id=request_id,
    )


@router.delete("/registers/{government}/{year}/entries/{entry_id}", status_code=204, response_class=Response)
def remove_tender(
    government: GovernmentPath,
    year: YearPath,
    entry_id: EntryPath,
    principal: PrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
) -> Response:
    """Remove an entry while its year is open (409 once submitted)."""
    tenders.remove(principal, government, year, entry_id, request_id=request_id)
    return Response(status_code=204)


@router.post("/registers/{government}/{year}/submission", response_model=YearTaken)
def submit_year(
    government: GovernmentPath, year: YearPath, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> YearTaken:
    """The yearly report (art. 7 lid 7): the year's entries are fixed from then on."""
    return tenders.submit(principal, government, year, request_id=request_id)


@router.get("/registers/{government}", response_model=GovernmentRegister)
def read_register(
    government: GovernmentPath, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> GovernmentRegister:
    """A government's register, every year: the government itself and the secretariat."""
    return tenders.register(principal, government, request_id=request_id)


@router.get("/years/{year}", response_model=YearOverview)
def year_overview(
    year: YearPath, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> YearOverview:
    """Every government's register of a year and the year's report as it stands: the secretariat."""
    return tenders.year_overview(principal, year, request_id=request_id)


@router.get("/reports/{year}/preview", response_model=TenderReportView)
def preview_report(
    year: YearPath, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> TenderReportView:
    return tenders.preview(principal, year, request_id=request_id)


@router.post("/reports/{year}", response_model=TenderReportView, status_code=201)
def publish_report(
    year: YearPath, principal: PrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> TenderReportView:
    """Freeze and publish a year's aggregated report (art. 7 lid 14); once (409 after)."""
    return tenders.publish(principal, year, request_id=request_id)


@public.get("/tenders", response_model=list[TenderReportView])
def published_reports(tenders: TendersDep) -> list[TenderReportView]:
    """Every published year's report: counts only, no government, no value per government."""
    return tenders.published_reports()


@public.get("/tenders/{year}", response_model=TenderReportView)
def published_report(year: YearPath, tenders: TendersDep) -> TenderReportView:
    return tenders.published_report(year)
