"""HTTP adapter for "waiting for me" (registry/usecases/waiting.py): the first thing a person sees."""

from __future__ import annotations

from fastapi import APIRouter

from registry.usecases.waiting import WaitingSummary
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, WaitingForMeDep

router = APIRouter(prefix="/api/v1/waiting", tags=["waiting"])


@router.get("", response_model=WaitingSummary)
def waiting_for_me(principal: PrincipalDep, waiting: WaitingForMeDep, request_id: RequestIdDep) -> WaitingSummary:
    """Per queue on the caller's desk (docs/access.md, "Waiting for me"): how many items wait and the
    oldest, or for cases and declarations the one due soonest. The secretariat's desk holds the
    reports awaiting assessment, the sites held as possible duplicates, the cases by deadline, the
    data-access requests awaiting a decision and the declarations expiring within 30 days; a party's
    holds its own cases, requests and declarations; a company's its cases; the committee's the cases
    before it."""
    return waiting.summary(principal, request_id=request_id)
