"""The secretariat's admin duties over HTTP: key rotation, shredding, accounts; the key report for
auditors (docs/access.md, last row)."""

from __future__ import annotations

from typing import Annotated

import pyotp
from fastapi import APIRouter
from pydantic import BaseModel, Field

from keys.access.filter import Audit
from keys.access.policy import Action, Facts
from keys.encryption.administration import rotate_master_key
from keys.logins.passwords import hash_password
from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
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


class NewAccount(BaseModel):
    login: Annotated[str, Field(min_length=3, max_length=80)]
    role: Role
    organisation_ref: Annotated[str, Field(min_length=3, max_length=40)]
    display_name: Annotated[str, Field(min_length=1, max_length=120)]
    password: Annotated[str, Field(min_length=12, max_length=1024)]


class AccountCreated(BaseModel):
    login: str
    role: Role
    totp_provisioning_uri: str | None = Field(
        None, description="shown once: enrol it in an authenticator app (required for this role)"
    )


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


@router.post("/users", response_model=AccountCreated, status_code=201)
def create_user(
    body: NewAccount, principal: PrincipalDep, svc: ServicesDep, request_id: RequestIdDep
) -> AccountCreated:
    secret = pyotp.random_base32() if body.role in ROLES_REQUIRING_TOTP else None
    svc.registry.administer_account(
        principal,
        body.login,
        body.role,
        body.organisation_ref,
        body.display_name,
        hash_password(body.password),
        secret,
        request_id=request_id,
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=body.login, issuer_name="TruStone") if secret else None
    return AccountCreated(login=body.login, role=body.role, totp_provisioning_uri=uri)
