"""Pages of sample verification (issue 16; docs/verification.md), on the use case of
``trustone/web/verification.py`` (registry/usecases/verification.py ``Verification``).

- ``/secretariat/verification``: the rounds, opening one; a round's page: its commitment, the draw,
  the round record, its checks with an assign form each, publishing.
- ``/party/field-checks``: an NGO or union party's checks; a check's page: the findings form
  (evidence files uploaded, sent to the use case base64-encoded as the JSON route takes them).
- ``/company/verification``: the checks of the company's own links and its answers to correction
  requests.
- ``/auditor/verification``: the rounds, each drawn round's record and how to redraw it.
- ``/public/verification``: the published figures, no login.

Who may see or do what is the use case's and the policy's: each role's pages first ask the use case
(``may_manage``, ``may_record``, ``may_answer``), so a role that may not is refused (a 403 page, logged)
rather than shown a form it cannot send; a step the check no longer allows is a 409 page.
"""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel import Locale
from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response

from registry.domain.errors import NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from registry.domain.verification import (
    ATTACHMENTS_MOST,
    EXPLANATION_LONGEST,
    NOTE_LONGEST,
    PARTNER_LONGEST,
    SOURCE_LONGEST,
)
from registry.usecases.verification import ATTACHMENT_LARGEST, RoundView
from trustone.web.deps import OrganisationsDep, RequestIdDep, VerificationDep
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other
from trustone.web.ui.session import OptionalPrincipalDep, PagePrincipalDep
from trustone.web.ui.templating import page_language, render

router = APIRouter(include_in_schema=False)
SECRETARIAT = "/secretariat/verification"
PARTY = "/party/field-checks"
COMPANY = "/company/verification"
AUDITOR = "/auditor/verification"
REDRAW_COMMAND = "python3 scripts/redraw_sample.py round.json"  # docs/verification.md

# One name per value, in the page's language (the ``message`` filter).
NAMES: dict[str, dict[str, str]] = {
    "round_status": {
        "frozen": N_("frozen, waiting for the draw"),
        "drawn": N_("drawn, checks under way"),
        "published": N_("published"),
    },
    "check_status": {
        "drawn": N_("drawn, not assigned"),
        "assigned": N_("assigned"),
        "checked": N_("checked"),
        "correction_requested": N_("correction requested"),
        "corrected": N_("corrected"),
        "maintained": N_("maintained by the company"),
    },
    "dimension": {
        "country": N_("country"),
        "site_kind": N_("site kind"),
        "origin_confidence": N_("origin confidence"),
    },
    "method": {"site_visit": N_("site visit"), "document_check": N_("document check")},
    "finding": {"yes": N_("yes"), "no": N_("no"), "unclear": N_("unclear")},
    "outcome": {
        "confirmed": N_("link confirmed"),
        "not_confirmed": N_("link not confirmed"),
        "unclear": N_("unclear"),
    },
    "answer": {
        "corrected": N_("corrected: a corrected report was submitted"),
        "maintained": N_("maintained, with an explanation"),
    },
}

# What a form says when the use case refuses a field (its own words are English).
FIELD_ERRORS = {
    "year": N_("Give a report year, up to this year."),
    "dimensions": N_("Choose among country, site kind and origin confidence."),
    "size": N_("Give either a sample size (at most the number of links reported that year) or a share, not both."),
    "share": N_("Give the share as a percentage: more than 0 and at most 100."),
    "beacon_source": N_("Name the public value the draw will use (at least 5 and at most %(n)s characters)."),
    "beacon_on": N_("Give the day the value is published: a day after today."),
    "beacon_value": N_("Copy the value exactly as it was published (at most %(n)s characters)."),
    "party": N_("Choose an NGO or union party."),
    "method": N_("Choose a site visit or a document check."),
    "site_exists": N_("Choose yes, no or unclear."),
    "site_as_reported": N_("Choose yes, no or unclear."),
    "link": N_("Choose confirmed, not confirmed or unclear."),
    "checked_on": N_("Give the day of the visit or the document check: not after today."),
    "partner": N_("Name the local partner who did the check (at most %(n)s characters)."),
    "notes": N_("At most %(n)s characters."),
    "attachments": N_("At most %(n)s files, each at most 2 MB and not empty."),
    "answer": N_("Choose corrected or maintained."),
    "explanation": N_("Explain why you keep the link: at least 10 and at most %(n)s characters."),
}
LIMITS = {
    "beacon_source": SOURCE_LONGEST,
    "beacon_value": SOURCE_LONGEST,
    "partner": PARTNER_LONGEST,
    "notes": NOTE_LONGEST,
    "attachments": ATTACHMENTS_MOST,
    "explanation": EXPLANATION_LONGEST,
}
RoundPath = Annotated[uuid.UUID, Path(description="a verification round's id")]
CheckPath = Annotated[uuid.UUID, Path(description="a field check's id")]
FilePath = Annotated[int, Path(ge=0, le=ATTACHMENTS_MOST - 1, description="an evidence file's number")]
Short = Annotated[str, Form(max_length=40)]
Source = Annotated[str, Form(max_length=SOURCE_LONGEST * 2)]


