"""Operations and the public member status: the health check, and "was this company a member on D"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from trustone.storage_errors import probe_write
from trustone.web.deps import ServicesDep
from trustone.web.schemas import Health, MemberStatusOut

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
def healthz(svc: ServicesDep) -> Health:
    """200 when the store answers and can take a write; 503 with Retry-After otherwise, within
    about TRUSTONE_DB_CONNECT_TIMEOUT seconds when PostgreSQL cannot be reached (trustone/pgfactory.py)."""
    svc.registry.recorder.max_notification_id()  # the store answers
    # ... and can take a write: its error, if not, is answered 503 by the error handlers
    probe_write(svc.sql, None if svc.settings.database_url else svc.settings.data_dir)
    return Health(status="ok", backend=svc.settings.backend)


@router.get("/api/v1/public/members/{ref}/status", response_model=MemberStatusOut, tags=["public"])
def member_status(
    ref: str,
    svc: ServicesDep,
    on: Annotated[dt.date | None, Query(description="Date to answer for, up to today (default: today)")] = None,
) -> MemberStatusOut:
    """Was this company a participating member on the date, and at which level (tender evidence).
    A date after today is refused (422): the registry does not know it yet."""
    today = svc.grievance.clock().astimezone(dt.UTC).date()  # the app's clock (tests inject one)
    status = svc.registry.member_status_on(ref, on or today, today=today)
    return MemberStatusOut(**status.__dict__, statement=status.statement)
