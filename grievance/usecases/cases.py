"""A grievance case: filing, reading it as one's role may, and the steps of its lifecycle.

The reads are decided here: the facts from ``CaseFacts``, the parts a role sees from the table
(keys/access/visibility.py), the policy through the filter, which logs the read and opens the sealed
parts. The steps are the grievance application's aggregate work; it asks the same gatherer for its
facts, so that a step is decided on the same facts as a read (grievance/application.py has the order
in which a command decides, checks and writes).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from typing import Any

from grievance.application import BuyerResolver, GrievanceApplication, addressed
from grievance.domain.case import GrievanceCase, MessageKind
from grievance.domain.filing import Filing
from grievance.domain.stages import NEXT, Stage, Step
from grievance.usecases.facts import CaseFacts
from grievance.usecases.results import (
    Filed,
    FollowUp,
    FollowUpStage,
    Matched,
    Notified,
    NotifiedCompanies,
    StageTaken,
)
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts, decide
from keys.access.visibility import CasePart, case_parts
from registry.domain.errors import GoneError, NotFoundError, ValidationError


def case_audit(case: GrievanceCase, request_id: str) -> Audit:
    return Audit(
        subject_kind="grievance_case",
        subject_ref=case.reference,
        purpose=f"grievance case {case.reference}",
        request_id=request_id,
    )


class GrievanceCases:
    def __init__(
        self, grievance: GrievanceApplication, guard: ConfidentialFilter, facts: CaseFacts, buyers: BuyerResolver
    ) -> None:
        self._grievance = grievance
        self._guard = guard
        self._facts = facts
        self._buyers = buyers  # the linked-list search's buyer finder, handed to ``match``

    def _facts_about(self, principal: Any, case: GrievanceCase) -> Facts:
        return self._facts.about(principal, case, self._grievance.clock().date())

    # --- filing ---------------------------------------------------------------------------------

    def file(self, principal: Any, filing: Filing, request_id: str) -> Filed:
        """File a report for a local partner (NGO and union parties) or a dispute (also companies)."""
        reference, code = self._grievance.file(principal, filing, request_id)
        return Filed(reference=reference, followup_code=code, stage=self._grievance.case(reference).stage.value)

    def may_file(self, principal: Any, request_id: str = "", *, dispute: bool = False) -> None:
        """Whether this principal may file a report (``dispute``: a dispute), asked before the form to file is
        drawn: a refusal is logged and raised; a grant logs nothing, as nothing is read (``file`` logs its own)."""
        audit = Audit(subject_kind="grievance_case", purpose="file a grievance", request_id=request_id)
        self._guard.check(principal, Action.FILE_GRIEVANCE, Facts(is_dispute=dispute), audit)

    def follow_up(self, code: str) -> FollowUp:
        """No login: the case's stage and dates for whoever holds the follow-up code."""
        seen = self._grievance.follow_up(code)
        return FollowUp(
            stage=seen["stage"],
            filed_on=seen["filed_on"],
            stages=[FollowUpStage(stage=entry["stage"], on=entry["on"]) for entry in seen["stages"]],
        )

    # --- reading --------------------------------------------------------------------------------

    def read_case(self, principal: Any, reference: str, request_id: str = "") -> dict[str, Any]:
        """The case as this principal may see it (one access-log entry): its summary, and the sealed
        parts the table gives its role and standing. Nobody here sees the reporter's identity."""
        case = self._grievance.case(reference)
        facts = self._facts_about(principal, case)
        parts = case_parts(principal.role, self._facts.standings(principal, case))
        tag = self._facts.company_tag(principal) if parts & _OWN_PARTS else None
        fields: dict[str, Any] = {}
        if CasePart.DESCRIPTION in parts:
            fields["description"] = case.description
        if CasePart.STAGE_REASONS in parts:
            fields |= {f"reason_{i}": reason for i, (*_, reason) in enumerate(case.history)}
        if CasePart.OWN_NOTICE in parts and tag is not None:
            notice = case.notice_for(tag)
            fields["notice"] = addressed(notice, "notice") if notice else None
        fields |= {
            f"message_{i}": addressed(m, "message")
            for i, m in enumerate(case.messages)
            if CasePart.MESSAGES in parts or (CasePart.OWN_MESSAGES in parts and m["recipient_tag"] == tag)
        }
        if case.ruling is not None and CasePart.RULING in parts:
            # a binding ruling is addressed to the parties: each reads the general text and its own part
            fields["ruling"] = case.ruling
            fields |= {
                f"ruling_part_{i}": addressed(part, "part")
                for i, part in enumerate(case.ruling_parts)
                if CasePart.RULING_PARTS in parts
                or (CasePart.OWN_RULING_PART in parts and part["recipient_tag"] == tag)
            }
        opened = _jsonable(self._guard.open(principal, Action.READ_CASE, facts, fields, case_audit(case, request_id)))
        view = {
            **_summary(case),
            **{k: v for k, v in opened.items() if not k.startswith(("reason_", "message_", "ruling_part_"))},
        }
        if "ruling" in opened:  # a shredded company's part reads as nothing
            view["ruling_parts"] = [
                part for name, part in opened.items() if name.startswith("ruling_part_") and isinstance(part, dict)
            ]
        if CasePart.STAGE_REASONS in parts:
            for index, entry in enumerate(view["stages"]):
                entry["reason"] = opened.get(f"reason_{index}")
        messages = [(index, m) for index, m in enumerate(case.messages) if f"message_{index}" in opened]
        view["messages"] = [
            {"kind": m["kind"].value, "at": m["at"].isoformat(), **(opened[f"message_{index}"] or {})}
            for index, m in messages
        ]
        return view

    def reporter(self, principal: Any, reference: str, request_id: str = "") -> dict[str, str]:
        """The local partner's identity and contact: the filing party and the committee only."""
        case = self._grievance.case(reference)
        opened = self._guard.open(
            principal,
            Action.READ_REPORTER_IDENTITY,
            self._facts_about(principal, case),
            {"reporter": case.reporter},
            case_audit(case, request_id),
        )
        return _readable(opened["reporter"], reference) or {}

    def evidence(self, principal: Any, reference: str, number: int, request_id: str = "") -> tuple[str, str, bytes]:
        """One evidence item: (file name, media type, content). The policy is asked first (a refusal
        logged), so that whether item N exists is told only to a person allowed to read it; then
        404 for a missing item, with no granted entry."""
        case = self._grievance.case(reference)
        facts, audit = self._facts_about(principal, case), case_audit(case, request_id)
        self._guard.check(principal, Action.READ_EVIDENCE, facts, audit)
        item = next((e for e in case.evidence if e["number"] == number), None)
        if item is None:
            raise NotFoundError(f"case {reference} has no evidence item {number}")
        opened = self._guard.open(principal, Action.READ_EVIDENCE, facts, {"attachment": item["attachment"]}, audit)
        attachment = _readable(opened["attachment"], reference)
        return attachment["filename"], item["media_type"], base64.b64decode(attachment["content"])

    def notified_companies(self, principal: Any, reference: str, request_id: str = "") -> NotifiedCompanies:
        """Which companies were notified: the secretariat; the committee for a case before it; the
        filing NGO with linked-list rights (keys/access/policy.py decides on the facts of this case)."""
        case = self._grievance.case(reference)
        facts, audit = self._facts_about(principal, case), case_audit(case, request_id)
        if not case.notices:
            self._guard.authorise(principal, Action.SEE_NOTIFIED_COMPANIES, facts, audit)
            return NotifiedCompanies(reference=reference, companies=[])
        opened = self._guard.open(
            principal,
            Action.SEE_NOTIFIED_COMPANIES,
            facts,
            {f"notice_{i}": addressed(n, "notice") for i, n in enumerate(case.notices)},
            audit,
        )
        # a shredded company's notice reads as nothing: its name is gone with its keys
        companies = sorted(notice["company"] for notice in opened.values() if isinstance(notice, dict))
        return NotifiedCompanies(reference=reference, companies=companies)

    def companies_to_notify(self, principal: Any, reference: str, request_id: str = "") -> NotifiedCompanies:
        """Which companies matching found, before they are notified: what the secretariat is about to
        do, read under its own row (``notify_companies``), so nobody else learns a site's buyers here.
        The same opening as the notify command's; none before matching."""
        case = self._grievance.case(reference)
        facts, audit = self._facts_about(principal, case), case_audit(case, request_id)
        if not case.matched:
            self._guard.authorise(principal, Action.NOTIFY_COMPANIES, facts, audit)
            return NotifiedCompanies(reference=reference, companies=[])
        matches = {f"match_{i}": addressed(entry, "match") for i, entry in enumerate(case.matched)}
        opened = self._guard.open(principal, Action.NOTIFY_COMPANIES, facts, matches, audit)
        companies = sorted(match["company"] for match in opened.values() if isinstance(match, dict))
        return NotifiedCompanies(reference=reference, companies=companies)

    # --- steps ----------------------------------------------------------------------------------

    def steps_for(self, principal: Any, reference: str) -> list[str]:
        """The steps the case's stage allows next that the policy lets this principal take, on the
        case's facts: what a page offers it. A decision only, nothing sealed is read, so nothing is
        logged; taking a step is decided, and logged, again."""
        case = self._grievance.case(reference)
        facts = self._facts_about(principal, case)
        return [step.value for step in NEXT[case.stage] if decide(principal, _action_of(case, step), facts).allowed]

    def take_step(
        self,
        principal: Any,
        reference: str,
        step: Step,
        reason: str,
        request_id: str,
        *,
        hearing_on: dt.date | None = None,
        admissible: bool | None = None,
        seen_stage: Stage | None = None,
    ) -> StageTaken:
        """One step of the lifecycle; 409 names the steps allowed in the case's stage. ``admit`` takes
        the committee's decision (``admissible``)."""
        if step == Step.ADMIT:
            if admissible is None:
                raise ValidationError("admissible", "required for step 'admit'")
            stage = self._grievance.admit(principal, reference, admissible, reason, request_id, seen_stage=seen_stage)
        else:
            stage = self._grievance.advance(
                principal, reference, step, reason, request_id, hearing_on=hearing_on, seen_stage=seen_stage
            )
        return StageTaken(reference=reference, stage=stage)

    def match(
        self,
        principal: Any,
        reference: str,
        site_ids: list[str],
        years: list[int] | None,
        reason: str,
        request_id: str,
    ) -> Matched:
        """Link the case to production sites; the buyers are found through the filter. None found
        closes the case as not in member chains."""
        found = self._grievance.match(principal, reference, site_ids, years, reason, request_id, buyers=self._buyers)
        return Matched(reference=reference, stage=found["stage"], companies_found=found["companies_found"])

    def notify(self, principal: Any, reference: str, allegation: str, reason: str, request_id: str) -> Notified:
        count = self._grievance.notify_companies(principal, reference, allegation, reason, request_id)
        stage = self._grievance.case(reference).stage.value
        return Notified(reference=reference, stage=stage, companies_notified=count)

    def write(self, principal: Any, reference: str, kind: MessageKind, text: str, request_id: str) -> StageTaken:
        """A notified company's response, remediation proposal or progress report."""
        stage = self._grievance.company_writes(principal, reference, kind, text, request_id)
        return StageTaken(reference=reference, stage=stage)

    def rule(
        self,
        principal: Any,
        reference: str,
        ruling: str,
        compliance_deadline: dt.date,
        published_summary: str,
        reason: str,
        request_id: str,
        parts: Sequence[tuple[str, str]] = (),
    ) -> StageTaken:
        stage = self._grievance.rule(
            principal, reference, ruling, compliance_deadline, published_summary, reason, request_id, parts=parts
        )
        return StageTaken(reference=reference, stage=stage)

    def flag_systemic(self, principal: Any, reference: str, joint_project: str, reason: str, request_id: str) -> None:
        self._grievance.flag_systemic(principal, reference, joint_project, reason, request_id)


