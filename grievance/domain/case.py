"""A grievance case: a report filed by an NGO or union party for a local partner, or a dispute.

Confidentiality (docs/lifecycles.md and docs/confidentiality.md). Everything that could identify the reporter, or tie a
company to a site, travels in named event attributes that ``keys/`` seals (``CONFIDENTIAL_EVENTS``):
with the case's own data key the reporter's identity and contact, the description, the parties of
a dispute, the evidence, every transition's free-text reason and the ruling; with a grievance key
of each company's own what concerns that company: what the linked list found for it, its notice,
its messages, the part of the ruling addressed to it. What stays in clear is what the
queue, the deadlines and the published statistics need and what reveals no company: the reference,
type, filing party, sites and region named by the filer, themes, stages and their times, and a
keyed tag per notified company (an HMAC under that company's key: without the keyring it names no
one). Read back, sealed attributes are opaque ``SealedField`` values until the filter opens them.

The aggregate checks the lifecycle (grievance/domain/stages.py); the policy decides who.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from grievance.domain.stages import COMMITTEE_STAGES, COMPANY_DIALOGUE_STAGES, TERMINAL, Stage, Step, target_of
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import free_text

REFERENCE_PATTERN = re.compile(r"^TS-(\d{4})-(\d{4,})$")


class CaseType(StrEnum):
    COMPLAINT = "complaint"  # a report about a site, by an NGO/union party for an affected party
    DISPUTE_BETWEEN_PARTIES = "dispute_between_parties"
    DISPUTE_WITH_SECRETARIAT = "dispute_with_secretariat"  # the secretariat is a party: it cannot edit

    @property
    def is_dispute(self) -> bool:
        return self != CaseType.COMPLAINT


class Theme(StrEnum):
    """The covenant's seven priority themes (art. 6 lid 13), plus other."""

    DISCRIMINATION_AND_GENDER = "discrimination_and_gender"
    CHILD_LABOUR = "child_labour"
    FORCED_LABOUR = "forced_labour"
    LIVING_WAGE = "living_wage"
    FREEDOM_OF_ASSOCIATION = "freedom_of_association"
    HEALTH_AND_SAFETY = "health_and_safety"
    LAND_RIGHTS_AND_ENVIRONMENT = "land_rights_and_environment"
    OTHER = "other"


class MessageKind(StrEnum):
    RESPONSE = "response"
    REMEDIATION_PROPOSAL = "remediation_proposal"
    PROGRESS = "progress"


CONFIDENTIAL_EVENTS = {
    "GrievanceCase.Filed": ("originator_id", ("reporter", "description", "parties")),
    "GrievanceCase.EvidenceAdded": ("originator_id", ("attachment",)),
    "GrievanceCase.Advanced": ("originator_id", ("reason",)),
    "GrievanceCase.Matched": ("originator_id", ("reason",)),
    # A company's part of a case is sealed with a grievance key of that company's own (its owner is
    # derived from the company's keyed tag): shredding the company erases it from every case.
    "GrievanceCase.CompanyMatched": ("key_owner", ("match",)),
    "GrievanceCase.CompanyNotified": ("key_owner", ("notice",)),
    "GrievanceCase.CompanyWrote": ("key_owner", ("message",)),
    "GrievanceCase.Ruled": ("originator_id", ("reason", "ruling")),
    # The part of a ruling addressed to one company: only that company (and the committee, the
    # secretariat) reads it, so no party learns of another company's involvement (issue 11).
    "GrievanceCase.RulingPartAddressed": ("key_owner", ("part",)),
    "GrievanceCase.FlaggedSystemic": ("originator_id", ("reason",)),
}


def reference_for(year: int, number: int) -> str:
    return f"TS-{year}-{number:04d}"


# A case's words (descriptions, reasons, messages) keep their lines. Named ``text`` here only for
# grievance/application.py, which still imports it from this module: switch it, then drop this line.
text = free_text


