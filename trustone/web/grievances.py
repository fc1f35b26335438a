"""Grievance cases over HTTP (docs/lifecycles.md): parse, call the use case (grievance/usecases),
return; the errors are mapped in trustone/web/errors.py.

Who may do what, and what a role sees, is decided in the use cases through the policy and the
visibility table (every attempt is an access-log entry); these routes only translate. The follow-up
check, the statistics and the published rulings need no login.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from grievance.domain.case import CaseType, MessageKind, Theme
from grievance.domain.filing import (
    MAX_ATTACHMENTS,
    Attachment,
    Filing,
    Reporter,
    decode_base64,
)
from grievance.domain.stages import Stage, Step
from grievance.usecases.results import CaseOnDesk, Filed, FollowUp, Matched, Notified, NotifiedCompanies, StageTaken
from keys.access.policy import Action
from trustone.web.auth import PrincipalDep
from trustone.web.deps import CaseDeskDep, GrievanceCasesDep, RequestIdDep
from trustone.web.params import CaseReferencePath

router = APIRouter(prefix="/api/v1/grievances", tags=["grievances"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])
Reference = CaseReferencePath  # the JSON routes' and the pages' one pattern (trustone/web/params.py)


class ReporterIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the local partner or workers (a pseudonym will do)")
    contact: str = Field(default="", max_length=500)
    organisation: str = Field(default="", max_length=200)


class AttachmentIn(BaseModel):
    filename: str = Field(min_length=1, max_length=200)
    media_type: str = Field(description="application/pdf, image/jpeg, image/png or text/plain")
    content_base64: str = Field(max_length=7_000_000, description="the file, base64; at most 5 MB")


class GrievanceIn(BaseModel):
    case_type: CaseType = CaseType.COMPLAINT
    site_ids: list[str] = Field(default_factory=list, max_length=20)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    region: str = Field(default="", max_length=120, description="province / district, when no site id is known")
    themes: list[Theme] = Field(min_length=1, max_length=8)
    description: str = Field(min_length=20, max_length=10_000)
    observed_on: dt.date | None = None
    language: str = Field(default="en", min_length=2, max_length=3)
    reporter: ReporterIn | None = None
    parties: list[str] = Field(default_factory=list, max_length=10, description="companies a dispute is against")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class FollowUpIn(BaseModel):
    code: str = Field(min_length=16, max_length=40)


class StepIn(BaseModel):
    step: Step
    reason: str = Field(min_length=1, max_length=4000)
    hearing_on: dt.date | None = None
    admissible: bool | None = Field(default=None, description="for step 'admit': the committee's decision")
    seen_stage: Stage | None = Field(
        default=None,
        description="the stage the user saw when choosing this step: "
        "if the case has left it meanwhile, 409 and nothing is recorded",
    )


class MatchIn(BaseModel):
    site_ids: list[str] = Field(min_length=1, max_length=20)
    years: list[int] | None = Field(default=None, max_length=10)
    reason: str = Field(min_length=1, max_length=4000)


class NotifyIn(BaseModel):
    allegation: str = Field(
        min_length=10,
        max_length=4000,
        description="what the companies are told: the site and the allegation, in the "
        "secretariat's words; no reporter, no other company",
    )
    reason: str = Field(default="companies notified", max_length=4000)


class MessageIn(BaseModel):
    kind: MessageKind = MessageKind.RESPONSE
    text: str = Field(min_length=1, max_length=10_000)


class RulingPartIn(BaseModel):
    company: str = Field(max_length=120, description="the member company this part is addressed to")
    text: str = Field(max_length=20_000, description="what the ruling says to that company; names no other")


class RulingIn(BaseModel):
    ruling: str = Field(
        min_length=1,
        max_length=20_000,
        description="the general text every party reads: it names no company and not the reporter",
    )
    parts: list[RulingPartIn] = Field(
        default_factory=list, max_length=50, description="per company of the case, the part only it reads"
    )
    compliance_deadline: dt.date
    published_summary: str = Field(
        min_length=20, max_length=4000, description="anonymised: published when the ruling is final"
    )
    reason: str = Field(default="ruling", max_length=4000)


class SystemicIn(BaseModel):
    joint_project: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=4000)


@router.post("", response_model=Filed, status_code=201)
def file_grievance(
    body: GrievanceIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> Filed:
    """File a report for a local partner (NGO and union parties) or a dispute (also companies).
    The reporter's identity is sealed with a key of the case's own; only the filer and the
    committee can read it. ``followup_code``: give this to the local partner; it shows the stage,
    nothing else."""
    filing = Filing(
        case_type=body.case_type,
        description=body.description,
        themes=body.themes,
        site_ids=body.site_ids,
        country=body.country,
        region=body.region,
        observed_on=body.observed_on,
        language=body.language,
        reporter=Reporter(**body.reporter.model_dump()) if body.reporter else None,
        parties=body.parties,
        attachments=[
            Attachment(a.filename, a.media_type, decode_base64(a.content_base64, f"attachments[{i + 1}].content"))
            for i, a in enumerate(body.attachments)
        ],
    )
    return cases.file(principal, filing, request_id)


@router.post("/follow-up", response_model=FollowUp)
def follow_up(body: FollowUpIn, cases: GrievanceCasesDep, response: Response) -> FollowUp:
    """No login: the case's stage and dates for whoever holds the follow-up code."""
    response.headers["Cache-Control"] = "no-store"
    return cases.follow_up(body.code)


