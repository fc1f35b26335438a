"""Pages of regimes and yearly contributions (issue 17; docs/contributions.md), on the use case
``Contributions`` (registry/usecases/contributions.py), as the JSON routes of
``trustone/web/contributions.py`` call it.

- ``/company/contributions``: a company's own statements, newest year first: the amount and how it
  is made up, the regime and the chains that decide it, what the statement rests on. The
  secretariat (which may read every company's) reaches a company's with ``?company=<ref>``.
- ``/secretariat/contributions?year=Y``: preparing a year's statements, the total against
  bijlage 5's budget line, the mismatches between recorded category and report, every statement,
  the invoicing CSV, the risk-country list and its change form, and the form for a company's basis.

Who may do what is the use case's and the policy's: the secretariat's page first asks the use case
(``may_manage``), so a role that may not is refused there (a 403 page, logged) rather than shown
forms it cannot send. The pages compute no figure: each amount is the statement's own.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from babel import Locale
from babel.numbers import format_currency
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from registry.domain.errors import NotFoundError, ValidationError
from trustone.web.deps import ContributionsDep, RequestIdDep
from trustone.web.ui.forms import FormState, parse_date, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import page_language, render

router = APIRouter(include_in_schema=False)
COMPANY = "/company/contributions"
SECRETARIAT = "/secretariat/contributions"
FIRST_YEAR = 2025  # the covenant's first year: the year chooser starts there

# Each value of the domain in plain words, in the page's language (the ``message`` filter).
NAMES: dict[str, dict[str, str]] = {
    "member_type": {"importer": N_("importer"), "associated": N_("associated member")},
    "regime": {"limited": N_("limited due diligence"), "full": N_("full due diligence")},
    "category": {
        "A": N_("A: buys from Dutch or Belgian importers"),
        "B": N_("B: stone from non-risk countries only"),
        "C": N_("C: stone from risk countries"),
    },
    "verdict": {
        "risk_country": N_("origin in a risk country: %(countries)s"),
        "origin_unknown": N_("origin unknown: a quarry, factory or cobble yard is not known"),
        "not_risk": N_("not a risk country: every quarry, factory and cobble yard is known, none in a risk country"),
        "circular": N_("circular: reused stone"),
        "dutch_or_belgian_importer": N_("bought from an importer in the Netherlands or Belgium"),
    },
}

# What a form says when the use case (or the page) refuses a field; the use case's own words are English.
FIELD_ERRORS = {
    "in_force_from": N_("Give today or a later day, not before the last version's day."),
    "become_risk": N_(
        "Give two-letter country codes (for example TR, IN) that are not risk countries yet,"
        " or fill in the other field."
    ),
    "stop_being_risk": N_("Give two-letter country codes that are risk countries now, not named in the other field."),
    "reason": N_("Say why the parties change the list: 10 to 2000 characters."),
    "company": N_("Choose a member company."),
    "member_type": N_("Choose importer or associated member."),
    "establishments": N_("A whole number from 0 to 10000."),
}
RISK_FIELDS = ("in_force_from", "become_risk", "stop_being_risk", "reason")
BASIS_FIELDS = ("company", "member_type", "establishments")
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=4000)]
YearPath = Annotated[int, Path(ge=2019, le=2100, description="the contribution year")]


def euros_in(language: str) -> Any:
    """Whole euros as the page's language writes an amount (Babel: "€ 1.200,00" / "€1,200.00")."""

    def euros(amount: int | None) -> str:
        return "" if amount is None else format_currency(amount, "EUR", locale=language)

    return euros


def country_names(language: str) -> dict[str, str]:
    """Country names in the page's language (Babel's CLDR data), by ISO code."""
    return dict(Locale.parse(language).territories)


def _error(form: FormState, field: str) -> None:
    form.error(field, FIELD_ERRORS[field])


def _codes(text: str) -> list[str]:
    """Country codes as typed: separated by commas, semicolons or spaces; the use case checks each."""
    return [code.upper() for code in re.split(r"[\s,;]+", text) if code]


def _base(request: Request) -> dict[str, Any]:
    language = page_language(request)
    names = country_names(language)

    def countries(codes: Any) -> str:
        return ", ".join(names.get(code, code) for code in codes)

    return {"names": NAMES, "euros": euros_in(language), "country_names": names, "countries": countries}


# --- the company ----------------------------------------------------------------------------------