def _field_error(form: FormState, field: str, suffix: str = "") -> None:
    """The form's words for a field the use case (or the page) refused; ``suffix`` tells apart the
    same field of several forms on one page (one per check)."""
    name = field.split("[", 1)[0]  # attachments[2] -> attachments
    message = FIELD_ERRORS.get(name, N_("Check this field."))
    shown = "evidence" if name == "attachments" else name  # the form's file field
    key = f"{shown}-{suffix}" if suffix else shown
    if name in LIMITS:
        form.error(key, message, n=LIMITS[name])
    else:
        form.error(key, message)


def _country_names(request: Request, codes: set[str]) -> dict[str, str]:
    """Country names in the page's language (Babel's CLDR data), by ISO code."""
    territories = Locale.parse(page_language(request)).territories
    return {code: territories.get(code.upper(), code) for code in codes}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render(request, template, {"names": NAMES, **context}, status_code=status_code)


def _record_download(verification: Any, principal: Any, round_id: uuid.UUID, request_id: str) -> Response:
    record = verification.round_record(principal, round_id, request_id=request_id)
    return attachment(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n",
        "application/json",
        f"verification-round-{record['year']}-{str(round_id)[:8]}.json",
    )


# --- the secretariat --------------------------------------------------------------------------------


def _rounds_page(
    request: Request,
    principal: Any,
    verification: Any,
    request_id: str,
    form: FormState | None = None,
    status_code: int = 200,
    done: str = "",
) -> Response:
    verification.may_manage(principal, request_id)
    rounds = verification.rounds(principal, request_id=request_id)
    return _page(
        request,
        "verification/secretariat.html",
        {"rounds": rounds, "form": form or FormState(values={"dimensions": "country"}), "done": done},
        status_code=status_code,
    )


