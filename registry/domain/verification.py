"""Sample verification of reported links (covenant: "steekproefsgewijze verificatie van door bedrijven
aangeleverde gegevens", with civil-society organisations in the production countries; issue 16 and
docs/verification.md).

A **round** is opened by the secretariat for one report year: it freezes the frame (every checkable
reported link, each under a random token, with the site's country and kind and the link's origin
confidence) and records its digest, the stratification and the sample size, and which public random
value (the *beacon*, e.g. a lottery draw on a named later day) will seed the draw. Once that value is
public the round is drawn (registry/domain/sampling.py): nobody could steer the sample, because the
frame was fixed before the value existed, and anybody holding the frame can redraw it.

Each sampled link becomes a **field check**: assigned to an NGO or union party, whose local partner
(who never logs in) visits the site or checks documents; the party records the findings. A link whose
tie to the company is not confirmed asks the company for a correction of its report.

Confidentiality (DESIGN 8a). Which company sourced a link is the secret:
- the round keeps the frame in clear with no company in it (random tokens); which token is which
  company's link (``members``) is sealed under the fixed ``VERIFICATION_KEY_OWNER``;
- a check keeps in clear only what its statistics need and what names no company and no site: the
  round, the site's country and kind, the assigned party, statuses, dates, the outcome, and a keyed tag
  of the company (``company_tag``, an HMAC under the company's key: it names no one without the
  keyring). The link itself (company, site, chain) is sealed under the company's grievance key owner
  (``key_owner``, derived from the tag, destroyed with the company's keys), the local partner, the
  notes and the evidence under the check's own key (``originator_id``: erased per check), the
  company's answer under the company's key owner again;
- a confirmed link leaves a keyed ``verified_tag`` (an HMAC of company, year, site and chain under
  the company's key) by which the lists mark it verified without opening anything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import free_text, one_line
from registry.domain.transitions import Lifecycle, StepNotAllowedError

CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # one company's part of a round's frame (which tokens are its links), under that company's key owner
    "FrameShare.Recorded": ("key_owner", ("members",)),
    "FieldCheck.Drawn": ("key_owner", ("link",)),
    "FieldCheck.FindingsRecorded": ("originator_id", ("partner", "notes", "attachments")),
    # who answered is sealed with the explanation: a company login in clear would name the company
    "FieldCheck.CorrectionAnswered": ("key_owner", ("detail",)),
}

NOTE_LONGEST = 4000
PARTNER_LONGEST = 300
SOURCE_LONGEST = 500
EXPLANATION_SHORTEST, EXPLANATION_LONGEST = 10, 4000
ATTACHMENTS_MOST = 5


class RoundStatus(StrEnum):
    FROZEN = "frozen"  # frame frozen, waiting for the beacon value
    DRAWN = "drawn"  # sample drawn, checks under way
    PUBLISHED = "published"  # statistics published


class CheckStatus(StrEnum):
    DRAWN = "drawn"  # sampled, not yet assigned to a party
    ASSIGNED = "assigned"  # with an NGO or union party
    CHECKED = "checked"  # findings recorded, link confirmed or unclear
    CORRECTION_REQUESTED = "correction_requested"  # link not confirmed: the company is asked to correct
    CORRECTED = "corrected"  # the company corrected its report
    MAINTAINED = "maintained"  # the company keeps the link, with its explanation


class CheckStep(StrEnum):
    ASSIGN = "assign"
    RECORD_FINDINGS = "record_findings"
    ANSWER = "answer"


class Method(StrEnum):
    SITE_VISIT = "site_visit"
    DOCUMENT_CHECK = "document_check"


class Finding(StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


class LinkOutcome(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    UNCLEAR = "unclear"


class Answer(StrEnum):
    CORRECTED = "corrected"  # a corrected report was submitted after the request
    MAINTAINED = "maintained"  # the company stands by the link, and says why


C = CheckStatus
NEXT: dict[CheckStatus, dict[CheckStep, tuple[CheckStatus, ...]]] = {
    # a check may be re-assigned while no findings are in (a party that cannot do it hands it back)
    C.DRAWN: {CheckStep.ASSIGN: (C.ASSIGNED,)},
    C.ASSIGNED: {CheckStep.ASSIGN: (C.ASSIGNED,), CheckStep.RECORD_FINDINGS: (C.CHECKED, C.CORRECTION_REQUESTED)},
    C.CHECKED: {},
    C.CORRECTION_REQUESTED: {CheckStep.ANSWER: (C.CORRECTED, C.MAINTAINED)},
    C.CORRECTED: {},
    C.MAINTAINED: {},
}
LIFECYCLE = Lifecycle[CheckStatus, CheckStep](NEXT)


class IllegalCheckStepError(StepNotAllowedError):
    """A step the check's status does not allow (409); names the steps that are allowed."""

    def __init__(self, check_id: uuid.UUID, status: CheckStatus, step: CheckStep):
        super().__init__(f"field check {check_id}", status, step.value, LIFECYCLE.allowed(status), "the check is done")
        self.status = status


