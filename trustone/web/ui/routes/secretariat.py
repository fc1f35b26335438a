"""The secretariat's registry duties, part one: report assessment, held duplicate sites, publishing.

Each page calls the same use case as its JSON twin (trustone/web/assessment.py, duplicates.py,
publishing.py) with the principal and the request id; the use case decides, and its refusals are
drawn as error pages (trustone/web/ui/errors.py). The organisations and logins are in
``secretariat_registry.py``, the declarations in ``secretariat_declarations.py``.

After a successful form the page redirects (303) to a page that says what happened, from the few
values of the use case's answer carried in the address (a level, a site id): nothing confidential.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keys.access.principal import Principal
from registry.domain.errors import NotFoundError, ValidationError
from registry.usecases.assessment import ReportAssessment, ReportAwaitingAssessment
from registry.usecases.duplicates import HeldDuplicate, HeldDuplicates
from trustone.web.deps import CompanyReportsDep, HeldDuplicatesDep, PublishingDep, ReportAssessmentDep, RequestIdDep
from trustone.web.params import YearPath
from trustone.web.ui.forms import FormState, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=40)]


# --- assessment ----------------------------------------------------------------------------------


@router.get("/secretariat/assessment")
def assessment_queue(
    request: Request,
    principal: PagePrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
    assessed: str = "",
    level: str = "",
) -> Response:
    queue = assessment.queue(principal, request_id)
    return render(
        request, "secretariat/assessment.html", {"queue": queue, "assessed": assessed[:60], "level": level[:2]}
    )


def _waiting(
    principal: Principal, assessment: ReportAssessment, request_id: str, ref: str, year: int
) -> ReportAwaitingAssessment | None:
    """The report's line of the queue (None when it is not waiting): the facts shown beside the form."""
    return next((r for r in assessment.queue(principal, request_id) if r.company == ref and r.year == year), None)


@router.get("/secretariat/assessment/{ref}/{year}")
def assessment_form(
    request: Request,
    ref: str,
    year: YearPath,
    principal: PagePrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
) -> Response:
    report = _waiting(principal, assessment, request_id, ref, year)
    form = FormState(values={"version": str(report.version)} if report is not None else {})
    return render(
        request, "secretariat/assessment_form.html", {"ref": ref, "year": year, "report": report, "form": form}
    )


@router.get("/secretariat/assessment/{ref}/{year}/report")
def report_under_assessment(
    request: Request,
    ref: str,
    year: YearPath,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
) -> Response:
    """The report the secretariat assesses, opened when asked for (not with the form): the same
    read as GET /api/v1/companies/{ref}/reports/{year}, an access-log entry about the company."""
    report = reports.read(principal, ref, year, None, purpose="read report", request_id=request_id)
    return render(request, "secretariat/report.html", {"report": report})


@router.post("/secretariat/assessment/{ref}/{year}")
def assess(
    request: Request,
    ref: str,
    year: YearPath,
    principal: PagePrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
    version: Short = "",
    due_diligence_score: Short = "",
) -> Response:
    form = FormState(values={"version": version, "due_diligence_score": due_diligence_score})
    chosen_version = parse_int(form, "version", 1, 1_000_000)
    score = _score(form, "due_diligence_score")
    if not form.failed and chosen_version is not None and score is not None:
        try:
            done = assessment.assess(principal, ref, year, chosen_version, score, request_id)
        except ValidationError as refused:
            form.add(refused)
        else:
            return see_other("/secretariat/assessment", assessed=f"{ref}/{year}", level=done.assessment.level)
    report = _waiting(principal, assessment, request_id, ref, year)
    return render(
        request,
        "secretariat/assessment_form.html",
        {"ref": ref, "year": year, "report": report, "form": form},
        status_code=422,
    )


def _score(form: FormState, name: str) -> Decimal | None:
    """A percentage as typed, with a decimal comma or point; its range is the use case's to check."""
    raw = form.values.get(name, "").strip().replace(",", ".")
    if not raw:
        form.error(name, N_("required"))
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        form.error(name, N_("a percentage from 0 to 100, for example 72.5"))
        return None
    return value


@router.get("/secretariat/assessment/delay-explanation")
def delay_form(
    request: Request,
    principal: PagePrincipalDep,  # noqa: ARG001 - a login is needed to see the form
    company: str = "",
    year: str = "",
    saved: int = 0,
) -> Response:
    form = FormState(values={"company": company[:40], "year": year[:4]})
    return render(request, "secretariat/delay.html", {"form": form, "saved": bool(saved)})


