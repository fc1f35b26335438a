"""Grievance casework in the browser: the secretariat's case pages (the matching step and the companies
to notify) and the committee's case files, on the same use cases as ``trustone/web/grievances.py``.

The two areas have the same pages, each under its own address and duty: the list of cases is the
duty's desk (``CaseDesk.desk_for``: another role is refused, a 403 page), a case is the file as the
reader's role may see it (``GrievanceCases.read_case``), and each step that the case allows next and
the policy lets the reader take (``GrievanceCases.steps_for``) has a page with its form. A step the
stage no longer allows, or one the policy refuses, is the use case's 409 or 403, drawn as an error
page. The reporter's identity is a page of its own (the committee's; ``GrievanceCases.reporter``).
Data-access requests are in ``routes/data_access.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from grievance.domain.stages import Stage, Step
from keys.access.policy import Action
from registry.domain.errors import NotFoundError, ValidationError
from trustone.web.deps import CaseDeskDep, GrievanceCasesDep, RequestIdDep
from trustone.web.params import CaseReferencePath
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import attachment, see_other, when
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)
Reference = CaseReferencePath  # the JSON routes' and the pages' one pattern (trustone/web/params.py)

# The steps that have a command of their own, and the fields each form has (besides the reason).
FIELDS: dict[Step, tuple[str, ...]] = {
    Step.ADMIT: ("admissible",),
    Step.SCHEDULE_HEARING: ("hearing_on",),
    Step.MATCH: ("site_ids", "years"),
    Step.NOTIFY_COMPANIES: ("allegation",),
    Step.RULE: ("ruling", "compliance_deadline", "published_summary"),
}
NOT_HERE = frozenset({Step.RESPOND})  # a notified company's own step: its notices page


def _offered(steps: list[str]) -> list[str]:
    """Of the steps the use case says this reader may take next, those taken on these pages."""
    return [step for step in steps if step not in NOT_HERE]


def _step_of(name: str) -> Step:
    try:
        step = Step(name)
    except ValueError:
        raise NotFoundError("no such step") from None
    if step in NOT_HERE:
        raise NotFoundError("no such step")
    return step


def _field_of(error: ValidationError) -> str:
    """``site_ids[2]`` or ``parts[1].text`` is the form's ``site_ids`` / ``parts`` field."""
    return re.split(r"[\[.]", error.field, maxsplit=1)[0]