@router.get(COMPANY)
def company_page(
    request: Request,
    principal: PagePrincipalDep,
    contributions: ContributionsDep,
    request_id: RequestIdDep,
    company: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """A company's own statements (``own_statements``, as GET /api/v1/contributions/companies/{ref})."""
    ref = company.strip() or principal.organisation_ref
    try:
        views = contributions.own_statements(principal, ref, request_id=request_id)
    except NotFoundError:
        if company:
            raise
        # the policy let this login read contributions, but its own organisation is no member company
        return render(
            request,
            "contributions/company.html",
            {**_base(request), "views": [], "not_a_company": True, "company_ref": ""},
        )
    return render(
        request,
        "contributions/company.html",
        {**_base(request), "views": views, "not_a_company": False, "company_ref": ref if company else ""},
    )


# --- the secretariat ------------------------------------------------------------------------------


def _year(raw: str, contributions: Any) -> int:
    """The year asked for: this year (the use case's clock) when none is given."""
    text = raw.strip()
    if not text:
        return contributions.today().year
    if len(text) != 4 or not text.isdigit():
        raise ValidationError("year", "a year such as 2026")
    return int(text)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _secretariat_page(
    request: Request,
    principal: Any,
    contributions: Any,
    request_id: str,
    year: int,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    contributions.may_manage(principal, request_id)
    overview = contributions.statements(principal, year, request_id=request_id)
    today = contributions.today()
    members = sorted(
        [(view.company_ref, view.company_name) for view in overview.statements]
        + [(ref, ref) for ref in overview.members_without_statement],
        key=lambda pair: pair[1].lower(),
    )
    query = request.query_params
    context = {
        **_base(request),
        "year": year,
        "years": list(range(FIRST_YEAR, today.year + 2)),
        "overview": overview,
        "members": members,
        "risk_versions": contributions.risk_list(),
        "in_force": contributions.risk_list_on(),
        "judged_on": contributions.judged_on(year - 1),
        "form": form or FormState(),
        "done": query.get("done", "")[:20],
        "counts": {name: query.get(name, "")[:6] for name in ("prepared", "revised", "unchanged")},
        "done_day": _day(query.get("day", "")),
        "done_company": query.get("company", "")[:200],
    }
    return render(request, "contributions/secretariat.html", context, status_code=status_code)


@router.get(SECRETARIAT)
def secretariat_page(
    request: Request,
    principal: PagePrincipalDep,
    contributions: ContributionsDep,
    request_id: RequestIdDep,
    year: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    contributions.may_manage(principal, request_id)  # refused before the year is read
    return _secretariat_page(request, principal, contributions, request_id, _year(year, contributions))


@router.post(SECRETARIAT + "/prepare")
def prepare(
    principal: PagePrincipalDep,
    contributions: ContributionsDep,
    request_id: RequestIdDep,
    year: Short = "",
) -> Response:
    """Prepare (or revise) a year's statements (``prepare``, as POST /api/v1/contributions/{year}/prepare)."""
    contributions.may_manage(principal, request_id)
    done = contributions.prepare(principal, _year(year, contributions), request_id=request_id)
    return see_other(
        SECRETARIAT,
        year=done.year,
        done="prepared",
        prepared=done.prepared,
        revised=done.revised,
        unchanged=done.unchanged,
    )


@router.get(SECRETARIAT + "/{year}/invoices.csv")
def invoices(
    year: YearPath, principal: PagePrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> Response:
    """The year's statements for the bookkeeping (``invoices_csv``), one row each."""
    text = contributions.invoices_csv(principal, year, request_id=request_id)
    return attachment(text.encode("utf-8"), "text/csv; charset=utf-8", f"contributions-{year}.csv")


@router.post(SECRETARIAT + "/risk-list")
def change_risk_list(
    request: Request,
    principal: PagePrincipalDep,
    contributions: ContributionsDep,
    request_id: RequestIdDep,
    year: Short = "",
    in_force_from: Short = "",
    become_risk: Short = "",
    stop_being_risk: Short = "",
    reason: Long = "",
) -> Response:
    """A new version of the risk-country list (``change_risk_list``)."""
    contributions.may_manage(principal, request_id)  # refused before any input is judged
    form = FormState(
        values={
            "in_force_from": in_force_from.strip(),
            "become_risk": become_risk,
            "stop_being_risk": stop_being_risk,
            "reason": reason,
        }
    )
    day = parse_date(form, "in_force_from")
    if day is not None:
        try:
            version = contributions.change_risk_list(
                principal,
                in_force_from=day,
                become_risk=_codes(become_risk),
                stop_being_risk=_codes(stop_being_risk),
                reason=reason,
                request_id=request_id,
            )
        except ValidationError as error:
            if error.field not in RISK_FIELDS:
                raise
            _error(form, error.field)
        else:
            return see_other(
                SECRETARIAT,
                year=_year(year, contributions),
                done="risk_list",
                day=version.in_force_from.isoformat(),
            )
    return _secretariat_page(request, principal, contributions, request_id, _year(year, contributions), form, 422)


@router.post(SECRETARIAT + "/basis")
def set_basis(
    request: Request,
    principal: PagePrincipalDep,
    contributions: ContributionsDep,
    request_id: RequestIdDep,
    year: Short = "",
    company: Short = "",
    member_type: Short = "",
    establishments: Short = "",
) -> Response:
    """A company's type and establishments (``set_basis``), which its next statements use."""
    contributions.may_manage(principal, request_id)  # refused before any input is judged
    form = FormState(
        values={"company": company.strip(), "member_type": member_type, "establishments": establishments.strip()}
    )
    count = parse_int(form, "establishments", 0, 10000)
    if "establishments" in form.errors:
        _error(form, "establishments")
    if not company.strip():
        _error(form, "company")
    if not form.failed and count is not None:
        try:
            contributions.set_basis(
                principal, company.strip(), member_type=member_type, establishments=count, request_id=request_id
            )
        except NotFoundError:
            _error(form, "company")
        except ValidationError as error:
            if error.field not in BASIS_FIELDS:
                raise
            _error(form, error.field)
        else:
            return see_other(SECRETARIAT, year=_year(year, contributions), done="basis", company=company.strip())
    return _secretariat_page(request, principal, contributions, request_id, _year(year, contributions), form, 422)
