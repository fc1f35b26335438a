"""The secretariat's admin duties over HTTP: key rotation, shredding; the key report for auditors
(docs/access.md, last row). Accounts are in trustone/web/users.py."""

from __future__ import annotations

from fastapi import APIRouter

from keys.encryption.administration import KeyReport, RotationResult
from trustone.web.auth import PrincipalDep
from trustone.web.deps import CompanyShreddingDep, KeyAdministrationDep, RequestIdDep

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


@router.post("/keys/rotate", response_model=RotationResult)
def rotate(principal: PrincipalDep, keys: KeyAdministrationDep, request_id: RequestIdDep) -> RotationResult:
    return keys.rotate(principal, request_id)


@router.post("/companies/{ref}/shred")
def shred(
    ref: str, principal: PrincipalDep, shredding: CompanyShreddingDep, request_id: RequestIdDep
) -> dict[str, int]:
    """Destroy the company's data keys (withdrawal + retention period, or erasure). Irreversible."""
    return {"destroyed_data_keys": shredding.shred(ref, principal, request_id=request_id)}


@router.get("/keys/report", response_model=KeyReport)
def key_report(principal: PrincipalDep, keys: KeyAdministrationDep, request_id: RequestIdDep) -> KeyReport:
    return keys.report(principal, request_id)
