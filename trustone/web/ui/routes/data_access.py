"""Data-access requests in the browser (docs/lifecycles.md, covenant art. 6 lid 4a), on the same use case
as ``trustone/web/data_access.py`` (registry/usecases/data_access.py).

An NGO or union party asks for part of the aggregated list for a local partner, records the partner's
signed clause and, once approved, downloads the release (``/party/data-access``); the secretariat
approves or refuses and can revoke (``/secretariat/data-access``). Which requests a list shows and
who may take a step is the use case's (``data_access_sight``, the policy): a refusal is a 403 page,
a step the request's status does not allow a 409 page. Each area's page offers the steps of its side
that the request allows next (``allowed_next``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from registry.domain.errors import ValidationError
from trustone.web.deps import DataAccessDep, RequestIdDep
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)
SECRETARIAT = "/secretariat/data-access"
PARTY = "/party/data-access"
# The form's names for the use case's fields where they differ.
_FIELDS = {
    "local_partner.name": "partner_name",
    "local_partner.contact": "partner_contact",
    "local_partner": "partner_name",
}


def _form_error(form: FormState, error: ValidationError) -> None:
    form.error(_FIELDS.get(error.field, error.field), error.message)


def _required(form: FormState, *names: str) -> None:
    for name in names:
        if not form.values.get(name, "").strip():
            form.error(name, N_("required"))


# --- the lists --------------------------------------------------------------------------------------


@router.get(SECRETARIAT)
def secretariat_list(
    request: Request, principal: PagePrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> Response:
    access.may_decide(principal, request_id)  # the approver's pages; a party has its own
    requests = access.list_for(principal, request_id=request_id)
    return render(request, "data_access/list.html", {"base": SECRETARIAT, "side": "approver", "requests": requests})


@router.get(PARTY)
def party_list(
    request: Request, principal: PagePrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> Response:
    access.may_request(principal, request_id)  # the requesting party's pages; the approver has its own
    requests = access.list_for(principal, request_id=request_id)
    return render(request, "data_access/list.html", {"base": PARTY, "side": "requester", "requests": requests})


# --- a new request (the requesting party) ---------------------------------------------------------


@router.get(PARTY + "/new")
def new_request_page(
    request: Request, principal: PagePrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> Response:
    access.may_request(principal, request_id)  # a role that may not ask gets 403, not a form it cannot send
    return render(request, "data_access/new.html", {"form": FormState()})


@router.post(PARTY + "/new")
def new_request(
    request: Request,
    principal: PagePrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    partner_name: Annotated[str, Form(max_length=200)] = "",
    partner_contact: Annotated[str, Form(max_length=500)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    region: Annotated[str, Form(max_length=80)] = "",
    stone_type: Annotated[str, Form(max_length=40)] = "",
    purpose: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState(
        values={
            "partner_name": partner_name,
            "partner_contact": partner_contact,
            "country": country,
            "region": region,
            "stone_type": stone_type,
            "purpose": purpose,
        }
    )
    _required(form, "partner_name", "partner_contact", "country", "purpose")
    if not form.failed:
        try:
            taken = access.request(
                principal,
                {"name": partner_name, "contact": partner_contact},
                country,
                region or None,
                stone_type or None,
                purpose,
                request_id=request_id,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            return see_other(f"{PARTY}/{taken.id}")
    return render(request, "data_access/new.html", {"form": form}, status_code=422)


# --- one request ------------------------------------------------------------------------------------


def _request_page(
    request: Request,
    principal: Any,
    access: Any,
    request_id: str,
    access_id: uuid.UUID,
    side: Literal["approver", "requester"],
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    view = access.get(principal, access_id, request_id=request_id)
    return render(
        request,
        "data_access/request.html",
        {
            "base": SECRETARIAT if side == "approver" else PARTY,
            "side": side,
            "item": view,
            "form": form or FormState(),
        },
        status_code=status_code,
    )


@router.get(SECRETARIAT + "/{access_id}")
def secretariat_request(
    request: Request, access_id: uuid.UUID, principal: PagePrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> Response:
    access.may_decide(principal, request_id)
    return _request_page(request, principal, access, request_id, access_id, "approver")


@router.get(PARTY + "/{access_id}")
def party_request(
    request: Request, access_id: uuid.UUID, principal: PagePrincipalDep, access: DataAccessDep, request_id: RequestIdDep
) -> Response:
    access.may_request(principal, request_id)
    return _request_page(request, principal, access, request_id, access_id, "requester")


@router.post(SECRETARIAT + "/{access_id}/decision")
def decide(
    request: Request,
    access_id: uuid.UUID,
    principal: PagePrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState(values={"decision": decision, "reason": reason})
    _required(form, "decision", "reason")
    if decision and decision not in ("approve", "refuse"):
        form.error("decision", N_("choose approve or refuse"))
    if not form.failed:
        try:
            access.decide(principal, access_id, decision == "approve", reason, request_id=request_id)
        except ValidationError as error:
            _form_error(form, error)
        else:
            return see_other(f"{SECRETARIAT}/{access_id}")
    return _request_page(request, principal, access, request_id, access_id, "approver", form, 422)


@router.post(SECRETARIAT + "/{access_id}/revoke")
def revoke(
    request: Request,
    access_id: uuid.UUID,
    principal: PagePrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState(values={"reason": reason})
    _required(form, "reason")
    if not form.failed:
        try:
            access.revoke(principal, access_id, reason, request_id=request_id)
        except ValidationError as error:
            _form_error(form, error)
        else:
            return see_other(f"{SECRETARIAT}/{access_id}")
    return _request_page(request, principal, access, request_id, access_id, "approver", form, 422)


@router.post(PARTY + "/{access_id}/clause")
def record_clause(
    request: Request,
    access_id: uuid.UUID,
    principal: PagePrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    title: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=40)] = "",
    sha256: Annotated[str, Form(max_length=80)] = "",
    signed_on: Annotated[str, Form(max_length=20)] = "",
    valid_until: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = FormState(
        values={
            "title": title,
            "version": version,
            "sha256": sha256,
            "signed_on": signed_on,
            "valid_until": valid_until,
        }
    )
    _required(form, "title", "version", "sha256")
    signed, until = parse_date(form, "signed_on"), parse_date(form, "valid_until")
    if not form.failed and signed is not None and until is not None:
        try:
            access.record_clause(principal, access_id, title, version, sha256, signed, until, request_id=request_id)
        except ValidationError as error:
            _form_error(form, error)
        else:
            return see_other(f"{PARTY}/{access_id}")
    return _request_page(request, principal, access, request_id, access_id, "requester", form, 422)


@router.get(PARTY + "/{access_id}/release")
def release(
    access_id: uuid.UUID,
    principal: PagePrincipalDep,
    access: DataAccessDep,
    request_id: RequestIdDep,
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",  # noqa: A002 - the address's parameter
) -> Response:
    """The scoped rows, watermarked; each download is an access-log entry (as the JSON route's)."""
    download = access.release(principal, access_id, format, request_id=request_id)
    return attachment(download.content, download.media_type, f"data-access-{access_id}.{format}")
