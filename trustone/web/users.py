"""HTTP adapter for registry/usecases: parse, call the use case, map its result; nothing decided here."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/users", tags=["users"])
