"""A company's pages: its yearly report (upload or form), its links, insight and level, its notices, buyers'
questions.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
