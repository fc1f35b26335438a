"""HTTP adapter for registry/usecases/duplicates.py: the sites held as possible duplicates, each beside
its candidate (public facts only), and the decision. Parse, call, return; nothing decided here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from registry.usecases.duplicates import DuplicateDecided, HeldDuplicate
from trustone.web.auth import PrincipalDep
from trustone.web.deps import HeldDuplicatesDep, RequestIdDep

router = APIRouter(prefix="/api/v1/held-sites", tags=["sites"])


class Deciding(BaseModel):
    decision: Annotated[str, Field(description="same (one site: merged into its candidate) or distinct")]


@router.get("", response_model=list[HeldDuplicate])
def queue(principal: PrincipalDep, duplicates: HeldDuplicatesDep, request_id: RequestIdDep) -> list[HeldDuplicate]:
    """Every held site beside its candidate, the longest held first (the secretariat)."""
    return duplicates.queue(principal, request_id)


@router.post("/{site_id}/decision", response_model=DuplicateDecided)
def decide(
    site_id: str, body: Deciding, principal: PrincipalDep, duplicates: HeldDuplicatesDep, request_id: RequestIdDep
) -> DuplicateDecided:
    """Same or distinct; 409 for a site not waiting for a decision (decided already)."""
    return duplicates.decide(principal, site_id, body.decision, request_id)
