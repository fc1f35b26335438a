"""HTTP adapter for registry/usecases/tenders.py: the tender register and its public report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/tenders", tags=["tenders"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
