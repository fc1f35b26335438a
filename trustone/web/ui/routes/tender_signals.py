"""Reports about tenders in the browser (art. 7 lid 12; docs/tender-signals.md), on the same use case as
``trustone/web/tender_signals.py`` (registry/usecases/tender_signals.py).

- ``/tender-signals``: report a tender that ignores due diligence, and follow the reports the use
  case lets you read (your organisation's; the secretariat's are all), every role;
- ``/secretariat/tender-signals``: the secretariat's queue, newest first; each report's page there
  offers the step its status allows next (contact the authority, then resolve) as a form;
- ``/public/tender-signals``: the counts per year, without login.

Who may read or track what is the use case's (the policy): a refusal is a 403 page, an illegal step a
409 page. The pages decide nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from registry.domain.errors import ValidationError
from registry.domain.tender_signals import MISSING_LONGEST, NAME_LONGEST, NOTE_LONGEST
from trustone.web.deps import RequestIdDep, TenderSignalsDep
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import OptionalPrincipalDep, PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)
MINE = "/tender-signals"
QUEUE = "/secretariat/tender-signals"
PUBLIC = "/public/tender-signals"
_REPORT_FIELDS = ("authority", "title", "reference", "missing", "tender_date")


def _required(form: FormState, *names: str) -> None:
    for name in names:
        if not form.values.get(name, "").strip():
            form.error(name, N_("required"))


# --- reporting, and one's own reports (every role) ------------------------------------------------


def _mine_page(
    request: Request, principal: Any, signals: Any, request_id: str, form: FormState, status_code: int = 200
) -> Response:
    reports = signals.list_for(principal, request_id=request_id)
    reported = request.query_params.get("reported") if status_code == 200 else None
    return render(
        request,
        "tender_signals/mine.html",
        {"form": form, "reports": reports, "reported": reported, "base": MINE},
        status_code=status_code,
    )


@router.get(MINE)
def mine(
    request: Request, principal: PagePrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> Response:
    return _mine_page(request, principal, signals, request_id, FormState())


@router.post(MINE)
def report(
    request: Request,
    principal: PagePrincipalDep,
    signals: TenderSignalsDep,
    request_id: RequestIdDep,
    authority: Annotated[str, Form(max_length=NAME_LONGEST * 2)] = "",
    title: Annotated[str, Form(max_length=NAME_LONGEST * 2)] = "",
    reference: Annotated[str, Form(max_length=NAME_LONGEST * 2)] = "",
    missing: Annotated[str, Form(max_length=MISSING_LONGEST * 2)] = "",
    tender_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    values = dict(zip(_REPORT_FIELDS, (authority, title, reference, missing, tender_date), strict=True))
    form = FormState(values=values)
    _required(form, "authority", "title", "reference", "missing")
    day = parse_date(form, "tender_date", required=False)
    if not form.failed:
        try:
            taken = signals.report(principal, authority, title, reference, missing, day, request_id=request_id)
        except ValidationError as error:
            form.add(error)
        else:
            return see_other(MINE, reported=str(taken.id))
    return _mine_page(request, principal, signals, request_id, form, status_code=422)


@router.get(MINE + "/{signal_id}")
def own_report(
    request: Request,
    signal_id: uuid.UUID,
    principal: PagePrincipalDep,
    signals: TenderSignalsDep,
    request_id: RequestIdDep,
) -> Response:
    return _signal_page(request, principal, signals, request_id, signal_id, "reporter")


# --- the secretariat's queue ----------------------------------------------------------------------


@router.get(QUEUE)
def queue(
    request: Request, principal: PagePrincipalDep, signals: TenderSignalsDep, request_id: RequestIdDep
) -> Response:
    signals.may_track(principal, request_id)  # the tracker's pages; a reporter has its own
    reports = signals.list_for(principal, request_id=request_id)
    return render(request, "tender_signals/queue.html", {"reports": reports, "base": QUEUE})


def _signal_page(
    request: Request,
    principal: Any,
    signals: Any,
    request_id: str,
    signal_id: uuid.UUID,
    side: Literal["tracker", "reporter"],
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    item = signals.get(principal, signal_id, request_id=request_id)
    return render(
        request,
        "tender_signals/signal.html",
        {
            "item": item,
            "side": side,
            "base": QUEUE if side == "tracker" else MINE,
            "form": form or FormState(),
            "done": request.query_params.get("done") if status_code == 200 else None,
        },
        status_code=status_code,
    )


@router.get(QUEUE + "/{signal_id}")
def tracked_report(
    request: Request,
    signal_id: uuid.UUID,
    principal: PagePrincipalDep,
    signals: TenderSignalsDep,
    request_id: RequestIdDep,
) -> Response:
    signals.may_track(principal, request_id)
    return _signal_page(request, principal, signals, request_id, signal_id, "tracker")


@router.post(QUEUE + "/{signal_id}/contact")
def contact(
    request: Request,
    signal_id: uuid.UUID,
    principal: PagePrincipalDep,
    signals: TenderSignalsDep,
    request_id: RequestIdDep,
    note: Annotated[str, Form(max_length=NOTE_LONGEST * 2)] = "",
) -> Response:
    return _step(request, principal, signals, request_id, signal_id, "note", note, signals.contact, "contact")


@router.post(QUEUE + "/{signal_id}/resolve")
def resolve(
    request: Request,
    signal_id: uuid.UUID,
    principal: PagePrincipalDep,
    signals: TenderSignalsDep,
    request_id: RequestIdDep,
    outcome: Annotated[str, Form(max_length=NOTE_LONGEST * 2)] = "",
) -> Response:
    return _step(request, principal, signals, request_id, signal_id, "outcome", outcome, signals.resolve, "resolve")


def _step(
    request: Request,
    principal: Any,
    signals: Any,
    request_id: str,
    signal_id: uuid.UUID,
    field: str,
    text: str,
    take: Any,
    done: str,
) -> Response:
    """One of the secretariat's steps (contact, resolve), each with its one required text: taken by the
    use case, then back to the report (post/redirect/get); on a refused input, the page again (422)."""
    form = FormState(values={field: text})
    _required(form, field)
    if not form.failed:
        try:
            take(principal, signal_id, text, request_id=request_id)
        except ValidationError as error:
            form.add(error)
        else:
            return see_other(f"{QUEUE}/{signal_id}", done=done)
    return _signal_page(request, principal, signals, request_id, signal_id, "tracker", form, 422)


# --- public ---------------------------------------------------------------------------------------


@router.get(PUBLIC)
def public_counts(request: Request, _: OptionalPrincipalDep, signals: TenderSignalsDep) -> Response:
    return render(request, "tender_signals/public.html", {"years": signals.public_counts()})
