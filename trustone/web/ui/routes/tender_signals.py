"""Pages of reports about tenders: report one (anyone logged in), follow one's own, the
secretariat's tracking, the public counts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
