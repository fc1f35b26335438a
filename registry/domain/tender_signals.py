"""Reports about tenders that ignore due diligence (covenant art. 7 lid 12; docs/tender-signals.md).

"Bij het secretariaat kunnen er meldingen worden gedaan als er aanbestedingen worden gesignaleerd die
geen aandacht hebben voor due diligence (ISV)." Anyone logged in reports a tender (a *tender signal*,
so that it is not confused with the tender register's public report); the secretariat tracks it:
received -> contacted (the secretariat spoke to the contracting authority) -> resolved. One table
(``NEXT``) decides which step may follow which status; who may take it is the policy's job.

Confidentiality. A reporter may be a company reporting its own client's tender: being known as the
one who reported can cost it the client. So everything the reporter typed (the authority, the title,
the link, what is missing, the tender's date) and who reported (login and organisation name) is
sealed, and so are the secretariat's notes (they name the authority). The owner of the data key is
the reporter's organisation (``reporter_organisation_id``, in clear: the sealing needs it to find the
key, and listing "my reports" needs it). In clear are only: the random id, that organisation's id,
statuses, dates and the secretariat's logins. The public counts read nothing but statuses and dates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ValidationError
from registry.domain.text import free_text, one_line
from registry.domain.transitions import Lifecycle, StepNotAllowedError

_OWNER = "reporter_organisation_id"
CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "TenderSignal.Reported": (_OWNER, ("reporter", "tender")),
    "TenderSignal.Contacted": (_OWNER, ("note",)),
    "TenderSignal.Resolved": (_OWNER, ("outcome",)),
}

# Bounds of what a reporter types (characters, after trimming).
NAME_LONGEST = 200  # the contracting authority, the tender's title, the link or reference
MISSING_SHORTEST, MISSING_LONGEST = 10, 2000  # what is missing: a sentence at least
NOTE_LONGEST = 2000  # the secretariat's contact note and outcome


class Status(StrEnum):
    RECEIVED = "received"
    CONTACTED = "contacted"
    RESOLVED = "resolved"


class Step(StrEnum):
    CONTACT = "contact"
    RESOLVE = "resolve"


S = Status
# status -> step -> the status it leads to: one way through, each step once.
NEXT: dict[Status, dict[Step, tuple[Status, ...]]] = {
    S.RECEIVED: {Step.CONTACT: (S.CONTACTED,)},
    S.CONTACTED: {Step.RESOLVE: (S.RESOLVED,)},
    S.RESOLVED: {},
}
LIFECYCLE = Lifecycle[Status, Step](NEXT)


class IllegalStepError(StepNotAllowedError):
    """A step the signal's status does not allow (409); names the steps that are allowed."""

    def __init__(self, signal_id: uuid.UUID, status: Status, step: Step):
        super().__init__(
            f"report about a tender {signal_id}",
            status,
            step.value,
            LIFECYCLE.allowed(status),
            "the report is resolved",
        )
        self.status = status


def allowed_steps(status: Status) -> list[str]:
    return LIFECYCLE.allowed(status)


def check_tender(
    authority: Any, title: Any, reference: Any, missing: Any, tender_date: dt.date | None
) -> dict[str, str | None]:
    """The reported tender, cleaned (JSON-ready: it is sealed as one value); raises a
    ValidationError naming the first bad field."""
    if tender_date is not None and (not isinstance(tender_date, dt.date) or isinstance(tender_date, dt.datetime)):
        raise ValidationError("tender_date", "a date (YYYY-MM-DD)")
    return {
        "authority": one_line(authority, "authority", NAME_LONGEST),
        "title": one_line(title, "title", NAME_LONGEST),
        "reference": one_line(reference, "reference", NAME_LONGEST),
        "missing": free_text(missing, "missing", MISSING_LONGEST, shortest=MISSING_SHORTEST),
        "tender_date": tender_date.isoformat() if tender_date is not None else None,
    }


class TenderSignal(Aggregate):
    """One report about one tender. Random id: nothing about the tender or the reporter in it."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @classmethod
    def report(
        cls,
        *,
        organisation_id: uuid.UUID,
        reporter_login: str,
        reporter_organisation: str,
        authority: Any,
        title: Any,
        reference: Any,
        missing: Any,
        tender_date: dt.date | None,
        on: dt.date,
    ) -> TenderSignal:
        """Validate, then record."""
        return cls(
            reporter_organisation_id=organisation_id,
            reporter={"login": reporter_login, "organisation": reporter_organisation},
            tender=check_tender(authority, title, reference, missing, tender_date),
            on=on,
        )

    @event("Reported")
    def __init__(self, *, reporter_organisation_id: uuid.UUID, reporter: Any, tender: Any, on: dt.date):
        self.reporter_organisation_id = reporter_organisation_id
        self.reporter = reporter  # a SealedField once read back from the store
        self.tender = tender  # likewise
        self.received_on = on
        self.status = Status.RECEIVED
        self.contact: dict[str, Any] | None = None  # {"on", "by", "note"}: the note sealed once read back
        self.resolution: dict[str, Any] | None = None  # {"on", "by", "outcome"}

    def _target(self, step: Step) -> Status:
        target = LIFECYCLE.target(self.status, step)
        if target is None:
            raise IllegalStepError(self.id, self.status, step)
        return target

    def record_contact(self, *, note: Any, on: dt.date, by: str) -> None:
        """The secretariat contacted the contracting authority (art. 7 lid 12: "in gesprek gaan")."""
        cleaned = free_text(note, "note", NOTE_LONGEST)
        target = self._target(Step.CONTACT)
        self._contacted(
            reporter_organisation_id=self.reporter_organisation_id, note=cleaned, status=target, on=on, by=by
        )

    @event("Contacted")
    def _contacted(self, reporter_organisation_id: uuid.UUID, note: Any, status: Status, on: dt.date, by: str) -> None:
        self.contact = {"on": on, "by": by, "note": note}
        self.status = Status(status)

    def resolve(self, *, outcome: Any, on: dt.date, by: str) -> None:
        cleaned = free_text(outcome, "outcome", NOTE_LONGEST)
        target = self._target(Step.RESOLVE)
        self._resolved(
            reporter_organisation_id=self.reporter_organisation_id, outcome=cleaned, status=target, on=on, by=by
        )

    @event("Resolved")
    def _resolved(
        self, reporter_organisation_id: uuid.UUID, outcome: Any, status: Status, on: dt.date, by: str
    ) -> None:
        self.resolution = {"on": on, "by": by, "outcome": outcome}
        self.status = Status(status)


class TenderSignalRegister(Aggregate):
    """Every signal's id and reporting organisation's id, so a list and the public counts need no
    scan. Saved together with each new signal: two at once conflict on its version and one retries.
    Holds nothing that the signal itself does not show in clear."""

    ID = uuid.UUID("5f0c2b8e-7d41-4a6e-9c3f-1e8a2d6b4c70")

    @staticmethod
    def create_id() -> uuid.UUID:
        return TenderSignalRegister.ID

    @event("Opened")
    def __init__(self) -> None:
        self.signals: list[tuple[uuid.UUID, uuid.UUID]] = []

    @event("SignalAdded")
    def add(self, signal_id: uuid.UUID, organisation_id: uuid.UUID) -> None:
        self.signals.append((signal_id, organisation_id))
