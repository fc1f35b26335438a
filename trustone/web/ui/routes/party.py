"""NGO and union parties: the linked list (NGO, after a declaration), the aggregated list, filing a report for a
local partner, their cases.

Each page calls the use case its JSON twin calls (trustone/web/lists.py, trustone/web/grievances.py) with the
principal and the request id. Who may read what is the use case's to decide: a refusal is its AccessDeniedError,
drawn as the error page (trustone/web/ui/errors.py). The one refusal drawn here is the linked list's for want of a
signed declaration, recognised by the reason the policy gives with it, so the page can say how to get one.

The follow-up code of a filed report is shown once: the registry keeps only its keyed tag. After the filing the
browser is sent (post/redirect/get) to the receipt, carrying the code in a short-lived cookie scoped to that
receipt's address alone; the receipt shows it and deletes the cookie, so a reload shows the receipt without it.
"""

from __future__ import annotations

import functools
import mimetypes
import re
from typing import Annotated
from urllib.parse import quote, urlencode

import pycountry
from babel import Locale
from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response

from grievance.domain.case import CaseType, Theme
from grievance.domain.filing import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MEDIA_TYPES, Attachment, Filing, Reporter
from keys.access.filter import AccessDeniedError
from keys.access.policy import DECLARED, Action, Condition
from registry.domain.errors import ValidationError
from registry.domain.sites import SiteKind
from registry.usecases.lists import SiteFilter
from trustone.web.deps import (
    AggregatedListPagesDep,
    CaseDeskDep,
    GrievanceCasesDep,
    LinkedListSearchDep,
    RequestIdDep,
)
from trustone.web.params import CaseReferencePath
from trustone.web.ui import i18n
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other, when
from trustone.web.ui.session import PagePrincipalDep, is_secure
from trustone.web.ui.templating import page_language, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50  # rows per page of a list (the JSON routes' ``limit``)
Reference = CaseReferencePath  # the JSON routes' and the pages' one pattern (trustone/web/params.py)

# --- the lists -----------------------------------------------------------------------------------

# The query parameters each list page takes, with the JSON route's bound on each (trustone/web/lists.py).
_SITE_FILTERS = {"year": 4, "country": 2, "region": 80, "stone_type": 40, "kind": 20}
_LINKED_FILTERS = {**_SITE_FILTERS, "site": 20, "company": 40}

# The reason the policy gives when an NGO party without a valid declaration asks for the linked list.
NEEDS_DECLARATION = DECLARED.missing(Action.READ_LINKED_LIST) if isinstance(DECLARED, Condition) else None


def _filters(request: Request, names: dict[str, int]) -> tuple[FormState, SiteFilter]:
    """The search form as typed, and the filter it asks for; each value outside the JSON route's bounds an error."""
    form = FormState(values={name: request.query_params.get(name, "").strip() for name in names})
    for name, longest in names.items():
        if len(form.values[name]) > longest:
            form.error(name, N_("at most %(n)s characters"), n=longest)
    year = parse_int(form, "year", 2000, 2100, required=False) if "year" not in form.errors else None
    country = form.values["country"].upper() or None
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        form.error("country", N_("choose a country from the list"))
    kind = form.values["kind"] or None
    if kind and kind not in {k.value for k in SiteKind}:
        form.error("kind", N_("choose a kind of site from the list"))
    chosen = SiteFilter(year, country, form.values["region"] or None, form.values["stone_type"] or None, kind)
    return form, chosen


def _cursor(request: Request, form: FormState) -> str | None:
    """The next page's cursor as a page gave it (the use case reads it, once access is decided); bounded as the
    JSON route bounds it."""
    cursor = request.query_params.get("cursor") or None
    if cursor is not None and len(cursor) > 2000:
        form.error("cursor", N_("not a cursor a page of this list gave: start again without one"))
    return cursor


def _next_page(request: Request, form: FormState, next_cursor: str | None) -> str | None:
    if next_cursor is None:
        return None
    kept = {name: value for name, value in form.values.items() if value}
    return f"{request.url.path}?{urlencode({**kept, 'cursor': next_cursor})}"