class GrievanceCase(Aggregate):
    """Random id (nothing derived from a name); the reference is a yearly sequence number."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @event("Filed")
    def __init__(
        self,
        *,
        reference: str,
        case_type: CaseType,
        filer_ref: str,
        filer_kind: str,
        site_ids: list[str],
        country: str | None,
        region: str,
        themes: list[Theme],
        observed_on: dt.date | None,
        language: str,
        reporter: Any,
        description: Any,
        parties: Any,
        party_tags: list[str],
        followup_tag: str,
        stage: Stage,
        at: dt.datetime,
        actor: str,
    ):
        self.reference = reference
        self.case_type = CaseType(case_type)
        self.filer_ref = filer_ref
        self.filer_kind = filer_kind
        self.site_ids = list(site_ids)
        self.country = country
        self.region = region
        self.themes = [Theme(t) for t in themes]
        self.observed_on = observed_on
        self.language = language
        self.reporter = reporter
        self.description = description
        self.parties = parties
        self.party_tags = list(party_tags)  # keyed tags of the companies a dispute is against
        self.followup_tag = followup_tag
        self.stage = Stage(stage)
        self.filed_at = at
        self.history: list[tuple[Stage, dt.datetime, str, Any]] = [(self.stage, at, actor, None)]
        self.evidence: list[dict[str, Any]] = []
        self.matched: list[dict[str, Any]] = []  # per company: recipient tag, key owner, sealed match
        self.matched_years: list[int] = []
        self.notices: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.systemic: dict[str, Any] | None = None
        self.hearing_on: dt.date | None = None
        self.ruling: Any = None  # the general text, for every party: it names no company
        self.ruling_parts: list[dict[str, Any]] = []  # per addressed company: recipient tag, key owner, sealed part
        self.compliance_deadline: dt.date | None = None
        self.published_summary: str | None = None

    # --- reading ------------------------------------------------------------------------------

    @property
    def secretariat_is_party(self) -> bool:
        return self.case_type == CaseType.DISPUTE_WITH_SECRETARIAT

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL

    @property
    def before_committee(self) -> bool:
        """The committee has the case file: referred (or filed as a dispute), whatever came after."""
        return any(stage in COMMITTEE_STAGES for stage, *_ in self.history)

    def stage_dates(self) -> list[tuple[Stage, dt.datetime]]:
        return [(stage, at) for stage, at, *_ in self.history]

    def notice_for(self, recipient_tag: str) -> dict[str, Any] | None:
        return next((notice for notice in self.notices if notice["recipient_tag"] == recipient_tag), None)

    # --- evidence -----------------------------------------------------------------------------

    def add_evidence(self, media_type: str, size: int, attachment: dict[str, str], at: dt.datetime, actor: str) -> None:
        if not self.is_open:
            raise ConflictError(f"case {self.reference} is {self.stage.value}: no more evidence can be added")
        self._evidence_added(
            number=len(self.evidence) + 1, media_type=media_type, size=size, attachment=attachment, at=at, actor=actor
        )

    @event("EvidenceAdded")
    def _evidence_added(
        self, number: int, media_type: str, size: int, attachment: Any, at: dt.datetime, actor: str
    ) -> None:
        self.evidence.append(
            {
                "number": number,
                "media_type": media_type,
                "size": size,
                "attachment": attachment,
                "at": at,
                "actor": actor,
            }
        )

    # --- simple steps ---------------------------------------------------------------------------

    def advance(
        self,
        step: Step,
        actor: str,
        reason: str,
        at: dt.datetime,
        outcome: Stage | None = None,
        hearing_on: dt.date | None = None,
    ) -> Stage:
        """Every step without data of its own: acknowledge, inadmissible, remediation agreed and
        monitored, resolve, close, refer, admit, hearing, reminder, proposal to end membership,
        compliance."""
        if step == Step.SCHEDULE_HEARING and hearing_on is None:
            raise ValidationError("hearing_on", "a hearing date is required")
        to = target_of(self.reference, self.stage, step, outcome)
        if step == Step.SEND_REMINDER and self.compliance_deadline and at.date() <= self.compliance_deadline:
            raise ConflictError(
                f"case {self.reference}: the compliance deadline "
                f"{self.compliance_deadline.isoformat()} has not passed; no reminder yet"
            )
        self._advanced(step=step, stage=to, actor=actor, reason=reason, at=at, hearing_on=hearing_on)
        return to

    @event("Advanced")
    def _advanced(
        self, step: Step, stage: Stage, actor: str, reason: Any, at: dt.datetime, hearing_on: dt.date | None
    ) -> None:
        self._enter(Stage(stage), at, actor, reason)
        if hearing_on is not None:
            self.hearing_on = hearing_on

    def _enter(self, stage: Stage, at: dt.datetime, actor: str, reason: Any) -> None:
        self.stage = stage
        self.history.append((stage, at, actor, reason))

    # --- matching and notifying ---------------------------------------------------------------

    def match(
        self,
        site_ids: list[str],
        years: list[int],
        matches: list[tuple[str, uuid.UUID, dict[str, Any]]],
        actor: str,
        reason: str,
        at: dt.datetime,
    ) -> Stage:
        """``matches``: per buying company its recipient tag, the owner of its grievance key and what
        was found (company, sites, years; sealed with that key, so shredding the company erases it
        here too). None found closes the case as not in member chains."""
        outcome = Stage.MATCHED if matches else Stage.NOT_IN_MEMBER_CHAINS
        to = target_of(self.reference, self.stage, Step.MATCH, outcome)
        for recipient_tag, key_owner, found in matches:
            self._company_matched(recipient_tag=recipient_tag, key_owner=key_owner, match=found)
        self._matched(
            site_ids=site_ids, years=years, companies_found=len(matches), stage=to, actor=actor, reason=reason, at=at
        )
        return to

    @event("CompanyMatched")
    def _company_matched(self, recipient_tag: str, key_owner: uuid.UUID, match: Any) -> None:
        self.matched.append({"recipient_tag": recipient_tag, "key_owner": key_owner, "match": match})

    @event("Matched")
    def _matched(
        self,
        site_ids: list[str],
        years: list[int],
        companies_found: int,
        stage: Stage,
        actor: str,
        reason: Any,
        at: dt.datetime,
    ) -> None:
        self.site_ids = list(site_ids)
        self.matched_years = list(years)
        self._enter(Stage(stage), at, actor, reason)

    def notify_companies(
        self, notices: list[tuple[str, dict[str, Any]]], actor: str, reason: str, at: dt.datetime
    ) -> Stage:
        """One notice per matched company (its recipient tag, the notice: sealed with the company's
        grievance key), then the stage changes."""
        to = target_of(self.reference, self.stage, Step.NOTIFY_COMPANIES)
        if not notices:
            raise ConflictError(f"case {self.reference}: no company to notify")
        owners = {entry["recipient_tag"]: entry["key_owner"] for entry in self.matched}
        if any(tag not in owners for tag, _ in notices):
            raise ConflictError(f"case {self.reference}: only matched companies are notified")
        for recipient_tag, notice in notices:
            self._company_notified(recipient_tag=recipient_tag, key_owner=owners[recipient_tag], notice=notice, at=at)
        self._advanced(step=Step.NOTIFY_COMPANIES, stage=to, actor=actor, reason=reason, at=at, hearing_on=None)
        return to

    @event("CompanyNotified")
    def _company_notified(self, recipient_tag: str, key_owner: uuid.UUID, notice: Any, at: dt.datetime) -> None:
        self.notices.append({"recipient_tag": recipient_tag, "key_owner": key_owner, "notice": notice, "at": at})

    # --- the company side -----------------------------------------------------------------------

    def company_writes(
        self, recipient_tag: str, kind: MessageKind, message: dict[str, str], actor: str, at: dt.datetime
    ) -> Stage:
        """A notified company responds, proposes remediation or reports progress. Its first response
        opens the dialogue. Who wrote goes inside the sealed message: a company user's login in
        clear, next to the case's sites, would tell who buys there."""
        notice = self.notice_for(recipient_tag)
        if notice is None:
            raise ConflictError(f"case {self.reference}: this company was not notified")
        if self.stage not in COMPANY_DIALOGUE_STAGES:
            # the error names what is allowed in this stage
            target_of(self.reference, self.stage, Step.RESPOND)
        stage = Stage.IN_DIALOGUE if self.stage == Stage.COMPANIES_NOTIFIED else self.stage
        self._company_wrote(
            recipient_tag=recipient_tag,
            key_owner=notice["key_owner"],
            kind=MessageKind(kind),
            message={**message, "by": actor},
            stage=stage,
            at=at,
        )
        return stage

    @event("CompanyWrote")
    def _company_wrote(
        self, recipient_tag: str, key_owner: uuid.UUID, kind: MessageKind, message: Any, stage: Stage, at: dt.datetime
    ) -> None:
        self.messages.append({"recipient_tag": recipient_tag, "kind": MessageKind(kind), "message": message, "at": at})
        if Stage(stage) != self.stage:
            self._enter(Stage(stage), at, "company", None)  # the role, not the person (see above)

    # --- the committee --------------------------------------------------------------------------

    def rule(
        self,
        ruling: str,
        compliance_deadline: dt.date,
        published_summary: str,
        actor: str,
        reason: str,
        at: dt.datetime,
        parts: Sequence[tuple[str, uuid.UUID, Any]] = (),
    ) -> Stage:
        """A binding ruling, recorded as the copies its readers get: ``ruling``, the general text
        every party reads (the application refuses one that names a company), and ``parts``, per
        addressed company its recipient tag, the owner of its grievance key and the part addressed
        to it (sealed with that key, like its notice). Each party reads the general text and its
        own part; a company of the case is addressed at most once."""
        if compliance_deadline < at.date():
            raise ValidationError("compliance_deadline", "must not be before the ruling")
        to = target_of(self.reference, self.stage, Step.RULE)
        tags = [tag for tag, _, _ in parts]
        if len(set(tags)) != len(tags):
            raise ConflictError(f"case {self.reference}: one part per company")
        for recipient_tag, key_owner, part in parts:
            self._ruling_part_addressed(recipient_tag=recipient_tag, key_owner=key_owner, part=part)
        self._ruled(
            ruling=ruling,
            compliance_deadline=compliance_deadline,
            published_summary=published_summary,
            stage=to,
            actor=actor,
            reason=reason,
            at=at,
        )
        return to

    def ruling_part_for(self, recipient_tag: str) -> dict[str, Any] | None:
        return next((part for part in self.ruling_parts if part["recipient_tag"] == recipient_tag), None)

    @event("RulingPartAddressed")
    def _ruling_part_addressed(self, recipient_tag: str, key_owner: uuid.UUID, part: Any) -> None:
        self.ruling_parts.append({"recipient_tag": recipient_tag, "key_owner": key_owner, "part": part})

    @event("Ruled")
    def _ruled(
        self,
        ruling: Any,
        compliance_deadline: dt.date,
        published_summary: str,
        stage: Stage,
        actor: str,
        reason: Any,
        at: dt.datetime,
    ) -> None:
        self.ruling = ruling
        self.compliance_deadline = compliance_deadline
        self.published_summary = published_summary
        self._enter(Stage(stage), at, actor, reason)

    # --- systemic issues (art. 6 lid 4d) ----------------------------------------------------------

    def flag_systemic(self, joint_project: str, actor: str, reason: str, at: dt.datetime) -> None:
        if not self.is_open:
            raise ConflictError(f"case {self.reference} is {self.stage.value}: it can no longer be flagged")
        self._flagged_systemic(joint_project=joint_project, actor=actor, reason=reason, at=at)

    @event("FlaggedSystemic")
    def _flagged_systemic(self, joint_project: str, actor: str, reason: Any, at: dt.datetime) -> None:
        self.systemic = {"joint_project": joint_project, "actor": actor, "reason": reason, "at": at}