@router.get("", response_model=list[CaseOnDesk])
def queue(principal: PrincipalDep, desk: CaseDeskDep, request_id: RequestIdDep) -> list[CaseOnDesk]:
    """The cases on this principal's desk, with the running deadline, due date and overdue flag."""
    return desk.queue(principal, request_id)


@router.get("/notices")
def notices(principal: PrincipalDep, desk: CaseDeskDep, request_id: RequestIdDep) -> list[dict[str, Any]]:
    """A company's in-app notifications: each names the site and the allegation, never another company."""
    return desk.notices(principal, request_id)


@router.get("/desk/{duty}", response_model=list[CaseOnDesk])
def duty_desk(
    duty: Literal["manage_case", "record_committee_decision"],
    principal: PrincipalDep,
    desk: CaseDeskDep,
    request_id: RequestIdDep,
) -> list[CaseOnDesk]:
    """The cases on one duty's desk, as ``GET /api/v1/grievances`` gives them, decided under that
    duty: the secretariat's case work (``manage_case``) or the committee's case files
    (``record_committee_decision``). Another role is refused, and logged."""
    return desk.desk_for(principal, Action(duty), request_id)


@router.get("/{reference}")
def read_case(
    reference: Reference, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> dict[str, Any]:
    """The case as the caller's role may see it (keys/access/visibility.py)."""
    return cases.read_case(principal, reference, request_id)


@router.get("/{reference}/reporter")
def reporter(
    reference: Reference, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> dict[str, str]:
    """The local partner's identity and contact: the filing party and the committee only."""
    return cases.reporter(principal, reference, request_id)


@router.get("/{reference}/evidence/{number}", response_class=Response)
def evidence(
    reference: Reference,
    number: Annotated[int, Path(ge=1, le=100)],
    principal: PrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
) -> Response:
    _, media_type, content = cases.evidence(principal, reference, number, request_id)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{reference}-evidence-{number}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/{reference}/notified-companies", response_model=NotifiedCompanies)
def notified_companies(
    reference: Reference, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> NotifiedCompanies:
    return cases.notified_companies(principal, reference, request_id)


@router.get("/{reference}/companies-to-notify", response_model=NotifiedCompanies)
def companies_to_notify(
    reference: Reference, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> NotifiedCompanies:
    """The companies matching found, before they are notified: the secretariat only (the notify
    step's own row of the policy), none before matching. One access-log entry."""
    return cases.companies_to_notify(principal, reference, request_id)


@router.get("/{reference}/steps", response_model=list[Step])
def steps(reference: Reference, principal: PrincipalDep, cases: GrievanceCasesDep) -> list[str]:
    """The steps the case's stage allows next that the caller may take (``POST .../steps``, ``match``,
    ``notify``, ``messages``, ``ruling``): a decision only, nothing sealed is read, so nothing is
    logged; taking a step is decided and logged again."""
    return cases.steps_for(principal, reference)


@router.post("/{reference}/steps", response_model=StageTaken)
def take_step(
    reference: Reference, body: StepIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> StageTaken:
    """One step of the lifecycle; 409 names the steps allowed in the case's stage."""
    return cases.take_step(
        principal,
        reference,
        body.step,
        body.reason,
        request_id,
        hearing_on=body.hearing_on,
        admissible=body.admissible,
        seen_stage=body.seen_stage,
    )


@router.post("/{reference}/match", response_model=Matched)
def match(
    reference: Reference, body: MatchIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> Matched:
    """Link the case to production sites; the buyers are found through the filter. None found
    closes the case as not in member chains."""
    return cases.match(principal, reference, body.site_ids, body.years, body.reason, request_id)


@router.post("/{reference}/notify", response_model=Notified)
def notify(
    reference: Reference, body: NotifyIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> Notified:
    return cases.notify(principal, reference, body.allegation, body.reason, request_id)


@router.post("/{reference}/messages", response_model=StageTaken)
def company_message(
    reference: Reference, body: MessageIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> StageTaken:
    """A notified company's response, remediation proposal or progress report."""
    return cases.write(principal, reference, body.kind, body.text, request_id)


@router.post("/{reference}/ruling", response_model=StageTaken)
def ruling(
    reference: Reference, body: RulingIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> StageTaken:
    return cases.rule(
        principal,
        reference,
        body.ruling,
        body.compliance_deadline,
        body.published_summary,
        body.reason,
        request_id,
        parts=[(part.company, part.text) for part in body.parts],
    )


@router.post("/{reference}/systemic", status_code=204, response_class=Response)
def systemic(
    reference: Reference, body: SystemicIn, principal: PrincipalDep, cases: GrievanceCasesDep, request_id: RequestIdDep
) -> Response:
    cases.flag_systemic(principal, reference, body.joint_project, body.reason, request_id)
    return Response(status_code=204)


@public.get("/grievance-statistics")
def statistics(desk: CaseDeskDep) -> dict[str, Any]:
    """Published: cases by stage, theme, country and type; median days per stage; share on time."""
    return desk.statistics()


@public.get("/rulings")
def rulings(desk: CaseDeskDep) -> list[dict[str, Any]]:
    """The committee's rulings, anonymised, as published when final."""
    return desk.rulings()