# The policy's action for the steps with a command of their own; for the others the grievance
# application's table decides (a committee-phase close is the committee's).
_COMMAND_ACTIONS = {
    Step.MATCH: Action.MANAGE_CASE,
    Step.NOTIFY_COMPANIES: Action.NOTIFY_COMPANIES,
    Step.RULE: Action.RECORD_COMMITTEE_DECISION,
    Step.RESPOND: Action.RESPOND_TO_CASE,
}


def _action_of(case: GrievanceCase, step: Step) -> Action:
    command = _COMMAND_ACTIONS.get(step)
    return command or Action(GrievanceApplication._action_for(case, step))  # noqa: SLF001 - the one table of it


_OWN_PARTS = frozenset({CasePart.OWN_NOTICE, CasePart.OWN_MESSAGES, CasePart.OWN_RULING_PART})


def _summary(case: GrievanceCase) -> dict[str, Any]:
    """What every reader of a case sees: nothing sealed."""
    return {
        "reference": case.reference,
        "case_type": case.case_type.value,
        "stage": case.stage.value,
        "filer": case.filer_ref,
        "site_ids": case.site_ids,
        "country": case.country,
        "region": case.region,
        "themes": [theme.value for theme in case.themes],
        "observed_on": case.observed_on.isoformat() if case.observed_on else None,
        "language": case.language,
        "filed_at": case.filed_at.isoformat(),
        "stages": [{"stage": stage.value, "at": at.isoformat()} for stage, at in case.stage_dates()],
        "allowed_next": [step.value for step in NEXT[case.stage]],
        "evidence": [{"number": e["number"], "media_type": e["media_type"], "size": e["size"]} for e in case.evidence],
        "systemic": {"joint_project": case.systemic["joint_project"]} if case.systemic else None,
        "hearing_on": case.hearing_on.isoformat() if case.hearing_on else None,
        "compliance_deadline": case.compliance_deadline.isoformat() if case.compliance_deadline else None,
        "published_summary": case.published_summary,
    }


def _readable(value: Any, reference: str) -> Any:
    if isinstance(value, (dict, list)) or value is None:
        return value
    raise GoneError(f"case {reference}: this part can no longer be read (its key was destroyed)")


def _jsonable(opened: dict[str, Any]) -> dict[str, Any]:
    """Opened fields as plain JSON values; a shredded one reads as null."""

    def one(value: Any) -> Any:
        if isinstance(value, list):
            return [one(item) for item in value]
        return value if isinstance(value, (dict, str, int, float, bool)) or value is None else None

    return {name: one(value) for name, value in opened.items()}
