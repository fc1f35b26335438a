"""The secretariat's registry duties, part three: NGO party users' signed confidentiality declarations.

Each page calls the same use case as its JSON twin (trustone/web/declarations.py): record with the
signed document (PDF, PNG or JPEG of at most 5 MiB: the use case reads what the file is and refuses
anything else, naming the field), list (every one, one organisation's, those valid on a day, those
ending soon), look up one, download its document, revoke.

The upload form's first field is the CSRF token: the CSRF middleware reads the form up to it before
the file part.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from keys.access.principal import Principal
from registry.domain.declarations import MAX_DOCUMENT_BYTES
from registry.domain.errors import ValidationError
from registry.usecases.declarations import EXPIRING_DAYS, Declarations
from trustone.web.deps import DeclarationsDep, RequestIdDep
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other
from trustone.web.ui.routes.secretariat_registry import add_error
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=80)]


@router.get("/secretariat/declarations")
def declarations_page(
    request: Request,
    principal: PagePrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    organisation: str = "",
    valid_on: str = "",
    expiring_within_days: str = "",
) -> Response:
    form = FormState(
        values={
            "organisation": organisation[:40],
            "valid_on": valid_on[:10],
            "expiring_within_days": expiring_within_days[:5],
        }
    )
    day = parse_date(form, "valid_on", required=False)
    within = parse_int(form, "expiring_within_days", 0, 1830, required=False)
    listing = []
    if not form.failed:
        try:
            listing = declarations.search(principal, organisation.strip() or None, day, within, request_id=request_id)
        except ValidationError as refused:
            form.add(refused)
    return render(
        request,
        "secretariat/declarations.html",
        {"form": form, "declarations": listing, "expiring_days": EXPIRING_DAYS},
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/declarations/new")
def new_declaration(request: Request, principal: PagePrincipalDep, login: str = "") -> Response:  # noqa: ARG001 - a login is needed
    form = FormState(values={"login": login[:80]})
    return render(request, "secretariat/declaration_new.html", {"form": form, "max_mib": MAX_DOCUMENT_BYTES // 2**20})


@router.post("/secretariat/declarations")
def record_declaration(
    request: Request,
    principal: PagePrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    login: Short = "",
    document_title: Annotated[str, Form(max_length=200)] = "",
    document_version: Annotated[str, Form(max_length=40)] = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    valid_until: Annotated[str, Form(max_length=20)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    form = FormState(
        values={
            "login": login,
            "document_title": document_title,
            "document_version": document_version,
            "signed_on": signed_on,
            "valid_until": valid_until,
        }
    )
    signed = parse_date(form, "signed_on")
    until = parse_date(form, "valid_until")
    content = file.file.read(MAX_DOCUMENT_BYTES + 1) if file is not None else b""  # the use case names the limit
    if not content:
        form.error("file", N_("choose the signed declaration: a PDF, PNG or JPEG file"))
    if not form.failed and signed is not None and until is not None:
        try:
            done = declarations.record(
                principal,
                login.strip(),
                document_title,
                document_version,
                signed,
                until,
                content,
                request_id=request_id,
            )
        except ValidationError as refused:
            form.add(refused)
        else:
            return see_other(f"/secretariat/declarations/{done.id}", done="recorded")
    return render(
        request,
        "secretariat/declaration_new.html",
        {"form": form, "max_mib": MAX_DOCUMENT_BYTES // 2**20},
        status_code=422,
    )


def _declaration_page(
    request: Request,
    principal: Principal,
    declarations: Declarations,
    request_id: str,
    declaration_id: uuid.UUID,
    form: FormState,
    done: str = "",
) -> Response:
    declaration = declarations.get(principal, declaration_id, request_id=request_id)
    return render(
        request,
        "secretariat/declaration.html",
        {"declaration": declaration, "form": form, "done": done},
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/declarations/{declaration_id}")
def declaration_page(
    request: Request,
    declaration_id: uuid.UUID,
    principal: PagePrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    done: str = "",
) -> Response:
    return _declaration_page(request, principal, declarations, request_id, declaration_id, FormState(), done[:20])


@router.get("/secretariat/declarations/{declaration_id}/document")
def declaration_document(
    declaration_id: uuid.UUID, principal: PagePrincipalDep, declarations: DeclarationsDep, request_id: RequestIdDep
) -> Response:
    """The signed document as uploaded, as the JSON route answers it."""
    document = declarations.document(principal, declaration_id, request_id=request_id)
    return attachment(document.content, document.media_type, document.filename, {"X-Content-SHA256": document.sha256})


@router.post("/secretariat/declarations/{declaration_id}/revocation")
def revoke_declaration(
    request: Request,
    declaration_id: uuid.UUID,
    principal: PagePrincipalDep,
    declarations: DeclarationsDep,
    request_id: RequestIdDep,
    revoked_on: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = FormState(values={"revoked_on": revoked_on, "reason": reason})
    on = parse_date(form, "revoked_on")
    if on is not None:
        try:
            declarations.revoke(principal, declaration_id, on, reason, request_id=request_id)
        except ValidationError as refused:
            add_error(form, refused, {"on": "revoked_on"})
        else:
            return see_other(f"/secretariat/declarations/{declaration_id}", done="revoked")
    return _declaration_page(request, principal, declarations, request_id, declaration_id, form)