def _area(area: str, duty: Action) -> None:
    """The pages of one area (``secretariat`` or ``committee``) under ``/<area>/cases``."""
    base = f"/{area}/cases"
    context: dict[str, Any] = {"area": area, "base": base, "when": when}

    def case_list(
        request: Request, principal: PagePrincipalDep, desk: CaseDeskDep, request_id: RequestIdDep
    ) -> Response:
        cases = desk.desk_for(principal, duty, request_id)
        return render(request, "cases/list.html", {**context, "cases": cases})

    def case_file(
        request: Request,
        reference: Reference,
        principal: PagePrincipalDep,
        cases: GrievanceCasesDep,
        request_id: RequestIdDep,
    ) -> Response:
        case = cases.read_case(principal, reference, request_id)
        notified = cases.notified_companies(principal, reference, request_id).companies
        return render(
            request,
            "cases/case.html",
            {**context, "case": case, "offered": _offered(cases.steps_for(principal, reference)), "notified": notified},
        )

    def step_page(
        request: Request,
        reference: Reference,
        step: str,
        principal: PagePrincipalDep,
        cases: GrievanceCasesDep,
        request_id: RequestIdDep,
    ) -> Response:
        chosen = _step_of(step)
        case = cases.read_case(principal, reference, request_id)
        values = {"seen_stage": case["stage"]}
        if chosen == Step.MATCH:
            values["site_ids"] = " ".join(case["site_ids"])
        return _step_form(request, principal, cases, request_id, case, chosen, FormState(values=values))

    def take_step(
        request: Request,
        reference: Reference,
        step: str,
        principal: PagePrincipalDep,
        cases: GrievanceCasesDep,
        request_id: RequestIdDep,
        reason: Annotated[str, Form(max_length=4000)] = "",
        seen_stage: Annotated[str, Form(max_length=40)] = "",
        admissible: Annotated[str, Form(max_length=10)] = "",
        hearing_on: Annotated[str, Form(max_length=20)] = "",
        site_ids: Annotated[str, Form(max_length=1000)] = "",
        years: Annotated[str, Form(max_length=200)] = "",
        allegation: Annotated[str, Form(max_length=4000)] = "",
        ruling: Annotated[str, Form(max_length=20_000)] = "",
        compliance_deadline: Annotated[str, Form(max_length=20)] = "",
        published_summary: Annotated[str, Form(max_length=4000)] = "",
        part_company: Annotated[list[str] | None, Form()] = None,
        part_text: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        chosen = _step_of(step)
        typed = {
            "reason": reason,
            "seen_stage": seen_stage,
            "admissible": admissible,
            "hearing_on": hearing_on,
            "site_ids": site_ids,
            "years": years,
            "allegation": allegation,
            "ruling": ruling,
            "compliance_deadline": compliance_deadline,
            "published_summary": published_summary,
        }
        parts = list(zip(part_company or [], part_text or [], strict=False))
        form = FormState(values={name: typed[name] for name in ("reason", "seen_stage", *FIELDS.get(chosen, ()))})
        form.values |= {f"part_{company}": text for company, text in parts}
        for name in ("reason", *FIELDS.get(chosen, ())):
            if name != "years" and not typed[name].strip():
                form.error(name, N_("required"))
        run = _command(chosen, form, reference, parts, principal, cases, request_id)
        if run is not None and not form.failed:
            try:
                run()
            except ValidationError as error:
                form.error(_field_of(error), error.message)
        if form.failed:
            case = cases.read_case(principal, reference, request_id)
            return _step_form(request, principal, cases, request_id, case, chosen, form, status_code=422)
        return see_other(f"{base}/{reference}")

    def reporter(
        request: Request,
        reference: Reference,
        principal: PagePrincipalDep,
        cases: GrievanceCasesDep,
        request_id: RequestIdDep,
    ) -> Response:
        identity = cases.reporter(principal, reference, request_id)
        return render(request, "cases/reporter.html", {**context, "reference": reference, "reporter": identity})

    def evidence(
        reference: Reference,
        number: Annotated[int, Path(ge=1, le=100)],
        principal: PagePrincipalDep,
        cases: GrievanceCasesDep,
        request_id: RequestIdDep,
    ) -> Response:
        _, media_type, content = cases.evidence(principal, reference, number, request_id)
        return attachment(content, media_type, f"{reference}-evidence-{number}")

    def _step_form(
        request: Request,
        principal: Any,
        cases: Any,
        request_id: str,
        case: dict[str, Any],
        step: Step,
        form: FormState,
        status_code: int = 200,
    ) -> Response:
        is_open = step.value in cases.steps_for(principal, case["reference"])
        companies: list[str] = []
        if is_open and step == Step.NOTIFY_COMPANIES:  # the companies to notify: the secretariat's page only
            companies = cases.companies_to_notify(principal, case["reference"], request_id).companies
        elif is_open and step == Step.RULE:  # each notified company gets its own part of the ruling
            companies = cases.notified_companies(principal, case["reference"], request_id).companies
        return render(
            request,
            "cases/step.html",
            {**context, "case": case, "step": step.value, "form": form, "companies": companies, "open": is_open},
            status_code=status_code,
        )

    router.add_api_route(base, case_list, methods=["GET"])
    router.add_api_route(base + "/{reference}", case_file, methods=["GET"])
    router.add_api_route(base + "/{reference}/steps/{step}", step_page, methods=["GET"])
    router.add_api_route(base + "/{reference}/steps/{step}", take_step, methods=["POST"])
    router.add_api_route(base + "/{reference}/reporter", reporter, methods=["GET"])
    router.add_api_route(base + "/{reference}/evidence/{number}", evidence, methods=["GET"])


def _command(
    step: Step,
    form: FormState,
    reference: str,
    parts: list[tuple[str, str]],
    principal: Any,
    cases: Any,
    request_id: str,
) -> Callable[[], object] | None:
    """The use case call a step's form makes (as its JSON route does), its values read from the form;
    None when a value could not be read (the error is on the form)."""
    values = form.values
    reason = values["reason"]
    if step == Step.MATCH:
        sites = [site for site in re.split(r"[\s,;]+", values["site_ids"]) if site]
        years = [word for word in re.split(r"[\s,;]+", values["years"]) if word]
        if any(not (year.isdigit() and len(year) == 4) for year in years):
            form.error("years", N_("report years, such as 2024 2025"))
            return None
        return lambda: cases.match(principal, reference, sites, [int(y) for y in years] or None, reason, request_id)
    if step == Step.NOTIFY_COMPANIES:
        return lambda: cases.notify(principal, reference, values["allegation"], reason, request_id)
    if step == Step.RULE:
        deadline = parse_date(form, "compliance_deadline")
        if deadline is None:
            return None
        ruling, summary = values["ruling"], values["published_summary"]
        given = [(company, text) for company, text in parts if text.strip()]
        return lambda: cases.rule(principal, reference, ruling, deadline, summary, reason, request_id, parts=given)
    hearing_on = parse_date(form, "hearing_on") if step == Step.SCHEDULE_HEARING else None
    admissible = {"yes": True, "no": False}.get(values.get("admissible", ""))
    if form.failed:
        return None
    seen = values.get("seen_stage", "")
    return lambda: cases.take_step(
        principal,
        reference,
        step,
        reason,
        request_id,
        hearing_on=hearing_on,
        admissible=admissible,
        seen_stage=Stage(seen) if seen in {stage.value for stage in Stage} else None,
    )


_area("secretariat", Action.MANAGE_CASE)
_area("committee", Action.RECORD_COMMITTEE_DECISION)


# --- a systemic problem (art. 6 lid 4d): the secretariat links the case to a joint project --------


@router.get("/secretariat/cases/{reference}/systemic")
def systemic_page(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    case = cases.read_case(principal, reference, request_id)
    return render(request, "cases/systemic.html", {"case": case, "form": FormState()})


@router.post("/secretariat/cases/{reference}/systemic")
def flag_systemic(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
    joint_project: Annotated[str, Form(max_length=300)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The same call as POST /api/v1/grievances/{reference}/systemic."""
    form = FormState(values={"joint_project": joint_project, "reason": reason})
    try:  # the use case asks the policy first, then reads the fields (each refusal named)
        cases.flag_systemic(principal, reference, joint_project, reason, request_id)
    except ValidationError as error:
        form.error(_field_of(error), error.message)
    if form.failed:
        case = cases.read_case(principal, reference, request_id)
        return render(request, "cases/systemic.html", {"case": case, "form": form}, status_code=422)
    return see_other(f"/secretariat/cases/{reference}")
