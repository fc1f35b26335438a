"""The retention schedule over HTTP (issue 16; docs/retention.md). Thin: request -> use case
(registry/usecases/retention.py) -> its result type or a named error (403, 404, 409, 422 naming the
field). Reads: the secretariat and the auditor; extend and run: the secretariat."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from registry.domain.retention import REASON_LONGEST, REASON_SHORTEST, ErasureRecord, RecordKind
from registry.usecases.retention import DueView, ExtensionMade, RetentionReport, RunResult, ScheduleView
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, RetentionDep

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])


class ExtendIn(BaseModel):
    until: dt.date | None = Field(default=None, description="keep it until this day (the first day it may go)")
    days: int | None = Field(default=None, ge=1, le=36_500, description="or: this many days beyond its expiry")
    reason: str = Field(min_length=REASON_SHORTEST, max_length=REASON_LONGEST, description="why it is kept longer")


@router.get("/schedule", response_model=ScheduleView)
def schedule(principal: PrincipalDep, retention: RetentionDep, request_id: RequestIdDep) -> ScheduleView:
    """Every kind of record: how long it is kept, what starts the clock, what erasing means, and why."""
    return retention.schedule(principal, request_id=request_id)


@router.get("/due", response_model=DueView)
def due(
    principal: PrincipalDep,
    retention: RetentionDep,
    request_id: RequestIdDep,
    on: Annotated[dt.date | None, Query(description="the day to look from (default: today)")] = None,
) -> DueView:
    """What expires within the warning window and what is past its period (erased by the next run)."""
    return retention.due(principal, on, request_id=request_id)


@router.get("/report", response_model=RetentionReport)
def report(principal: PrincipalDep, retention: RetentionDep, request_id: RequestIdDep) -> RetentionReport:
    """Per kind: its period, records kept, expiring within the window, due, erased so far; the last run."""
    return retention.report(principal, request_id=request_id)


@router.get("/erasures", response_model=list[ErasureRecord])
def erasures(principal: PrincipalDep, retention: RetentionDep, request_id: RequestIdDep) -> list[ErasureRecord]:
    """Every erasure recorded: kind, record reference, keys destroyed, day, by whom (oldest first)."""
    return list(retention.erasures(principal, request_id=request_id))


@router.post("/records/{kind}/{record}/extend", response_model=ExtensionMade)
def extend(
    kind: RecordKind,
    record: Annotated[str, Path(min_length=1, max_length=200)],
    body: ExtendIn,
    principal: PrincipalDep,
    retention: RetentionDep,
    request_id: RequestIdDep,
) -> ExtensionMade:
    """Keep one record longer, with a reason: until a day, or a number of days beyond its expiry. The
    record: its kind (closed_case, data_access_release, withdrawn_company) and its reference (a case
    reference, a request id, a company ref)."""
    return retention.extend(
        principal, kind, record, body.reason, until=body.until, days=body.days, request_id=request_id
    )


@router.post("/run", response_model=RunResult)
def run(principal: PrincipalDep, retention: RetentionDep, request_id: RequestIdDep) -> RunResult:
    """Run the daily job now: warn of what enters the window, erase what is past its period and was
    warned of before, delete old sessions."""
    return retention.run(principal, request_id=request_id)
