"""Response schemas of the HTTP API (request schemas live next to their routes' needs)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    backend: str


class MemberStatusOut(BaseModel):
    """Published fields only (art. 5 lid 12): membership and level on a date, nothing else.

    ``standing`` says why a company was not a member: it had withdrawn or been excluded (on the date
    in ``withdrawn_on`` / ``excluded_on``), or it had not joined yet. ``statement`` is the answer in
    one plain sentence."""

    ref: str
    name: str
    on: dt.date
    member: bool
    standing: Literal["member", "withdrawn", "excluded", "not_yet_member"]
    category: str | None
    joined_on: dt.date | None
    withdrawn_on: dt.date | None
    excluded_on: dt.date | None
    level: int | None
    level_assessed_on: dt.date | None
    statement: str
