"""Pages of the retention schedule (issue 16; docs/retention.md), on the use case of
``trustone/web/retention.py`` (registry/usecases/retention.py ``Retention``).

- ``/secretariat/retention``: the schedule in plain words, what expires within the warning window and
  what is past due (each with an extend form), the erasures so far, the last run, and a button that
  runs the daily job now (``run``, as the job itself).
- ``/auditor/retention``: the same schedule, due list and erasures, read-only, and how to find each
  erasure in the access log.

Who may do what is the use case's and the policy's: the secretariat's page first asks the use case
(``may_manage``), so a role that may only read is refused there (a 403 page, logged) rather than shown
forms it cannot send.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from registry.domain.errors import ValidationError
from registry.domain.retention import REASON_LONGEST, REASON_SHORTEST, RecordKind
from trustone.web.deps import RequestIdDep, RetentionDep
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)
SECRETARIAT = "/secretariat/retention"
AUDITOR = "/auditor/retention"
LONGEST_EXTENSION = 36_500  # days, as the JSON route's bound

# Each kind in plain words, in the page's language (the ``message`` filter); the use case's own
# sentences (``starts``, ``erasing``, ``why``) are English and written for docs/retention.md.
NAMES: dict[str, dict[str, str]] = {
    "kind": {
        "closed_case": N_("Closed grievance case"),
        "reporter_identity": N_("Who reported a grievance"),
        "data_access_release": N_("Data-access release"),
        "declaration": N_("Signed confidentiality declaration"),
        "withdrawn_company": N_("Withdrawn or excluded company"),
        "session": N_("Login session"),
        "access_log_details": N_("Access-log details"),
    },
    "starts": {
        "closed_case": N_("from the day the case was closed"),
        "reporter_identity": N_("from the day its case was closed"),
        "data_access_release": N_("from the day the release ended (expired, revoked or refused)"),
        "declaration": N_("from the day the declaration ended (expired or revoked)"),
        "withdrawn_company": N_("from the day its membership ended, unless it joined again"),
        "session": N_("from the moment the session expired"),
        "access_log_details": N_("from the end of the covenant's term"),
    },
    "erasing": {
        "closed_case": N_(
            "The case file's key is destroyed: who reported it and how to reach them, the description, the "
            "evidence, the reasons and the ruling's text can no longer be read. The reference, dates, "
            "themes, country and the published summary stay, so the statistics still count the case."
        ),
        "reporter_identity": N_(
            "Kept in the case file, under the same key: it goes with the closed case, on the same day."
        ),
        "data_access_release": N_(
            "The request's key is destroyed: the local partner's name and contact. The scope, purpose, "
            "dates and decisions stay."
        ),
        "declaration": N_(
            "Kept under the signing organisation's key with its other documents: it goes when that "
            "organisation's keys are destroyed, not on its own."
        ),
        "withdrawn_company": N_(
            "The company's keys are destroyed: its reports and its part of every case. Its public "
            "listing (name, membership dates) stays."
        ),
        "session": N_("The login session's row is deleted."),
        "access_log_details": N_(
            "Not erased: the log is the evidence of who read whose data, and removing entries would break its chain."
        ),
    },
    "erased_by": {
        "job": N_("yes, by the daily job"),
        "with_its_case": N_("no: with its case"),
        "with_its_organisation": N_("no: with its organisation's keys"),
        "not_erased": N_("no: never"),
    },
    "standing": {"expiring": N_("expiring soon"), "due": N_("past due: erased by the next run")},
}

# What the extend form says when the use case (or the page) refuses a field (its own words are English).
FIELD_ERRORS = {
    "days": N_("Give a number of days (1 to %(n)s) or a day, not both."),
    "until": N_("Give a day after today and after the present expiry, or a number of days: not both."),
    "reason": N_("Say why the record is kept longer: %(low)s to %(high)s characters."),
}
Short = Annotated[str, Form(max_length=40)]
Reason = Annotated[str, Form(max_length=REASON_LONGEST * 2)]
KindPath = Annotated[RecordKind, Path(description="the record's kind")]
RefPath = Annotated[str, Path(min_length=1, max_length=200, description="the record's reference")]


def form_key(kind: str, ref: str) -> str:
    """An id-safe name for one record's extend form (its fields' ids end in it)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{kind}-{ref}")


