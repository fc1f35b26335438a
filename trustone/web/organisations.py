"""HTTP adapter for registry/usecases/organisations.py: the register of organisations (the
secretariat's duty). Parse, call the use case, return its result; nothing decided here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from registry.usecases.organisations import OrganisationRecord, OrganisationSummary
from trustone.web.auth import PrincipalDep
from trustone.web.deps import OrganisationsDep, RequestIdDep

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])


class NewOrganisation(BaseModel):
    ref: Annotated[str, Field(min_length=1, max_length=40, description="public reference, e.g. de-steenhouwer")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Annotated[str, Field(description="member_company, ngo_party, union_party or public_buyer")]
    country: Annotated[str, Field(min_length=1, max_length=2, description="ISO 3166-1 alpha-2")]


class Joining(BaseModel):
    on: dt.date
    category: Annotated[str, Field(description="A, B or C")]
    size: Annotated[str, Field(description="small, medium or large")]


class MembershipEnd(BaseModel):
    on: dt.date


class ContactAddress(BaseModel):
    contact_email: Annotated[str, Field(min_length=1, max_length=254)]


@router.post("", response_model=OrganisationRecord, status_code=201)
def register(
    body: NewOrganisation, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    return organisations.register(principal, body.ref, body.name, body.kind, body.country, request_id)


@router.get("", response_model=list[OrganisationSummary])
def listing(
    principal: PrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    kind: Annotated[str | None, Query(max_length=40, description="only organisations of this kind")] = None,
) -> list[OrganisationSummary]:
    return organisations.listing(principal, kind, request_id)


@router.get("/{ref}", response_model=OrganisationRecord)
def show(
    ref: str, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    return organisations.show(principal, ref, request_id)


@router.post("/{ref}/join", response_model=OrganisationRecord)
def join(
    ref: str, body: Joining, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    return organisations.join(principal, ref, body.on, body.category, body.size, request_id)


@router.post("/{ref}/withdraw", response_model=OrganisationRecord)
def withdraw(
    ref: str, body: MembershipEnd, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    """Refused (409) while the company is part of an open case before the complaints committee."""
    return organisations.withdraw(principal, ref, body.on, request_id)


@router.post("/{ref}/exclude", response_model=OrganisationRecord)
def exclude(
    ref: str, body: MembershipEnd, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    return organisations.exclude(principal, ref, body.on, request_id)


@router.put("/{ref}/contact", response_model=OrganisationRecord)
def set_contact(
    ref: str, body: ContactAddress, principal: PrincipalDep, organisations: OrganisationsDep, request_id: RequestIdDep
) -> OrganisationRecord:
    """Where the secretariat's notices to the company go."""
    return organisations.set_contact(principal, ref, body.contact_email, request_id)
