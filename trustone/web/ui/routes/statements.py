"""Pages of evidence statements: a buyer's or a company's request, the printable statement and its
PDF, the public verification page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