@router.get(SECRETARIAT)
def rounds_page(
    request: Request, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    done = request.query_params.get("done", "")[:20]
    return _rounds_page(request, principal, verification, request_id, done=done)


def _percentage(form: FormState) -> Decimal | None:
    raw = form.values.get("share", "").strip().replace(",", ".").rstrip("%").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        _field_error(form, "share")
        return None
    if not value.is_finite() or not 0 < value <= 100:
        _field_error(form, "share")
        return None
    return value / 100


@router.post(SECRETARIAT)
def open_round(
    request: Request,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
    year: Short = "",
    dimensions: Annotated[list[str], Form(max_length=3)] = [],  # noqa: B006 - FastAPI copies the default
    size: Short = "",
    share: Short = "",
    beacon_source: Source = "",
    beacon_on: Short = "",
) -> Response:
    """Open a round (``open_round``, as POST /api/v1/verification/rounds); the share in per cent."""
    verification.may_manage(principal, request_id)  # refused before any input is judged
    form = FormState(
        values={
            "year": year,
            "dimensions": ",".join(dimensions),
            "size": size,
            "share": share,
            "beacon_source": beacon_source,
            "beacon_on": beacon_on,
        }
    )
    chosen_year = parse_int(form, "year", 2000, 2100)
    chosen_size = parse_int(form, "size", 1, 1_000_000, required=False)
    chosen_share = _percentage(form)
    if not beacon_source.strip():
        _field_error(form, "beacon_source")
    day = parse_date(form, "beacon_on")
    if not form.failed and chosen_year is not None and day is not None:
        try:
            opened = verification.open_round(
                principal,
                year=chosen_year,
                dimensions=dimensions,
                size=chosen_size,
                share=chosen_share,
                beacon_source=beacon_source,
                beacon_on=day,
                request_id=request_id,
            )
        except ValidationError as error:
            _field_error(form, error.field)
        else:
            return see_other(f"{SECRETARIAT}/rounds/{opened.id}", done="opened")
    return _rounds_page(request, principal, verification, request_id, form, 422)


def _the_round(rounds: list[RoundView], round_id: uuid.UUID) -> RoundView:
    found = next((r for r in rounds if r.id == round_id), None)
    if found is None:
        raise NotFoundError("no verification round with that id")
    return found


def _round_page(
    request: Request,
    principal: Any,
    verification: Any,
    organisations: Any,
    request_id: str,
    round_id: uuid.UUID,
    *,
    draw_form: FormState | None = None,
    assign_form: FormState | None = None,
    failed_check: str = "",
    status_code: int = 200,
) -> Response:
    verification.may_manage(principal, request_id)
    chosen = _the_round(verification.rounds(principal, request_id=request_id), round_id)
    checks = verification.checks(principal, round_id=round_id, request_id=request_id) if chosen.checks else []
    parties: list[tuple[str, str]] = []
    if any("assign" in check.allowed_next for check in checks):
        for kind in (OrganisationKind.NGO_PARTY, OrganisationKind.UNION_PARTY):
            listed = organisations.listing(principal, kind=kind.value, request_id=request_id)
            parties.extend((party.ref, party.name) for party in listed)
    return _page(
        request,
        "verification/round.html",
        {
            "round": chosen,
            "checks": checks,
            "parties": sorted(parties, key=lambda party: party[1].casefold()),
            "country_names": _country_names(request, {check.country for check in checks}),
            "draw_form": draw_form or FormState(),
            "assign_form": assign_form or FormState(),
            "failed_check": failed_check,
            "done": request.query_params.get("done", "")[:20],
        },
        status_code=status_code,
    )


@router.get(SECRETARIAT + "/rounds/{round_id}")
def round_page(
    request: Request,
    round_id: RoundPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
) -> Response:
    return _round_page(request, principal, verification, organisations, request_id, round_id)


@router.post(SECRETARIAT + "/rounds/{round_id}/draw")
def draw(
    request: Request,
    round_id: RoundPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    beacon_value: Source = "",
) -> Response:
    """The draw (``draw``): before the beacon's day the use case's 409, drawn as a page that says so."""
    form = FormState(values={"beacon_value": beacon_value})
    if not beacon_value.strip():
        verification.may_manage(principal, request_id)
        _field_error(form, "beacon_value")
    else:
        try:
            verification.draw(principal, round_id, beacon_value, request_id=request_id)
        except ValidationError as error:
            _field_error(form, error.field)
        else:
            return see_other(f"{SECRETARIAT}/rounds/{round_id}", done="drawn")
    return _round_page(
        request, principal, verification, organisations, request_id, round_id, draw_form=form, status_code=422
    )


@router.post(SECRETARIAT + "/rounds/{round_id}/publication")
def publish(
    round_id: RoundPath, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    verification.publish(principal, round_id, request_id=request_id)
    return see_other(f"{SECRETARIAT}/rounds/{round_id}", done="published")


@router.get(SECRETARIAT + "/rounds/{round_id}/record")
def secretariat_record(
    round_id: RoundPath, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    return _record_download(verification, principal, round_id, request_id)


@router.post(SECRETARIAT + "/checks/{check_id}/assignment")
def assign(
    request: Request,
    check_id: CheckPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    party: Annotated[str, Form(max_length=100)] = "",
    method: Short = "",
) -> Response:
    """Give a check to a party (``assign``); back to its round's page."""
    suffix = str(check_id)
    form = FormState(values={"party": party, "method": method})
    if not party:
        _field_error(form, "party", suffix)
    if not method:
        _field_error(form, "method", suffix)
    if not form.failed:
        try:
            assigned = verification.assign(principal, check_id, party_ref=party, method=method, request_id=request_id)
        except ValidationError as error:
            _field_error(form, error.field, suffix)
        else:
            return see_other(f"{SECRETARIAT}/rounds/{assigned.round_id}", done="assigned")
    # the check's round, as the use case shows it to this principal (a refusal is a 403 page)
    check = verification.check(principal, check_id, request_id=request_id)
    return _round_page(
        request,
        principal,
        verification,
        organisations,
        request_id,
        check.round_id,
        assign_form=form,
        failed_check=suffix,
        status_code=422,
    )


@router.get(SECRETARIAT + "/checks/{check_id}")
def secretariat_check(
    request: Request,
    check_id: CheckPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Response:
    """One check as the secretariat reads it: the link, the findings with the partner, the notes and
    the files, the company's answer with its explanation."""
    verification.may_manage(principal, request_id)
    check = verification.check(principal, check_id, request_id=request_id)
    return _page(
        request,
        "verification/check.html",
        {"check": check, "country_names": _country_names(request, {check.country})},
    )


@router.get(SECRETARIAT + "/checks/{check_id}/files/{number}")
def secretariat_file(
    check_id: CheckPath,
    number: FilePath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Response:
    verification.may_manage(principal, request_id)  # the secretariat's address; a party has its own
    found = verification.attachment(principal, check_id, number, request_id=request_id)
    return attachment(found.data, "application/octet-stream", found.filename)


# --- the auditor ----------------------------------------------------------------------------------


@router.get(AUDITOR)
def auditor_page(
    request: Request, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    rounds = verification.rounds(principal, request_id=request_id)
    return _page(request, "verification/auditor.html", {"rounds": rounds, "redraw_command": REDRAW_COMMAND})


@router.get(AUDITOR + "/rounds/{round_id}/record")
def auditor_record(
    round_id: RoundPath, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    return _record_download(verification, principal, round_id, request_id)


# --- the NGO and union parties ---------------------------------------------------------------------


@router.get(PARTY)
def party_checks(
    request: Request, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    verification.may_record(principal, request_id)
    checks = verification.checks(principal, request_id=request_id)
    return _page(
        request,
        "verification/party_checks.html",
        {"checks": checks, "country_names": _country_names(request, {check.country for check in checks})},
    )


def _party_check_page(
    request: Request,
    principal: Any,
    verification: Any,
    request_id: str,
    check_id: uuid.UUID,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    verification.may_record(principal, request_id)
    check = verification.check(principal, check_id, request_id=request_id)
    return _page(
        request,
        "verification/party_check.html",
        {
            "check": check,
            "form": form or FormState(),
            "country_names": _country_names(request, {check.country}),
            "max_files": ATTACHMENTS_MOST,
            "max_megabytes": ATTACHMENT_LARGEST // (1024 * 1024),
            "done": request.query_params.get("done", "")[:20],
        },
        status_code=status_code,
    )


@router.get(PARTY + "/{check_id}")
def party_check(
    request: Request,
    check_id: CheckPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Response:
    return _party_check_page(request, principal, verification, request_id, check_id)


@router.post(PARTY + "/{check_id}")
def record_findings(
    request: Request,
    check_id: CheckPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
    site_exists: Short = "",
    site_as_reported: Short = "",
    link: Short = "",
    checked_on: Short = "",
    partner: Annotated[str, Form(max_length=PARTNER_LONGEST * 2)] = "",
    notes: Annotated[str, Form(max_length=NOTE_LONGEST * 2)] = "",
    evidence: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies a default
) -> Response:
    """The local partner's findings (``record_findings``, as POST .../findings): the files as uploaded,
    base64-encoded for the use case as the JSON route takes them; the use case judges their size."""
    verification.may_record(principal, request_id)  # refused before any input is judged
    form = FormState(
        values={
            "site_exists": site_exists,
            "site_as_reported": site_as_reported,
            "link": link,
            "checked_on": checked_on,
            "partner": partner,
            "notes": notes,
        }
    )
    for name in ("site_exists", "site_as_reported", "link"):
        if not form.values[name]:
            _field_error(form, name)
    day = parse_date(form, "checked_on")
    if not partner.strip():
        _field_error(form, "partner")
    uploads = [upload for upload in evidence if upload.filename]
    if len(uploads) > ATTACHMENTS_MOST:
        _field_error(form, "attachments")
    if not form.failed:
        files = [
            {
                "filename": upload.filename or "",
                "content_type": upload.content_type or "application/octet-stream",
                "data": base64.b64encode(upload.file.read(ATTACHMENT_LARGEST + 1)).decode(),
            }
            for upload in uploads
        ]
        try:
            verification.record_findings(
                principal,
                check_id,
                site_exists=site_exists,
                site_as_reported=site_as_reported,
                link=link,
                checked_on=day,
                partner=partner,
                notes=notes,
                attachments=files,
                request_id=request_id,
            )
        except ValidationError as error:
            _field_error(form, error.field)
        else:
            return see_other(f"{PARTY}/{check_id}", done="recorded")
    return _party_check_page(request, principal, verification, request_id, check_id, form, 422)


@router.get(PARTY + "/{check_id}/files/{number}")
def party_file(
    check_id: CheckPath,
    number: FilePath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
) -> Response:
    """An evidence file, always as a download (never shown inline: it may be anything)."""
    found = verification.attachment(principal, check_id, number, request_id=request_id)
    return attachment(found.data, "application/octet-stream", found.filename)


# --- the company ------------------------------------------------------------------------------------


def _company_page(
    request: Request,
    principal: Any,
    verification: Any,
    request_id: str,
    form: FormState | None = None,
    failed_check: str = "",
    status_code: int = 200,
) -> Response:
    verification.may_answer(principal, request_id)
    checks = verification.checks(principal, request_id=request_id)
    requested = [check for check in checks if check.status == "correction_requested"]
    return _page(
        request,
        "verification/company.html",
        {
            "checks": checks,
            "requested": requested,
            "form": form or FormState(),
            "failed_check": failed_check,
            "country_names": _country_names(request, {check.country for check in checks}),
            "done": request.query_params.get("done", "")[:20],
        },
        status_code=status_code,
    )


@router.get(COMPANY)
def company_checks(
    request: Request, principal: PagePrincipalDep, verification: VerificationDep, request_id: RequestIdDep
) -> Response:
    return _company_page(request, principal, verification, request_id)


@router.post(COMPANY + "/checks/{check_id}/answer")
def answer_request(
    request: Request,
    check_id: CheckPath,
    principal: PagePrincipalDep,
    verification: VerificationDep,
    request_id: RequestIdDep,
    answer: Short = "",
    explanation: Annotated[str, Form(max_length=EXPLANATION_LONGEST * 2)] = "",
) -> Response:
    """The company's answer to a correction request (``answer_correction``, as POST .../answer)."""
    verification.may_answer(principal, request_id)  # refused before any input is judged
    suffix = str(check_id)
    form = FormState(values={"answer": answer, "explanation": explanation})
    if not answer:
        _field_error(form, "answer", suffix)
    else:
        try:
            verification.answer_correction(
                principal, check_id, answer=answer, explanation=explanation, request_id=request_id
            )
        except ValidationError as error:
            _field_error(form, error.field, suffix)
        else:
            return see_other(COMPANY, done=answer if answer in ("corrected", "maintained") else "answered")
    return _company_page(request, principal, verification, request_id, form, suffix, 422)


# --- the public -------------------------------------------------------------------------------------


@router.get("/public/verification")
def public_figures(request: Request, _: OptionalPrincipalDep, verification: VerificationDep) -> Response:
    rounds = verification.public_statistics()
    codes = {cell.key for statistics in rounds for cell in statistics.by_country}
    return _page(
        request,
        "verification/public.html",
        {"rounds": rounds, "country_names": _country_names(request, codes), "k": verification.k},
    )
