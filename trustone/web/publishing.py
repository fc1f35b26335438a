"""HTTP adapter for registry/usecases/publishing.py: a year's quarry-region list previewed, then
frozen. Parse, call, return; nothing decided here. The public reads the frozen list at
``GET /api/v1/public/quarry-regions``."""

from __future__ import annotations

from fastapi import APIRouter

from registry.usecases.publishing import QuarryRegionList
from trustone.web.auth import PrincipalDep
from trustone.web.deps import PublishingDep, RequestIdDep
from trustone.web.params import YearPath

router = APIRouter(prefix="/api/v1/publications", tags=["publishing"])


@router.get("/quarry-regions/{year}/preview", response_model=QuarryRegionList)
def preview(
    year: YearPath, principal: PrincipalDep, publishing: PublishingDep, request_id: RequestIdDep
) -> QuarryRegionList:
    """The rows the year's published list will have (read-only; `published_on` null); once published,
    the frozen list. 404 for a year whose aggregated list is not released yet."""
    return publishing.preview(principal, year, request_id)


@router.post("/quarry-regions/{year}", response_model=QuarryRegionList, status_code=201)
def publish(
    year: YearPath, principal: PrincipalDep, publishing: PublishingDep, request_id: RequestIdDep
) -> QuarryRegionList:
    """Freeze the year's list; 409 when it is published already (published lists do not change)."""
    return publishing.publish(principal, year, request_id)
