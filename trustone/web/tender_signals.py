"""Reports about tenders over HTTP (art. 7 lid 12; docs/tender-signals.md): anyone logged in reports a
tender that ignores due diligence, the secretariat tracks it, the counts per year are public. Thin:
request -> use case (registry/usecases/tender_signals.py) -> its result type or a named error (403,
404, 409 with ``allowed_next``, 422 naming the field)."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from registry.domain.tender_signals import MISSING_LONGEST, MISSING_SHORTEST, NAME_LONGEST, NOTE_LONGEST
from registry.usecases.tender_signals import SignalTaken, TenderSignalView, YearCount
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, TenderSignalsDep

router = APIRouter(prefix="/api/v1/tender-signals", tags=["tender signals"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])


class TenderSignalIn(BaseModel):
    authority: str = Field(min_length=1, max_length=NAME_LONGEST, description="the contracting authority (sealed)")
    title: str = Field(min_length=1, max_length=NAME_LONGEST, description="the tender's title (sealed)")
    reference: str = Field(min_length=1, max_length=NAME_LONGEST, description="a link or the tender's reference")
    missing: str = Field(
        min_length=MISSING_SHORTEST, max_length=MISSING_LONGEST, description="what the tender lacks on due diligence"
    )
    tender_date: dt.date | None = Field(default=None, description="the tender's date, when known")


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=NOTE_LONGEST, description="how the authority was contacted (sealed)")


class OutcomeIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=NOTE_LONGEST, description="what came of it (sealed)")


@router.post("", response_model=SignalTaken, status_code=201)
def report(
    body: TenderSignalIn, principal: PrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> SignalTaken:
    """Report a tender that ignores due diligence (every role)."""
    return signals.report(
        principal, body.authority, body.title, body.reference, body.missing, body.tender_date, request_id=request_id
    )


@router.get("", response_model=list[TenderSignalView])
def list_signals(
    principal: PrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> list[TenderSignalView]:
    """Newest first: the secretariat every report, everyone else their own organisation's."""
    return signals.list_for(principal, request_id=request_id)


@router.get("/{signal_id}", response_model=TenderSignalView)
def read_signal(
    signal_id: uuid.UUID, principal: PrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> TenderSignalView:
    """One report, its reporter included: the secretariat and the reporting organisation only."""
    return signals.get(principal, signal_id, request_id=request_id)


@router.post("/{signal_id}/contact", response_model=SignalTaken)
def contact(
    signal_id: uuid.UUID, body: NoteIn, principal: PrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> SignalTaken:
    """The secretariat contacted the contracting authority (received -> contacted)."""
    return signals.contact(principal, signal_id, body.note, request_id=request_id)


@router.post("/{signal_id}/resolve", response_model=SignalTaken)
def resolve(
    signal_id: uuid.UUID, body: OutcomeIn, principal: PrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> SignalTaken:
    """The secretariat closes the report with its outcome (contacted -> resolved)."""
    return signals.resolve(principal, signal_id, body.outcome, request_id=request_id)


@public.get("/tender-signals", response_model=list[YearCount])
def public_counts(signals: TenderSignalsDep) -> list[YearCount]:
    """Published, without login: per year of receipt, how many reports were received, contacted and
    resolved. No authority, no title, no reporter."""
    return signals.public_counts()
