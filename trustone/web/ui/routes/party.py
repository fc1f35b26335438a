"""NGO and union parties: the linked list (NGO, after a declaration), the aggregated list, filing a report for a
local partner, their cases.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
