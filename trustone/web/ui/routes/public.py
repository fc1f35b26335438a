"""Pages without a login: quarry regions (map, table, downloads), members and levels, grievance statistics, the
follow-up page.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
