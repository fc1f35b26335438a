"""Pages of the tender register: a government's own register, the secretariat's view and
publication, the public tender report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
