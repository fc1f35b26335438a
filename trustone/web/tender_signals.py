"""HTTP adapter for registry/usecases/tender_signals.py: reports about tenders and their public counts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/tender-signals", tags=["tender signals"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