# Namespace of the ids of the small aggregates that number and find cases (derived from a year, a
# reference or a follow-up tag, so that each is found with one ``get``).
_INDEX_NAMESPACE = uuid.UUID("3e9b7c1d-52a4-4f0e-b8d6-7a1c2e4f9b30")


class CaseNumbers(Aggregate):
    """One year's sequence of case numbers: the last number drawn, nothing else.

    Drawing a number is saved in the same commit as the new case and its lookups, so a number is
    used once and none is skipped: two filings that drew the same number conflict on this
    aggregate's version and the one refused draws again. It stays cheap to load whatever the
    history: it holds one integer and is snapshotted (grievance/application.py).
    """

    @staticmethod
    def create_id(year: int, **_: Any) -> uuid.UUID:
        return uuid.uuid5(_INDEX_NAMESPACE, f"case-numbers/{int(year)}")

    @event("Opened")
    def __init__(self, year: int, last: int = 0) -> None:
        self.year = int(year)
        self.first = int(last) + 1  # numbers below were drawn by the earlier CaseRegister, if any
        self.last = int(last)

    def draw(self) -> str:
        """The next reference of the year (in memory until saved with its case)."""
        self._drawn(number=self.last + 1)
        return reference_for(self.year, self.last)

    @event("Drawn")
    def _drawn(self, number: int) -> None:
        self.last = number

    def references(self) -> list[str]:
        return [reference_for(self.year, number) for number in range(self.first, self.last + 1)]


