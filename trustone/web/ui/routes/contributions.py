"""Pages of regimes and yearly contributions (issue 17; docs/contributions.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
