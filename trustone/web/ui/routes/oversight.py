"""The auditor's access log and chain verification, and the public buyer's member-status check.

Each page calls the use case its JSON twin calls: ``AccessLogReading`` (trustone/web/audit.py) with
the principal and the request id, ``MemberStatusCheck`` (trustone/web/operations.py). Who may read
which part of the log is the use case's to decide; a refusal is its AccessDeniedError, drawn as the
403 page. Both forms only ask (they change nothing), so they are GET forms whose answers can be
bookmarked and need no CSRF token.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from keys.access.accesslog import Outcome, digest_export
from keys.access.log_reading import LogFilter
from keys.access.policy import Action
from registry.domain.assessment import LEVEL_THRESHOLDS
from registry.domain.errors import NotFoundError, ValidationError
from trustone.web.deps import AccessLogReadingDep, MemberStatusCheckDep, RequestIdDep
from trustone.web.ui import vocabulary
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment
from trustone.web.ui.session import OptionalPrincipalDep, PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)

# --- the access log ------------------------------------------------------------------------------

# The filters of the access-log page, each with its longest value (a login, a ref, an action, a date).
_LOG_FILTERS = {"actor": 80, "organisation": 80, "company": 80, "action": 40, "outcome": 20, "from": 10, "to": 10}

# Each action the log records, in words (keys/access/policy.py ``Action``).
ACTION_WORDS: dict[str, str] = {
    Action.SUBMIT_REPORT: N_("submit a supply-chain report"),
    Action.READ_REPORT: N_("read a supply-chain report"),
    Action.READ_LINKED_LIST: N_("search the linked list"),
    Action.READ_AGGREGATED_LIST: N_("read the aggregated list"),
    Action.REQUEST_RELEASE: N_("request a data release"),
    Action.APPROVE_RELEASE: N_("decide on a data release"),
    Action.READ_PUBLIC: N_("read public data"),
    Action.FILE_GRIEVANCE: N_("file a grievance report"),
    Action.NOTIFY_COMPANIES: N_("notify companies of a case"),
    Action.SEE_NOTIFIED_COMPANIES: N_("see which companies were notified"),
    Action.RECORD_COMMITTEE_DECISION: N_("record a committee decision"),
    Action.READ_ACCESS_LOG: N_("read the access log"),
    Action.VERIFY_MEMBER_STATUS: N_("check a company's membership"),
    Action.ADMINISTER_KEYS: N_("administer encryption keys"),
    Action.READ_KEY_REPORT: N_("read the key report or verify the access log"),
    Action.ADMINISTER_USERS: N_("administer logins"),
    Action.READ_CREDENTIAL: N_("check a login's second factor"),
    Action.READ_CASE: N_("read a case file"),
    Action.READ_CASE_QUEUE: N_("read the case queue"),
    Action.MANAGE_CASE: N_("take a step in a case"),
    Action.RESPOND_TO_CASE: N_("respond to a case"),
    Action.REFER_TO_COMMITTEE: N_("refer a case to the committee"),
    Action.READ_REPORTER_IDENTITY: N_("read a reporter's identity"),
    Action.READ_EVIDENCE: N_("read a case's evidence"),
    Action.MANAGE_ORGANISATIONS: N_("manage organisations"),
    Action.READ_ORGANISATIONS: N_("read the register of organisations"),
    Action.MANAGE_DECLARATIONS: N_("manage confidentiality declarations"),
    Action.READ_DECLARATIONS: N_("read confidentiality declarations"),
    Action.READ_ASSESSMENT_QUEUE: N_("read the reports awaiting assessment"),
    Action.ASSESS_REPORT: N_("assess a report"),
    Action.EXPLAIN_DELAY: N_("explain a late report"),
    Action.READ_DUPLICATE_QUEUE: N_("read the sites held as possible duplicates"),
    Action.DECIDE_DUPLICATE: N_("decide on a possible duplicate site"),
    Action.PUBLISH_LIST: N_("publish a list"),
    Action.READ_WAITING: N_("read what is waiting"),
    Action.ISSUE_STATEMENT: N_("issue an evidence statement"),
    Action.RECORD_TENDER: N_("record in a tender register"),
    Action.READ_TENDER_REGISTER: N_("read a tender register"),
    Action.PUBLISH_TENDER_REPORT: N_("publish the tender report"),
    Action.REPORT_TENDER: N_("report a tender"),
    Action.READ_TENDER_SIGNALS: N_("read reports about tenders"),
    Action.TRACK_TENDER_SIGNALS: N_("track a report about a tender"),
    Action.MANAGE_VERIFICATION: N_("run a verification round"),
    Action.READ_VERIFICATION_ROUND: N_("read a verification round's draw"),
    Action.READ_FIELD_CHECKS: N_("read field checks"),
    Action.RECORD_FIELD_CHECK: N_("record a field check's findings"),
    Action.ANSWER_CORRECTION: N_("answer a correction request"),
    Action.MANAGE_RETENTION: N_("manage the retention schedule"),
    Action.READ_RETENTION: N_("read the retention schedule"),
    Action.MANAGE_CONTRIBUTIONS: N_("manage contributions"),
    Action.READ_CONTRIBUTIONS: N_("read contribution statements"),
}

OUTCOME_WORDS: dict[str, str] = {
    Outcome.GRANTED: N_("granted"),
    Outcome.DENIED: N_("refused"),
    Outcome.INTEGRITY_FAILURE: N_("refused: stored data did not verify"),
}

ROLE_WORDS: dict[str, str] = {**vocabulary.ROLE, "system": N_("the system itself")}  # the site's role names

# What an entry is about (its ``subject_kind``, as the use cases write it), in words.
SUBJECT_WORDS: dict[str, str] = {
    "access_log": N_("the access log"),
    "account": N_("a login"),
    "aggregated_list": N_("the aggregated list"),
    "assessment_queue": N_("the reports awaiting assessment"),
    "case_queue": N_("the case queue"),
    "declaration": N_("a confidentiality declaration"),
    "declarations": N_("the confidentiality declarations"),
    "delay_explanation": N_("a late report's explanation"),
    "desk": N_("what is waiting"),
    "duplicate_queue": N_("the sites held as possible duplicates"),
    "grievance_case": N_("a grievance case"),
    "grievance_notices": N_("a company's notices"),
    "keys": N_("the encryption keys"),
    "linked_list": N_("the linked list"),
    "member_status": N_("a company's membership"),
    "organisation": N_("an organisation"),
    "quarry_region_list": N_("the quarry-region list"),
    "report": N_("a supply-chain report"),
    "site": N_("a production site"),
    "evidence_statement": N_("an evidence statement"),
    "tender_register": N_("a tender register"),
    "tender_report": N_("the tender report"),
    "tender_signal": N_("a report about a tender"),
    "verification_round": N_("a verification round"),
    "field_check": N_("a field check"),
    "retention": N_("the retention schedule"),
}


def _log_form(request: Request) -> tuple[FormState, LogFilter]:
    """The filters as typed, and the filter they ask for (dates read here; the rest is the use case's to check)."""
    form = FormState(values={name: request.query_params.get(name, "").strip() for name in _LOG_FILTERS})
    for name, longest in _LOG_FILTERS.items():
        if len(form.values[name]) > longest:
            form.error(name, N_("at most %(n)s characters"), n=longest)
    since = parse_date(form, "from", required=False) if "from" not in form.errors else None
    until = parse_date(form, "to", required=False) if "to" not in form.errors else None
    text = {name: form.values[name] or None for name in ("actor", "organisation", "company", "action", "outcome")}
    return form, LogFilter(since=since, until=until, **text)


def _when(at: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(at) if at else None
    except ValueError:
        return None


@router.get("/auditor/access-log")
def access_log(
    request: Request, principal: PagePrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep
) -> Response:
    reading.may_read(principal, request_id)  # a refused role is refused (and logged) whatever it typed
    form, filters = _log_form(request)
    cursor = request.query_params.get("cursor") or None
    page = None
    if not form.failed:
        try:
            page = reading.page(principal, request_id, filters, cursor=cursor)
        except ValidationError as error:
            form.add(_renamed(error))
    kept = {name: value for name, value in form.values.items() if value}
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "when": _when,
        "filtered": bool(kept),
        "actions": sorted(ACTION_WORDS.items(), key=lambda item: item[0]),
        "action_words": ACTION_WORDS,
        "outcome_words": OUTCOME_WORDS,
        "role_words": ROLE_WORDS,
        "subject_words": SUBJECT_WORDS,
        "first_page": "/auditor/access-log" + (f"?{urlencode(kept)}" if kept else ""),
        "next_page": (
            f"/auditor/access-log?{urlencode({**kept, 'cursor': page.next_cursor})}"
            if page is not None and page.next_cursor
            else None
        ),
        "on_later_page": cursor is not None,
    }
    return render(request, "oversight/access_log.html", context, status_code=422 if form.failed else 200)


def _renamed(error: ValidationError) -> ValidationError:
    """The use case names the period's ends ``since`` and ``until``; the form calls them from and to."""
    return ValidationError({"since": "from", "until": "to"}.get(error.field, error.field), error.message)


@router.get("/auditor/access-log/verification")
def verification(
    request: Request, principal: PagePrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep
) -> Response:
    status = reading.verification(principal, request_id)
    return render(request, "oversight/verification.html", {"status": status})


@router.get("/auditor/access-log/digest")
def digest(principal: PagePrincipalDep, reading: AccessLogReadingDep, request_id: RequestIdDep) -> Response:
    """The body of ``GET /api/v1/audit/digest``, as a file to keep: ``trustone audit verify --digests`` reads it."""
    export = reading.digest(principal, request_id)
    body = digest_export(export.digest, export.public_key_pem)
    seq = export.digest.seq if export.digest else 0
    return attachment(_json(body), "application/json", f"trustone-access-log-digest-{seq}.json")


def _json(body: dict[str, object]) -> str:
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


# --- the member status ---------------------------------------------------------------------------


@router.get("/buyer/member-status")
def member_status(
    request: Request, principal: OptionalPrincipalDep, statuses: MemberStatusCheckDep, request_id: RequestIdDep
) -> Response:
    asked = "ref" in request.query_params or "on" in request.query_params
    form = FormState(
        values={
            "ref": request.query_params.get("ref", "").strip()[:200],
            "on": request.query_params.get("on", "").strip()[:20] if asked else _today().isoformat(),
        }
    )
    answer = None
    status_code = 200
    if asked:
        if not form.values["ref"]:
            form.error("ref", N_("required"))
        day = parse_date(form, "on", required=False)  # none: today, as the JSON route
        if not form.failed:
            try:
                answer = statuses.on(form.values["ref"], day, principal=principal, request_id=request_id)
            except ValidationError as error:  # the one the use case raises: a date after today
                form.error(error.field, N_("the membership can be checked up to today, not for a later date"))
            except NotFoundError:
                form.error("ref", N_("no member company has this reference: check it on the public member list"))
                status_code = 404
        if form.failed and status_code == 200:
            status_code = 422
    return render(
        request,
        "oversight/member_status.html",
        {"form": form, "answer": answer, "thresholds": LEVEL_THRESHOLDS},
        status_code=status_code,
    )


def _today() -> dt.date:
    """The date the form starts with: today, as the use case counts it (UTC)."""
    return dt.datetime.now(dt.UTC).date()
