"""The auditor's access log and chain verification, and the public buyer's member-status check."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
