"""The secretariat's admin duties over HTTP: key rotation, shredding; the key report for auditors
(docs/access.md, last row). Accounts are in trustone/web/users.py."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from keys.access.filter import Audit
from keys.access.policy import Action, Facts
from keys.encryption.administration import rotate_master_key
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, ServicesDep

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class RotationOut(BaseModel):
    new_master_key_id: str
    rewrapped: int
    retired: list[str]


class KeyReportOut(BaseModel):
    primary_master_key: str
    master_keys: list[str]
    live_data_keys: int
    shredded_data_keys: int


@router.post("/keys/rotate", response_model=RotationOut)
def rotate(principal: PrincipalDep, svc: ServicesDep, request_id: RequestIdDep) -> RotationOut:
    result = rotate_master_key(svc.filter, svc.keyring, svc.datakeys, principal, request_id=request_id)
    return RotationOut(
        new_master_key_id=result.new_master_key_id, rewrapped=result.rewrapped, retired=list(result.retired)
    )


@router.post("/companies/{ref}/shred")
def shred(ref: str, principal: PrincipalDep, svc: ServicesDep, request_id: RequestIdDep) -> dict[str, int]:
    """Destroy the company's data keys (withdrawal + retention period, or erasure). Irreversible."""
    return {"destroyed_data_keys": svc.shredding.shred(ref, principal, request_id=request_id)}


@router.get("/keys/report", response_model=KeyReportOut)
def key_report(principal: PrincipalDep, svc: ServicesDep, request_id: RequestIdDep) -> KeyReportOut:
    svc.filter.authorise(
        principal,
        Action.READ_KEY_REPORT,
        Facts(),
        Audit(subject_kind="keys", purpose="key report", request_id=request_id),
    )
    return KeyReportOut(
        primary_master_key=svc.keyring.primary_id, master_keys=svc.keyring.master_key_ids, **svc.datakeys.summary()
    )
