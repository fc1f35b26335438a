"""Pages of the tender register (covenant art. 7 lid 7 and 14; docs/tenders.md), on the same use case
as ``trustone/web/tenders.py`` (registry/usecases/tenders.py).

``/buyer/tenders``: a member government's register per year; it records, corrects and removes its
tenders while a year is open and submits the year (with a confirmation step). ``/secretariat/tenders``:
every government's register of a year, the year's report as it would be published, and publishing it
(with a confirmation step). ``/public/tenders``: the published reports, no login. Who may see or do
what is the use case's and the policy's: a refusal is a 403 page, a step the year no longer allows a
409 page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from registry.domain.errors import NotFoundError, ValidationError
from registry.domain.tenders import REFERENCE_LONGEST, TITLE_LONGEST, Criterion, PurchaseType, ValueBand
from registry.usecases.tenders import RegisterYear, TenderEntry
from trustone.web.deps import RequestIdDep, TendersDep
from trustone.web.params import YearPath
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import OptionalPrincipalDep, PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)
BUYER = "/buyer/tenders"
SECRETARIAT = "/secretariat/tenders"

# One name per value, in the page's language (the ``message`` filter).
VALUE_BANDS = {
    ValueBand.UNDER_50K.value: N_("under EUR 50,000"),
    ValueBand.FROM_50K_TO_250K.value: N_("EUR 50,000 to 250,000"),
    ValueBand.FROM_250K_TO_1M.value: N_("EUR 250,000 to 1 million"),
    ValueBand.FROM_1M_TO_5_5M.value: N_("EUR 1 million to 5.5 million"),
    ValueBand.OVER_5_5M.value: N_("over EUR 5.5 million"),
}
CRITERIA = {
    Criterion.AWARD_BASIS.value: N_("Annex 3, award phase: basic"),
    Criterion.AWARD_SIGNIFICANT.value: N_("Annex 3, award phase: significant"),
    Criterion.AWARD_AMBITIOUS.value: N_("Annex 3, award phase: ambitious"),
    Criterion.CONTRACT_BASIS.value: N_("Annex 3, contract phase: basic"),
    Criterion.CONTRACT_SIGNIFICANT.value: N_("Annex 3, contract phase: significant"),
    Criterion.CONTRACT_AMBITIOUS.value: N_("Annex 3, contract phase: ambitious"),
    Criterion.ISV.value: N_("Flemish international social conditions (ISV)"),
    Criterion.COMPARABLE.value: N_("Comparable criteria"),
    Criterion.NONE.value: N_("No due-diligence criteria"),
}
PURCHASE_TYPES = {
    PurchaseType.TYPE_1.value: N_("Type 1: natural stone bought directly (for example a framework agreement)"),
    PurchaseType.TYPE_2.value: N_("Type 2: natural stone as part of a public work"),
}
SHORT_TYPES = {PurchaseType.TYPE_1.value: N_("Type 1"), PurchaseType.TYPE_2.value: N_("Type 2")}
NAMES = {"bands": VALUE_BANDS, "criteria": CRITERIA, "types": PURCHASE_TYPES, "short_types": SHORT_TYPES}
# What the form says when the use case refuses a field (its own words are English).
FIELD_ERRORS = {
    "title": N_("Give the tender's title (at most %(n)s characters)."),
    "date": N_("Give the publication date: not in the future, and in the year of the entry."),
    "reference": N_("At most %(n)s characters."),
    "value_band": N_("Choose a value band."),
    "criteria": N_("Choose the criteria applied, or 'no due-diligence criteria' on its own."),
    "purchase_type": N_("Choose type 1 or type 2."),
}


def _field_error(form: FormState, error: ValidationError) -> None:
    message = FIELD_ERRORS.get(error.field)
    if message is None:
        form.error(error.field, N_("Check this field."))
    elif error.field == "title":
        form.error("title", message, n=TITLE_LONGEST)
    elif error.field == "reference":
        form.error("reference", message, n=REFERENCE_LONGEST)
    else:
        form.error(error.field, message)


# --- the government's own register --------------------------------------------------------------


def _buyer_page(
    request: Request,
    principal: Any,
    tenders: Any,
    request_id: str,
    form: FormState | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    tenders.may_record(principal, request_id)  # a government's own pages; the secretariat has its own
    register = tenders.register(principal, principal.organisation_ref, request_id=request_id)
    return render(
        request,
        "tenders/buyer.html",
        {"register": register, "form": form or FormState(), "names": NAMES, "done": "", "year_form": False, **extra},
        status_code=status_code,
    )


@router.get(BUYER)
def buyer_register(
    request: Request,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _buyer_page(request, principal, tenders, request_id, done=done)


def _entry_form(
    title: str, date: str, reference: str, value_band: str, criteria: list[str], purchase_type: str
) -> tuple[FormState, dt.date | None]:
    form = FormState(
        values={
            "title": title,
            "date": date,
            "reference": reference,
            "value_band": value_band,
            "criteria": ",".join(criteria),
            "purchase_type": purchase_type,
        }
    )
    if not title.strip():
        form.error("title", FIELD_ERRORS["title"], n=TITLE_LONGEST)
    day = parse_date(form, "date")
    if not value_band:
        form.error("value_band", FIELD_ERRORS["value_band"])
    if not criteria:
        form.error("criteria", FIELD_ERRORS["criteria"])
    if not purchase_type:
        form.error("purchase_type", FIELD_ERRORS["purchase_type"])
    return form, day


Title = Annotated[str, Form(max_length=TITLE_LONGEST * 2)]
Day = Annotated[str, Form(max_length=20)]
Reference = Annotated[str, Form(max_length=REFERENCE_LONGEST * 2)]
Band = Annotated[str, Form(max_length=20)]
Criteria = Annotated[list[str], Form(max_length=12)]
Kind = Annotated[str, Form(max_length=10)]
EntryPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(BUYER)
def record(
    request: Request,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
    title: Title = "",
    date: Day = "",
    reference: Reference = "",
    value_band: Band = "",
    criteria: Criteria = [],  # noqa: B006 - FastAPI copies the default
    purchase_type: Kind = "",
) -> Response:
    form, day = _entry_form(title, date, reference, value_band, criteria, purchase_type)
    if not form.failed:
        try:
            tenders.record(
                principal,
                principal.organisation_ref,
                title,
                day,
                reference or None,
                value_band,
                criteria,
                purchase_type,
                request_id=request_id,
            )
        except ValidationError as error:
            _field_error(form, error)
        else:
            return see_other(BUYER, done="recorded")
    return _buyer_page(request, principal, tenders, request_id, form, 422)


def _entry(register: Any, year: int, entry_id: str) -> tuple[RegisterYear, TenderEntry] | None:
    for register_year in register.years:
        if register_year.year == year:
            for entry in register_year.entries:
                if entry.id == entry_id:
                    return register_year, entry
    return None


def _correct_page(
    request: Request,
    principal: Any,
    tenders: Any,
    request_id: str,
    year: int,
    entry_id: EntryPath,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    tenders.may_record(principal, request_id)
    register = tenders.register(principal, principal.organisation_ref, request_id=request_id)
    found = _entry(register, year, entry_id)
    if found is None:
        raise NotFoundError("no tender with that id in this register")
    register_year, entry = found
    if form is None:
        form = FormState(
            values={
                "title": entry.title,
                "date": entry.date.isoformat(),
                "reference": entry.reference or "",
                "value_band": entry.value_band.value,
                "criteria": ",".join(c.value for c in entry.criteria),
                "purchase_type": entry.purchase_type.value,
            }
        )
    return render(
        request,
        "tenders/correct.html",
        {"year": register_year, "entry": entry, "form": form, "names": NAMES},
        status_code=status_code,
    )


@router.get(BUYER + "/{year}/entries/{entry_id}")
def correct_page(
    request: Request,
    year: YearPath,
    entry_id: EntryPath,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
) -> Response:
    return _correct_page(request, principal, tenders, request_id, year, entry_id)


@router.post(BUYER + "/{year}/entries/{entry_id}")
def correct(
    request: Request,
    year: YearPath,
    entry_id: EntryPath,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
    title: Title = "",
    date: Day = "",
    reference: Reference = "",
    value_band: Band = "",
    criteria: Criteria = [],  # noqa: B006 - FastAPI copies the default
    purchase_type: Kind = "",
) -> Response:
    form, day = _entry_form(title, date, reference, value_band, criteria, purchase_type)
    if not form.failed:
        try:
            tenders.correct(
                principal,
                principal.organisation_ref,
                year,
                entry_id,
                title,
                day,
                reference or None,
                value_band,
                criteria,
                purchase_type,
                request_id=request_id,
            )
        except ValidationError as error:
            _field_error(form, error)
        else:
            return see_other(BUYER, done="corrected")
    return _correct_page(request, principal, tenders, request_id, year, entry_id, form, 422)


@router.post(BUYER + "/{year}/entries/{entry_id}/removal")
def remove(
    year: YearPath, entry_id: EntryPath, principal: PagePrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> Response:
    tenders.remove(principal, principal.organisation_ref, year, entry_id, request_id=request_id)
    return see_other(BUYER, done="removed")


@router.get(BUYER + "/submission")
def submit_confirm(
    request: Request,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
    year: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """What submitting a year means, and the button that does it (a year without tenders too)."""
    tenders.may_record(principal, request_id)
    form = FormState(values={"year": year})
    chosen = parse_int(form, "year", 2000, 2100)
    if form.failed or chosen is None:
        return _buyer_page(request, principal, tenders, request_id, form=form, status_code=422, year_form=True)
    register = tenders.register(principal, principal.organisation_ref, request_id=request_id)
    register_year = next((y for y in register.years if y.year == chosen), None)
    return render(
        request,
        "tenders/submit.html",
        {"year": chosen, "register_year": register_year, "register": register, "names": NAMES},
    )


@router.post(BUYER + "/{year}/submission")
def submit(year: YearPath, principal: PagePrincipalDep, tenders: TendersDep, request_id: RequestIdDep) -> Response:
    tenders.submit(principal, principal.organisation_ref, year, request_id=request_id)
    return see_other(BUYER, done="submitted")


# --- the secretariat --------------------------------------------------------------------------------


@router.get(SECRETARIAT)
def secretariat_overview(
    request: Request,
    principal: PagePrincipalDep,
    tenders: TendersDep,
    request_id: RequestIdDep,
    year: Annotated[str, Query(max_length=10)] = "",
    published: int = 0,
) -> Response:
    last_year = dt.date.today().year - 1
    form = FormState(values={"year": year or str(last_year)})
    chosen = parse_int(form, "year", 2000, 2100)
    # asked whatever was typed: a role that may not read the registers is refused (and logged) first
    overview = tenders.year_overview(principal, chosen if chosen is not None else last_year, request_id=request_id)
    return render(
        request,
        "tenders/secretariat.html",
        {"form": form, "overview": None if form.failed else overview, "names": NAMES, "published": bool(published)},
        status_code=422 if form.failed else 200,
    )


@router.get(SECRETARIAT + "/{year}/confirm")
def publish_confirm(
    request: Request, year: YearPath, principal: PagePrincipalDep, tenders: TendersDep, request_id: RequestIdDep
) -> Response:
    report = tenders.preview(principal, year, request_id=request_id)
    return render(request, "tenders/publish_confirm.html", {"report": report, "names": NAMES})


@router.post(SECRETARIAT + "/{year}/publication")
def publish(year: YearPath, principal: PagePrincipalDep, tenders: TendersDep, request_id: RequestIdDep) -> Response:
    done = tenders.publish(principal, year, request_id=request_id)
    return see_other(SECRETARIAT, year=done.year, published=1)


# --- the public -----------------------------------------------------------------------------------------


@router.get("/public/tenders")
def public_reports(request: Request, _: OptionalPrincipalDep, tenders: TendersDep) -> Response:
    return render(request, "tenders/public.html", {"reports": tenders.published_reports(), "names": NAMES})