def _choice(enum: type[StrEnum], value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError(field, "one of " + ", ".join(member.value for member in enum)) from None


class VerificationRound(Aggregate):
    """One round for one report year. Random id."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @classmethod
    def open(
        cls,
        *,
        year: int,
        dimensions: list[str],
        sample_size: int,
        frame: list[list[str]],
        frame_digest: str,
        shares: list[uuid.UUID],
        companies: int,
        beacon_source: Any,
        beacon_on: dt.date,
        on: dt.date,
        by: str,
    ) -> VerificationRound:
        """Freeze the frame. The beacon's day must come after today: a value already public when the
        frame is frozen could have been chosen to steer the sample."""
        source = cls.check_commitment(beacon_source, beacon_on, on)
        if not frame:
            raise ConflictError("no checkable link was reported for that year: nothing to sample")
        return cls(
            year=year,
            dimensions=list(dimensions),
            sample_size=sample_size,
            frame=frame,
            frame_digest=frame_digest,
            shares=shares,
            companies=companies,
            beacon_source=source,
            beacon_on=beacon_on,
            on=on,
            by=by,
        )

    @staticmethod
    def check_commitment(beacon_source: Any, beacon_on: Any, on: dt.date) -> str:
        """The beacon as announced, checked before anything is read: the source cleaned, and a day
        after today (a value already public when the frame is frozen could be chosen to steer it)."""
        source = one_line(beacon_source, "beacon_source", SOURCE_LONGEST, shortest=5)
        if not isinstance(beacon_on, dt.date) or isinstance(beacon_on, dt.datetime):
            raise ValidationError("beacon_on", "a date (YYYY-MM-DD)")
        if beacon_on <= on:
            raise ValidationError("beacon_on", "a day after today: the value must not be public yet")
        return source

    @event("Opened")
    def __init__(
        self,
        *,
        year: int,
        dimensions: list[str],
        sample_size: int,
        frame: list[list[str]],
        frame_digest: str,
        shares: list[uuid.UUID],
        companies: int,
        beacon_source: str,
        beacon_on: dt.date,
        on: dt.date,
        by: str,
    ) -> None:
        self.year = year
        self.dimensions = list(dimensions)
        self.sample_size = sample_size
        self.frame = [list(entry) for entry in frame]
        self.frame_digest = frame_digest
        self.shares = [uuid.UUID(str(share)) for share in shares]  # the FrameShare of each company
        self.companies = companies  # how many companies have a link in the frame (a count: it names none)
        self.beacon_source = beacon_source
        self.beacon_on = beacon_on
        self.opened_on = on
        self.opened_by = by
        self.status = RoundStatus.FROZEN
        self.beacon_value: str | None = None
        self.seed: str | None = None
        self.sample: list[str] = []
        self.checks: dict[str, uuid.UUID] = {}  # token -> check id
        self.drawn_on: dt.date | None = None
        self.published_on: dt.date | None = None

    def check_drawable(self, beacon_value: Any, on: dt.date) -> str:
        """The beacon value, cleaned; refuses a draw before the beacon's day or a second draw."""
        if self.status is not RoundStatus.FROZEN:
            raise ConflictError("the round is drawn already")
        if on < self.beacon_on:
            raise ConflictError(f"the beacon value is published on {self.beacon_on.isoformat()}: draw on or after it")
        return one_line(beacon_value, "beacon_value", SOURCE_LONGEST)

    def record_draw(
        self, *, beacon_value: str, seed: str, sample: list[str], checks: dict[str, uuid.UUID], on: dt.date, by: str
    ) -> None:
        self._drawn(beacon_value=beacon_value, seed=seed, sample=sample, checks=checks, on=on, by=by)

    @event("Drawn")
    def _drawn(
        self, beacon_value: str, seed: str, sample: list[str], checks: dict[str, uuid.UUID], on: dt.date, by: str
    ) -> None:
        self.beacon_value = beacon_value
        self.seed = seed
        self.sample = list(sample)
        self.checks = {token: uuid.UUID(str(check_id)) for token, check_id in checks.items()}
        self.drawn_on = on
        self.status = RoundStatus.DRAWN

    def publish(self, *, on: dt.date, by: str) -> None:
        if self.status is not RoundStatus.DRAWN:
            raise ConflictError(
                "the round is published already" if self.status is RoundStatus.PUBLISHED else "draw the round first"
            )
        self._published(on=on, by=by)

    @event("Published")
    def _published(self, on: dt.date, by: str) -> None:
        self.published_on = on
        self.status = RoundStatus.PUBLISHED


class FieldCheck(Aggregate):
    """One sampled link being checked. Random id; the link itself is sealed (module docstring)."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @event("Drawn")
    def __init__(
        self,
        *,
        round_id: uuid.UUID,
        year: int,
        token: str,
        country: str,
        site_kind: str,
        company_tag: str,
        key_owner: uuid.UUID,
        link: Any,
        on: dt.date,
    ) -> None:
        self.round_id = round_id
        self.year = year
        self.token = token
        self.country = country
        self.site_kind = site_kind
        self.company_tag = company_tag
        self.key_owner = key_owner
        self.link = link  # a SealedField once read back (module docstring)
        self.drawn_on = on
        self.status = CheckStatus.DRAWN
        self.party_id: uuid.UUID | None = None
        self.method: Method | None = None
        self.assigned_on: dt.date | None = None
        self.findings: dict[str, Any] | None = None
        self.verified_tag: str | None = None
        self.answer: dict[str, Any] | None = None

    def _target(self, step: CheckStep, outcome: CheckStatus | None = None) -> CheckStatus:
        target = LIFECYCLE.target(self.status, step, outcome)
        if target is None:
            raise IllegalCheckStepError(self.id, self.status, step)
        return target

    def require(self, step: CheckStep) -> None:
        """Refuse (409) a step the status does not allow, before anything else is looked at."""
        if LIFECYCLE.target(self.status, step) is None:
            raise IllegalCheckStepError(self.id, self.status, step)

    def assign(self, *, party_id: uuid.UUID, method: Any, on: dt.date, by: str) -> None:
        chosen = _choice(Method, method, "method")
        target = self._target(CheckStep.ASSIGN)
        self._assigned(party_id=party_id, method=chosen, status=target, on=on, by=by)

    @event("Assigned")
    def _assigned(self, party_id: uuid.UUID, method: Method, status: CheckStatus, on: dt.date, by: str) -> None:
        self.party_id = party_id
        self.method = Method(method)
        self.assigned_on = on
        self.status = CheckStatus(status)

    @staticmethod
    def clean_findings(
        *,
        site_exists: Any,
        site_as_reported: Any,
        link: Any,
        checked_on: Any,
        partner: Any,
        notes: Any,
        attachments: list[dict[str, Any]],
        today: dt.date,
    ) -> dict[str, Any]:
        """The findings as recorded, validated field by field (a ValidationError names the field)."""
        if not isinstance(checked_on, dt.date) or isinstance(checked_on, dt.datetime):
            raise ValidationError("checked_on", "a date (YYYY-MM-DD)")
        if checked_on > today:
            raise ValidationError("checked_on", "not after today")
        if len(attachments) > ATTACHMENTS_MOST:
            raise ValidationError("attachments", f"at most {ATTACHMENTS_MOST} files")
        return {
            "site_exists": _choice(Finding, site_exists, "site_exists"),
            "site_as_reported": _choice(Finding, site_as_reported, "site_as_reported"),
            "link": _choice(LinkOutcome, link, "link"),
            "checked_on": checked_on,
            "partner": one_line(partner, "partner", PARTNER_LONGEST),
            "notes": free_text(notes, "notes", NOTE_LONGEST) if notes not in (None, "") else "",
            "attachments": attachments,
        }

    def record_findings(self, *, findings: dict[str, Any], verified_tag: str | None, on: dt.date, by: str) -> None:
        """``findings`` from ``clean_findings``; ``verified_tag`` only for a confirmed link."""
        outcome = LinkOutcome(findings["link"])
        target = self._target(
            CheckStep.RECORD_FINDINGS, C.CORRECTION_REQUESTED if outcome is LinkOutcome.NOT_CONFIRMED else C.CHECKED
        )
        self._findings_recorded(
            site_exists=Finding(findings["site_exists"]),
            site_as_reported=Finding(findings["site_as_reported"]),
            outcome=outcome,
            checked_on=findings["checked_on"],
            partner=findings["partner"],
            notes=findings["notes"],
            attachments=findings["attachments"],
            verified_tag=verified_tag if outcome is LinkOutcome.CONFIRMED else None,
            status=target,
            on=on,
            by=by,
        )

    @event("FindingsRecorded")
    def _findings_recorded(
        self,
        site_exists: Finding,
        site_as_reported: Finding,
        outcome: LinkOutcome,
        checked_on: dt.date,
        partner: Any,
        notes: Any,
        attachments: Any,
        verified_tag: str | None,
        status: CheckStatus,
        on: dt.date,
        by: str,
    ) -> None:
        self.findings = {
            "site_exists": Finding(site_exists),
            "site_as_reported": Finding(site_as_reported),
            "link": LinkOutcome(outcome),
            "checked_on": checked_on,
            "partner": partner,  # sealed once read back
            "notes": notes,  # sealed once read back
            "attachments": attachments,  # sealed once read back
            "recorded_on": on,
            "by": by,
        }
        self.verified_tag = verified_tag
        self.status = CheckStatus(status)

    @property
    def outcome(self) -> LinkOutcome | None:
        return self.findings["link"] if self.findings else None

    @staticmethod
    def clean_answer(answer: Any, explanation: Any) -> tuple[Answer, str]:
        """The answer and its explanation, checked before anything is opened (422 naming the field)."""
        chosen = _choice(Answer, answer, "answer")
        if chosen is Answer.MAINTAINED or explanation:
            shortest = EXPLANATION_SHORTEST if chosen is Answer.MAINTAINED else 1
            return chosen, free_text(explanation, "explanation", EXPLANATION_LONGEST, shortest=shortest)
        return chosen, ""

    def answer_correction(
        self, *, answer: Any, explanation: Any, report_version: int | None, on: dt.date, by: str
    ) -> None:
        """The company's answer to a correction request: ``corrected`` needs a report version
        submitted after the request (the use case finds it: ``report_version``); ``maintained`` needs
        an explanation."""
        chosen, cleaned = self.clean_answer(answer, explanation)
        target = self._target(CheckStep.ANSWER, C.CORRECTED if chosen is Answer.CORRECTED else C.MAINTAINED)
        requested_on = self.findings["recorded_on"] if self.findings else on
        if chosen is Answer.CORRECTED and report_version is None:
            raise ConflictError(
                f"submit a corrected report after {requested_on.isoformat()} first, then answer 'corrected'"
            )
        self._correction_answered(
            key_owner=self.key_owner,
            answer=chosen,
            # the report's version number is sealed too: with the year it names the company's report
            detail={"explanation": cleaned, "by": by, "report_version": report_version},
            status=target,
            on=on,
        )

    @event("CorrectionAnswered")
    def _correction_answered(
        self,
        key_owner: uuid.UUID,
        answer: Answer,
        detail: Any,
        status: CheckStatus,
        on: dt.date,
    ) -> None:
        self.answer = {
            "answer": Answer(answer),
            "detail": detail,  # {"explanation", "by", "report_version"}: sealed once read back
            "on": on,
        }
        self.status = CheckStatus(status)


class FrameShare(Aggregate):
    """One company's part of a round's frame: which tokens are its links (and which report version
    and link each is). Sealed under the company's verification key owner, so shredding the company
    erases it; the round keeps the shares' ids (a share names no round: it is saved with its round)."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @event("Recorded")
    def __init__(self, *, key_owner: uuid.UUID, company_tag: str, members: Any) -> None:
        self.key_owner = key_owner
        self.company_tag = company_tag  # the company's keyed verification tag (names no one without the keyring)
        self.members = members  # [[token, company_id, version, link_index]]; a SealedField once read back


class VerificationRegister(Aggregate):
    """Every round's id and year, so lists need no scan, and the keyed mark of every confirmed link,
    so the linked list marks its verified rows with one read (module docstring: ``verified_tag``).
    Saved with each new round and each confirmed link."""

    ID = uuid.UUID("2a7c9e41-5d3b-4f60-8e1a-9b2c3d4e5f61")

    @staticmethod
    def create_id() -> uuid.UUID:
        return VerificationRegister.ID

    @event("Opened")
    def __init__(self) -> None:
        self.rounds: list[tuple[uuid.UUID, int]] = []
        self.verified: list[str] = []  # a list, not a set: snapshots store JSON

    def mark_verified(self, tag: str) -> None:
        if tag not in self.verified:
            self._link_verified(tag=tag)

    @event("LinkVerified")
    def _link_verified(self, tag: str) -> None:
        self.verified.append(tag)

    @event("RoundAdded")
    def add(self, round_id: uuid.UUID, year: int) -> None:
        self.rounds.append((round_id, year))
