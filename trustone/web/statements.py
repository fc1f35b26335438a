"""HTTP adapter for registry/usecases/statements.py: evidence statements, their verification and key."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/statements", tags=["statements"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
