"""Operations and the public member status: the health check, and "was this company a member on D"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from registry.usecases.health import Health
from registry.usecases.member_status import MemberStatusAnswer
from trustone.web.deps import HealthCheckDep, MemberStatusCheckDep

router = APIRouter()


@router.get(
    "/healthz",
    response_model=Health,
    tags=["operations"],
    responses={
        503: {
            "description": "the store cannot take a write (full disk, out of resources) or "
            "cannot be reached (PostgreSQL down or restarting)"
        }
    },
)
def healthz(health: HealthCheckDep) -> Health:
    """200 when the store answers and can take a write; 503 with Retry-After otherwise (the store's
    error, answered by the error handlers), within about TRUSTONE_DB_CONNECT_TIMEOUT seconds when
    PostgreSQL cannot be reached (trustone/pgfactory.py)."""
    return health.check()


@router.get("/api/v1/public/members/{ref}/status", response_model=MemberStatusAnswer, tags=["public"])
def member_status(
    ref: str,
    statuses: MemberStatusCheckDep,
    on: Annotated[dt.date | None, Query(description="Date to answer for, up to today (default: today)")] = None,
) -> MemberStatusAnswer:
    """Was this company a participating member on the date, and at which level (tender evidence).
    A date after today is refused (422): the registry does not know it yet."""
    return statuses.on(ref, on)