class CaseYears(Aggregate):
    """The years that have a sequence of case numbers, so every reference can be listed. One event
    per year: it is written together with the first case of a year only."""

    ID = uuid.UUID("9d4f6a2b-3c8e-4b71-a05f-e2d7c9b1f846")

    @staticmethod
    def create_id() -> uuid.UUID:
        return CaseYears.ID

    @event("Opened")
    def __init__(self) -> None:
        self.years: list[int] = []

    @event("YearAdded")
    def add(self, year: int) -> None:
        self.years.append(int(year))


class CaseLookup(Aggregate):
    """Finds one case by a key of it: its reference, or the keyed tag of its follow-up code.

    Its id is derived from the key, so a lookup is one ``get`` of one event; created with the case,
    in the same commit, and never changed. Its event holds the key and the case id, nothing new: a
    reference and a follow-up tag are in clear on the case already, and the tag (a keyed digest of
    the code) names no one and cannot be turned back into the code without the keyring.
    """

    @staticmethod
    def create_id(key: str, **_: Any) -> uuid.UUID:
        return uuid.uuid5(_INDEX_NAMESPACE, key)

    @event("Recorded")
    def __init__(self, key: str, case_id: uuid.UUID) -> None:
        self.case_id = case_id


def reference_key(reference: str) -> str:
    return f"reference/{reference}"


