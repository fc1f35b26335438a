"""Response schemas of the HTTP API (request schemas live next to their routes' needs)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    backend: str


class MemberStatusOut(BaseModel):
    """Published fields only (art. 5 lid 12): membership and level on a date, nothing else."""

    ref: str
    name: str
    on: dt.date
    member: bool
    category: str | None
    joined_on: dt.date | None
    level: int | None
    level_assessed_on: dt.date | None
