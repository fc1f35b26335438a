"""Regimes and yearly contributions over HTTP (issue 17; docs/contributions.md). Thin: request -> use
case (registry/usecases/contributions.py) -> its result or a named error."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/contributions", tags=["contributions"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