def followup_key(followup_tag: str) -> str:
    return f"follow-up/{followup_tag}"


class CaseRegister(Aggregate):
    """The single register of earlier versions (read, never written any more).

    It numbered every case and found each by reference or follow-up tag; every filing updated it,
    so filings at the same moment conflicted on its version, and it grew with every case. Stores
    made before CaseNumbers and CaseLookup keep their cases in it: they are still found through it,
    and a year's new sequence continues after its last number.
    """

    ID = uuid.UUID("5f2c8e1a-7b3d-4c6e-9a0f-1d2e3f4a5b6c")

    @staticmethod
    def create_id() -> uuid.UUID:
        return CaseRegister.ID

    @event("Opened")
    def __init__(self) -> None:
        self.by_reference: dict[str, uuid.UUID] = {}
        self.by_followup_tag: dict[str, uuid.UUID] = {}
        self.last_number: dict[str, int] = {}

    @event("Issued")
    def issue(self, reference: str, case_id: uuid.UUID, followup_tag: str) -> None:
        year, number = REFERENCE_PATTERN.match(reference).groups()  # type: ignore[union-attr]
        self.last_number[year] = int(number)
        self.by_reference[reference] = case_id
        self.by_followup_tag[followup_tag] = case_id


def first_stage(case_type: CaseType) -> Stage:
    """Disputes go straight to the committee; complaints start with the secretariat."""
    return Stage.REFERRED if CaseType(case_type).is_dispute else Stage.FILED