@router.post("/secretariat/assessment/delay-explanation")
def explain_delay(
    request: Request,
    principal: PagePrincipalDep,
    assessment: ReportAssessmentDep,
    request_id: RequestIdDep,
    company: Short = "",
    year: Short = "",
    explanation: Text = "",
) -> Response:
    form = FormState(values={"company": company, "year": year, "explanation": explanation})
    if not company.strip():
        form.error("company", N_("required"))
    chosen_year = parse_int(form, "year", 2000, 2100)
    if not form.failed and chosen_year is not None:
        try:
            assessment.explain_delay(principal, company.strip(), chosen_year, explanation, request_id)
        except ValidationError as refused:
            form.add(refused)
        else:
            return see_other(
                "/secretariat/assessment/delay-explanation", company=company.strip(), year=chosen_year, saved=1
            )
    return render(request, "secretariat/delay.html", {"form": form, "saved": False}, status_code=422)


# --- held duplicate sites ------------------------------------------------------------------------


@router.get("/secretariat/held-sites")
def held_sites(
    request: Request,
    principal: PagePrincipalDep,
    duplicates: HeldDuplicatesDep,
    request_id: RequestIdDep,
    decided: str = "",
    decision: str = "",
    now: str = "",
) -> Response:
    queue = duplicates.queue(principal, request_id)
    done = {"site": decided[:40], "decision": decision[:10], "now": now[:40]} if decided else None
    return render(request, "secretariat/held_sites.html", {"queue": queue, "done": done})


def _held(principal: Principal, duplicates: HeldDuplicates, request_id: str, site_id: str) -> HeldDuplicate:
    held = next((h for h in duplicates.queue(principal, request_id) if h.held.site_id == site_id), None)
    if held is None:
        raise NotFoundError("no site with that id is held for a decision")
    return held


@router.get("/secretariat/held-sites/{site_id}")
def held_site(
    request: Request, site_id: str, principal: PagePrincipalDep, duplicates: HeldDuplicatesDep, request_id: RequestIdDep
) -> Response:
    held = _held(principal, duplicates, request_id, site_id)
    return render(request, "secretariat/held_site.html", {"item": held, "form": FormState()})


@router.post("/secretariat/held-sites/{site_id}/decision")
def decide_held_site(
    request: Request,
    site_id: str,
    principal: PagePrincipalDep,
    duplicates: HeldDuplicatesDep,
    request_id: RequestIdDep,
    decision: Short = "",
) -> Response:
    form = FormState(values={"decision": decision})
    try:
        done = duplicates.decide(principal, site_id, decision, request_id)
    except ValidationError as refused:
        form.add(refused)
    else:
        return see_other(
            "/secretariat/held-sites", decided=done.site_id, decision=done.decision.value, now=done.site_id_now
        )
    held = _held(principal, duplicates, request_id, site_id)
    return render(request, "secretariat/held_site.html", {"item": held, "form": form}, status_code=422)


# --- publishing ----------------------------------------------------------------------------------


@router.get("/secretariat/publishing")
def publishing_page(
    request: Request,
    principal: PagePrincipalDep,
    publishing: PublishingDep,
    request_id: RequestIdDep,
    year: str = "",
    published: int = 0,
) -> Response:
    publishing.may_publish(principal, request_id)  # a refused role is refused (and logged) whatever it typed
    form = FormState(values={"year": year[:10]})
    chosen = parse_int(form, "year", 2000, 2100, required=False)
    listing = publishing.preview(principal, chosen, request_id) if chosen is not None else None
    return render(
        request,
        "secretariat/publishing.html",
        {"form": form, "listing": listing, "published": bool(published)},
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/publishing/{year}/confirm")
def publishing_confirm(
    request: Request, year: YearPath, principal: PagePrincipalDep, publishing: PublishingDep, request_id: RequestIdDep
) -> Response:
    listing = publishing.preview(principal, year, request_id)
    return render(request, "secretariat/publishing_confirm.html", {"listing": listing})


@router.post("/secretariat/publishing/{year}")
def publish(
    year: YearPath, principal: PagePrincipalDep, publishing: PublishingDep, request_id: RequestIdDep
) -> Response:
    done = publishing.publish(principal, year, request_id)
    return see_other("/secretariat/publishing", year=done.year, published=1)
