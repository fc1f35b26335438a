"""Reports about tenders that ignore due diligence (art. 7 lid 12; docs/tender-signals.md): anyone
logged in reports one, the secretariat tracks it (received, contacted, resolved), and the counts per
year are public. The lifecycle is in registry/domain/tender_signals.py.

Who may do what is the policy's (keys/access/policy.py), asked through the filter; every attempt,
allowed or not, is one access-log entry:
- ``report``: REPORT_TENDER, every role (a new report is its organisation's own by definition);
- ``list_for`` / ``get``: READ_TENDER_SIGNALS, the secretariat every report, every other role its own
  organisation's. Which of the two a list is, is asked of the policy (``decide``, which logs nothing)
  before the one logged decision: no role is compared here. Everything a report holds is sealed, so a
  list opens its rows in one step of the filter (one access-log entry for the list);
- ``contact`` / ``resolve``: TRACK_TENDER_SIGNALS, the secretariat. Asked first (``check``: a denial
  is logged), then the step runs in memory (409 on an illegal step, 422 on bad input), and only then
  is the grant logged and the step saved: a refused step leaves no granted entry.
- ``public_counts``: no login and no policy call. It reads statuses and dates only (in clear), never
  a sealed field, and answers counts per year: no authority, no title, no reporter.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from keys.access.filter import AccessDeniedError, Audit, ConfidentialFilter
from keys.access.policy import Action, Decision, Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.domain.errors import ConflictError, NotFoundError
from registry.domain.tender_signals import Status, TenderSignal, TenderSignalRegister, allowed_steps
from registry.sealed_application import VersionConflictError

Who = Principal | SystemPrincipal | None
SUBJECT = "tender_signal"  # the access log's subject kind


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reporter:
    """Who reported: shown to the secretariat and to the reporting organisation only."""

    login: str
    organisation: str


@dataclass(frozen=True)
class StepRecord:
    """A step of the secretariat: the day (the services' clock), who took it, and its note."""

    on: dt.date
    by: str
    note: str | None  # None: no longer readable (the reporting organisation's key was shredded)


@dataclass(frozen=True)
class TenderSignalView:
    """One report as the secretariat and the reporting organisation read it. The tender's fields
    are None when they can no longer be read (``readable`` False: the key was shredded)."""

    id: uuid.UUID
    status: Status
    allowed_next: tuple[str, ...]
    received_on: dt.date
    readable: bool
    authority: str | None
    title: str | None
    reference: str | None
    missing: str | None
    tender_date: dt.date | None
    reporter: Reporter | None
    contact: StepRecord | None
    resolution: StepRecord | None


@dataclass(frozen=True)
class SignalTaken:
    """A command's outcome: the report and the status it is in now."""

    id: uuid.UUID
    status: Status


@dataclass(frozen=True)
class YearCount:
    """The public figures of one year (the year a report was received): how many were received, how
    many of those the secretariat has taken up with the authority (contacted or resolved since), and
    how many of those are resolved."""

    year: int
    received: int | None  # None: fewer than PUBLIC_COUNT_THRESHOLD reports that year (not shown)
    contacted: int | None
    resolved: int | None


# A year's figures are published once it has this many reports: with one or two, anyone watching the
# public page would see when that report was taken up with the authority, and could match it to the
# secretariat's call to that authority (the registry's k elsewhere: docs/tender-signals.md).
PUBLIC_COUNT_THRESHOLD = 3


# --- the use case -----------------------------------------------------------------------------------


class TenderSignals:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter, today: Callable[[], dt.date]) -> None:
        self._registry = registry
        self._guard = guard
        self._today = today

    # --- reporting (every role) ---------------------------------------------------------------

    def report(
        self,
        principal: Who,
        authority: str,
        title: str,
        reference: str,
        missing: str,
        tender_date: dt.date | None = None,
        *,
        request_id: str = "",
    ) -> SignalTaken:
        """A tender that ignores due diligence, reported to the secretariat."""
        audit = Audit(SUBJECT, "", purpose="report about a tender", request_id=request_id)
        facts = Facts(own_data=True)  # a new report is its organisation's own
        self._guard.check(principal, Action.REPORT_TENDER, facts, audit)
        if not isinstance(principal, Principal):  # unreachable: the policy grants no system reader this
            raise AccessDeniedError(Decision(False, "a person reports a tender"), anonymous=principal is None)
        signal = TenderSignal.report(
            organisation_id=principal.organisation_id,
            reporter_login=principal.login,
            reporter_organisation=self._organisation_name(principal.organisation_ref),
            authority=authority,
            title=title,
            reference=reference,
            missing=missing,
            tender_date=tender_date,
            on=self._today(),
        )  # 422 before the grant is logged
        self._guard.authorise(principal, Action.REPORT_TENDER, facts, replace(audit, subject_ref=str(signal.id)))
        reported = signal.collect_events()  # kept, so that a retry saves the very same report
        for _attempt in range(5):  # two reports at once conflict on the register: one retries
            register = self._register()
            register.add(signal_id=signal.id, organisation_id=principal.organisation_id)
            try:
                self._registry.save(register, *reported)
            except VersionConflictError:
                continue
            return SignalTaken(signal.id, signal.status)
        raise ConflictError("too many reports at once: please try again")

    # --- reading --------------------------------------------------------------------------------

    def list_for(self, principal: Who, *, request_id: str = "") -> list[TenderSignalView]:
        """The reports the principal may read, newest first: the secretariat every one, everyone else
        their own organisation's. One access-log entry for the list."""
        every = decide(principal, Action.READ_TENDER_SIGNALS, Facts(own_data=False)).allowed
        own = _organisation_of(principal)
        chosen = [
            signal_id
            for signal_id, organisation_id in reversed(self._register().signals)
            if every or (own is not None and organisation_id == own)
        ]
        signals = [self._load(signal_id) for signal_id in chosen]
        signals.sort(key=lambda signal: signal.received_on, reverse=True)  # stable: newest first within a day
        audit = Audit(SUBJECT, "", purpose="reports about tenders", request_id=request_id)
        sealed = {f"{signal.id}/{name}": value for signal in signals for name, value in _sealed(signal).items()}
        opened = self._guard.open(principal, Action.READ_TENDER_SIGNALS, Facts(own_data=not every), sealed, audit)
        return [
            self._view(signal, {name: opened[f"{signal.id}/{name}"] for name in _sealed(signal)}) for signal in signals
        ]

    def get(self, principal: Who, signal_id: uuid.UUID | str, *, request_id: str = "") -> TenderSignalView:
        """One report, its reporter included: the secretariat, and the reporting organisation."""
        signal = self._load(signal_id)
        facts, audit = self._facts_and_audit(principal, signal, request_id)
        opened = self._guard.open(principal, Action.READ_TENDER_SIGNALS, facts, _sealed(signal), audit)
        return self._view(signal, opened)

    def may_track(self, principal: Who, request_id: str = "") -> None:
        """Asked before the secretariat's queue is drawn: a refusal is logged and raised, a grant logs
        nothing (the list that follows logs its own)."""
        audit = Audit(SUBJECT, "", purpose="reports about tenders: tracking", request_id=request_id)
        self._guard.check(principal, Action.TRACK_TENDER_SIGNALS, Facts(), audit)

    # --- tracking (the secretariat) -------------------------------------------------------------

    def contact(self, principal: Who, signal_id: uuid.UUID | str, note: str, *, request_id: str = "") -> SignalTaken:
        """The secretariat contacted the contracting authority about future use of the ISV."""
        signal = self._load(signal_id)
        facts, audit = self._facts_and_audit(principal, signal, request_id)
        self._guard.check(principal, Action.TRACK_TENDER_SIGNALS, facts, audit)
        signal.record_contact(note=note, on=self._today(), by=_login(principal))  # in memory: 409, 422
        return self._authorised_save(principal, signal, facts, audit)

    def resolve(self, principal: Who, signal_id: uuid.UUID | str, outcome: str, *, request_id: str = "") -> SignalTaken:
        signal = self._load(signal_id)
        facts, audit = self._facts_and_audit(principal, signal, request_id)
        self._guard.check(principal, Action.TRACK_TENDER_SIGNALS, facts, audit)
        signal.resolve(outcome=outcome, on=self._today(), by=_login(principal))  # in memory: 409, 422
        return self._authorised_save(principal, signal, facts, audit)

    # --- public ---------------------------------------------------------------------------------

    def public_counts(self) -> list[YearCount]:
        """Counts per year of receipt, oldest year first. Statuses and dates only: no sealed field is
        read, so no name, title or reporter can reach the answer."""
        received: Counter[int] = Counter()
        contacted: Counter[int] = Counter()
        resolved: Counter[int] = Counter()
        for signal_id, _organisation in self._register().signals:
            signal = self._load(signal_id)
            year = signal.received_on.year
            received[year] += 1
            contacted[year] += signal.status in (Status.CONTACTED, Status.RESOLVED)
            resolved[year] += signal.status is Status.RESOLVED
        return [
            YearCount(year, received[year], contacted[year], resolved[year])
            if received[year] >= PUBLIC_COUNT_THRESHOLD
            else YearCount(year, None, None, None)
            for year in sorted(received)
        ]

    # --- helpers --------------------------------------------------------------------------------

    def _view(self, signal: TenderSignal, opened: Mapping[str, Any]) -> TenderSignalView:
        tender, reporter = opened["tender"], opened["reporter"]
        readable = isinstance(tender, Mapping)
        date_text = tender.get("tender_date") if readable else None
        return TenderSignalView(
            id=signal.id,
            status=signal.status,
            allowed_next=tuple(allowed_steps(signal.status)),
            received_on=signal.received_on,
            readable=readable,
            authority=tender["authority"] if readable else None,
            title=tender["title"] if readable else None,
            reference=tender["reference"] if readable else None,
            missing=tender["missing"] if readable else None,
            tender_date=dt.date.fromisoformat(date_text) if date_text else None,
            reporter=Reporter(reporter["login"], reporter["organisation"]) if isinstance(reporter, Mapping) else None,
            contact=_step(signal.contact, opened.get("contact_note")),
            resolution=_step(signal.resolution, opened.get("outcome")),
        )

    def _organisation_name(self, ref: str) -> str:
        try:
            return self._registry.organisation(ref).name
        except NotFoundError:
            return ref

    def _register(self) -> TenderSignalRegister:
        try:
            register: TenderSignalRegister = self._registry.repository.get(TenderSignalRegister.ID)
        except AggregateNotFoundError:
            return TenderSignalRegister()
        return register

    def _load(self, signal_id: uuid.UUID | str) -> TenderSignal:
        try:
            signal: object = self._registry.repository.get(uuid.UUID(str(signal_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFoundError("no report about a tender with that id") from None
        if not isinstance(signal, TenderSignal):
            raise NotFoundError("no report about a tender with that id")
        return signal

    def _facts_and_audit(self, principal: Who, signal: TenderSignal, request_id: str) -> tuple[Facts, Audit]:
        """``own_data``: the report is the principal's organisation's."""
        facts = Facts(own_data=_organisation_of(principal) == signal.reporter_organisation_id)
        audit = Audit(SUBJECT, str(signal.id), purpose=f"report about a tender {signal.id}", request_id=request_id)
        return facts, audit

    def _authorised_save(self, principal: Who, signal: TenderSignal, facts: Facts, audit: Audit) -> SignalTaken:
        """The grant logged right before the write. A lost race (another step saved first) is a
        conflict, not retried: this step was decided on a status that no longer holds."""
        self._guard.authorise(principal, Action.TRACK_TENDER_SIGNALS, facts, audit)
        try:
            self._registry.save(signal)
        except VersionConflictError:
            raise ConflictError(f"report about a tender {signal.id} changed meanwhile: please try again") from None
        return SignalTaken(signal.id, signal.status)


def _sealed(signal: TenderSignal) -> dict[str, Any]:
    """The signal's sealed values (plaintext right after a command, ``SealedField`` once read back)."""
    fields = {"reporter": signal.reporter, "tender": signal.tender}
    if signal.contact is not None:
        fields["contact_note"] = signal.contact["note"]
    if signal.resolution is not None:
        fields["outcome"] = signal.resolution["outcome"]
    return fields


def _step(recorded: Mapping[str, Any] | None, text: Any) -> StepRecord | None:
    if recorded is None:
        return None
    return StepRecord(on=recorded["on"], by=recorded["by"], note=text if isinstance(text, str) else None)


def _organisation_of(principal: Who) -> uuid.UUID | None:
    return principal.organisation_id if isinstance(principal, Principal) else None


def _login(principal: Who) -> str:
    return principal.login if principal is not None else ""
