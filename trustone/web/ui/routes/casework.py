"""Grievance casework in the browser: the secretariat's case pages, the committee's case files, data-access requests."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