def _field_error(form: FormState, field: str, key: str) -> None:
    form.error(f"{field}-{key}", FIELD_ERRORS[field], n=LONGEST_EXTENSION, low=REASON_SHORTEST, high=REASON_LONGEST)


def _count(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")[:6]
    return int(raw) if raw.isdigit() else None


def _day(request: Request, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.query_params.get(name, "")[:10])
    except ValueError:
        return None


def _page(
    request: Request,
    template: str,
    principal: Any,
    retention: Any,
    request_id: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The reads both pages share, each as its JSON twin calls it."""
    return render(
        request,
        template,
        {
            "names": NAMES,
            "schedule": retention.schedule(principal, request_id=request_id),
            "due": retention.due(principal, request_id=request_id),
            "erasures": retention.erasures(principal, request_id=request_id),
            "report": retention.report(principal, request_id=request_id),
            "form_key": form_key,
            **(context or {}),
        },
        status_code=status_code,
    )


# --- the secretariat --------------------------------------------------------------------------------


def _secretariat_page(
    request: Request,
    principal: Any,
    retention: Any,
    request_id: str,
    form: FormState | None = None,
    failed: str = "",
    status_code: int = 200,
) -> Response:
    retention.may_manage(principal, request_id)
    done = request.query_params.get("done", "")[:20]
    context = {
        "form": form or FormState(),
        "failed": failed,
        "done": done,
        "warned": _count(request, "warned"),
        "erased": _count(request, "erased"),
        "extended_until": _day(request, "until"),
    }
    return _page(request, "retention/secretariat.html", principal, retention, request_id, context, status_code)


@router.get(SECRETARIAT)
def secretariat_page(
    request: Request, principal: PagePrincipalDep, retention: RetentionDep, request_id: RequestIdDep
) -> Response:
    return _secretariat_page(request, principal, retention, request_id)


@router.post(SECRETARIAT + "/run")
def run(principal: PagePrincipalDep, retention: RetentionDep, request_id: RequestIdDep) -> Response:
    """The daily job, now (``run``, as POST /api/v1/retention/run); back to the page with its counts."""
    result = retention.run(principal, request_id=request_id)
    return see_other(SECRETARIAT, done="run", warned=len(result.warned), erased=len(result.erased))


@router.post(SECRETARIAT + "/records/{kind}/{record}/extend")
def extend(
    request: Request,
    kind: KindPath,
    record: RefPath,
    principal: PagePrincipalDep,
    retention: RetentionDep,
    request_id: RequestIdDep,
    days: Short = "",
    until: Short = "",
    reason: Reason = "",
) -> Response:
    """Keep one record longer (``extend``, as POST /api/v1/retention/records/{kind}/{record}/extend)."""
    retention.may_manage(principal, request_id)  # refused before any input is judged
    key = form_key(kind.value, record)
    form = FormState(values={f"days-{key}": days, f"until-{key}": until, f"reason-{key}": reason})
    scratch = FormState(values={"days": days, "until": until})
    chosen_days = parse_int(scratch, "days", 1, LONGEST_EXTENSION, required=False)
    chosen_until = parse_date(scratch, "until", required=False)
    for name in scratch.errors:
        _field_error(form, name, key)
    if not scratch.failed and (chosen_days is None) == (chosen_until is None):
        _field_error(form, "days" if chosen_days is None else "until", key)
    if len(reason.strip()) < REASON_SHORTEST:
        _field_error(form, "reason", key)
    if not form.failed:
        try:
            made = retention.extend(
                principal, kind, record, reason, until=chosen_until, days=chosen_days, request_id=request_id
            )
        except ValidationError as error:
            if error.field not in FIELD_ERRORS:
                raise  # not a field of the form (the kind): the error page says it
            _field_error(form, error.field, key)
        else:
            return see_other(SECRETARIAT, done="extended", until=made.expires_on.isoformat())
    return _secretariat_page(request, principal, retention, request_id, form, key, 422)


# --- the auditor ------------------------------------------------------------------------------------


@router.get(AUDITOR)
def auditor_page(
    request: Request, principal: PagePrincipalDep, retention: RetentionDep, request_id: RequestIdDep
) -> Response:
    return _page(request, "retention/auditor.html", principal, retention, request_id)
