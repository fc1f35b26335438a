"""The secretariat's registry duties: assessment, held duplicate sites, organisations, logins, declarations,
publishing.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