@functools.cache
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, name in ``language``) of every country, by name: the choices of a country field."""
    names = Locale.parse(language).territories
    found = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return tuple(sorted(found, key=lambda pair: pair[1].casefold()))


def _list_context(request: Request, form: FormState) -> dict:
    return {
        "form": form,
        "countries": countries(page_language(request)),
        "kinds": [kind.value for kind in SiteKind],
    }


@router.get("/party/linked-list")
def linked_list(
    request: Request, principal: PagePrincipalDep, search: LinkedListSearchDep, request_id: RequestIdDep
) -> Response:
    """The linked list, searched (``search.page``, as GET /api/v1/linked-list)."""
    try:
        search.may_search(principal, request_id)  # a refused role is refused (and logged) whatever it typed
    except AccessDeniedError as refused:
        if refused.decision.missing == NEEDS_DECLARATION:  # the use case's reason, not the page's
            return render(request, "party/declaration_needed.html", status_code=403)
        raise
    form, filters = _filters(request, _LINKED_FILTERS)
    cursor = _cursor(request, form)
    context = _list_context(request, form)
    if form.failed:
        return render(request, "party/linked_list.html", {**context, "page": None}, status_code=422)
    try:
        page = search.page(
            principal,
            request_id,
            filters,
            company=form.values["company"] or None,
            site=form.values["site"] or None,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
    except AccessDeniedError as refused:
        if refused.decision.missing == NEEDS_DECLARATION:  # the use case's reason, not the page's
            return render(request, "party/declaration_needed.html", status_code=403)
        raise
    except ValidationError as invalid:  # a cursor no page gave
        form.add(invalid)
        return render(request, "party/linked_list.html", {**context, "page": None}, status_code=422)
    return render(
        request,
        "party/linked_list.html",
        {**context, "page": page, "next_page": _next_page(request, form, page.next_cursor)},
    )


@router.get("/party/aggregated-list")
def aggregated_list(
    request: Request, principal: PagePrincipalDep, lists: AggregatedListPagesDep, request_id: RequestIdDep
) -> Response:
    """The aggregated list, searched (``lists.page``, as GET /api/v1/aggregated-list): sites, no company."""
    lists.may_read(principal, request_id)  # a refused role is refused (and logged) whatever it typed
    form, filters = _filters(request, _SITE_FILTERS)
    cursor = _cursor(request, form)
    context = _list_context(request, form)
    if form.failed:
        return render(request, "party/aggregated_list.html", {**context, "page": None}, status_code=422)
    try:
        answer = lists.page(principal, request_id, filters, cursor=cursor, limit=PAGE_SIZE)
    except ValidationError as invalid:
        form.add(invalid)
        return render(request, "party/aggregated_list.html", {**context, "page": None}, status_code=422)
    page = answer.page
    return render(
        request,
        "party/aggregated_list.html",
        {**context, "page": page, "next_page": _next_page(request, form, page.next_cursor if page else None)},
    )


# --- filing a report -----------------------------------------------------------------------------

RECEIPT_COOKIE = "trustone_receipt"
RECEIPT_SECONDS = 600
MAX_SITES = 20  # as the JSON route's GrievanceIn.site_ids

# The use case's messages a filer can meet, so that the catalogues hold them (grievance/domain/filing.py).
DOMAIN_MESSAGES = (
    N_("at least one theme"),
    N_("must not be in the future"),
    N_("name the production site(s), or at least the country and region"),
    N_("required: the local partner the report is filed for (a pseudonym will do)"),
    N_("an ISO 3166-1 alpha-2 code"),
    N_("an ISO 639 code, e.g. en, hi, zh, nl"),
    N_("no production site with this id"),
    N_("empty file"),
    N_("at most 5 MB"),
    N_("at most 5 files"),
    N_("one of application/pdf, image/jpeg, image/png, text/plain"),
    N_("20-10000 characters"),
    N_("1-200 characters"),
)


def _form_field(field: str) -> str:
    """The form's field for a field the use case names (``reporter.name``, ``attachments[2].content``)."""
    if field.startswith("attachments"):
        return "evidence"
    if field.startswith("reporter"):
        return "reporter_name"
    return field.split("[", 1)[0]


def _filing_context(request: Request, form: FormState, themes: list[str]) -> dict:
    return {
        "form": form,
        "chosen_themes": themes,
        "themes": [theme.value for theme in Theme],
        "countries": countries(page_language(request)),
        "report_languages": i18n.FOLLOW_UP_LANGUAGES,
        "max_files": MAX_ATTACHMENTS,
        "max_megabytes": MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }


@router.get("/party/grievances/new")
def new_grievance(
    request: Request, principal: PagePrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> Response:
    """The empty form, for a principal the use case lets file a report (``cases.may_file``): no one else is
    shown a form whose filing would be refused."""
    cases.may_file(principal, request_id)
    form = FormState(values={"language": page_language(request)})
    return render(request, "party/grievance_form.html", _filing_context(request, form, []))


def _media_type(upload: UploadFile) -> str:
    """The type the browser sent, or else the one the file's name says (a phone may send none)."""
    if upload.content_type in MEDIA_TYPES:
        return upload.content_type
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed or (upload.content_type or "application/octet-stream")


@router.post("/party/grievances/new")
def file_grievance(
    request: Request,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
    description: Annotated[str, Form(max_length=20_000)] = "",  # the use case names its limit
    themes: Annotated[list[str], Form(max_length=len(Theme))] = [],  # noqa: B006 - FastAPI copies a default
    site_ids: Annotated[str, Form(max_length=500)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    region: Annotated[str, Form(max_length=120)] = "",
    observed_on: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=3)] = "",
    reporter_name: Annotated[str, Form(max_length=200)] = "",
    reporter_contact: Annotated[str, Form(max_length=500)] = "",
    reporter_organisation: Annotated[str, Form(max_length=200)] = "",
    evidence: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies a default
) -> Response:
    """File a report for a local partner (``cases.file``, as POST /api/v1/grievances), with the same fields and
    limits; evidence as uploaded files instead of base64. Then the receipt (post/redirect/get)."""
    cases.may_file(principal, request_id)  # a refused party is told so, not what to correct in a form it may not use
    form = FormState(
        values={
            "description": description,
            "site_ids": site_ids,
            "country": country.strip().upper(),
            "region": region,
            "observed_on": observed_on,
            "language": language,
            "reporter_name": reporter_name,
            "reporter_contact": reporter_contact,
            "reporter_organisation": reporter_organisation,
        }
    )
    chosen = [theme for theme in themes if theme in {t.value for t in Theme}]
    # The JSON route's shape (GrievanceIn), so that every missing field is named at once; the rest is the use case's.
    if not chosen:
        form.error("themes", N_("choose at least one theme"))
    if len(description.strip()) < 20:
        form.error("description", N_("describe what happened in at least 20 characters"))
    if not reporter_name.strip():
        form.error("reporter_name", N_("required: the local partner the report is filed for (a pseudonym will do)"))
    sites = [site for site in re.split(r"[\s,;]+", site_ids) if site]
    if len(sites) > MAX_SITES:
        form.error("site_ids", N_("at most %(n)s production sites"), n=MAX_SITES)
    observed = parse_date(form, "observed_on", required=False)
    uploads = [upload for upload in evidence if upload.filename]
    if len(uploads) > MAX_ATTACHMENTS:
        form.error("evidence", N_("at most %(n)s files"), n=MAX_ATTACHMENTS)
    if form.failed:
        return render(request, "party/grievance_form.html", _filing_context(request, form, chosen), status_code=422)
    filing = Filing(
        case_type=CaseType.COMPLAINT,
        description=description,
        themes=[Theme(theme) for theme in chosen],
        site_ids=sites,
        country=form.values["country"] or None,
        region=region,
        observed_on=observed,
        language=language or "en",
        reporter=Reporter(reporter_name, reporter_contact, reporter_organisation),
        attachments=[
            Attachment(upload.filename or "", _media_type(upload), upload.file.read(MAX_ATTACHMENT_BYTES + 1))
            for upload in uploads
        ],
    )
    try:
        filed = cases.file(principal, filing, request_id)
    except ValidationError as invalid:
        form.error(_form_field(invalid.field), invalid.message)
        return render(request, "party/grievance_form.html", _filing_context(request, form, chosen), status_code=422)
    receipt = f"/party/grievances/{quote(filed.reference)}/receipt"
    response = see_other(receipt)
    response.set_cookie(
        RECEIPT_COOKIE,
        filed.followup_code,
        max_age=RECEIPT_SECONDS,
        path=receipt,
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
    )
    return response


@router.get("/party/grievances/{reference}/receipt")
def receipt(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    """The case as its filer sees it (``cases.read_case``), with the follow-up code the filing gave, once."""
    case = cases.read_case(principal, reference, request_id)
    code = request.cookies.get(RECEIPT_COOKIE)
    follow_up_url = str(request.base_url).rstrip("/") + "/follow-up"
    response = render(
        request, "party/receipt.html", {"case": case, "code": code, "when": when, "follow_up_url": follow_up_url}
    )
    if code is not None:
        response.delete_cookie(
            RECEIPT_COOKIE, path=request.url.path, httponly=True, samesite="strict", secure=is_secure(request)
        )
    return response


# --- the party's cases ---------------------------------------------------------------------------


@router.get("/party/cases")
def my_cases(request: Request, principal: PagePrincipalDep, desk: CaseDeskDep, request_id: RequestIdDep) -> Response:
    """The cases on the party's desk (``desk.queue``, as GET /api/v1/grievances): those it filed."""
    return render(request, "party/cases.html", {"cases": desk.queue(principal, request_id), "when": when})


@router.get("/party/cases/{reference}")
def one_case(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    """One case as the party may see it (``cases.read_case``, as GET /api/v1/grievances/{reference})."""
    return render(request, "party/case.html", {"case": cases.read_case(principal, reference, request_id), "when": when})


@router.get("/party/cases/{reference}/reporter")
def reporter(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    """The local partner's name and contact (``cases.reporter``, as GET /api/v1/grievances/{reference}/reporter):
    a page of its own, so that the identity is opened (and logged) only when asked for."""
    found = cases.reporter(principal, reference, request_id)
    return render(request, "party/reporter.html", {"reference": reference, "reporter": found})


@router.get("/party/cases/{reference}/evidence/{number}")
def evidence_item(
    reference: Reference,
    number: Annotated[int, Path(ge=1, le=100)],
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    """One evidence file (``cases.evidence``, as GET /api/v1/grievances/{reference}/evidence/{number})."""
    _, media_type, content = cases.evidence(principal, reference, number, request_id)
    return attachment(content, media_type, f"{reference}-evidence-{number}")
