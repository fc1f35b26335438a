"""HTTP adapter for registry/usecases/declarations.py: parse, call the use case, return; nothing decided here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field

from registry.domain.declarations import MAX_DOCUMENT_BYTES
from registry.usecases.declarations import DeclarationView
from trustone.web.auth import PrincipalDep
from trustone.web.deps import DeclarationsDep, RequestIdDep

router = APIRouter(prefix="/api/v1/declarations", tags=["declarations"])


class RevocationIn(BaseModel):
    on: dt.date = Field(
        description="from this day on (inclusive) the declaration grants nothing: today or a past day, never later"
    )
    reason: str = Field(min_length=1, max_length=500)


@router.post("", response_model=DeclarationView, status_code=201)
def record_declaration(
    principal: PrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    login: Annotated[str, Form(max_length=80, description="the NGO party user who signed")],
    document_title: Annotated[str, Form(max_length=200)],
    document_version: Annotated[str, Form(max_length=40)],
    signed_on: Annotated[dt.date, Form()],
    valid_until: Annotated[dt.date, Form(description="the first day it no longer counts; at most 5 years on")],
    file: Annotated[UploadFile, File(description="the signed declaration: PDF, PNG or JPEG, at most 5 MiB")],
) -> DeclarationView:
    """Record an NGO party user's signed confidentiality declaration with its document (the
    secretariat). The document is stored encrypted; its SHA-256 is computed and shown."""
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)  # the use case refuses anything larger, naming the limit
    return declarations.record(
        principal, login, document_title, document_version, signed_on, valid_until, content, request_id=request_id
    )


@router.get("", response_model=list[DeclarationView])
def list_declarations(
    principal: PrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    organisation: Annotated[str | None, Query(max_length=40, description="one organisation's (ref)")] = None,
    valid_on: Annotated[dt.date | None, Query(description="valid on this date")] = None,
    expiring_within_days: Annotated[
        int | None,
        Query(
            ge=0,
            le=1830,
            description="valid on valid_on (today) and ending (valid_until, or an earlier revocation's day: "
            "the first day it no longer counts) within N days of it",
        ),
    ] = None,
) -> list[DeclarationView]:
    """The secretariat: every declaration; an NGO party: its own organisation's (``organisation``
    set to its own ref). Soonest-ending first. ``valid_until`` in the answer is the first day a
    declaration no longer counts (exclusive): one valid until 2026-06-01 counts through 2026-05-31."""
    return declarations.search(principal, organisation, valid_on, expiring_within_days, request_id=request_id)


@router.get("/{declaration_id}", response_model=DeclarationView)
def read_declaration(
    declaration_id: uuid.UUID, principal: PrincipalDep, declarations: DeclarationsDep, request_id: RequestIdDep
) -> DeclarationView:
    return declarations.get(principal, declaration_id, request_id=request_id)


@router.get("/{declaration_id}/document", response_class=Response)
def download_document(
    declaration_id: uuid.UUID, principal: PrincipalDep, declarations: DeclarationsDep, request_id: RequestIdDep
) -> Response:
    """The signed document as uploaded; ``X-Content-SHA256`` repeats the digest on record."""
    document = declarations.document(principal, declaration_id, request_id=request_id)
    return Response(
        content=document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Content-SHA256": document.sha256,
            "Cache-Control": "no-store",
        },
    )


@router.post("/{declaration_id}/revocation", response_model=DeclarationView)
def revoke_declaration(
    declaration_id: uuid.UUID,
    body: RevocationIn,
    principal: PrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
) -> DeclarationView:
    """Revoke from a date, with a reason: from that day on it grants nothing. The day is today or a past
    day (422 for a later one); 409 when revoked already."""
    return declarations.revoke(principal, declaration_id, body.on, body.reason, request_id=request_id)
