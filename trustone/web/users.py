"""HTTP adapter for registry/usecases/accounts.py: the secretariat's user administration. Parse, call
the use case, return its result; nothing decided here. A second factor's secret is in the answer of
the call that made it, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from registry.usecases.accounts import AccountCreated, AccountRecord, SecondFactor
from trustone.web.auth import PrincipalDep
from trustone.web.deps import AccountsDep, RequestIdDep

router = APIRouter(prefix="/api/v1/users", tags=["users"])


class NewAccount(BaseModel):
    login: Annotated[str, Field(min_length=1, max_length=80)]
    role: Annotated[str, Field(description="must fit the organisation's kind (a company login for a member company)")]
    organisation_ref: Annotated[str, Field(min_length=1, max_length=40)]
    display_name: Annotated[str, Field(min_length=1, max_length=120)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]  # bounded: argon2 over a megabyte is a cheap DoS


class Disabling(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


@router.post("", response_model=AccountCreated, status_code=201)
def create(
    body: NewAccount, principal: PrincipalDep, accounts: AccountsDep, request_id: RequestIdDep
) -> AccountCreated:
    return accounts.create(
        principal, body.login, body.role, body.organisation_ref, body.display_name, body.password, request_id
    )


@router.get("", response_model=list[AccountRecord])
def listing(
    principal: PrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    organisation: Annotated[str, Query(min_length=1, max_length=40, description="the organisation's ref")],
) -> list[AccountRecord]:
    return accounts.listing(principal, organisation, request_id)


@router.post("/{login}/disable", response_model=AccountRecord)
def disable(
    login: str, body: Disabling, principal: PrincipalDep, accounts: AccountsDep, request_id: RequestIdDep
) -> AccountRecord:
    """The login can no longer log in; a session it holds is refused on its next request."""
    return accounts.disable(principal, login, body.reason, request_id)


@router.post("/{login}/reset-totp", response_model=SecondFactor)
def reset_totp(login: str, principal: PrincipalDep, accounts: AccountsDep, request_id: RequestIdDep) -> SecondFactor:
    """A new second-factor secret, shown once; the old one's codes stop working."""
    return accounts.reset_second_factor(principal, login, request_id)
